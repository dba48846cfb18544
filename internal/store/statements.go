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
	s.prepared.Range(func(k, v any) bool {
		v.(*sql.Stmt).Close()
		s.prepared.Delete(k)
		return true
	})
}

// statementCache is the Store's share of writeStatements.
type statementCache struct {
	prepared      sync.Map // query -> *sql.Stmt on the write handle
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
