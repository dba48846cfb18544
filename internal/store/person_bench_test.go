package store_test

// BenchmarkFindPerson measures finding everything about a person by
// email address among HEARME_BENCH_N experiences with contact details
// (default 10,000) and a tenth as many event registrations, seeded
// straight into the tables (one recursive INSERT each); the person has a
// story, its contact and a registration. HEARME_BENCH_DB=postgres for
// PostgreSQL. Not run in CI.
//
//	HEARME_BENCH_N=1000000 go test -run='^$' -bench=FindPerson -benchtime=200x ./internal/store/

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func BenchmarkFindPerson(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("HEARME_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	var s *store.Store
	if os.Getenv("HEARME_BENCH_DB") == "postgres" {
		s = storetest.Postgres(b)
	} else {
		s = storetest.SQLite(b)
	}
	keys := storetest.Keys(b)
	s.UseKeys(keys)
	now := time.Now().UTC()
	ev := &event.Event{Kind: event.KindListening, Visibility: event.Public, Languages: []string{"en"}, Start: now.Add(48 * time.Hour), End: now.Add(49 * time.Hour),
		VenueName: "Hall", VenueAddress: "1 Street", Capacity: 1000000, Texts: map[string]event.Text{"en": {Title: "Big"}}}
	if err := s.CreateEvent(ctx, ev); err != nil {
		b.Fatal(err)
	}
	exec := func(query string, args ...any) {
		b.Helper()
		if _, err := s.WriteDB().ExecContext(ctx, rebind(s, query), args...); err != nil {
			b.Fatalf("%s: %v", query, err)
		}
	}
	start := time.Now()
	exec(`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, source, what_happened, created_at, updated_at)
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		SELECT 'bench-' || i, 'HB-' || i, 'x', 'experience', 'approved', 'en', 'online', 'text', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM seq`, n)
	exec(`INSERT INTO contact_details (experience_id, email_sealed, email_key, created_at, last_contact_at)
		SELECT id, 'sealed', 'key-' || id, created_at, created_at FROM experiences WHERE id LIKE 'bench-%'`)
	exec(`INSERT INTO registrations (id, event_id, status, places, position, lang, email_key, cancel_hash, created_at, updated_at)
		WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		SELECT 'breg-' || i, ?, 'confirmed', 1, i, 'en', 'key-reg-' || i, 'cancel-' || i, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM seq`, n/10, ev.ID)
	if s.Dialect() == "postgres" {
		exec("ANALYZE")
	}
	seeded := time.Since(start)

	const email = "findme@example.org"
	sealedEmail, _ := keys.Seal(email)
	sub := submission()
	sub.Consent.Contact = true
	if _, err := s.SubmitExperience(ctx, sub, experience.Contact{Email: sealedEmail}); err != nil {
		b.Fatal(err)
	}
	ek, _ := s.LookupKeys(email, "")
	if _, err := s.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: "en", EmailSealed: sealedEmail},
		EmailKey: ek, CancelHash: event.Hash("findme")}, nil); err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d experiences with contact details and %d registrations in %s (%s)", n, n/10, seeded.Round(time.Millisecond), s.Dialect())
	b.ResetTimer()
	for b.Loop() {
		p, err := s.FindPerson(ctx, store.PersonQuery{Email: email})
		if err != nil || p.Found["experiences"] != 1 || p.Found["registrations"] != 1 {
			b.Fatalf("found %v, %v", p.Found, err)
		}
	}
}
