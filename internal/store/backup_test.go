package store_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A restore is one entry in the trail, found again by LastRestore; the
// trail still verifies. The online copy is SQLite's; PostgreSQL refuses
// it (pg_dump's job).
func TestRecordRestoreAndSnapshot(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if _, ok, err := s.LastRestore(ctx); err != nil || ok {
			t.Fatalf("a database never restored: %v %v", ok, err)
		}
		taken := time.Date(2026, 12, 5, 2, 0, 0, 123000, time.UTC)
		if err := s.RecordRestore(ctx, taken); err != nil {
			t.Fatal(err)
		}
		r, ok, err := s.LastRestore(ctx)
		if err != nil || !ok || !r.TakenAt.Equal(taken) || r.RestoredAt.IsZero() {
			t.Fatalf("last restore: %+v %v %v", r, ok, err)
		}
		if brk, _, err := s.VerifyAudit(ctx); brk != nil || err != nil {
			t.Fatalf("trail after a restore entry: %+v %v", brk, err)
		}
		path := filepath.Join(t.TempDir(), "copy.db")
		_, _, err = s.SnapshotSQLite(ctx, path)
		if s.Dialect() == dialect.Postgres {
			if !errors.Is(err, store.ErrBackupNeedsSQLite) {
				t.Fatalf("postgres snapshot: %v", err)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckSQLiteFile(ctx, path); err != nil {
			t.Fatalf("the copy: %v", err)
		}
	})
}
