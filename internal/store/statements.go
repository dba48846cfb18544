package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// writeStatements returns queries (written with ? placeholders) prepared
// on the write handle, each prepared once and kept: inside a
// transaction, tx.StmtContext reuses the writer connection's prepared
// statement instead of compiling the SQL again. On SQLite the writer's
// turn is everyone's (group_commit.go), and compiling the same few
// inserts again for every submission was a fifth of that turn.
//
// It must be called outside a write transaction: on SQLite the writer is
// one connection, which an open transaction holds.
func (s *Store) writeStatements(ctx context.Context, queries ...string) ([]*sql.Stmt, error) {
	out := make([]*sql.Stmt, len(queries))
	for i, q := range queries {
		if v, ok := s.prepared.Load(q); ok {
			out[i] = v.(*sql.Stmt)
			continue
		}
		s.prepareMu.Lock()
		v, ok := s.prepared.Load(q)
		if !ok {
			st, err := s.conns.Write.PrepareContext(ctx, s.q(q))
			if err != nil {
				s.prepareMu.Unlock()
				return nil, err
			}
			v = st
			s.prepared.Store(q, st)
			s.preparedCount.Add(1)
		}
		s.prepareMu.Unlock()
		out[i] = v.(*sql.Stmt)
	}
	return out, nil
}

// closeStatements closes the prepared statements (on Close).
func (s *Store) closeStatements() {
	for _, m := range []*sync.Map{&s.prepared, &s.readPrepared} {
		m.Range(func(k, v any) bool {
			v.(*sql.Stmt).Close()
			m.Delete(k)
			return true
		})
	}
}

// keptRead runs queries on the read pool with a statement prepared once
// for each query text (database/sql prepares it again on each connection
// the first time it runs there). For the reads behind every staff page
// that opens an experience or a session's user: SQLite compiled their
// wide SELECTs again on every request, about a tenth of a coding's CPU
// (docs/performance.md, "Coding on PostgreSQL, 2026-12-06 night").
// Queries must be fixed texts (a few per call site), not built from
// values, or the kept statements would grow without end.
type keptRead struct{ s *Store }

func (k keptRead) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if v, ok := k.s.readPrepared.Load(query); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := k.s.conns.Read.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if v, loaded := k.s.readPrepared.LoadOrStore(query, st); loaded {
		st.Close() // another request prepared it first
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

func (k keptRead) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := k.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext reports a failure to prepare through the row's Scan,
// as database/sql does.
func (k keptRead) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := k.stmt(ctx, query)
	if err != nil {
		return k.s.conns.Read.QueryRowContext(ctx, query, args...) // compiles it and reports the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// statementCache is the Store's share of writeStatements.
type statementCache struct {
	prepared      sync.Map // query -> *sql.Stmt on the write handle
	readPrepared  sync.Map // query -> *sql.Stmt on the read pool (keptRead)
	prepareMu     sync.Mutex
	preparedCount atomic.Int32 // statements prepared so far (tests)

	// The statements of a recount, rebound once (breakdown_counts.go).
	recountOnce  sync.Once
	recountSQL   recountSQL
	recountReady atomic.Bool // prepared on the writer
}

// keptTx runs queries inside tx with the statement writeStatements kept
// for the same text (already rebound for the dialect) when there is one,
// and compiles them otherwise: the same statements, the same results.
type keptTx struct {
	s  *Store
	tx *sql.Tx
}

func (k keptTx) kept(ctx context.Context, query string) *sql.Stmt {
	if v, ok := k.s.prepared.Load(query); ok {
		return k.tx.StmtContext(ctx, v.(*sql.Stmt))
	}
	return nil
}

func (k keptTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := k.kept(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return k.tx.ExecContext(ctx, query, args...)
}

func (k keptTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := k.kept(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return k.tx.QueryContext(ctx, query, args...)
}

func (k keptTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := k.kept(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return k.tx.QueryRowContext(ctx, query, args...)
}
