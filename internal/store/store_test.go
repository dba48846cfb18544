package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

var ctx = context.Background()

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	lite, err := store.Migrations(dialect.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(dialect.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, lite[i].Name, pg[i].Name)
		}
		// Numbers are reserved for work landing in parallel, so one may
		// land before a lower one: a gap is allowed (Migrate applies every
		// migration not yet applied, whatever its number), a repeat or a
		// step back is not.
		if i > 0 && lite[i].Version <= lite[i-1].Version {
			t.Errorf("migration %s comes after %s", lite[i].Name, lite[i-1].Name)
		}
	}
}

func TestMigrateTwiceIsANoOp(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		applied, err := s.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, err %v", applied, err)
		}
	})
}

func newUser(t *testing.T, s *store.Store, email string, role account.Role) account.User {
	t.Helper()
	u, err := s.CreateUser(ctx, "test", account.NewUser{Email: email, DisplayName: "Test " + email, Role: role})
	if err != nil {
		t.Fatalf("create %s: %v", email, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u := newUser(t, s, "amina@example.org", account.Connector)
		if _, err := s.CreateUser(ctx, "test", account.NewUser{Email: "amina@example.org", DisplayName: "Again", Role: account.Analyst}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate email: got %v, want ErrConflict", err)
		}
		got, err := s.UserByEmail(ctx, "amina@example.org")
		if err != nil || got.ID != u.ID || got.Role != account.Connector || got.HasPassword() || got.SessionEpoch != 1 {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		if _, err := s.UserByID(ctx, "no-such-id"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing user: %v", err)
		}
		if err := s.SetPassword(ctx, u.ID, "hash-1"); err != nil {
			t.Fatal(err)
		}
		if err := s.ChangeRole(ctx, "test", u.ID, account.Analyst, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.SetDisabled(ctx, "test", u.ID, true); err != nil {
			t.Fatal(err)
		}
		got, _ = s.UserByID(ctx, u.ID)
		if !got.Disabled || got.Role != account.Analyst || got.PasswordHash != "hash-1" || got.SessionEpoch != 4 {
			t.Fatalf("after changes: %+v (each change must move the session epoch on)", got)
		}
		if err := s.EnrolTOTP(ctx, u.ID, "sealed", 100); err != nil {
			t.Fatal(err)
		}
		if err := s.UseTOTPStep(ctx, u.ID, 100); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("reusing step 100: %v, want ErrConflict", err)
		}
		if err := s.UseTOTPStep(ctx, u.ID, 101); err != nil {
			t.Fatalf("step 101: %v", err)
		}
		if err := s.ResetSignIn(ctx, "test", u.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = s.UserByID(ctx, u.ID)
		if got.HasPassword() || got.HasTOTP() || got.TOTPLastStep != 0 {
			t.Fatalf("reset left sign-in details: %+v", got)
		}
		if n, _ := s.CountUsers(ctx, ""); n != 1 {
			t.Fatalf("CountUsers = %d", n)
		}
		if err := s.ChangeRole(ctx, "test", "nobody", account.Admin, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("change role of missing user: %v", err)
		}
	})
}

func TestSetupTokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		s.SetClock(func() time.Time { return now })
		// First administrator: the link creates the account, once.
		if err := s.CreateSetupToken(ctx, "h-first", "", store.PurposeFirstAdmin, time.Hour); err != nil {
			t.Fatal(err)
		}
		first := &account.NewUser{Email: "admin@example.org", DisplayName: "Admin"}
		u, err := s.CompleteSetup(ctx, "h-first", "phc", first)
		if err != nil || u.Role != account.Admin || u.PasswordHash != "phc" {
			t.Fatalf("first admin: %+v %v", u, err)
		}
		if _, err := s.CompleteSetup(ctx, "h-first", "phc", first); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second use of a one-time link: %v", err)
		}
		// A first-administrator link made before (or despite) existing
		// accounts creates nothing.
		s.CreateSetupToken(ctx, "h-first-2", "", store.PurposeFirstAdmin, time.Hour)
		if _, err := s.CompleteSetup(ctx, "h-first-2", "phc", &account.NewUser{Email: "second@example.org", DisplayName: "Second"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("first-admin link with an admin already present: %v", err)
		}
		// A newer link withdraws the older one.
		c := newUser(t, s, "c@example.org", account.Champion)
		s.CreateSetupToken(ctx, "h-old", c.ID, store.PurposeSetPassword, time.Hour)
		s.CreateSetupToken(ctx, "h-new", c.ID, store.PurposeSetPassword, time.Hour)
		if _, err := s.SetupTokenByHash(ctx, "h-old"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old link still works: %v", err)
		}
		if tok, err := s.SetupTokenByHash(ctx, "h-new"); err != nil || tok.UserID != c.ID {
			t.Fatalf("new link: %+v %v", tok, err)
		}
		// Expired links stop working and the retention job deletes them.
		now = now.Add(2 * time.Hour)
		if _, err := s.SetupTokenByHash(ctx, "h-new"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("expired link works: %v", err)
		}
		if n, err := s.PurgeExpiredSetupTokens(ctx); err != nil || n != 2 { // h-new and the refused h-first-2
			t.Fatalf("purge deleted %d, %v; want 2", n, err)
		}
	})
}

