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
}
