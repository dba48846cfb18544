package dialect_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearme-project/hearme/internal/store/dialect"
)

// The SQLite database, its WAL and shared-memory files and sessions.db
// are 0600 in a 0700 directory, on a new install and, tightened at
// start, on an older one whose files were 0644 in a 0755 directory.
func TestSQLiteFilesArePrivate(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil { // as an older install left it
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "hearme.db")
	openAndWrite := func() *dialect.Conns {
		c, err := dialect.Open(ctx, dbPath)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Write.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS t (x TEXT); INSERT INTO t VALUES ('story')"); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Sessions.ExecContext(ctx, "INSERT OR REPLACE INTO sessions VALUES ('k', x'00', 1e12)"); err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(when string) {
		t.Helper()
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: data directory is %v, want 0700", when, fi.Mode().Perm())
		}
		files := []string{"hearme.db", "hearme.db-wal", "hearme.db-shm", "sessions.db", "sessions.db-wal", "sessions.db-shm"}
		for _, name := range files {
			fi, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s is %v, want 0600", when, name, fi.Mode().Perm())
			}
		}
	}
	c := openAndWrite()
	check("new install")
	// An older install: everything readable by others.
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		os.Chmod(filepath.Join(dir, en.Name()), 0o644)
	}
	os.Chmod(dir, 0o755)
	c.Close()
	c = openAndWrite()
	defer c.Close()
	check("older install, at the next start")
}

// A data directory whose name holds # ? or % opens the database file it
// names (before, "team#2/hearme.db" opened "team").
func TestSQLitePathWithURICharacters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, name := range []string{"team#2", "what?", "100%"} {
		dir := filepath.Join(t.TempDir(), name)
		dbPath := filepath.Join(dir, "hearme.db")
		c, err := dialect.Open(ctx, dbPath)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := c.Write.ExecContext(ctx, "CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('story')"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 1 {
			t.Errorf("%s: the reader does not see the writer's database: %d %v", name, n, err)
		}
		c.Write.Close()
		c.Read.Close()
		c.Sessions.Close()
		if fi, err := os.Stat(dbPath); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %s was not written: %v", name, dbPath, err)
		}
	}
}
