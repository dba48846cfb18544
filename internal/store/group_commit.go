package store

import (
	"context"
	"database/sql"
	"errors"
)

// Group commit for the writes people wait for on SQLite (registrations,
// submissions). SQLite has one writer, and under load each write spent
// most of its turn waiting for its own durable commit (about 1 ms). The
// writes waiting for the writer now share one transaction, and so one
// commit: each runs under its own savepoint, in the order they arrived,
// so one that fails (a duplicate, a closed event, a taken reference)
// rolls back alone, and counters such as an event's places come out
// exactly as when they ran one by one. PostgreSQL, with many writers,
// keeps one transaction per write (see Store.durably).

// maxGroup bounds a group, so that one slow commit never holds many.
const maxGroup = 64

// errStoreClosed answers a write sent after Close.
var errStoreClosed = errors.New("store closed")

type groupCommitter struct {
	s      *Store
	jobs   chan *groupJob
	stop   chan struct{}
	exited chan struct{}
}

// groupJob is one person's write. fn gets the group's context, not the
// request's: the statements must not be cut short by one person's
// request ending, as the transaction is everyone's.
type groupJob struct {
	ctx  context.Context
	fn   func(ctx context.Context, tx *sql.Tx) error
	err  error
	done chan struct{}
}

// durably runs fn in a write transaction and returns once it is
// committed (or has failed). On SQLite it shares the commit with the
// writes waiting beside it; fn must then leave the transaction usable
// when it fails (return the error; its savepoint is rolled back here).
func (s *Store) durably(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if !s.d.SingleWriter {
		return s.tx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
	}
	return s.groupCommitter().do(ctx, fn)
}

// groupCommitter starts the batching loop the first time it is needed.
func (s *Store) groupCommitter() *groupCommitter {
	s.groupOnce.Do(func() {
		s.group = &groupCommitter{s: s, jobs: make(chan *groupJob), stop: make(chan struct{}), exited: make(chan struct{})}
		go s.group.run()
	})
	return s.group
}

// stopGroupCommitter ends the loop (on Close), after the group in hand.
func (s *Store) stopGroupCommitter() {
	if s.group != nil {
		s.groupStopOnce.Do(func() { close(s.group.stop) })
		<-s.group.exited
	}
}

func (g *groupCommitter) do(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case g.jobs <- j:
	case <-g.stop:
		return errStoreClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	<-j.done // once taken, a write is always answered
	return j.err
}

func (g *groupCommitter) run() {
	defer close(g.exited)
	for {
		var batch []*groupJob
		select {
		case j := <-g.jobs:
			batch = append(batch, j)
		case <-g.stop:
			return
		}
	more:
		for len(batch) < maxGroup {
			select {
			case j := <-g.jobs:
				batch = append(batch, j)
			default:
				break more
			}
		}
		g.commit(batch)
		for _, j := range batch {
			close(j.done)
		}
	}
}

// commit runs a group in one transaction, each write under a savepoint.
// A failed commit fails every write it held.
func (g *groupCommitter) commit(batch []*groupJob) {
	ctx := context.WithoutCancel(batch[0].ctx)
	sp, err := g.s.writeStatements(ctx, "SAVEPOINT grouped", "ROLLBACK TO grouped", "RELEASE grouped")
	if err == nil {
		err = g.s.tx(ctx, func(tx *sql.Tx) error {
			for _, j := range batch {
				if j.err = j.ctx.Err(); j.err != nil {
					continue // gave up waiting: not written
				}
				if _, j.err = tx.StmtContext(ctx, sp[0]).ExecContext(ctx); j.err != nil {
					continue
				}
				if j.err = j.fn(ctx, tx); j.err != nil {
					if _, err := tx.StmtContext(ctx, sp[1]).ExecContext(ctx); err != nil {
						return err
					}
				}
				if _, err := tx.StmtContext(ctx, sp[2]).ExecContext(ctx); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
}
