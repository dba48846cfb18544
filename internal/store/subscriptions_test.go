package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/subscription"
)

func subscribe(t *testing.T, s *store.Store, email, follow string) (string, bool) {
	t.Helper()
	f, ok := subscription.ParseFollow(follow)
	if !ok {
		t.Fatalf("follow %q", follow)
	}
	sealedEmail, err := s.Keys().Seal(email)
	if err != nil {
		t.Fatal(err)
	}
	var id string
	queued, err := s.Subscribe(ctx, store.NewSubscription{ID: store.NewID(), Email: email, EmailSealed: sealedEmail, Lang: "pl", Follow: f},
		func(got string) (mail.Queued, error) {
			id = got
			return mail.Seal(s.Keys(), "subscription_confirm", mail.Message{To: email, Subject: "Confirm", Text: got})
		})
	if err != nil {
		t.Fatal(err)
	}
	return id, queued
}

// TestSubscriptionLifecycle: a subscription is stored with its address
// sealed and its confirmation queued with it; the same address following
// the same thing again is one subscription (its confirmation sent again
// while unconfirmed, nothing once confirmed); a confirmation link used
// twice and an unsubscribe link used twice each say so; unsubscribing
// deletes the row; an unconfirmed subscription is deleted by retention
// after seven days (and its link no longer confirms it), a confirmed one
// is kept.
func TestSubscriptionLifecycle(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id, queued := subscribe(t, s, "ana@example.org", "community/polish")
		if id == "" || !queued {
			t.Fatalf("first subscription: id %q, queued %v", id, queued)
		}
		sub, err := s.Subscription(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sub.EmailSealed == "ana@example.org" || sub.ConfirmedAt != nil || sub.Follow.String() != "community/polish" || sub.Lang != "pl" {
			t.Fatalf("stored %+v", sub)
		}
		if plain, err := s.Keys().Open(sub.EmailSealed); err != nil || plain != "ana@example.org" {
			t.Fatalf("sealed address opens to %q, %v", plain, err)
		}
		again, queued := subscribe(t, s, "ana@example.org", "community/polish")
		if again != id || !queued {
			t.Fatalf("the same subscription again while unconfirmed: id %q (want %q), queued %v", again, id, queued)
		}
		if st, _ := s.MailStatus(ctx); st.Queued != 2 {
			t.Fatalf("confirmations queued: %d, want 2", st.Queued)
		}
		if err := s.ConfirmSubscription(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.ConfirmSubscription(ctx, id); !errors.Is(err, store.ErrAlreadyConfirmed) {
			t.Fatalf("a confirmation link used twice: %v", err)
		}
		if again, queued := subscribe(t, s, "ana@example.org", "community/polish"); again != "" || queued {
			t.Fatalf("subscribing again once confirmed queued a confirmation (%q)", again)
		}
		other, _ := subscribe(t, s, "ana@example.org", "all")
		if other == id {
			t.Fatal("following something else is another subscription")
		}
		if err := s.Unsubscribe(ctx, id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Subscription(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unsubscribed row still there: %v", err)
		}
		if err := s.Unsubscribe(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("an unsubscribe link used twice: %v", err)
		}
		if err := s.ConfirmSubscription(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("confirming an unsubscribed subscription: %v", err)
		}

		// Retention: eight days later the unconfirmed one ("all") goes, a
		// confirmed one stays.
		kept, _ := subscribe(t, s, "bo@example.org", "organisation/icb")
		if err := s.ConfirmSubscription(ctx, kept); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(8 * 24 * time.Hour)
		s.SetClock(func() time.Time { return later })
		if err := s.ConfirmSubscription(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("confirmed after seven days: %v", err)
		}
		res, err := retention.DefaultRules().Apply(ctx, s, later)
		if err != nil {
			t.Fatal(err)
		}
		n := int64(-1)
		for _, c := range res.Counts {
			if c.Rule == retention.RuleUnconfirmedSubscriptions {
				n = c.Records
			}
		}
		if n != 1 {
			t.Fatalf("unconfirmed subscriptions deleted: %d, want 1", n)
		}
		if _, err := s.Subscription(ctx, other); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unconfirmed subscription kept: %v", err)
		}
		if _, err := s.Subscription(ctx, kept); err != nil {
			t.Fatalf("confirmed subscription deleted: %v", err)
		}
	})
}

