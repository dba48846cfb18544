package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Key rotation (`hearme keys rotate`, docs/keys.md): every value sealed
// with the keyring is opened and sealed again with the active key, in
// small batches, each its own transaction, while the server runs. The
// state of a rotation is in the data itself (how many values are still
// under another key) plus a row of key_rotations saying which key it is
// moving to, so an interrupted rotation resumes by running again.

// sealedColumns names one table's columns that hold values sealed with
// the keyring ("v1:KEYID:..."), and its primary key.
type sealedColumns struct {
	table, key string
	cols       []string
}

// keyringSealed is every column sealed with the keyring.
// TestEverySealedColumnRotates walks the schema and fails on a column
// that looks sealed and is missing here.
var keyringSealed = []sealedColumns{
	{"users", "id", []string{"totp_secret"}},
	{"experience_keys", "experience_id", []string{"sealed_key"}},
	{"contact_details", "experience_id", []string{"name_sealed", "email_sealed", "phone_sealed"}},
	{"outbox", "id", []string{"payload"}},
	{"registrations", "id", []string{"name_sealed", "email_sealed", "phone_sealed", "access_needs_sealed"}},
	{"invitations", "id", []string{"contact_name_sealed", "contact_email_sealed", "contact_phone_sealed"}},
	{"champion_applications", "id", []string{"name_sealed", "email_sealed", "phone_sealed", "details_sealed"}},
	{"champion_notes", "id", []string{"body_sealed"}},
	{"rights_requests", "id", []string{"contact_sealed"}},
	{"capture_queue_keys", "id", []string{"private_sealed"}},
	{"subscriptions", "id", []string{"email_sealed"}},
}

// Rotation is one run of `hearme keys rotate`, finished or not.
type Rotation struct {
	ID         string
	ToKey      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt *time.Time
	Resealed   int64
}

// ErrRotationPending means values are still sealed with another key
// than the one a rotation moves to.
var ErrRotationPending = errors.New("values are still sealed with an older key")

// notUnder is the condition "col holds a keyring value under another
// key than the one whose prefix is the argument".
func notUnder(col string) string {
	return fmt.Sprintf("(substr(%s, 1, 3) = 'v1:' AND substr(%s, 1, ?) <> ?)", col, col)
}

// SealedNotUnder counts the sealed values under any key but keyID (the
// work a rotation to keyID still has to do), in the tables and in live
// web sessions.
func (s *Store) SealedNotUnder(ctx context.Context, keyID string) (int64, error) {
	prefix := "v1:" + keyID + ":"
	var total int64
	for _, t := range keyringSealed {
		for _, c := range t.cols {
			var n int64
			if err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM "+t.table+" WHERE "+notUnder(c)), len(prefix), prefix).Scan(&n); err != nil {
				return 0, fmt.Errorf("%s.%s: %w", t.table, c, err)
			}
			total += n
		}
	}
	counts, err := s.sessionKeyCounts(ctx)
	if err != nil {
		return 0, err
	}
	for id, n := range counts {
		if id != keyID {
			total += n
		}
	}
	return total, nil
}

// SealedUnder counts the sealed values under keyID, in the tables and
// in live web sessions (zero before the key may be retired).
func (s *Store) SealedUnder(ctx context.Context, keyID string) (int64, error) {
	prefix := "v1:" + keyID + ":"
	var total int64
	for _, t := range keyringSealed {
		for _, c := range t.cols {
			var n int64
			if err := s.conns.Read.QueryRowContext(ctx, s.q(fmt.Sprintf("SELECT COUNT(*) FROM %s WHERE substr(%s, 1, ?) = ?", t.table, c)), len(prefix), prefix).Scan(&n); err != nil {
				return 0, fmt.Errorf("%s.%s: %w", t.table, c, err)
			}
			total += n
		}
	}
	counts, err := s.sessionKeyCounts(ctx)
	if err != nil {
		return 0, err
	}
	return total + counts[keyID], nil
}

// StartRotation records a rotation to toKey, or returns the unfinished
// one already moving to it (a resumed run).
func (s *Store) StartRotation(ctx context.Context, actorID, toKey string) (Rotation, error) {
	var r Rotation
	err := s.tx(ctx, func(tx *sql.Tx) error {
		got, err := s.scanRotation(tx.QueryRowContext(ctx, s.q(`SELECT id, to_key, started_at, updated_at, finished_at, resealed FROM key_rotations
			WHERE to_key = ? AND finished_at IS NULL ORDER BY started_at DESC LIMIT 1`), toKey))
		if err == nil {
			r = got
			return nil
		}
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		now := s.now()
		r = Rotation{ID: NewID(), ToKey: toKey, StartedAt: now, UpdatedAt: now}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO key_rotations (id, to_key, started_at, updated_at, resealed) VALUES (?, ?, ?, ?, 0)"), r.ID, toKey, now, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.KeysRotationStarted, toKey, "")
	})
	return r, err
}

