package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestModeration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sub := submission()
		sub.WhatHappened = "Dr Khan at the hospital was kind."
		rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		q, err := s.ModerationQueue(ctx, 10)
		if err != nil || len(q) != 1 || q[0].ID != rc.ID {
			t.Fatalf("queue: %+v %v", q, err)
		}
		h, err := s.ExperienceForModeration(ctx, rc.ID, "connector-1")
		if err != nil || h.Submission.WhatHappened != sub.WhatHappened || h.Redacted {
			t.Fatalf("view: %+v %v", h, err)
		}
		entries, _ := s.RecentAudit(ctx, 1)
		if entries[0].Action != "experience.viewed_unredacted" || entries[0].ActorID != "connector-1" || entries[0].Subject != rc.ID {
			t.Fatalf("view not audited: %+v", entries[0])
		}
		texts := h.Submission
		texts.WhatHappened = "Dr [staff] at the hospital was kind."
		if err := s.RedactExperience(ctx, "connector-1", rc.ID, texts, nil, "v1:k:original-1"); err != nil {
			t.Fatal(err)
		}
		texts.WentWell = "[name]"
		if err := s.RedactExperience(ctx, "connector-1", rc.ID, texts, nil, "v1:k:original-2"); err != nil {
			t.Fatal(err)
		}
		sealed, err := s.SealedOriginal(ctx, rc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sealed != "v1:k:original-1" {
			t.Fatalf("the first original was not kept: %q", sealed)
		}
		if err := s.DecideExperience(ctx, "connector-1", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		h, _ = s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
		if h.Status != experience.StatusApproved || !h.Redacted || h.Submission.WhatHappened != "Dr [staff] at the hospital was kind." {
			t.Fatalf("after moderation: %+v", h)
		}
		if q, _ := s.ModerationQueue(ctx, 10); len(q) != 0 {
			t.Fatalf("approved still queued: %+v", q)
		}
		if err := s.DecideExperience(ctx, "c", "nope", experience.StatusRejected, "spam"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deciding a missing record: %v", err)
		}
		// Retention: the original goes 30 days after moderation, and a
		// rejected submission goes with everything about it.
		rej, _ := s.SubmitExperience(ctx, submission(), experience.Contact{})
		if err := s.DecideExperience(ctx, "connector-1", rej.ID, experience.StatusRejected, "not about cancer services"); err != nil {
			t.Fatal(err)
		}
		later := time.Now().UTC().Add(31 * 24 * time.Hour)
		s.SetClock(func() time.Time { return later })
		cutoff := later.Add(-30 * 24 * time.Hour)
		for rule, want := range map[string]int{"unredacted-originals": 1, "rejected-submissions": 1} {
			if n, err := s.RetentionDue(ctx, rule, cutoff); err != nil || n != want {
				t.Fatalf("%s due: %d %v", rule, n, err)
			}
			if n, err := s.RetentionPurge(ctx, rule, cutoff, 10); err != nil || n != 1 {
				t.Fatalf("%s purge: %d %v", rule, n, err)
			}
			if n, _ := s.RetentionDue(ctx, rule, cutoff); n != 0 {
				t.Fatalf("%s: %d still due after purge", rule, n)
			}
		}
		if _, err := s.ExperienceByReference(ctx, rej.Reference, rej.Secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rejected submission kept: %v", err)
		}
		if n, err := s.Held(ctx, "consents"); err != nil || n != 1 {
			t.Fatalf("%d consent records, want 1 (the approved submission's)", n)
		}
		if h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); err != nil || h.Submission.WhatHappened != "Dr [staff] at the hospital was kind." {
			t.Fatalf("the approved, redacted experience must stay: %v", err)
		}
		// Experiences stay while the programme has no end date, and go a
		// configured period after it.
		if n, _ := s.RetentionDue(ctx, "experiences-after-programme-end", cutoff); n != 0 {
			t.Fatalf("%d experiences due without an end date", n)
		}
		prog := demo.Luton()
		prog.Settings.EndDate = later.Add(-40 * 24 * time.Hour).Format("2006-01-02")
		if err := s.ReplaceProgramme(ctx, "test", prog); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RetentionDue(ctx, "experiences-after-programme-end", cutoff); err != nil || n != 1 {
			t.Fatalf("experiences due after the end date: %d %v", n, err)
		}
		if n, _ := s.RetentionDue(ctx, "experiences-after-programme-end", later.Add(-60*24*time.Hour)); n != 0 {
			t.Fatalf("experiences due before the end date plus the period: %d", n)
		}
		if n, err := s.RetentionPurge(ctx, "experiences-after-programme-end", cutoff, 10); err != nil || n != 1 {
			t.Fatalf("purge experiences: %d %v", n, err)
		}
		if _, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("experience kept after the programme's end: %v", err)
		}
		if brk, _, _ := s.VerifyAudit(ctx); brk != nil {
			t.Fatalf("audit: %+v", brk)
		}
	})
}

// A correction added to an approved story is new text nobody has read:
// the story leaves the evidence and goes back to the moderation queue,
// marked as corrected, and the correction can be redacted like the rest.
func TestCorrectionReturnsToModeration(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		rc, err := s.SubmitExperience(ctx, submission(), experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DecideExperience(ctx, "connector-1", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		if q, _ := s.ModerationQueue(ctx, 10); len(q) != 0 {
			t.Fatalf("approved still queued: %+v", q)
		}
		if err := s.AddCorrection(ctx, rc.Reference, rc.Secret, "My sister Aisha Begum came with me, call 07700 900123."); err != nil {
			t.Fatal(err)
		}
		q, err := s.ModerationQueue(ctx, 10)
		if err != nil || len(q) != 1 || q[0].ID != rc.ID || !q[0].Corrected {
			t.Fatalf("after a correction the queue holds %+v, %v; want the story, marked corrected", q, err)
		}
		h, err := s.ExperienceForModeration(ctx, rc.ID, "connector-1")
		if err != nil || h.Status != experience.StatusPending || len(h.Corrections) != 1 || h.Corrections[0].ID == "" {
			t.Fatalf("held: %+v %v", h, err)
		}
		entries, _ := s.RecentAudit(ctx, 3)
		found := false
		for _, e := range entries {
			found = found || e.Action == "experience.corrected" && e.Subject == rc.ID
		}
		if !found {
			t.Fatalf("the correction was not audited: %+v", entries)
		}
		fixed := h.Corrections
		fixed[0].Text = "My sister [name] came with me, call [phone]."
		if err := s.RedactExperience(ctx, "connector-1", rc.ID, h.Submission, fixed, "v1:k:original"); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.ExperienceByReference(ctx, rc.Reference, rc.Secret); h.Corrections[0].Text != "My sister [name] came with me, call [phone]." || !h.Redacted {
			t.Fatalf("correction after redaction: %+v", h.Corrections)
		}
	})
}
