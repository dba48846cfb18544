package store_test

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func queue(t *testing.T, s *store.Store, n int) {
	t.Helper()
	var qs []mail.Queued
	for i := range n {
		qs = append(qs, mail.Queued{Kind: "test", Payload: fmt.Sprintf("sealed-%d", i)})
	}
	if err := s.EnqueueMail(ctx, qs...); err != nil {
		t.Fatal(err)
	}
}

func ids(cs []mail.Claimed) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// A claim is exclusive while its lease lasts and lapses after it; a sent
// message loses its payload and is never claimed again.
func TestOutboxClaimLeaseAndSent(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		queue(t, s, 3)
		a, err := s.ClaimMail(ctx, "a", time.Minute, 2)
		if err != nil || len(a) != 2 || a[0].Payload == "" || a[0].Kind != "test" || !a[0].CreatedAt.Equal(now) {
			t.Fatalf("claim a: %+v %v", a, err)
		}
		b, err := s.ClaimMail(ctx, "b", time.Minute, 10)
		if err != nil || len(b) != 1 || b[0].ID == a[0].ID || b[0].ID == a[1].ID {
			t.Fatalf("b took a's messages: %+v %v", b, err)
		}
		if c, _ := s.ClaimMail(ctx, "c", time.Minute, 10); len(c) != 0 {
			t.Fatalf("c claimed leased messages: %+v", c)
		}
		if err := s.MarkMailSent(ctx, a[0].ID); err != nil {
			t.Fatal(err)
		}
		var payload string
		var sent *time.Time
		if err := s.ReadDB().QueryRow(rebind(s, "SELECT payload, sent_at FROM outbox WHERE id = ?"), a[0].ID).Scan(&payload, &sent); err != nil {
			t.Fatal(err)
		}
		if payload != "" || sent == nil {
			t.Fatalf("sent message keeps payload %q / sent_at %v", payload, sent)
		}
		// a is killed: its lease on a[1] lapses and another sender takes it.
		now = now.Add(61 * time.Second)
		c, err := s.ClaimMail(ctx, "c", time.Minute, 10)
		if err != nil || len(c) != 2 {
			t.Fatalf("after the lease: %+v %v", c, err)
		}
		got := ids(c)
		sort.Strings(got)
		want := []string{a[1].ID, b[0].ID}
		sort.Strings(want)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("claimed %v, want %v (the sent one never again)", got, want)
		}
		// a's late failure report on a message it no longer holds changes nothing.
		if err := s.MarkMailFailed(ctx, "a", a[1].ID, "late", 0, true); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.MailStatus(ctx); st.Failed != 0 || st.Queued != 2 || st.Sent != 1 {
			t.Fatalf("status %+v", st)
		}
		// Released messages are free at once.
		if err := s.ReleaseMail(ctx, "c", c[0].ID); err != nil {
			t.Fatal(err)
		}
		if d, _ := s.ClaimMail(ctx, "d", time.Minute, 10); len(d) != 1 || d[0].ID != c[0].ID {
			t.Fatalf("released: %+v", d)
		}
	})
}

// A failed attempt waits for its retry time; a given-up message shows to
// staff, holds no claim, and "retry now" queues it again.
func TestOutboxFailureRetryAndPurge(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		s.SetClock(func() time.Time { return now })
		queue(t, s, 2)
		c, _ := s.ClaimMail(ctx, "a", time.Minute, 10)
		if len(c) != 2 {
			t.Fatalf("claimed %d", len(c))
		}
		if err := s.MarkMailFailed(ctx, "a", c[0].ID, "451 try later", 30*time.Second, false); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkMailFailed(ctx, "a", c[1].ID, "550 no such user", 0, true); err != nil {
			t.Fatal(err)
		}
		st, err := s.MailStatus(ctx)
		if err != nil || st.Queued != 1 || st.Retrying != 1 || st.Failed != 1 || st.Sent != 0 || !st.Oldest.Equal(now) || st.LastError != "451 try later" {
			t.Fatalf("status %+v %v", st, err)
		}
		if again, _ := s.ClaimMail(ctx, "a", time.Minute, 10); len(again) != 0 {
			t.Fatalf("claimed before the retry time or a given-up message: %+v", again)
		}
		now = now.Add(31 * time.Second)
		again, _ := s.ClaimMail(ctx, "b", time.Minute, 10)
		if len(again) != 1 || again[0].ID != c[0].ID || again[0].Attempts != 1 {
			t.Fatalf("retry: %+v", again)
		}
		f, err := s.FailedMail(ctx, 10)
		if err != nil || len(f) != 1 || f[0].ID != c[1].ID || f[0].Attempts != 1 || f[0].LastError != "550 no such user" || f[0].Kind != "test" {
			t.Fatalf("failed list %+v %v", f, err)
		}
		if err := s.RetryMail(ctx, c[0].ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("retrying a queued message: %v", err)
		}
		if err := s.RetryMail(ctx, c[1].ID); err != nil {
			t.Fatal(err)
		}
		r, _ := s.ClaimMail(ctx, "b", time.Minute, 10)
		if len(r) != 1 || r[0].ID != c[1].ID || r[0].Attempts != 0 {
			t.Fatalf("after retry now: %+v", r)
		}
		if err := s.MarkMailFailed(ctx, "b", r[0].ID, "550 again", 0, true); err != nil {
			t.Fatal(err)
		}
		if n, err := s.RetryAllMail(ctx); err != nil || n != 1 {
			t.Fatalf("retry all: %d %v", n, err)
		}
		// Clean-up: sent and given-up messages go after their periods.
		r, _ = s.ClaimMail(ctx, "b", time.Minute, 10)
		if len(r) != 1 {
			t.Fatalf("claim %d", len(r))
		}
		_ = s.MarkMailSent(ctx, again[0].ID)
		_ = s.MarkMailFailed(ctx, "b", r[0].ID, "550", 0, true)
		if n, err := s.PurgeMail(ctx, now, now); err != nil || n != 0 {
			t.Fatalf("purged %d %v: nothing is old enough", n, err)
		}
		if n, err := s.PurgeMail(ctx, now.Add(time.Second), now); err != nil || n != 1 {
			t.Fatalf("purged %d sent %v", n, err)
		}
		if n, err := s.PurgeMail(ctx, now, now.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("purged %d failed %v", n, err)
		}
		if st, _ := s.MailStatus(ctx); st != (mail.Status{}) {
			t.Fatalf("left %+v", st)
		}
	})
}

// Many claimers at once (goroutines over one store, as instances over one
// database) never share a message.
func TestOutboxConcurrentClaimsNeverShare(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		queue(t, s, 200)
		var mu sync.Mutex
		seen := map[string]string{}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				holder := fmt.Sprintf("w%d", w)
				for {
					c, err := s.ClaimMail(ctx, holder, time.Minute, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(c) == 0 {
						return
					}
					mu.Lock()
					for _, m := range c {
						if other, dup := seen[m.ID]; dup {
							t.Errorf("%s claimed by %s and %s", m.ID, other, holder)
						}
						seen[m.ID] = holder
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Fatalf("claimed %d of 200", len(seen))
		}
	})
}

// rebind makes a test's own query fit the store's database (numbered
// placeholders on PostgreSQL).
func rebind(s *store.Store, q string) string {
	if s.Dialect() == dialect.Postgres {
		for n := 1; strings.Contains(q, "?"); n++ {
			q = strings.Replace(q, "?", "$"+strconv.Itoa(n), 1)
		}
	}
	return q
}