func TestAuditChain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.AppendAudit(ctx, "actor", "test.event", "subject", `{"n":"x"}`); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		brk, n, err := s.VerifyAudit(ctx)
		if err != nil || brk != nil || n != 20 {
			t.Fatalf("verify: break %+v, %d entries, %v", brk, n, err)
		}
		// The table refuses changes.
		if _, err := s.WriteDB().ExecContext(ctx, "UPDATE audit_log SET action = 'x' WHERE seq = 5"); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		if _, err := s.WriteDB().ExecContext(ctx, "DELETE FROM audit_log WHERE seq = 5"); err == nil {
			t.Fatal("audit_log accepted a DELETE")
		}
		// Someone with database rights who removes the guard and edits a row
		// is caught: verification reports the first broken link.
		if s.Dialect() == dialect.Postgres {
			_, err = s.WriteDB().ExecContext(ctx, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
		} else {
			_, err = s.WriteDB().ExecContext(ctx, "DROP TRIGGER audit_log_no_update")
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.WriteDB().ExecContext(ctx, "UPDATE audit_log SET subject = 'edited' WHERE seq = 7"); err != nil {
			t.Fatal(err)
		}
		brk, n, err = s.VerifyAudit(ctx)
		if err != nil || brk == nil || brk.Seq != 7 || n != 6 {
			t.Fatalf("tampered row 7: break %+v after %d entries, %v", brk, n, err)
		}
	})
}

func TestProgrammeRoundTrip(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if has, _ := s.HasProgramme(ctx); has {
			t.Fatal("new database already has a programme")
		}
		want := demo.Luton()
		if err := s.ReplaceProgramme(ctx, "test", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Programme(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.Settings != want.Settings {
			t.Errorf("settings: %+v", got.Settings)
		}
		if len(got.Languages) != 6 || got.Languages[3].Code != "ur" || !got.Languages[3].RTL {
			t.Errorf("languages: %+v", got.Languages)
		}
		if len(got.Communities) != 5 || got.Communities[0].Slug != "black-african" || got.Communities[4].Name("so") == "" {
			t.Errorf("communities: %+v", got.Communities)
		}
		if len(got.Stages) != 6 || got.Stages[5].Slug != "end-of-life" || got.Stages[5].Name("en") != "End of life care" {
			t.Errorf("stages: %+v", got.Stages)
		}
		if len(got.Organisations) != len(want.Organisations) {
			t.Fatalf("organisations: %d", len(got.Organisations))
		}
		// Reloading keeps organisation ids, so stakeholder accounts stay tied.
		ids := map[string]string{}
		for _, o := range got.Organisations {
			ids[o.Slug] = o.ID
		}
		want.Organisations = want.Organisations[1:]
		if err := s.ReplaceProgramme(ctx, "test", want); err != nil {
			t.Fatal(err)
		}
		again, _ := s.Programme(ctx)
		if len(again.Organisations) != len(want.Organisations) {
			t.Fatalf("removed organisation still listed: %d", len(again.Organisations))
		}
		for _, o := range again.Organisations {
			if ids[o.Slug] != o.ID {
				t.Errorf("organisation %s changed id", o.Slug)
			}
		}
	})
}

func TestJobLocks(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		now := time.Now().UTC()
		s.SetClock(func() time.Time { return now })
		got, err := s.AcquireJobLock(ctx, "retention", "a", time.Minute)
		if err != nil || !got {
			t.Fatalf("a: %v %v", got, err)
		}
		if got, _ := s.AcquireJobLock(ctx, "retention", "b", time.Minute); got {
			t.Fatal("b took a lease a holds")
		}
		if got, _ := s.AcquireJobLock(ctx, "retention", "a", time.Minute); !got {
			t.Fatal("a could not renew its own lease")
		}
		now = now.Add(2 * time.Minute) // a crashed: its lease lapses
		if got, _ := s.AcquireJobLock(ctx, "retention", "b", time.Minute); !got {
			t.Fatal("b could not take a lapsed lease")
		}
		if err := s.ReleaseJobLock(ctx, "retention", "b"); err != nil {
			t.Fatal(err)
		}
		last, err := s.JobLastRun(ctx, "retention")
		if err != nil || !last.Equal(now.Truncate(time.Microsecond)) && last.Sub(now).Abs() > time.Millisecond {
			t.Fatalf("last run %v, want %v (%v)", last, now, err)
		}
		if got, _ := s.AcquireJobLock(ctx, "retention", "a", time.Minute); !got {
			t.Fatal("a could not take a released lease")
		}
	})
}
