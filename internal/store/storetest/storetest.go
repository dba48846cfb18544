// Package storetest opens fresh, migrated stores for tests: an SQLite
// file in a temporary directory, and a PostgreSQL schema of its own when
// HEARME_TEST_POSTGRES is set (required under CI).
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/dialect"
	"github.com/hearme-project/hearme/internal/testenv"
)

// Each runs fn once on SQLite and once on PostgreSQL, as parallel
// subtests, each on a database of its own. They run after the calling test
// function returns, so Each is the last thing a test does.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}

// SQLite returns a migrated store on a new SQLite file. The file is a copy
// of one that the current migrations were applied to once per test binary
// (see sqliteTemplate): a copy takes milliseconds, where migrating a new
// file took one to two seconds of waiting for the disk (every migration
// syncs the file).
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	tmpl, err := sqliteTemplate()
	if err != nil {
		t.Fatalf("storetest: template SQLite file: %v", err)
	}
	path := filepath.Join(t.TempDir(), "hearme.db")
	if err := copyFile(tmpl, path); err != nil {
		t.Fatalf("storetest: copy the template SQLite file: %v", err)
	}
	// Migrate finds every migration applied; the store checks it as it
	// would at start-up.
	return open(t, path)
}

// sqliteTmpl is the migrated SQLite file of this test binary.
var sqliteTmpl struct {
	once sync.Once
	path string
	err  error
}

// sqliteTemplate returns the path of an SQLite file that this binary's
// migrations were applied to, making it the first time. It is made by the
// running code, so it can never be stale; it lives in a directory named
// for the process (under hearme-storetest in the temporary directory),
// and the directories of binaries no longer running are removed.
func sqliteTemplate() (string, error) {
	sqliteTmpl.once.Do(func() { sqliteTmpl.path, sqliteTmpl.err = makeSQLiteTemplate() })
	return sqliteTmpl.path, sqliteTmpl.err
}

func makeSQLiteTemplate() (string, error) {
	root := filepath.Join(os.TempDir(), "hearme-storetest")
	if entries, err := os.ReadDir(root); err == nil {
		for _, e := range entries {
			if pid, err := strconv.Atoi(e.Name()); err == nil && pid != os.Getpid() && syscall.Kill(pid, 0) == syscall.ESRCH {
				os.RemoveAll(filepath.Join(root, e.Name()))
			}
		}
	}
	dir := filepath.Join(root, strconv.Itoa(os.Getpid()))
	if err := os.RemoveAll(dir); err != nil { // left by a process with the same id
		return "", err
	}
	path := filepath.Join(dir, "hearme.db")
	ctx := context.Background()
	s, err := store.Open(ctx, path)
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	// Closed, SQLite has written the write-ahead log into the file and
	// removed it: the file alone is the database.
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return "", fmt.Errorf("%s-wal is left after closing the store", path)
	}
	return path, nil
}

// copyFile copies the file src to a new file dst, readable by its owner
// only (as the store makes its files).
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Postgres returns a migrated store in a new PostgreSQL database of its
// own, dropped when the test ends. The database is a copy of a template
// that the current migrations were applied to once (see template): a copy
// takes a tenth of a second where migrating a new schema took seconds.
func Postgres(t testing.TB) *store.Store {
	t.Helper()
	base := testenv.PostgresDSN(t)
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	sweep(ctx, base)
	tmpl, err := template(ctx, admin, base)
	if err != nil {
		t.Fatalf("storetest: template database: %v", err)
	}
	name := databaseName()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	// Dropping a database waits for a checkpoint (seconds on a busy
	// machine): the test does not wait for it. A drop that a test binary
	// exits before sending is swept up by a later run (sweep).
	t.Cleanup(func() { go dropDatabase(base, name) })
	// Migrate finds every migration applied; the store checks it as it
	// would at start-up.
	return open(t, withDatabase(base, name))
}

// dropDatabase drops a test's database, ignoring errors (sweep retries).
func dropDatabase(base, name string) {
	db, err := sql.Open("pgx", base)
	if err != nil {
		return
	}
	defer db.Close()
	db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
}

// sweepOnce sweeps once per test binary.
var sweepOnce sync.Once

