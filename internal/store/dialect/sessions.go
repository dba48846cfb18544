package dialect

import (
	"database/sql"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
)

// sqliteSessions is the web session store on the sessions file, with the
// table alexedwards/scs's sqlite3store uses, and three differences that
// matter under load (every public form post reads and writes a session):
// writes go through a handle of one connection, so concurrent writes
// queue in Go instead of meeting SQLITE_BUSY and sleeping in SQLite's
// busy handler (1, 2, 5, 10 ms...); the writes waiting for that
// connection share one transaction, so one write of the log's pages
// instead of one each (as the main database's group commit does); and
// the statements are compiled once, not for every request
// (docs/performance.md, "Submissions over HTTP"). A write returns once
// its transaction is committed, as before.
type sqliteSessions struct {
	find, commit, del *sql.Stmt
	write             *sql.DB
	writes            chan *sessionWrite
	stop              <-chan struct{}
	exited            chan struct{}
	batches           atomic.Int64 // transactions committed (tests)
}

// sessionWrite is one Commit or Delete waiting for the writer.
type sessionWrite struct {
	del    bool
	token  string
	data   []byte
	expiry string
	err    error
	done   chan struct{}
}

// maxSessionBatch bounds the writes one transaction holds.
const maxSessionBatch = 64

var errSessionsClosed = errors.New("session store closed")

// newSQLiteSessions prepares the statements; read is the sessions pool,
// write the sessions file's single writer. It expires old sessions every
// cleanup (0: never) until stop is closed.
func newSQLiteSessions(read, write *sql.DB, cleanup time.Duration, stop <-chan struct{}) (*sqliteSessions, error) {
	s := &sqliteSessions{write: write, writes: make(chan *sessionWrite), stop: stop, exited: make(chan struct{})}
	var err error
	if s.find, err = read.Prepare("SELECT data FROM sessions WHERE token = ? AND julianday('now') < expiry"); err != nil {
		return nil, err
	}
	if s.commit, err = write.Prepare("REPLACE INTO sessions (token, data, expiry) VALUES (?, ?, julianday(?))"); err != nil {
		s.find.Close()
		return nil, err
	}
	if s.del, err = write.Prepare("DELETE FROM sessions WHERE token = ?"); err != nil {
		s.find.Close()
		s.commit.Close()
		return nil, err
	}
	if cleanup > 0 {
		go s.expire(cleanup, stop)
	}
	go s.run()
	return s, nil
}

func (s *sqliteSessions) Find(token string) ([]byte, bool, error) {
	var b []byte
	err := s.find.QueryRow(token).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

func (s *sqliteSessions) Commit(token string, b []byte, expiry time.Time) error {
	return s.do(&sessionWrite{token: token, data: b, expiry: expiry.UTC().Format("2006-01-02T15:04:05.999")})
}

func (s *sqliteSessions) Delete(token string) error {
	return s.do(&sessionWrite{del: true, token: token})
}

func (s *sqliteSessions) do(w *sessionWrite) error {
	w.done = make(chan struct{})
	select {
	case s.writes <- w:
	case <-s.stop:
		return errSessionsClosed
	}
	<-w.done // once taken, a write is always answered
	return w.err
}

// run writes what is waiting, in one transaction, until stop.
func (s *sqliteSessions) run() {
	defer close(s.exited)
	for {
		var batch []*sessionWrite
		select {
		case w := <-s.writes:
			batch = append(batch, w)
		case <-s.stop:
			return
		}
	more:
		for len(batch) < maxSessionBatch {
			select {
			case w := <-s.writes:
				batch = append(batch, w)
			default:
				break more
			}
		}
		s.writeBatch(batch)
		for _, w := range batch {
			close(w.done)
		}
	}
}

// writeBatch writes a batch in one transaction. If any write fails (a
// full disk), the transaction is rolled back and each write is tried
// alone, so that each gets its own answer.
func (s *sqliteSessions) writeBatch(batch []*sessionWrite) {
	if len(batch) > 1 {
		if err := s.inTx(batch); err == nil {
			return
		}
	}
	for _, w := range batch {
		w.err = s.exec(nil, w)
	}
	s.batches.Add(int64(len(batch)))
}

func (s *sqliteSessions) inTx(batch []*sessionWrite) error {
	tx, err := s.write.Begin()
	if err != nil {
		return err
	}
	for _, w := range batch {
		if err := s.exec(tx, w); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.batches.Add(1)
	return nil
}

func (s *sqliteSessions) exec(tx *sql.Tx, w *sessionWrite) error {
	st := s.commit
	args := []any{w.token, w.data, w.expiry}
	if w.del {
		st, args = s.del, []any{w.token}
	}
	if tx != nil {
		st = tx.Stmt(st)
	}
	_, err := st.Exec(args...)
	return err
}

func (s *sqliteSessions) expire(every time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			if _, err := s.write.Exec("DELETE FROM sessions WHERE expiry < julianday('now')"); err != nil {
				slog.Warn("expire sessions", "err", err.Error())
			}
		}
	}
}

// close ends the writer (stop must be closed first) and the statements.
func (s *sqliteSessions) close() {
	<-s.exited
	s.find.Close()
	s.commit.Close()
	s.del.Close()
}

var _ scs.Store = (*sqliteSessions)(nil)
