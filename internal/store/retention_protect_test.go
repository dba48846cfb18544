package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/breach"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A breach record (and every version of it) goes once it has not
// changed for retention.Breaches, through the daily rules; a newer one
// stays.
func TestBreachRecordsRetention(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		t0 := time.Date(2019, 1, 10, 12, 0, 0, 0, time.UTC)
		clock := t0
		s.SetClock(func() time.Time { return clock })
		record := func(summary string) string {
			b, errs := breach.Form{Summary: summary, Aware: clock.Format("2006-01-02T15:04")}.Parse(clock, time.UTC)
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			id, err := s.RecordBreach(ctx, "dpo", b)
			if err != nil {
				t.Fatal(err)
			}
			b.Actions = "Sheet recovered"
			if err := s.UpdateBreach(ctx, "dpo", id, 1, b); err != nil {
				t.Fatal(err)
			}
			return id
		}
		old := record("Sign-in sheet left on a bus")
		clock = t0.Add(3 * 365 * 24 * time.Hour)
		recent := record("Email sent to the wrong list")

		now := t0.Add(retention.Breaches + 24*time.Hour)
		rules := retention.DefaultRules()
		plan, err := rules.Plan(ctx, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if c := countOf(plan.Counts, retention.RuleBreaches); c != 1 {
			t.Fatalf("plan: %d breach records due, want 1", c)
		}
		res, err := rules.Apply(ctx, s, now)
		if err != nil {
			t.Fatal(err)
		}
		if c := countOf(res.Counts, retention.RuleBreaches); c != 1 {
			t.Fatalf("apply: %d removed", c)
		}
		if _, err := s.Breach(ctx, old); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old breach still there: %v", err)
		}
		if h, _ := s.BreachHistory(ctx, old); len(h) != 0 {
			t.Fatalf("old breach's versions still there: %d", len(h))
		}
		if _, err := s.Breach(ctx, recent); err != nil {
			t.Fatalf("recent breach gone: %v", err)
		}
		if h, _ := s.BreachHistory(ctx, recent); len(h) != 2 {
			t.Fatalf("recent breach's versions: %d", len(h))
		}
		if a, sub := lastAudit(t, s); a != "retention.breach_records_deleted" || sub != "breaches" {
			t.Fatalf("audit: %s %s", a, sub)
		}
	})
}

func countOf(cs []retention.Count, rule string) int64 {
	for _, c := range cs {
		if c.Rule == rule {
			return c.Records
		}
	}
	return -1
}
