package store_test

import (
	"slices"
	"testing"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestHeldAndOutboxMail(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if n, err := s.Held(ctx, "outbox"); err != nil || n != 0 {
			t.Fatalf("Held(outbox) on a new store = %d, %v", n, err)
		}
		for _, bad := range []string{"outbox WHERE 1=1", "outbox; DROP TABLE outbox", ""} {
			if _, err := s.Held(ctx, bad); err == nil {
				t.Errorf("Held(%q) counted", bad)
			}
		}
		if _, err := s.Held(ctx, "no_such_table"); err == nil {
			t.Error("Held of a table that does not exist: no error")
		}
		if err := s.EnqueueMail(ctx, mail.Queued{Kind: "a", Payload: "1"}, mail.Queued{Kind: "b", Payload: "2"}); err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueMail(ctx, mail.Queued{Kind: "a", Payload: "3"}); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Held(ctx, "outbox"); err != nil || n != 3 {
			t.Fatalf("Held(outbox) = %d, %v; want 3", n, err)
		}
		all, err := s.OutboxMail(ctx)
		if want := []mail.Queued{{Kind: "a", Payload: "1"}, {Kind: "b", Payload: "2"}, {Kind: "a", Payload: "3"}}; err != nil || !slices.Equal(all, want) {
			t.Fatalf("OutboxMail() = %v, %v; want %v", all, err, want)
		}
		as, err := s.OutboxMail(ctx, "a", "c")
		if want := []mail.Queued{{Kind: "a", Payload: "1"}, {Kind: "a", Payload: "3"}}; err != nil || !slices.Equal(as, want) {
			t.Fatalf(`OutboxMail("a", "c") = %v, %v; want %v`, as, err, want)
		}
	})
}

// count runs a test's own query for one number on s's read connection
// (with ? rebound for PostgreSQL), failing the test on any error: for
// questions no store read answers, such as whether an event's counters
// agree with its registrations.
func count(t *testing.T, s *store.Store, query string, args ...any) int {
	t.Helper()
	var n int
	if err := s.ReadDB().QueryRow(rebind(s, query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
