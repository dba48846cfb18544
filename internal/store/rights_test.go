package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/breach"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// lastAudit returns the newest audit entry's action and subject.
func lastAudit(t *testing.T, s *store.Store) (string, string) {
	t.Helper()
	es, err := s.RecentAudit(ctx, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("audit: %v %d", err, len(es))
	}
	return es[0].Action, es[0].Subject
}

func TestRightsRequestLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		n := rights.New{Kind: rights.KindAccess, Channel: rights.ChannelEmail, ReceivedOn: "2026-01-31", Reference: "ab12-cd34", Notes: "All my stories"}
		if errs := n.Validate(day("2026-12-06")); len(errs) != 0 {
			t.Fatal(errs)
		}
		id, err := s.LogRightsRequest(ctx, "dpo", n, "sealed-contact")
		if err != nil {
			t.Fatal(err)
		}
		if a, sub := lastAudit(t, s); a != store.AuditRightsLogged || sub != id {
			t.Fatalf("audit %s %s", a, sub)
		}
		r, err := s.RightsRequest(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Reference != "AB12-CD34" || r.ContactSealed != "sealed-contact" || r.IdentityOn != nil || r.Due().Format(time.DateOnly) != "2026-03-02" {
			t.Fatalf("read back %+v due %s", r, r.Due())
		}
		if err := s.RecordRightsIdentity(ctx, "dpo", id, day("2026-02-10")); err != nil {
			t.Fatal(err)
		}
		if err := s.ExtendRightsRequest(ctx, "dpo", id, "Records across five events", day("2026-02-20")); err != nil {
			t.Fatal(err)
		}
		if err := s.ExtendRightsRequest(ctx, "dpo", id, "again", day("2026-02-21")); !errors.Is(err, rights.ErrAlreadyExtended) {
			t.Fatalf("second extension: %v", err)
		}
		r, _ = s.RightsRequest(ctx, id)
		// From identity on 10 February 2026, three months: 10 May 2026 is a Sunday, so Monday 11 May.
		if !r.Extended || r.ExtensionReason != "Records across five events" || r.Due().Format(time.DateOnly) != "2026-05-11" {
			t.Fatalf("extended %+v due %s", r, r.Due())
		}
		if err := s.CloseRightsRequest(ctx, "dpo", id, day("2026-04-01"), "Pack sent by email link"); err != nil {
			t.Fatal(err)
		}
		if a, _ := lastAudit(t, s); a != store.AuditRightsClosed {
			t.Fatalf("audit %s", a)
		}
		if err := s.CloseRightsRequest(ctx, "dpo", id, day("2026-04-02"), "again"); !errors.Is(err, rights.ErrAlreadyClosed) {
			t.Fatalf("closed twice: %v", err)
		}
		if err := s.RecordRightsIdentity(ctx, "dpo", "missing", day("2026-02-10")); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
		// A second, open request lists before the closed one.
		n2 := rights.New{Kind: rights.KindErasure, Channel: rights.ChannelPhone, ReceivedOn: "2026-11-01", Contact: "x"}
		n2.Validate(day("2026-12-06"))
		id2, err := s.LogRightsRequest(ctx, "dpo", n2, "")
		if err != nil {
			t.Fatal(err)
		}
		list, err := s.RightsRequests(ctx)
		if err != nil || len(list) != 2 || list[0].ID != id2 || list[1].ID != id {
			t.Fatalf("list %v %+v", err, list)
		}

		// Retention: a request closed before the cut-off goes (the rule's
		// period, two years, is subtracted by retention.Rules); the open one stays.
		if n, _ := s.RetentionDue(ctx, retention.RuleRightsRequests, day("2026-04-01")); n != 0 {
			t.Fatalf("due too early: %d", n)
		}
		if n, err := s.RetentionPurge(ctx, retention.RuleRightsRequests, day("2026-04-02"), 10); err != nil || n != 1 {
			t.Fatalf("purged %d %v", n, err)
		}
		if _, err := s.RightsRequest(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("closed request still there: %v", err)
		}
		if _, err := s.RightsRequest(ctx, id2); err != nil {
			t.Fatalf("open request gone: %v", err)
		}
	})
}

func TestBreachRegisterKeepsEveryVersion(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		b, errs := breach.Form{Summary: "Sign-in sheet left on a bus", Aware: "2026-12-06T09:00"}.Parse(now, time.UTC)
		if len(errs) != 0 {
			t.Fatal(errs)
		}
		id, err := s.RecordBreach(ctx, "dpo", b)
		if err != nil {
			t.Fatal(err)
		}
		if a, sub := lastAudit(t, s); a != store.AuditBreachRecorded || sub != id {
			t.Fatalf("audit %s %s", a, sub)
		}
		b2 := b
		n := 12
		b2.PeopleAffected = &n
		b2.Reported, b2.ReportReason = breach.Yes, "Health data of named people"
		if err := s.UpdateBreach(ctx, "dpo", id, 1, b2); err != nil {
			t.Fatal(err)
		}
		es, _ := s.RecentAudit(ctx, 1)
		if es[0].Action != store.AuditBreachUpdated || es[0].Detail != `{"changed":"people,reported,report-reason","version":"2"}` {
			t.Fatalf("audit %+v", es[0])
		}
		// A change made from version 1 again has been overtaken.
		if err := s.UpdateBreach(ctx, "other", id, 1, b); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		if err := s.UpdateBreach(ctx, "dpo", id, 2, b2); !errors.Is(err, store.ErrBreachUnchanged) {
			t.Fatalf("no change: %v", err)
		}
		cur, err := s.Breach(ctx, id)
		if err != nil || cur.Version != 2 || *cur.PeopleAffected != 12 || cur.Reported != breach.Yes || !cur.AwareAt.Equal(b.AwareAt) {
			t.Fatalf("current %v %+v", err, cur)
		}
		hist, err := s.BreachHistory(ctx, id)
		if err != nil || len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 || hist[1].PeopleAffected != nil {
			t.Fatalf("history %v %+v", err, hist)
		}
		list, err := s.Breaches(ctx)
		if err != nil || len(list) != 1 || list[0].Version != 2 {
			t.Fatalf("list %v %+v", err, list)
		}
		if _, err := s.Breach(ctx, "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}
	})
}
