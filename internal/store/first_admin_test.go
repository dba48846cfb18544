package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Instances starting together on an empty database print one
// first-administrator link between them, and the second never cancels
// the first's (it was: each deleted the others' and printed its own).
func TestFirstAdminTokenIssuedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		issued, _, err := s.CreateFirstAdminToken(ctx, "h-one", time.Hour)
		if err != nil || !issued {
			t.Fatalf("first instance: issued %v, %v", issued, err)
		}
		issued, until, err := s.CreateFirstAdminToken(ctx, "h-two", time.Hour)
		if err != nil || issued || until.IsZero() {
			t.Fatalf("second instance: issued %v, pending until %v, %v", issued, until, err)
		}
		if _, err := s.SetupTokenByHash(ctx, "h-one"); err != nil {
			t.Fatalf("the second instance cancelled the first's link: %v", err)
		}
		if _, err := s.SetupTokenByHash(ctx, "h-two"); err == nil {
			t.Fatalf("the second instance's link works too: two links were printed")
		}

		// Many at once (several instances behind a load balancer).
		s2 := storetest.SQLite(t)
		if s.Dialect() != "sqlite" {
			s2 = storetest.Postgres(t)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		n := 0
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := s2.CreateFirstAdminToken(ctx, fmt.Sprintf("h-%d", i), time.Hour)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if n != 1 {
			t.Fatalf("%d instances issued a first-administrator link, want 1", n)
		}

		// Once the administrator exists, nothing is issued.
		if _, err := s.CompleteSetup(ctx, "h-one", "phc", &account.NewUser{Email: "admin@example.org", DisplayName: "Admin"}); err != nil {
			t.Fatal(err)
		}
		if issued, until, err := s.CreateFirstAdminToken(ctx, "h-three", time.Hour); err != nil || issued || !until.IsZero() {
			t.Fatalf("with an administrator: issued %v, pending %v, %v", issued, until, err)
		}
	})
}
