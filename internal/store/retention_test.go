package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Contact details last used before the cut-off go, in audited batches;
// newer ones, and every experience narrative, stay.
func TestContactDetailsRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		clock := t0
		s.SetClock(func() time.Time { return clock })
		submit := func(contact bool) experience.Receipt {
			t.Helper()
			sub := submission()
			sub.Consent.Contact = contact
			rc, err := s.SubmitExperience(ctx, sub, experience.Contact{Name: "v1:k:SEALEDNAME", Email: "v1:k:SEALEDEMAIL"})
			if err != nil {
				t.Fatal(err)
			}
			return rc
		}
		var old []experience.Receipt
		for i := 0; i < 3; i++ {
			old = append(old, submit(true))
		}
		noContact := submit(false)
		clock = t0.Add(80 * 24 * time.Hour)
		recent := submit(true)

		clock = t0.Add(100 * 24 * time.Hour)
		before := clock.Add(-90 * 24 * time.Hour) // t0 + 10 days: only the first three are due
		due, err := s.ContactDetailsDue(ctx, before)
		if err != nil || due != 3 {
			t.Fatalf("due: %d, %v (want 3)", due, err)
		}
		// Batches of one: three calls remove one each, the fourth nothing.
		var removed int64
		for i := 0; i < 3; i++ {
			n, err := s.PurgeContactDetails(ctx, before, 1)
			if err != nil || n != 1 {
				t.Fatalf("batch %d: %d, %v", i, n, err)
			}
			removed += n
			if left, _ := s.ContactDetailsDue(ctx, before); left != 3-i-1 {
				t.Fatalf("after batch %d, %d still due", i, left)
			}
		}
		if removed != int64(due) {
			t.Fatalf("dry-run count %d, removed %d", due, removed)
		}
		entries := func() int {
			var n int
			if err := s.ReadDB().QueryRow("SELECT COUNT(*) FROM audit_log").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		auditBefore := entries()
		// Applying again removes nothing and audits nothing.
		if n, err := s.PurgeContactDetails(ctx, before, 100); err != nil || n != 0 {
			t.Fatalf("second run: %d, %v", n, err)
		}
		if got := entries(); got != auditBefore {
			t.Fatalf("an empty run added %d audit entries", got-auditBefore)
		}
		if _, err := s.PurgeContactDetails(ctx, before, 0); err == nil {
			t.Fatal("limit 0 accepted")
		}

		for _, rc := range old {
			h, err := s.ExperienceByReference(ctx, rc.Reference, rc.Secret)
			if err != nil {
				t.Fatalf("experience gone with its contact details: %v", err)
			}
			if h.HasContact || h.Submission.WhatHappened != submission().WhatHappened || !h.Submission.Consent.Contact {
				t.Fatalf("old experience after retention: %+v", h)
			}
			if a, err := s.EqualityAnswers(ctx, h.ID); err != nil || a.PostcodeDistrict != "LU4" {
				t.Fatalf("equality answers after retention: %+v %v", a, err)
			}
		}
		if h, err := s.ExperienceByReference(ctx, recent.Reference, recent.Secret); err != nil || !h.HasContact {
			t.Fatalf("recent contact details removed: %+v %v", h, err)
		}
		if _, err := s.ExperienceByReference(ctx, noContact.Reference, noContact.Secret); err != nil {
			t.Fatal(err)
		}
		rows, err := s.Held(ctx, "contact_details")
		if err != nil {
			t.Fatal(err)
		}
		narratives, err := s.Held(ctx, "experiences")
		if err != nil {
			t.Fatal(err)
		}
		if rows != 1 || narratives != 5 {
			t.Fatalf("%d contact details and %d experiences left, want 1 and 5", rows, narratives)
		}

		// One audit entry per batch, holding the count and nothing else.
		recentAudit, err := s.RecentAudit(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		var batches int
		for _, e := range recentAudit {
			if e.Action != audit.ContactDetailsDeleted {
				continue
			}
			batches++
			if e.Detail != `{"count":1}` || e.ActorID != "system" || strings.Contains(e.Subject+e.Detail, "SEALED") {
				t.Fatalf("audit entry %+v", e)
			}
		}
		if batches != 3 {
			t.Fatalf("%d retention audit entries, want 3", batches)
		}
		brk, _, err := s.VerifyAudit(ctx)
		if err != nil || brk != nil {
			t.Fatalf("audit trail after retention: %+v %v", brk, err)
		}
	})
}