func (s *Store) scanRotation(row rowScanner) (Rotation, error) {
	var r Rotation
	var fin sql.NullTime
	if err := row.Scan(&r.ID, &r.ToKey, &r.StartedAt, &r.UpdatedAt, &fin, &r.Resealed); err != nil {
		return r, notFound(err)
	}
	r.StartedAt, r.UpdatedAt = r.StartedAt.UTC(), r.UpdatedAt.UTC()
	if fin.Valid {
		t := fin.Time.UTC()
		r.FinishedAt = &t
	}
	return r, nil
}

// LastRotation returns the most recent rotation (ErrNotFound if none).
func (s *Store) LastRotation(ctx context.Context) (Rotation, error) {
	return s.scanRotation(s.conns.Read.QueryRowContext(ctx, `SELECT id, to_key, started_at, updated_at, finished_at, resealed FROM key_rotations ORDER BY started_at DESC LIMIT 1`))
}

// resealBatch seals again with the active key at most limit rows of one
// table whose values are under another key, the rows after the primary
// key after, written in one transaction that also counts them on the
// rotation.
// It returns the last primary key it looked at and how many values it
// sealed again; done is true when the table has no more rows to look at.
// A row changed by someone else in the meantime is left for the next
// pass (the update names the values it read).
func (s *Store) resealBatch(ctx context.Context, keys *sealed.Keyring, rotationID string, t sealedColumns, after string, limit int, hold *time.Duration) (last string, n int64, done bool, err error) {
	active := keys.Active()
	prefix := "v1:" + active + ":"
	var conds []string
	var args []any
	args = append(args, after)
	for _, c := range t.cols {
		conds = append(conds, notUnder(c))
		args = append(args, len(prefix), prefix)
	}
	args = append(args, limit)
	query := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s > ? AND (%s) ORDER BY %s LIMIT ?",
		t.key, strings.Join(t.cols, ", "), t.table, t.key, strings.Join(conds, " OR "), t.key)
	set := make([]string, len(t.cols))
	where := make([]string, len(t.cols))
	for i, c := range t.cols {
		set[i] = c + " = ?"
		where[i] = c + " = ?"
	}
	update := fmt.Sprintf("UPDATE %s SET %s WHERE %s = ? AND %s", t.table, strings.Join(set, ", "), t.key, strings.Join(where, " AND "))
	last = after
	// Read and seal again outside the write transaction, so the database's
	// writer is held only for the updates (on SQLite the server's own
	// writes wait for it).
	rows, err := s.conns.Read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return last, 0, false, err
	}
	type row struct {
		key       string
		old, next []string
		changed   int64
	}
	var batch []row
	for rows.Next() {
		r := row{old: make([]string, len(t.cols))}
		dest := []any{&r.key}
		for i := range r.old {
			dest = append(dest, &r.old[i])
		}
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return last, 0, false, err
		}
		batch = append(batch, r)
	}
	if err := rows.Close(); err != nil {
		return last, 0, false, err
	}
	if err := rows.Err(); err != nil {
		return last, 0, false, err
	}
	done = len(batch) < limit
	for i := range batch {
		r := &batch[i]
		for _, v := range r.old {
			nv, ch, err := keys.Reseal(v)
			if err != nil {
				return last, 0, false, fmt.Errorf("%s %s: %w", t.table, r.key, err)
			}
			if ch {
				r.changed++
			}
			r.next = append(r.next, nv)
		}
	}
	if len(batch) == 0 {
		return last, 0, done, nil
	}
	err = s.resealTx(ctx, hold, func(tx *sql.Tx) error {
		n = 0
		stmt, err := tx.PrepareContext(ctx, s.q(update))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, r := range batch {
			vals := make([]any, 0, 2*len(t.cols)+1)
			for _, v := range r.next {
				vals = append(vals, v)
			}
			vals = append(vals, r.key)
			for _, v := range r.old {
				vals = append(vals, v)
			}
			res, err := stmt.ExecContext(ctx, vals...)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil {
				return err
			} else if k == 1 {
				n += r.changed
			}
		}
		if n > 0 {
			_, err = tx.ExecContext(ctx, s.q("UPDATE key_rotations SET resealed = resealed + ?, updated_at = ? WHERE id = ?"), n, s.now(), rotationID)
		}
		return err
	})
	if err == nil {
		last = batch[len(batch)-1].key
		s.checkpointAfterBatch(ctx)
	}
	return last, n, done, err
}