// TestChangeSubscription: a subscriber changes their language and what
// they follow (the manage page): the row changes, with an audit entry
// that names the subscription, the language and the follow but not the
// address; following what the same address already follows through
// another subscription is refused and changes nothing; a subscription
// that is gone answers ErrNotFound and writes no audit entry.
func TestChangeSubscription(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		id, _ := subscribe(t, s, "cy@example.org", "community/polish")
		if err := s.ConfirmSubscription(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeSubscription(ctx, id, "ur", subscription.Follow{Scope: subscription.ScopeOrganisation, Target: "icb"}); err != nil {
			t.Fatal(err)
		}
		sub, err := s.Subscription(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if sub.Lang != "ur" || sub.Follow.String() != "organisation/icb" || sub.ConfirmedAt == nil {
			t.Fatalf("after the change: %+v", sub)
		}
		entries, err := s.RecentAudit(ctx, 1)
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit: %v %v", entries, err)
		}
		e := entries[0]
		if e.Action != store.AuditSubscriptionChanged || e.Subject != id || e.ActorID != "anonymous" ||
			!strings.Contains(e.Detail, `"organisation/icb"`) || !strings.Contains(e.Detail, `"ur"`) || strings.Contains(e.Detail, "cy@example.org") {
			t.Fatalf("audit entry: %+v", e)
		}

		// The same address already follows the whole report.
		other, _ := subscribe(t, s, "cy@example.org", "all")
		if err := s.ChangeSubscription(ctx, id, "pl", subscription.Follow{Scope: subscription.ScopeAll}); !errors.Is(err, store.ErrAlreadyFollowing) {
			t.Fatalf("following what another subscription follows: %v", err)
		}
		if sub, _ := s.Subscription(ctx, id); sub.Lang != "ur" || sub.Follow.String() != "organisation/icb" {
			t.Fatalf("a refused change changed the row: %+v", sub)
		}
		if err := s.Unsubscribe(ctx, other); err != nil {
			t.Fatal(err)
		}
		seq, _ := s.AuditNextSeq(ctx)
		if err := s.Unsubscribe(ctx, id); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeSubscription(ctx, id, "pl", subscription.Follow{Scope: subscription.ScopeAll}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("changing an unsubscribed subscription: %v", err)
		}
		if after, _ := s.AuditNextSeq(ctx); after != seq {
			t.Fatalf("a refused change wrote an audit entry (%d -> %d)", seq, after)
		}
	})
}

// TestDigestRunQueuesEachOnce: the changes of a window are listed with
// the organisations and communities they concern; a run queues each
// confirmed subscriber's digest exactly once however often a batch is
// queued again (an interrupted run resumed), skips the unconfirmed, is
// resumed (not restarted) while unfinished, and the next is due a week
// after the window it covered.
func TestDigestRunQueuesEachOnce(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		before := time.Now().Add(-time.Minute)
		rec := publishedRecommendation(t, s, "icb", "council")
		if _, err := s.SaveResponse(ctx, "sh-1", accountability.Response{RecommendationID: rec.ID, Organisation: "icb", Decision: accountability.Accepted}); err != nil {
			t.Fatal(err)
		}
		changes, err := s.ReportChanges(ctx, before, time.Now().Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 2 || changes[0].Kind != subscription.ChangeRecommendation || changes[1].Kind != subscription.ChangeResponse ||
			changes[1].Organisation != "icb" || changes[1].Decision != string(accountability.Accepted) || len(changes[0].Organisations) != 2 {
			t.Fatalf("changes %+v", changes)
		}
		if old, err := s.ReportChanges(ctx, before.Add(-time.Hour), before); err != nil || len(old) != 0 {
			t.Fatalf("changes before the window: %+v %v", old, err)
		}

		var ids []string
		for _, e := range []string{"a@example.org", "b@example.org", "c@example.org"} {
			id, _ := subscribe(t, s, e, "all")
			if err := s.ConfirmSubscription(ctx, id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		subscribe(t, s, "pending@example.org", "all") // never confirmed: no digest
		st0, _ := s.MailStatus(ctx)

		run, ok, err := s.StartDigestRun(ctx, time.Now())
		if err != nil || !ok {
			t.Fatalf("first run: %v %v", ok, err)
		}
		if again, ok, err := s.StartDigestRun(ctx, time.Now()); err != nil || !ok || again.ID != run.ID {
			t.Fatalf("an unfinished run is resumed: %+v %v %v", again, ok, err)
		}
		subs, err := s.DigestSubscribers(ctx, run.ID, "", 2)
		if err != nil || len(subs) != 2 {
			t.Fatalf("first batch: %d %v", len(subs), err)
		}
		batch := func(subs []subscription.Subscription) []store.DigestMail {
			var out []store.DigestMail
			for _, sub := range subs {
				m, err := mail.Seal(s.Keys(), "subscription_digest", mail.Message{To: sub.ID + "@example.org", Subject: "Digest", Text: "x"})
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, store.DigestMail{SubscriptionID: sub.ID, Mail: &m})
			}
			return out
		}
		if n, err := s.QueueDigests(ctx, run.ID, batch(subs)); err != nil || n != 2 {
			t.Fatalf("queued %d %v", n, err)
		}
		if n, err := s.QueueDigests(ctx, run.ID, batch(subs)); err != nil || n != 0 {
			t.Fatalf("the same batch again queued %d (%v): a digest queued twice", n, err)
		}
		rest, err := s.DigestSubscribers(ctx, run.ID, "", 10)
		if err != nil || len(rest) != 1 || rest[0].ID != ids[2] {
			t.Fatalf("after the first batch: %+v %v", rest, err)
		}
		if n, err := s.QueueDigests(ctx, run.ID, batch(rest)); err != nil || n != 1 {
			t.Fatalf("queued %d %v", n, err)
		}
		if err := s.FinishDigestRun(ctx, run.ID); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.MailStatus(ctx); st.Queued-st0.Queued != 3 {
			t.Fatalf("digests queued: %d, want 3", st.Queued-st0.Queued)
		}
		runs, err := s.DigestRuns(ctx)
		if err != nil || len(runs) != 1 || !runs[0].Finished || runs[0].Queued != 3 {
			t.Fatalf("runs %+v %v", runs, err)
		}
		if _, ok, err := s.StartDigestRun(ctx, time.Now().Add(time.Hour)); err != nil || ok {
			t.Fatalf("a digest an hour after the last: %v %v", ok, err)
		}
		next, ok, err := s.StartDigestRun(ctx, run.Until.Add(subscription.Every))
		if err != nil || !ok || !next.Since.Equal(run.Until) {
			t.Fatalf("a week later: %+v (since want %s) %v %v", next, run.Until, ok, err)
		}
	})
}
