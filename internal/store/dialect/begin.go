package dialect

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Starting a write transaction on SQLite while another process holds
// the database's one write lock (`hearme keys rotate`, a command run
// beside the server) waits until the lock is free. SQLite's busy
// handler, which busy_timeout installs, waits by sleeping 1, 2, 5, 10,
// 15, 20, 25, 25, 25, then 50 and 100 ms between tries, so a write that
// met a lock held for 35 ms got in at 53 ms, and one that met a few
// such holds in a row slept 50-100 ms past the moment the lock was
// free. BeginWrite waits in Go instead, trying again every
// beginRetryEvery, so the server's write gets the lock within about a
// millisecond of its release (docs/performance.md, "Key rotation").

// beginRetryEvery is how long BeginWrite waits between tries; beginWait
// is how long it tries in all, the busy_timeout of the connections.
const (
	beginRetryEvery = time.Millisecond
	beginWait       = 10 * time.Second
	busyTimeoutMS   = 10000
)

// BeginWrite starts a write transaction on Write. release must be called
// once the transaction is committed or rolled back. On SQLite the
// transaction is BEGIN IMMEDIATE, tried with the busy handler off and
// again every beginRetryEvery while another connection holds the write
// lock, up to beginWait or the end of ctx; once it has begun, the busy
// timeout is back for the statements it runs. On PostgreSQL it is an
// ordinary BeginTx.
func (c *Conns) BeginWrite(ctx context.Context) (tx *sql.Tx, release func(), err error) {
	if !c.Dialect.SingleWriter {
		tx, err = c.Write.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	conn, err := c.Write.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA busy_timeout = 0"); err != nil {
		conn.Close()
		return nil, nil, err
	}
	restore := func() error {
		_, err := conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeoutMS))
		return err
	}
	fail := func(err error) (*sql.Tx, func(), error) {
		err = errors.Join(err, restore())
		conn.Close()
		return nil, nil, err
	}
	tx, err = conn.BeginTx(ctx, nil)
	if err != nil {
		if !isBusy(err) {
			return fail(err)
		}
		if tx, err = c.waitToBegin(ctx, conn); err != nil {
			return fail(err)
		}
	}
	// Inside the transaction: the connection is the transaction's until
	// it ends.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeoutMS)); err != nil {
		tx.Rollback()
		return fail(err)
	}
	return tx, func() { conn.Close() }, nil
}

// waitToBegin tries BEGIN again every beginRetryEvery until it is not
// busy, beginWait has passed or ctx ends, and counts the wait.
func (c *Conns) waitToBegin(ctx context.Context, conn *sql.Conn) (*sql.Tx, error) {
	start := time.Now()
	defer func() {
		w := int64(time.Since(start))
		c.beginWaits.Add(1)
		c.beginWaited.Add(w)
		for m := c.beginLongest.Load(); w > m && !c.beginLongest.CompareAndSwap(m, w); m = c.beginLongest.Load() {
		}
	}()
	timer := time.NewTimer(beginRetryEvery)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
		}
		c.beginRetries.Add(1)
		tx, err := conn.BeginTx(ctx, nil)
		if err == nil || !isBusy(err) || time.Since(start) > beginWait {
			return tx, err
		}
		timer.Reset(beginRetryEvery)
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
}

// WriteLockWaits reports how many write transactions BeginWrite found
// the write lock held by another connection, how long they waited for
// it in all, and the longest wait (the part of a write's time another
// process, such as a key rotation, cost it).
func (c *Conns) WriteLockWaits() (n int64, total, longest time.Duration) {
	return c.beginWaits.Load(), time.Duration(c.beginWaited.Load()), time.Duration(c.beginLongest.Load())
}