// checkpointAfterBatch copies what the batch wrote from SQLite's log
// into the database file (a passive checkpoint: it takes no write lock).
// Otherwise the server's own commit, finding the log grown past its
// threshold (1,000 pages), would do the copying, and its request wait
// for it. It is not an error when it cannot finish (a reader holds an
// older snapshot): the server's checkpoint does the rest.
func (s *Store) checkpointAfterBatch(ctx context.Context) {
	if s.d.SingleWriter {
		s.conns.Write.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
	}
}

// Reseal seals again with the active key every keyring value under
// another key, batch rows at a time and without pausing, calling
// progress after each batch with the values done so far in this run.
// ResealPaced is the same, sharing the database with a running server.
func (s *Store) Reseal(ctx context.Context, keys *sealed.Keyring, rotationID string, batch int, progress func(done int64)) (int64, error) {
	return s.ResealPaced(ctx, keys, rotationID, ResealPace{Batch: batch}, progress)
}

// ResealPace says how a rotation shares the database with the server
// running beside it (docs/keys.md, "Sharing the database").
type ResealPace struct {
	// Batch is the most rows sealed again in one transaction (default
	// 500).
	Batch int
	// Hold is how long one batch's write transaction should last: a
	// batch that took longer halves the next one (down to minBatch), one
	// that took under half of it lets the next grow back towards Batch.
	// Zero: batches keep their size.
	Hold time.Duration
	// Pause is the least wait after each batch, and Ratio makes it at
	// least Ratio times as long as the batch took (reading, sealing and
	// writing), so the rotation never has more than 1/(1+Ratio) of the
	// time, however slow the machine is at that moment.
	Pause time.Duration
	Ratio float64
	// Sleep waits (tests record it); nil waits on a timer, ending early
	// with ctx.
	Sleep func(ctx context.Context, d time.Duration) error
}

// minBatch is the smallest batch a slow write transaction shrinks to.
const minBatch = 10

// DefaultResealPace is how `hearme keys rotate` shares this database
// with a running server unless told otherwise.
//
// On SQLite there is one write lock, and the rotation (another process)
// and the server take turns at it. A server's write that finds it taken
// waits for it, trying again every millisecond (dialect.Conns.BeginWrite;
// SQLite's own busy handler would sleep 25, 50, then 100 ms between
// tries), so what it waits is how long the rotation holds the lock. So
// each write transaction is kept short (Hold 10 ms; and it does not wait
// for the disk, see resealTx), and the lock is left alone for at least
// 30 ms, time for the writes that queued meanwhile, and at least as long
// as the batch took. The rotation's own transactions keep SQLite's busy
// handler: when they meet the server's writes they wait longer, which
// is the right way round. On PostgreSQL rows are locked, not the
// database, and the pause only leaves the machine's processors and disk
// to the server.
func (s *Store) DefaultResealPace() ResealPace {
	if s.d.SingleWriter {
		return ResealPace{Batch: 200, Hold: 10 * time.Millisecond, Pause: 30 * time.Millisecond, Ratio: 1}
	}
	return ResealPace{Batch: 200, Hold: 20 * time.Millisecond, Pause: 5 * time.Millisecond, Ratio: 1}
}

// wait is the pause after a batch that took took.
func (p ResealPace) wait(took time.Duration) time.Duration {
	return max(p.Pause, time.Duration(p.Ratio*float64(took)))
}

// next is the size of the batch after one of size n whose write
// transaction lasted hold.
func (p ResealPace) next(n int, hold time.Duration) int {
	switch {
	case p.Hold <= 0:
		return n
	case hold > p.Hold:
		return max(min(minBatch, p.Batch), n/2)
	case hold < p.Hold/2:
		return min(p.Batch, n+n/4+1)
	}
	return n
}

