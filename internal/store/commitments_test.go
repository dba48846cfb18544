package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// publishedRecommendation publishes a recommendation addressed to orgs,
// with one frozen figure as its evidence.
func publishedRecommendation(t *testing.T, s *store.Store, orgs ...string) accountability.Recommendation {
	t.Helper()
	theme := demo.CodeID("language")
	r, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "Interpreters", Text: "Book one.", Organisations: orgs, Themes: []string{theme}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version, []accountability.Figure{{ThemeID: theme, ThemeName: "Language", Value: "10"}}, nil,
		func(string) string { return "Language" }); err != nil {
		t.Fatal(err)
	}
	r, err = s.Recommendation(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestResponsesCommitmentsAndUpdates: an organisation answers only what
// is addressed to it; commits only to what it accepted; sub-commitments
// take references under their parent; an update claiming a change waits
// for review (sent back with a question, answered, approved) before it
// sets the commitment's status; a commitment not being done takes no
// more updates or changes; every step is in the audit trail, and the
// public history agrees with it.
func TestResponsesCommitmentsAndUpdates(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		rec := publishedRecommendation(t, s, "icb", "council")
		draft, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "Draft", Text: "x", Organisations: []string{"icb"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveResponse(ctx, "sh-1", accountability.Response{RecommendationID: rec.ID, Organisation: "trust", Decision: accountability.Accepted}); !errors.Is(err, accountability.ErrNotAddressed) {
			t.Errorf("answered for an organisation not addressed: %v", err)
		}
		if _, err := s.SaveResponse(ctx, "sh-1", accountability.Response{RecommendationID: draft.ID, Organisation: "icb", Decision: accountability.Accepted}); !errors.Is(err, accountability.ErrNotAddressed) {
			t.Errorf("answered a draft: %v", err)
		}
		today := accountability.Day(time.Now(), time.UTC)
		c := accountability.Commitment{RecommendationID: rec.ID, Organisation: "icb", Text: "We will book interpreters.", OwnerRole: "Head of Patient Experience", Due: today.AddDate(0, 3, 0), Weight: 1}
		if _, err := s.AddCommitment(ctx, "sh-1", c, "planned"); !errors.Is(err, accountability.ErrNotAccepted) {
			t.Errorf("committed before answering: %v", err)
		}
		resp, err := s.SaveResponse(ctx, "sh-1", accountability.Response{RecommendationID: rec.ID, Organisation: "icb", Decision: accountability.NotAccepted, Reasons: "No budget."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveResponse(ctx, "sh-2", accountability.Response{RecommendationID: rec.ID, Organisation: "icb", Decision: accountability.Accepted}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a second first answer: %v", err)
		}
		if _, err := s.AddCommitment(ctx, "sh-1", c, "planned"); !errors.Is(err, accountability.ErrNotAccepted) {
			t.Errorf("committed to a recommendation not accepted: %v", err)
		}
		resp.Decision, resp.Reasons = accountability.PartlyAccepted, "Interpreters yes, longer appointments later."
		stale := resp
		if resp, err = s.SaveResponse(ctx, "sh-1", resp); err != nil || resp.Version != 2 {
			t.Fatalf("changed answer: %+v %v", resp, err)
		}
		if _, err := s.SaveResponse(ctx, "sh-2", stale); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a stale answer: %v", err)
		}

		c1, err := s.AddCommitment(ctx, "sh-1", c, "planned")
		if err != nil {
			t.Fatal(err)
		}
		c.Text = "We will translate appointment letters."
		c2, err := s.AddCommitment(ctx, "sh-1", c, "planned")
		if err != nil {
			t.Fatal(err)
		}
		sub := c
		sub.ParentID, sub.Text, sub.Weight = c1.ID, "We will train reception staff.", 3
		s1, err := s.AddCommitment(ctx, "sh-1", sub, "planned")
		if err != nil {
			t.Fatal(err)
		}
		if c1.Reference != rec.Reference+".1" || c2.Reference != rec.Reference+".2" || s1.Reference != rec.Reference+".1.1" {
			t.Errorf("references %s %s %s", c1.Reference, c2.Reference, s1.Reference)
		}
		sub.ParentID = s1.ID // no sub-commitment of a sub-commitment
		if _, err := s.AddCommitment(ctx, "sh-1", sub, "planned"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a sub-sub-commitment: %v", err)
		}
		other := c
		other.Organisation = "council" // the council has not answered
		if _, err := s.AddCommitment(ctx, "sh-1", other, "planned"); !errors.Is(err, accountability.ErrNotAccepted) {
			t.Errorf("committed for another organisation: %v", err)
		}

		// A plain update is public at once.
		u1, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c1.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 40,
			Text: "Booking system chosen.", Review: accountability.ReviewNone})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddUpdate(ctx, "sh-9", "council", accountability.Update{CommitmentID: c1.ID, On: today, Status: "done", Kind: accountability.KindDone, Progress: 100,
			Text: "x", Review: accountability.ReviewNone}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation updated the ICB's commitment: %v", err)
		}
		got, _ := s.Commitment(ctx, c1.ID)
		if got.Status != "in-progress" || got.Progress != 40 || got.Kind != accountability.KindActive {
			t.Errorf("after a public update: %+v", got)
		}
		// A claimed change waits for review.
		u2, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c1.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 70,
			Text: "Interpreters now booked with the appointment.", Claim: accountability.ClaimMade, WhatChanged: "The booking form asks for a language.", Review: accountability.ReviewPending})
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Commitment(ctx, c1.ID); got.Progress != 40 {
			t.Errorf("an unreviewed claim changed the status: %+v", got)
		}
		if pub, _ := s.Updates(ctx, c1.ID, true); len(pub) != 1 {
			t.Errorf("public updates before review: %d", len(pub))
		}
		if err := s.ReviewUpdate(ctx, "connector-1", u2.ID, false, "Since when?"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReviewUpdate(ctx, "connector-1", u2.ID, true, ""); !errors.Is(err, accountability.ErrNotPending) {
			t.Errorf("approved a returned update: %v", err)
		}
		if err := s.AnswerUpdate(ctx, "sh-9", "council", u2.ID, "x", "y", ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation answered: %v", err)
		}
		if err := s.AnswerUpdate(ctx, "sh-1", "icb", u2.ID, "Since 1 March.", "The booking form asks for a language since 1 March.", "https://example.org/form"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReviewUpdate(ctx, "connector-1", u2.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Commitment(ctx, c1.ID); got.Progress != 70 {
			t.Errorf("an approved claim did not set the status: %+v", got)
		}
		if u, _ := s.CommitmentUpdate(ctx, u2.ID); u.Review != accountability.ReviewApproved || u.EvidenceURL != "https://example.org/form" {
			t.Errorf("approved update: %+v", u)
		}

		// The commitment's words change: its history keeps the old ones.
		c1.Text, c1.Due = "We will book interpreters for every appointment.", c1.Due.AddDate(0, 1, 0)
		staleC := c1
		if c1, err = s.EditCommitment(ctx, "sh-1", c1); err != nil || c1.Version != 2 {
			t.Fatalf("edit: %+v %v", c1, err)
		}
		if _, err := s.EditCommitment(ctx, "sh-1", staleC); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a stale edit: %v", err)
		}

		// Not doing c2: no more updates or changes.
		if _, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c2.ID, On: today, Status: "not-doing", Kind: accountability.KindDropped, Progress: 0,
			Text: "Letters go digital instead.", Reason: "The letters are replaced by the NHS App.", Review: accountability.ReviewNone}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c2.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 10,
			Text: "x", Review: accountability.ReviewNone}); !errors.Is(err, accountability.ErrDropped) {
			t.Errorf("an update on a dropped commitment: %v", err)
		}
		c2, _ = s.Commitment(ctx, c2.ID)
		if _, err := s.EditCommitment(ctx, "sh-1", c2); !errors.Is(err, accountability.ErrDropped) {
			t.Errorf("a dropped commitment changed: %v", err)
		}
		if list, err := s.Commitments(ctx, store.CommitmentFilter{Organisation: "icb", Open: true}); err != nil || len(list) != 2 {
			t.Errorf("open commitments: %d %v", len(list), err)
		}

		// The public history agrees with the audit trail.
		history, err := s.CommitmentHistory(ctx, c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		assertHistoryMatchesAudit(t, s, c1.ID, history)
		if len(history) != 4 || history[0].Before.Text != "We will book interpreters." || history[len(history)-1].Version != 2 {
			t.Errorf("history: %d entries", len(history))
		}
		_ = u1

		// Factual-accuracy check: only when shared, only the addressed.
		if err := s.AddNote(ctx, "sh-1", accountability.Note{RecommendationID: draft.ID, Organisation: "icb", Text: "Wrong date."}); !errors.Is(err, accountability.ErrNotAddressed) {
			t.Errorf("a note on a draft not shared: %v", err)
		}
		if err := s.ShareForCheck(ctx, "connector-1", draft.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ShareForCheck(ctx, "connector-1", rec.ID); !errors.Is(err, store.ErrNotDraft) {
			t.Errorf("shared a published recommendation: %v", err)
		}
		if err := s.AddNote(ctx, "sh-9", accountability.Note{RecommendationID: draft.ID, Organisation: "council", Text: "x"}); !errors.Is(err, accountability.ErrNotAddressed) {
			t.Errorf("a note by an organisation not addressed: %v", err)
		}
		if err := s.AddNote(ctx, "sh-1", accountability.Note{RecommendationID: draft.ID, Organisation: "icb", Text: "The clinic opened in 2024, not 2023."}); err != nil {
			t.Fatal(err)
		}
		if notes, _ := s.Notes(ctx, draft.ID, ""); len(notes) != 1 {
			t.Errorf("notes: %v", notes)
		}
		if shared, _ := s.SharedDrafts(ctx, "icb"); len(shared) != 1 || shared[0].ID != draft.ID {
			t.Errorf("shared drafts: %v", shared)
		}

		// A reminder is written once per subject, kind and deadline.
		due := today.AddDate(0, 0, 7)
		msg := mail.Queued{Kind: "accountability_reminder", Payload: "sealed"}
		for i, want := range []bool{true, false} {
			sent, err := s.SendReminder(ctx, rec.ID+"/council", "response-due", due, msg)
			if err != nil || sent != want {
				t.Errorf("reminder %d: %v %v", i, sent, err)
			}
		}
		if sent, _ := s.SendReminder(ctx, rec.ID+"/council", "response-overdue", due, msg); !sent {
			t.Error("the overdue reminder was taken for the due one")
		}
		if q, _ := s.OutboxMail(ctx, "accountability_reminder"); len(q) != 2 {
			t.Errorf("reminders queued: %d", len(q))
		}
	})
}

