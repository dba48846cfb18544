// Package store is hearme's one hand-written store over database/sql,
// for SQLite and PostgreSQL alike. Each aggregate has its own file.
// It reports storage facts only: not-found and conflicts as ErrNotFound
// and ErrConflict, never as nil results. The business rules it enforces
// inside its transactions (an event's capacity, a triage move, a
// champion's stage) are the domain packages' and so are their errors
// (event.ErrClosed, invitation.ErrIllegalMove, champion.ErrIllegalMove...).
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"

	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/dialect"
)

var (
	// ErrNotFound means the thing asked for does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a write would break a uniqueness rule.
	ErrConflict = errors.New("conflict")
)

// Store is the database behind hearme.
type Store struct {
	conns *dialect.Conns
	d     dialect.Dialect
	now   func() time.Time
	keys  *sealed.Keyring // seals each experience's data key (experience_keys.go)

	// Writes people wait for share commits on SQLite (group_commit.go).
	group         *groupCommitter
	groupOnce     sync.Once
	groupStopOnce sync.Once

	// The audit trail's key and checkpoint (audit.go).
	trail auditTrust

	// Hot writes' statements, prepared once (statements.go).
	statementCache
}

// Open opens (and creates, for SQLite) the database. It does not migrate.
func Open(ctx context.Context, dsn string) (*Store, error) {
	conns, err := dialect.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &Store{conns: conns, d: conns.Dialect, now: func() time.Time { return time.Now().UTC() }}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stopGroupCommitter()
	s.trail.wg.Wait() // a checkpoint being written after an append
	s.closeStatements()
	return s.conns.Close()
}

// ReleaseIdle hands back the memory of idle database connections (see
// dialect.Conns.ReleaseIdle).
func (s *Store) ReleaseIdle() { s.conns.ReleaseIdle() }

// WriteLockWaits reports the write transactions that found SQLite's
// write lock held by another connection (another process: a key
// rotation, a command), how long they waited in all and the longest
// wait (dialect.Conns.WriteLockWaits; zero on PostgreSQL).
func (s *Store) WriteLockWaits() (n int64, total, longest time.Duration) {
	return s.conns.WriteLockWaits()
}

// Dialect reports which database this is.
func (s *Store) Dialect() dialect.Name { return s.d.Name }

// WriteDB and ReadDB expose the handles for libraries that need a
// *sql.DB of their own (the session store).
func (s *Store) WriteDB() *sql.DB { return s.conns.Write }
func (s *Store) ReadDB() *sql.DB  { return s.conns.Read }

// SessionsDB is where web sessions live (see dialect.Conns.Sessions).
func (s *Store) SessionsDB() *sql.DB { return s.conns.Sessions }

// SessionStore returns the web session store over SessionsDB, of the
// kind this database needs (alexedwards/scs: sqlite3store for the
// sessions file beside an SQLite database, postgresstore otherwise),
// keeping each session under a hash of its token (session_tokens.go).
func (s *Store) SessionStore() scs.Store {
	return hashedTokens{s.conns.SessionStore()}
}

// SetClock replaces the clock; tests use it.
func (s *Store) SetClock(now func() time.Time) { s.now = func() time.Time { return now().UTC() } }

// Ping checks that both the writer and the readers answer.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.conns.Write.PingContext(ctx); err != nil {
		return err
	}
	var one int
	return s.conns.Read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// NewID returns a new time-ordered identifier (UUIDv7 as text).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// q rebinds a shared query for this dialect.
func (s *Store) q(query string) string { return s.d.Rebind(query) }

// tx runs fn in a write transaction (BEGIN IMMEDIATE on SQLite, waiting
// for another process's write lock in Go: dialect.Conns.BeginWrite).
func (s *Store) tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, release, err := s.conns.BeginWrite(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer release()
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.afterAuditAppend()
	return nil
}

// requireRow returns none when an UPDATE or DELETE changed no row (and
// the driver's error if it cannot say).
func requireRow(res sql.Result, none error) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("rows affected: %w", err)
	}
	if n == 0 {
		return none
	}
	return nil
}

// notFound maps sql.ErrNoRows to ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// conflict maps unique violations to ErrConflict.
func (s *Store) conflict(err error) error {
	if err != nil && s.d.IsUniqueViolation(err) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// Rebind turns a query written with ? placeholders into this database's
// form (tests and tools that query the handles directly use it).
func (s *Store) Rebind(query string) string { return s.q(query) }
