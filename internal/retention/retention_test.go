package retention_test

import (
	"context"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

var ctx = context.Background()

func TestDefaultRules(t *testing.T) {
	t.Parallel()
	r := retention.DefaultRules()
	if r.ContactDetails != 90*24*time.Hour || r.RejectedSubmissions != 30*24*time.Hour || r.BatchSize < 1 {
		t.Fatalf("defaults %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	r.ContactDetails = 0
	if err := r.Validate(); err == nil {
		t.Fatal("zero retention accepted")
	}
}

// The plan counts exactly what apply then removes; applying again
// removes nothing; small batches still remove everything due.
func TestRulesPlanAndApply(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		clock := t0
		s.SetClock(func() time.Time { return clock })
		for i, at := range []time.Duration{0, 0, 0, 0, 0, 85 * 24 * time.Hour} {
			clock = t0.Add(at)
			sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", WhatHappened: "story",
				Consent: experience.Consent{Version: "2026-11", Evidence: true, Contact: true}, Source: experience.SourceOnline}
			if _, err := s.SubmitExperience(ctx, sub, experience.Contact{Email: "v1:k:sealed"}); err != nil {
				t.Fatalf("submit %d: %v", i, err)
			}
		}
		now := t0.Add(91 * 24 * time.Hour)
		rules := retention.DefaultRules()
		rules.BatchSize = 2 // 5 due: batches of 2, 2, 1

		plan, err := rules.Plan(ctx, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if plan.Total() != 5 || len(plan.Counts) != 12 || plan.Counts[0].Rule != retention.RuleContactDetails || plan.Counts[0].Records != 5 {
			t.Fatalf("plan %+v", plan)
		}
		if rej := plan.Counts[2]; rej.Rule != retention.RuleRejectedSubmissions || rej.Records != 0 {
			t.Fatalf("rejected-submissions rule %+v", rej)
		}
		// A plan changes nothing.
		if again, _ := rules.Plan(ctx, s, now); again.Total() != 5 {
			t.Fatalf("plan changed something: %+v", again)
		}
		res, err := rules.Apply(ctx, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total() != plan.Total() || res.Counts[0].Records != plan.Counts[0].Records {
			t.Fatalf("applied %+v, planned %+v", res, plan)
		}
		if res, err := rules.Apply(ctx, s, now); err != nil || res.Total() != 0 {
			t.Fatalf("second apply: %+v %v", res, err)
		}
		if left, err := s.Held(ctx, "contact_details"); err != nil || left != 1 {
			t.Fatalf("%d contact details left (%v), want the recent one", left, err)
		}
		if brk, _, err := s.VerifyAudit(ctx); err != nil || brk != nil {
			t.Fatalf("audit: %+v %v", brk, err)
		}
	})
}