// assertHistoryMatchesAudit checks that every entry of a commitment's
// public history has its audit entry, and that every audit entry that
// made something public is in the history.
func assertHistoryMatchesAudit(t *testing.T, s *store.Store, id string, history []accountability.HistoryEntry) {
	t.Helper()
	trail, err := s.FilterAudit(ctx, store.AuditFilter{Subject: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	fromAudit := map[string]bool{}
	for _, e := range trail {
		var d struct {
			Version int    `json:"version"`
			Update  string `json:"update"`
			Review  string `json:"review"`
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			t.Fatal(err)
		}
		switch {
		case e.Action == store.AuditCommitmentCreated || e.Action == store.AuditCommitmentEdited:
			fromAudit[fmt.Sprintf("version %d", d.Version)] = true
		case e.Action == store.AuditUpdateAdded && d.Review == string(accountability.ReviewNone), e.Action == store.AuditUpdateApproved:
			fromAudit["update "+d.Update] = true
		}
	}
	fromHistory := map[string]bool{}
	for _, h := range history {
		if h.Update != nil {
			fromHistory["update "+h.Update.ID] = true
		} else {
			fromHistory[fmt.Sprintf("version %d", h.Version)] = true
		}
	}
	var missing []string
	for k := range fromAudit {
		if !fromHistory[k] {
			missing = append(missing, "not in the history: "+k)
		}
	}
	for k := range fromHistory {
		if !fromAudit[k] {
			missing = append(missing, "not in the audit trail: "+k)
		}
	}
	if len(missing) > 0 || len(fromHistory) == 0 {
		t.Errorf("history and audit trail disagree: %s", strings.Join(missing, "; "))
	}
}