func (p ResealPace) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	if p.Sleep != nil {
		return p.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ResealPaced seals again with the active key every keyring value under
// another key, in the tables (keyringSealed) and in live web sessions,
// in batches paced by pace, calling progress after each batch with the
// values done so far in this run. Stopping part way (ctx ended, the
// process killed) loses nothing: each batch commits whole, and running
// again carries on with what is left.
func (s *Store) ResealPaced(ctx context.Context, keys *sealed.Keyring, rotationID string, pace ResealPace, progress func(done int64)) (int64, error) {
	if pace.Batch < 1 {
		pace.Batch = 500
	}
	var total int64
	size := pace.Batch
	// step runs one batch, then adapts the next batch's size and waits.
	step := func(batch func(limit int, hold *time.Duration) (int64, bool, error)) (bool, error) {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		start := time.Now()
		var hold time.Duration
		n, done, err := batch(size, &hold)
		total += n
		if err != nil {
			return false, err
		}
		if progress != nil && n > 0 {
			progress(total)
		}
		if hold > 0 {
			size = pace.next(size, hold)
			if err := pace.sleep(ctx, pace.wait(time.Since(start))); err != nil {
				return false, err
			}
		}
		return done, nil
	}
	for _, t := range keyringSealed {
		after := ""
		for {
			done, err := step(func(limit int, hold *time.Duration) (int64, bool, error) {
				last, n, done, err := s.resealBatch(ctx, keys, rotationID, t, after, limit, hold)
				after = last
				return n, done, err
			})
			if err != nil {
				return total, fmt.Errorf("%s: %w", t.table, err)
			}
			if done {
				break
			}
		}
	}
	after := ""
	for {
		done, err := step(func(limit int, hold *time.Duration) (int64, bool, error) {
			last, n, done, err := s.resealSessions(ctx, keys, rotationID, after, limit, hold)
			after = last
			return n, done, err
		})
		if err != nil {
			return total, fmt.Errorf("sessions: %w", err)
		}
		if done {
			break
		}
	}
	return total, nil
}

// resealTx runs a rotation batch's writes in one transaction and sets
// *hold to how long it lasted. The transaction does not wait for the
// disk (SQLite: synchronous=NORMAL on the write connection for this
// transaction only; PostgreSQL: synchronous_commit off for it): on
// SQLite the write lock is held until a commit returns, and waiting for
// the disk with it held made the server's writes wait too. A batch lost
// to a power cut is only values still under the old key, both keys are
// in the keyring, and the rotation's next run (or pass) seals them
// again; the rotation is marked finished in an ordinary, synced
// transaction, after every batch before it is on disk.
func (s *Store) resealTx(ctx context.Context, hold *time.Duration, fn func(tx *sql.Tx) error) (err error) {
	start := time.Now()
	defer func() { *hold = max(time.Since(start), time.Nanosecond) }()
	conn, err := s.conns.Write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.d.SingleWriter {
		if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = NORMAL"); err != nil {
			return err
		}
		defer func() {
			// The connection is the server's writer too when they share a
			// process: it must go back to FULL, or be thrown away.
			if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = FULL"); rerr != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
				err = errors.Join(err, rerr)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if !s.d.SingleWriter {
		if _, err := tx.ExecContext(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
			tx.Rollback()
			return err
		}
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// FinishRotation marks the rotation finished, only once no value is left
// under another key than its own (ErrRotationPending otherwise).
func (s *Store) FinishRotation(ctx context.Context, actorID string, r Rotation) (Rotation, error) {
	left, err := s.SealedNotUnder(ctx, r.ToKey)
	if err != nil {
		return r, err
	}
	if left > 0 {
		return r, fmt.Errorf("%w: %d", ErrRotationPending, left)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q("UPDATE key_rotations SET finished_at = ?, updated_at = ? WHERE id = ? AND finished_at IS NULL"), now, now, r.ID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		r.FinishedAt = &now
		if err := tx.QueryRowContext(ctx, s.q("SELECT resealed FROM key_rotations WHERE id = ?"), r.ID).Scan(&r.Resealed); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.KeysRotationFinished, r.ToKey, audit.Detail(map[string]string{"resealed": fmt.Sprint(r.Resealed)}))
	})
	return r, err
}

// RotatedColumns lists "table.column" for every column a rotation moves
// (for the schema walk in tests), web sessions' data among them.
func RotatedColumns() []string {
	var out []string
	for _, t := range keyringSealed {
		for _, c := range t.cols {
			out = append(out, t.table+"."+c)
		}
	}
	return append(out, "sessions.data")
}

// Web sessions (a resident's draft, the codes they typed at /my-story, a
// second factor being enrolled, a staff form kept while its author signs
// in again) hold values sealed with the keyring among their values
// (strings "v1:KEYID:..."), inside the session store's encoding
// (scs.GobCodec). A rotation seals those again too, in live sessions
// only: an expired one can no longer be found, and is deleted by the
// session store's clean-up.

// sessionCodec is the web session manager's encoding (app.NewSessions
// keeps scs's default).
var sessionCodec scs.GobCodec

// liveSession is the condition "the session has not expired".
func (s *Store) liveSession() string {
	if s.d.SingleWriter {
		return "julianday('now') < expiry"
	}
	return "current_timestamp < expiry"
}

// resealSessionData seals again, with the active key, the sealed values
// in one session's data. It returns the new data and how many values
// changed (0: data comes back as it was).
func resealSessionData(keys *sealed.Keyring, data []byte) ([]byte, int64, error) {
	deadline, values, err := sessionCodec.Decode(data)
	if err != nil {
		return nil, 0, err
	}
	var n int64
	for k, v := range values {
		str, ok := v.(string)
		if !ok || sealed.KeyOf(str) == "" {
			continue
		}
		nv, changed, err := keys.Reseal(str)
		if err != nil {
			return nil, 0, fmt.Errorf("value %q: %w", k, err)
		}
		if changed {
			values[k] = nv
			n++
		}
	}
	if n == 0 {
		return data, 0, nil
	}
	out, err := sessionCodec.Encode(deadline, values)
	return out, n, err
}

// resealSessions is resealBatch for live web sessions, which are on
// SQLite in a file of their own (so the count on the rotation is added
// in a transaction of its own, just after).
func (s *Store) resealSessions(ctx context.Context, keys *sealed.Keyring, rotationID, after string, limit int, hold *time.Duration) (last string, n int64, done bool, err error) {
	last = after
	rows, err := s.conns.Sessions.QueryContext(ctx, s.q("SELECT token, data FROM sessions WHERE token > ? AND "+s.liveSession()+" ORDER BY token LIMIT ?"), after, limit)
	if err != nil {
		return last, 0, false, err
	}
	type row struct {
		token     string
		old, next []byte
		changed   int64
	}
	var batch []row
	seen := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.token, &r.old); err != nil {
			rows.Close()
			return last, 0, false, err
		}
		seen++
		last = r.token
		next, changed, err := resealSessionData(keys, r.old)
		if err != nil {
			// A session this binary cannot decode is left as it is; it
			// is counted as under no key (sessionKeyCounts) and expires.
			continue
		}
		if changed > 0 {
			r.next, r.changed = next, changed
			batch = append(batch, r)
		}
	}
	if err := rows.Close(); err != nil {
		return after, 0, false, err
	}
	if err := rows.Err(); err != nil {
		return after, 0, false, err
	}
	done = seen < limit
	if len(batch) == 0 {
		return last, 0, done, nil
	}
	start := time.Now()
	defer func() { *hold = max(time.Since(start), time.Nanosecond) }()
	tx, err := s.conns.Sessions.BeginTx(ctx, nil)
	if err != nil {
		return after, 0, false, err
	}
	for _, r := range batch {
		// Only if the server has not written the session meanwhile (its
		// write may hold a value sealed with the old key: the next pass
		// finds it).
		res, err := tx.ExecContext(ctx, s.q("UPDATE sessions SET data = ? WHERE token = ? AND data = ?"), r.next, r.token, r.old)
		if err != nil {
			tx.Rollback()
			return after, 0, false, err
		}
		if k, err := res.RowsAffected(); err != nil {
			tx.Rollback()
			return after, 0, false, err
		} else if k == 1 {
			n += r.changed
		}
	}
	if err := tx.Commit(); err != nil {
		return after, 0, false, err
	}
	if n > 0 {
		if _, err := s.conns.Write.ExecContext(ctx, s.q("UPDATE key_rotations SET resealed = resealed + ?, updated_at = ? WHERE id = ?"), n, s.now(), rotationID); err != nil {
			return last, n, false, err
		}
	}
	return last, n, done, nil
}

// sessionKeyCounts counts the sealed values in live web sessions by the
// key that sealed them.
func (s *Store) sessionKeyCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := s.conns.Sessions.QueryContext(ctx, "SELECT data FROM sessions WHERE "+s.liveSession())
	if err != nil {
		return nil, fmt.Errorf("sessions: %w", err)
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		_, values, err := sessionCodec.Decode(data)
		if err != nil {
			continue
		}
		for _, v := range values {
			if str, ok := v.(string); ok {
				if id := sealed.KeyOf(str); id != "" {
					counts[id]++
				}
			}
		}
	}
	return counts, rows.Err()
}
