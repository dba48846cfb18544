package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Session writes on SQLite go through one connection: many requests
// writing their sessions at once queue in Go, and none meets SQLITE_BUSY
// (which, with a busy timeout, is a sleep of 1, 2, 5, 10 ms... in
// SQLite's busy handler). Here the busy timeout is 0, so a write that
// met a lock would fail: with the sessions pool of four as the writer,
// as before, some of these writes did.
func TestSessionWritesQueueOnOneConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(t.TempDir(), "hearme.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.sessionsWrite.Stats().MaxOpenConnections; got != 1 {
		t.Fatalf("the sessions writer has %d connections, want 1", got)
	}
	if c.SessionStore() != c.sqliteSessions {
		t.Fatal("the session store is not the one over the sessions writer")
	}

	path := filepath.Join(t.TempDir(), "sessions.db")
	u := url.URL{Scheme: "file", Opaque: path}
	dsn := u.String() + "?_pragma=busy_timeout(0)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)&_time_format=sqlite"
	open := func(conns int) *sql.DB {
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			t.Fatal(err)
		}
		db.SetMaxOpenConns(conns)
		t.Cleanup(func() { db.Close() })
		return db
	}
	read, write := open(4), open(1)
	if _, err := write.Exec(`CREATE TABLE sessions (token TEXT PRIMARY KEY, data BLOB NOT NULL, expiry REAL NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	ss, err := newSQLiteSessions(read, write, 0, stop)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { close(stop); ss.close() }()
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				tok := fmt.Sprintf("t-%d-%d", g, i)
				if err := ss.Commit(tok, []byte(tok), time.Now().Add(time.Hour)); err != nil {
					errs <- err
					continue
				}
				if b, ok, err := ss.Find(tok); err != nil || !ok || string(b) != tok {
					errs <- fmt.Errorf("find %s: %q %v %v", tok, b, ok, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := ss.Delete("t-0-0"); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := ss.Find("t-0-0"); ok || err != nil {
		t.Errorf("a deleted session was found (%v)", err)
	}
	if err := ss.Commit("old", []byte("x"), time.Now().Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := ss.Find("old"); ok {
		t.Error("an expired session was found")
	}
}

// Session writes waiting for the writer share one transaction (one write
// of the log's pages, not one each), and one that fails (here a session
// with no data, which the table refuses) fails alone: the others are
// stored and answered without error.
func TestSessionWritesShareATransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(t.TempDir(), "hearme.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ss := c.sqliteSessions
	// queue sends n writes while the writer's one connection is held,
	// then lets them through; it returns their errors and the number of
	// transactions they took.
	queue := func(round string, n, failing int) ([]error, int64) {
		conn, err := c.sessionsWrite.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := []byte(fmt.Sprintf("%s-%d", round, i))
				if i == failing {
					data = nil // refused: data is NOT NULL
				}
				errs[i] = ss.Commit(fmt.Sprintf("%s-%d", round, i), data, time.Now().Add(time.Hour))
			}()
		}
		time.Sleep(300 * time.Millisecond) // let them queue behind the held connection
		before := ss.batches.Load()
		conn.Close()
		wg.Wait()
		for i, err := range errs {
			if (err != nil) != (i == failing) {
				t.Errorf("%s write %d: %v", round, i, err)
			}
			b, ok, ferr := ss.Find(fmt.Sprintf("%s-%d", round, i))
			if ferr != nil || ok != (i != failing) || ok && string(b) != fmt.Sprintf("%s-%d", round, i) {
				t.Errorf("%s session %d: %q %v %v", round, i, b, ok, ferr)
			}
		}
		return errs, ss.batches.Load() - before
	}
	const n = 10
	if _, tx := queue("a", n, -1); tx >= n {
		t.Errorf("%d writes took %d transactions: none shared", n, tx)
	}
	queue("b", n, n/2)
}
