// Package dialect is the only place that knows SQLite from PostgreSQL:
// opening connections, placeholders, and the few SQL fragments and error
// codes that differ. Every other query is written once, with `?`
// placeholders, in the SQL both databases share.
package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Name identifies a database dialect.
type Name string

const (
	SQLite   Name = "sqlite"
	Postgres Name = "postgres"
)

// Dialect holds what differs between the two databases. The store asks
// it for what it needs (a row lock, an advisory lock, whether writes may
// share a commit) and never tests its name; the name is for logs and for
// finding the dialect's migrations.
type Dialect struct {
	Name Name
	// RowLock is appended to a SELECT inside a write transaction to hold
	// the rows it read until commit. Empty on SQLite, whose write
	// transaction (BEGIN IMMEDIATE) already holds the only write lock.
	RowLock string
	// SingleWriter means every write goes through one connection, one
	// transaction at a time, so writes waiting their turn may share one
	// durable commit (group commit). True on SQLite; PostgreSQL commits
	// many writers side by side.
	SingleWriter bool
	// FileSnapshot means the whole database can be copied to a file by
	// the application (VACUUM INTO): SQLite. PostgreSQL is backed up by
	// pg_dump, outside hearme.
	FileSnapshot bool
	// advisoryLocks: the database has advisory locks (PostgreSQL), which
	// serialise writers that SQLite's single writer already serialises.
	advisoryLocks bool
	// CurrentTransaction is an SQL expression naming the transaction it
	// runs in, as text ('' where there is no need: SQLite), for
	// SnapshotsBefore.
	CurrentTransaction string
	// numberedParams: placeholders are $1, $2... rather than ?.
	numberedParams bool
	// textMatch writes a full-text condition (search.go).
	textMatch textMatcher
	// insideWords: a search term is also found inside longer words, in
	// a story not in English (PostgreSQL's trigrams, search.go).
	insideWords bool
	// NumberedDocuments: search documents are keyed by a number that
	// follows the time their experience was shared (SQLite's FTS5 content
	// rowid, migration 0022), so a date range also bounds the numbers and
	// the index yields matches newest first.
	NumberedDocuments bool
	// BulkCopy: bulk loads go through COPY on one connection, with the
	// search indexes dropped during the load and built after it
	// (PostgreSQL; the synthetic seeder).
	BulkCopy bool
	// SearchFacets: search documents carry the time shared and the
	// columns search filters on, each with a b-tree newest first
	// (PostgreSQL, migration 0030), and searches filter and order on them.
	SearchFacets bool
	// ColumnArrays: many rows can be handed to one statement as one array
	// per column (PostgreSQL's unnest), so one prepared statement with a
	// few parameters writes any number of rows, instead of one statement
	// per size of VALUES list with seven placeholders a row. Without it
	// (SQLite, which compiles and binds VALUES lists cheaply in process)
	// rows go as VALUES lists.
	ColumnArrays bool
}

var (
	sqliteDialect = Dialect{Name: SQLite, SingleWriter: true, FileSnapshot: true, CurrentTransaction: "''",
		textMatch: ftsMatch, NumberedDocuments: true}
	postgresDialect = Dialect{Name: Postgres, RowLock: " FOR UPDATE", advisoryLocks: true, numberedParams: true, CurrentTransaction: "pg_current_xact_id()::text",
		textMatch: tsMatch, insideWords: true, BulkCopy: true, SearchFacets: true, ColumnArrays: true}
)

// ForUpdate returns query (a SELECT run inside a write transaction) with
// the row lock that holds what it reads until commit, where one is needed.
func (d Dialect) ForUpdate(query string) string { return query + d.RowLock }

// SessionStore returns the web session store (alexedwards/scs), one per
// Conns: on SQLite over the sessions file (sessions.go), on PostgreSQL
// alexedwards/scs's postgresstore over the main pool.
func (c *Conns) SessionStore() scs.Store {
	c.sessionsOnce.Do(func() {
		if c.sqliteSessions != nil {
			c.sessionStore = c.sqliteSessions
			return
		}
		c.sessionStore = postgresstore.New(c.Sessions)
	})
	return c.sessionStore
}

