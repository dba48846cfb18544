package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hearme-project/hearme/internal/event"
)

// Group commit for registrations on SQLite. SQLite has one writer, and
// under load each registration spent most of its turn waiting for its
// own durable commit (about 1 ms). The registrations waiting for the
// writer now share one transaction, and so one commit: each runs under
// its own savepoint, in the order they arrived, so one that is refused
// (a duplicate, a closed event) rolls back alone, and capacity is
// counted exactly as when they ran one by one. PostgreSQL, with many
// writers, keeps one transaction per registration.

// maxRegBatch bounds a batch, so that one slow commit never holds many.
const maxRegBatch = 64

// errStoreClosed answers a registration sent after Close.
var errStoreClosed = errors.New("store closed")

type registrar struct {
	s      *Store
	jobs   chan *regJob
	stop   chan struct{}
	exited chan struct{}
}

type regJob struct {
	ctx    context.Context
	nr     NewRegistration
	mailer RegMailer
	reg    event.Registration
	err    error
	done   chan struct{}
}

// registrar starts the batching loop the first time it is needed.
func (s *Store) registrar() *registrar {
	s.regOnce.Do(func() {
		s.regs = &registrar{s: s, jobs: make(chan *regJob), stop: make(chan struct{}), exited: make(chan struct{})}
		go s.regs.run()
	})
	return s.regs
}

// stopRegistrar ends the loop (on Close), after the batch in hand.
func (s *Store) stopRegistrar() {
	if s.regs != nil {
		s.regOnceStop.Do(func() { close(s.regs.stop) })
		<-s.regs.exited
	}
}

func (g *registrar) register(ctx context.Context, nr NewRegistration, mailer RegMailer) (event.Registration, error) {
	j := &regJob{ctx: ctx, nr: nr, mailer: mailer, reg: nr.Registration, done: make(chan struct{})}
	select {
	case g.jobs <- j:
	case <-g.stop:
		return j.reg, errStoreClosed
	case <-ctx.Done():
		return j.reg, ctx.Err()
	}
	<-j.done // once taken, a registration is always answered
	return j.reg, j.err
}

func (g *registrar) run() {
	defer close(g.exited)
	for {
		var batch []*regJob
		select {
		case j := <-g.jobs:
			batch = append(batch, j)
		case <-g.stop:
			return
		}
	more:
		for len(batch) < maxRegBatch {
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

// commit runs a batch in one transaction, each registration under a
// savepoint. A failed commit fails every registration it held.
func (g *registrar) commit(batch []*regJob) {
	s := g.s
	// The statements must not be cut short by one person's request
	// ending: the transaction is everyone's.
	ctx := context.WithoutCancel(batch[0].ctx)
	err := s.tx(ctx, func(tx *sql.Tx) error {
		for _, j := range batch {
			if j.err = j.ctx.Err(); j.err != nil {
				continue // gave up waiting: not registered
			}
			if _, j.err = tx.ExecContext(ctx, "SAVEPOINT registration"); j.err != nil {
				continue
			}
			j.reg, j.err = s.registerTx(ctx, tx, j.nr, j.mailer)
			if j.err != nil {
				if _, err := tx.ExecContext(ctx, "ROLLBACK TO registration"); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "RELEASE registration"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, j := range batch {
			if j.err == nil {
				j.err = err
			}
		}
	}
}
