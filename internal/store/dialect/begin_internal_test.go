package dialect

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// A write that finds another process holding SQLite's write lock (a key
// rotation's batch) waits in Go, trying again every millisecond, and
// gets the lock once it is free; SQLite's busy handler would have tried
// 10 times in the 150 ms the lock is held here (after 0, 1, 3, 8, 18,
// 33, 53, 78, 103 and 128 ms). Inside the transaction, and on the
// connection after a write that gave up, the busy timeout is back.
func TestBeginWriteWaitsInGo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "hearme.db")
	c, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write.ExecContext(ctx, "CREATE TABLE t (v INTEGER)"); err != nil {
		t.Fatal(err)
	}
	// The other process: a connection of its own to the same file.
	u := url.URL{Scheme: "file", Opaque: path}
	other, err := sql.Open("sqlite", u.String()+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.SetMaxOpenConns(1)
	hold := func(d time.Duration) <-chan time.Time {
		t.Helper()
		otx, err := other.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := otx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		released := make(chan time.Time, 1)
		go func() {
			time.Sleep(d)
			if err := otx.Commit(); err != nil {
				t.Error(err)
			}
			released <- time.Now()
		}()
		return released
	}
	busyTimeout := func(q interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) int {
		t.Helper()
		var ms int
		if err := q.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&ms); err != nil {
			t.Fatal(err)
		}
		return ms
	}

	released := hold(150 * time.Millisecond)
	tx, release, err := c.BeginWrite(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := time.Now()
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (2)"); err != nil {
		t.Fatal(err)
	}
	if ms := busyTimeout(tx); ms != busyTimeoutMS {
		t.Errorf("busy timeout inside the transaction %d ms, want %d", ms, busyTimeoutMS)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	release()
	at := <-released
	if got.Before(at) {
		t.Errorf("began %s before the other connection committed", at.Sub(got))
	}
	if n := c.beginRetries.Load(); n < 20 {
		t.Errorf("%d tries while the lock was held 150 ms, want at least 20 (one every millisecond or so)", n)
	}
	t.Logf("%d tries; began %s after the lock was released", c.beginRetries.Load(), got.Sub(at))
	if n, total, longest := c.WriteLockWaits(); n != 1 || longest < 100*time.Millisecond || total != longest {
		t.Errorf("write lock waits: %d, %s in all, longest %s; want the one write, waiting about 150 ms", n, total, longest)
	}
	var n int
	if err := c.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d rows (%v), want both writes", n, err)
	}

	// Giving up when the caller's context ends, the busy timeout restored.
	released = hold(300 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 40*time.Millisecond)
	_, _, err = c.BeginWrite(short)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("BeginWrite with the lock held past the context: %v, want the deadline", err)
	}
	if ms := busyTimeout(c.Write); ms != busyTimeoutMS {
		t.Errorf("busy timeout after giving up %d ms, want %d", ms, busyTimeoutMS)
	}
	if n, _, _ := c.WriteLockWaits(); n != 2 {
		t.Errorf("%d write lock waits counted, want 2", n)
	}
	<-released
}