// SessionLock returns the statements that take and release a lock held
// by one connection across transactions (two instances starting together
// must not migrate at once); "", "" when the database needs none because
// its single writer already serialises them.
func (d Dialect) SessionLock(key int64) (lock, unlock string) {
	if !d.advisoryLocks {
		return "", ""
	}
	return fmt.Sprintf("SELECT pg_advisory_lock(%d)", key), fmt.Sprintf("SELECT pg_advisory_unlock(%d)", key)
}

// IsPostgres reports whether the DSN names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Conns are the database handles a store uses. On SQLite, Write has a
// single connection (one writer is what makes WAL fast and keeps
// SQLITE_BUSY away) and Read is a pool of read-only connections. On
// PostgreSQL both are the same pool.
type Conns struct {
	Write   *sql.DB
	Read    *sql.DB
	Dialect Dialect
	// Sessions holds web sessions. On SQLite it is a file of its own
	// beside the main one, with synchronous=NORMAL and its own writer: a
	// session lost in a power cut costs a sign-in or a half-typed draft,
	// never an acknowledged submission, and session writes no longer
	// queue behind (or add an fsync to) the writes that must be durable.
	// On PostgreSQL it is the main pool.
	Sessions *sql.DB

	// On SQLite, the sessions file's single writer and the session store
	// over both (sessions.go).
	sessionsWrite  *sql.DB
	sqliteSessions *sqliteSessions
	stopSessions   chan struct{}
	sessionsOnce   sync.Once
	sessionStore   scs.Store

	// idle lists the SQLite pools that ReleaseIdle empties.
	idle []idlePool

	// beginRetries counts the tries BeginWrite made after a first that
	// met the write lock held (tests).
	beginRetries atomic.Int64
	// beginWaits, beginWaited and beginLongest: the writes that waited
	// for the lock, the nanoseconds they waited, the longest wait.
	beginWaits, beginWaited, beginLongest atomic.Int64
}

// Close closes the handles.
func (c *Conns) Close() error {
	err := c.Write.Close()
	if c.Read != c.Write {
		err = errors.Join(err, c.Read.Close())
	}
	if c.stopSessions != nil {
		close(c.stopSessions)
		c.sqliteSessions.close()
		err = errors.Join(err, c.sessionsWrite.Close())
	}
	if c.Sessions != c.Write {
		err = errors.Join(err, c.Sessions.Close())
	}
	return err
}

// Open opens the database named by dsn: a postgres:// URL, or a path to
// an SQLite file (created with its directory when missing).
func Open(ctx context.Context, dsn string) (*Conns, error) {
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return &Conns{Write: db, Read: db, Sessions: db, Dialect: postgresDialect}, nil
	}
	return openSQLite(ctx, dsn)
}

// uriPath escapes the characters that end or change a path in an SQLite
// URI filename (% ? #), so a data directory such as "team#2" opens the
// file it names, not "team".
func uriPath(p string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
}

