package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

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
// work a rotation to keyID still has to do).
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
	return total, nil
}

// SealedUnder counts the sealed values under keyID (zero before the key
// may be retired).
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
	return total, nil
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
func (s *Store) resealBatch(ctx context.Context, keys *sealed.Keyring, rotationID string, t sealedColumns, after string, limit int) (last string, n int64, done bool, err error) {
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
	err = s.tx(ctx, func(tx *sql.Tx) error {
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
	}
	return last, n, done, err
}

// Reseal seals again with the active key every keyring value under
// another key, batch rows at a time, calling progress after each batch
// with the values done so far in this run. Stopping part way (ctx ended,
// the process killed) loses nothing: each batch commits whole, and
// running again carries on with what is left.
func (s *Store) Reseal(ctx context.Context, keys *sealed.Keyring, rotationID string, batch int, progress func(done int64)) (int64, error) {
	if batch < 1 {
		batch = 500
	}
	var total int64
	for _, t := range keyringSealed {
		after := ""
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			last, n, done, err := s.resealBatch(ctx, keys, rotationID, t, after, batch)
			total += n
			if err != nil {
				return total, fmt.Errorf("%s: %w", t.table, err)
			}
			if progress != nil && n > 0 {
				progress(total)
			}
			if done {
				break
			}
			after = last
		}
	}
	return total, nil
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
// (for the schema walk in tests).
func RotatedColumns() []string {
	var out []string
	for _, t := range keyringSealed {
		for _, c := range t.cols {
			out = append(out, t.table+"."+c)
		}
	}
	return out
}

// ResealPause is how long a rotation waits between batches unless told
// otherwise. On a database with one writer (SQLite) the rotation, run by
// another process, and the server take turns at its one write lock; a
// writer waiting for that lock looks again 1, 2, 5, 10, 15, 20 and then
// 25 ms apart (SQLite's busy handler), so a rotation that let go of the
// lock for less than that would starve the server's writes. PostgreSQL
// locks rows, and the rotation never waits.
func (s *Store) ResealPause() time.Duration {
	if s.d.SingleWriter {
		return 30 * time.Millisecond
	}
	return 0
}