// sweep drops, in the background, the test databases that finished test
// binaries left behind (a binary exits before its last tests' drops are
// sent): those whose binary is no longer running, when the server is on
// this machine, and any more than two hours old. The time and the process
// in a database's name (databaseName) tell its age and its binary.
func sweep(ctx context.Context, base string) {
	sweepOnce.Do(func() {
		local := false
		if u, err := url.Parse(base); err == nil {
			h := u.Hostname()
			local = h == "127.0.0.1" || h == "::1" || h == "localhost"
		}
		go func() {
			db, err := sql.Open("pgx", base)
			if err != nil {
				return
			}
			defer db.Close()
			rows, err := db.QueryContext(ctx, `SELECT datname FROM pg_database WHERE datname ~ '^(t|d)_[0-9]+_'`)
			if err != nil {
				return
			}
			var old []string
			for rows.Next() {
				var name string
				if rows.Scan(&name) != nil {
					continue
				}
				var ns int64
				var pid int
				if n, _ := fmt.Sscanf(name, "d_%d_%d_", &ns, &pid); n == 2 {
					if time.Since(time.Unix(0, ns)) > 2*time.Hour || (local && syscall.Kill(pid, 0) == syscall.ESRCH) {
						old = append(old, name)
					}
				} else if _, err := fmt.Sscanf(name, "t_%d_", &ns); err == nil && time.Since(time.Unix(0, ns)) > 2*time.Hour {
					old = append(old, name)
				}
			}
			rows.Close()
			for _, name := range old {
				db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			}
		}()
	})
}

// databaseName is a name for a test's database: the time orders them, the
// process id tells sweep whether its binary still runs, and the random part
// keeps two tests apart.
func databaseName() string {
	return fmt.Sprintf("d_%d_%d_%s", time.Now().UnixNano(), os.Getpid(), strings.ToLower(rand.Text()[:8]))
}

// uniqueName is a name for a test's schema or database: the time orders
// them; the random part keeps two tests that start in the same nanosecond
// (parallel tests, or test binaries of several packages) apart.
func uniqueName() string {
	return fmt.Sprintf("t_%d_%s", time.Now().UnixNano(), strings.ToLower(rand.Text()[:8]))
}

// withDatabase is dsn with its database changed to name.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		panic(err) // testenv's DSN opened a connection already
	}
	u.Path = "/" + name
	return u.String()
}

// templateLockKey names the advisory lock under which a template database
// is made, so that test binaries starting together make it once.
const templateLockKey = 0x746d706c // "tmpl"

// template returns the name of a database that the current PostgreSQL
// migrations were applied to, making it if no test made it before (on this
// server, by any test binary: it is kept, and its name holds a hash of the
// migrations, so a changed migration makes a new one).
func template(ctx context.Context, admin *sql.DB, base string) (string, error) {
	ms, err := store.Migrations(dialect.Postgres)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, m := range ms {
		fmt.Fprintf(h, "%d %s %d\n%s\n", m.Version, m.Name, len(m.SQL), m.SQL)
	}
	name := fmt.Sprintf("hearme_test_%x", h.Sum(nil)[:8])
	ready := func() (bool, error) {
		var comment sql.NullString
		err := admin.QueryRowContext(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, name).Scan(&comment)
		if errors.Is(err, sql.ErrNoRows) {
			return false, nil
		}
		return comment.String == "ready", err
	}
	if ok, err := ready(); ok || err != nil {
		return name, err
	}
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("SELECT pg_advisory_lock(%d)", templateLockKey)); err != nil {
		return "", err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("SELECT pg_advisory_unlock(%d)", templateLockKey))
	if ok, err := ready(); ok || err != nil {
		return name, err
	}
	// Left half made by a test binary that was killed: start again.
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return "", err
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	s, err := store.Open(ctx, withDatabase(base, name))
	if err != nil {
		return "", err
	}
	_, err = s.Migrate(ctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	_, err = conn.ExecContext(ctx, "COMMENT ON DATABASE "+name+" IS 'ready'")
	return name, err
}

// PostgresDSN creates an empty schema and returns a DSN that uses it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := testenv.PostgresDSN(t)
	schema := uniqueName()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", strings.SplitN(dsn, "?", 2)[0], err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	s.UseKeys(Keys(t))
	return s
}

// Keys returns a new keyring for a test store.
func Keys(t testing.TB) *sealed.Keyring {
	t.Helper()
	k, err := sealed.Parse(sealed.NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	return k
}