func openSQLite(ctx context.Context, path string) (*Conns, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	sessionsPath := filepath.Join(filepath.Dir(path), "sessions.db")
	if err := privateFiles(filepath.Dir(path), path, sessionsPath); err != nil {
		return nil, err
	}
	// synchronous=FULL: an acknowledged write may be someone's story or
	// consent, and must survive a power cut. secure_delete: deleted
	// content is overwritten with zeros, not left in free pages
	// (erasure.go).
	pragmas := fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS) + "&_pragma=foreign_keys(1)&_pragma=synchronous(FULL)&_pragma=secure_delete(1)&_time_format=sqlite"
	u := url.URL{Scheme: "file", Opaque: uriPath(path)}
	w, err := sql.Open("sqlite", u.String()+"?"+pragmas+"&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", u.String()+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	su := url.URL{Scheme: "file", Opaque: uriPath(sessionsPath)}
	sessionsDSN := su.String() + "?_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)&_time_format=sqlite&_txlock=immediate"
	sess, err := sql.Open("sqlite", sessionsDSN)
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("open sqlite sessions: %w", err)
	}
	sess.SetMaxOpenConns(4)
	sess.SetConnMaxLifetime(0)
	sess.SetConnMaxIdleTime(0)
	// Session writes have a connection of their own, so that they queue
	// in Go rather than in SQLite's busy handler (sessions.go).
	sessW, err := sql.Open("sqlite", sessionsDSN)
	if err != nil {
		w.Close()
		r.Close()
		sess.Close()
		return nil, fmt.Errorf("open sqlite sessions: %w", err)
	}
	sessW.SetMaxOpenConns(1)
	sessW.SetMaxIdleConns(1)
	sessW.SetConnMaxLifetime(0)
	sessW.SetConnMaxIdleTime(0)
	closeAll := func() {
		w.Close()
		r.Close()
		sess.Close()
		sessW.Close()
	}
	// The table has the shape alexedwards/scs sqlite3store expects.
	if _, err := sessW.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL);
		CREATE INDEX IF NOT EXISTS sessions_expiry_idx ON sessions (expiry)`); err != nil {
		closeAll()
		return nil, fmt.Errorf("create sessions table: %w", err)
	}
	stop := make(chan struct{})
	ss, err := newSQLiteSessions(sess, sessW, 10*time.Minute, stop)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("sessions statements: %w", err)
	}
	return &Conns{Write: w, Read: r, Sessions: sess, Dialect: sqliteDialect,
		sessionsWrite: sessW, sqliteSessions: ss, stopSessions: stop,
		idle: []idlePool{{w, 1}, {r, 4}, {sess, 2}, {sessW, 1}}}, nil
}

// idlePool is a pool and the number of idle connections it keeps.
type idlePool struct {
	db   *sql.DB
	keep int
}

// ReleaseIdle closes the connections that sit idle in the SQLite pools;
// the next query opens a fresh one. Each SQLite connection keeps a page
// cache of up to 2 MB that start-up's writes (migrations, demo data, the
// search index) fill, and that an idle server would otherwise hold for
// good (docs/performance.md, section 4). A connection in use is not
// touched. What SQLite freed then goes back to the OS (sqlite_memory.go).
// On PostgreSQL the memory is the server's: nothing to do.
func (c *Conns) ReleaseIdle() {
	if len(c.idle) == 0 {
		return
	}
	for _, p := range c.idle {
		p.db.SetMaxIdleConns(0) // closes the idle ones
		p.db.SetMaxIdleConns(p.keep)
	}
	trimSQLiteMemory()
}

// privateFiles makes the database directory 0700 and the database files
// 0600 before SQLite opens them: it creates a missing database file empty
// with mode 0600 (SQLite gives its WAL and shared-memory files the mode of
// the database file), and tightens the directory and any existing
// database, WAL and shared-memory file of an older install, which SQLite
// created 0644 in a 0755 directory.
func privateFiles(dir string, dbs ...string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create database directory: %w", err)
	}
	if err := tighten(dir, 0o700); err != nil {
		return err
	}
	for _, db := range dbs {
		f, err := os.OpenFile(db, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			f.Close()
		} else if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("create database file: %w", err)
		}
		for _, name := range []string{db, db + "-wal", db + "-shm", db + "-journal"} {
			if err := tighten(name, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}

// tighten takes the group and other permission bits off an existing
// file or directory (a missing one is left missing).
func tighten(name string, mode os.FileMode) error {
	fi, err := os.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(name, mode); err != nil {
		return fmt.Errorf("make %s private: %w", name, err)
	}
	return nil
}

// Rebind turns the shared `?` placeholders into `$1, $2...` for
// PostgreSQL. Queries never contain a literal `?` in a string.
func (d Dialect) Rebind(q string) string {
	if !d.numberedParams || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// TxLock returns a statement that serialises, until commit, every
// transaction that runs it with the same key; "" when none is needed.
// SQLite needs none: its write transactions are already exclusive (BEGIN
// IMMEDIATE). PostgreSQL takes a transaction-scoped advisory lock, which,
// unlike SELECT ... FOR UPDATE on the newest row, also orders inserts.
func (d Dialect) TxLock(key int64) string {
	if d.advisoryLocks {
		return fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", key)
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-constraint failure.
func (d Dialect) IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}
