package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
)

// outboxLockKey names the PostgreSQL advisory lock that serialises
// claims, so two senders never take the same rows (SQLite's write
// transactions are exclusive already).
const outboxLockKey = 0x6f7574626f78 // "outbox"

// enqueueMail writes messages to the outbox inside the caller's
// transaction: the email exists exactly when the change that causes it
// is committed.
func (s *Store) enqueueMail(ctx context.Context, tx *sql.Tx, ms ...mail.Queued) error {
	now := s.now()
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (id, kind, payload, to_key, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?)`),
			NewID(), m.Kind, m.Payload, s.mailKey(m), now, now); err != nil {
			return err
		}
	}
	return nil
}

// EnqueueMail writes messages to the outbox in a transaction of their own,
// for email that goes with no other change.
func (s *Store) EnqueueMail(ctx context.Context, ms ...mail.Queued) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.enqueueMail(ctx, tx, ms...) })
}

// placeholders returns "?, ?, ?" for n values and the values as []any.
func placeholders(ids []string) (string, []any) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", "), args
}

// ClaimMail leases up to limit due messages (oldest due first) to holder
// until now+lease. Rows under another holder's live lease, sent or given
// up are never taken; a lapsed lease (a sender that was killed) is.
func (s *Store) ClaimMail(ctx context.Context, holder string, lease time.Duration, limit int) ([]mail.Claimed, error) {
	now := s.now()
	// Senders look every few seconds: when nothing is due, a read on a
	// reader connection answers without taking the write lock.
	var due int
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM (SELECT 1 FROM outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) LIMIT 1) due`), now, now).Scan(&due)
	if err != nil || due == 0 {
		return nil, err
	}
	var out []mail.Claimed
	err = s.tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		if lock := s.d.TxLock(outboxLockKey); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, s.q(`SELECT id FROM outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
			ORDER BY next_attempt_at, id LIMIT ?`), now, now, limit)
		ids, err := collect(rows, err, scanValue[string])
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		in, args := placeholders(ids)
		// The conditions are repeated: only rows still free are taken.
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET claimed_by = ?, claimed_until = ?
			WHERE id IN (`+in+`) AND sent_at IS NULL AND failed_at IS NULL AND (claimed_until IS NULL OR claimed_until < ?)`),
			append(append([]any{holder, now.Add(lease)}, args...), now)...); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, s.q(`SELECT id, kind, payload, attempts, created_at FROM outbox
			WHERE id IN (`+in+`) AND claimed_by = ? ORDER BY next_attempt_at, id`), append(args, holder)...)
		out, err = collect(rows, err, func(row rowScanner) (mail.Claimed, error) {
			var c mail.Claimed
			err := row.Scan(&c.ID, &c.Kind, &c.Payload, &c.Attempts, &c.CreatedAt)
			c.CreatedAt = c.CreatedAt.UTC()
			return c, err
		})
		return err
	})
	return out, err
}

// MarkMailSent records that the SMTP server accepted the messages. The
// payload (recipient and body) is emptied at once; the row keeps its kind
// and times until the sender's clean-up deletes it. It is a no-op for a
// message already marked.
func (s *Store) MarkMailSent(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	now := s.now()
	in, args := placeholders(ids)
	// One statement, committed on its own: one round trip, so the window
	// between the server's acceptance and this record is one commit.
	_, err := s.conns.Write.ExecContext(ctx, s.q(`UPDATE outbox SET sent_at = ?, payload = '', last_error = '', failed_at = NULL, claimed_by = '', claimed_until = NULL
			WHERE id IN (`+in+`) AND sent_at IS NULL`), append([]any{now}, args...)...)
	return err
}

// MarkMailFailed records a failed attempt on a message holder holds: due
// again once retryAfter has passed, by the clock ClaimMail chooses due
// messages by, or given up when giveUp (it then shows to staff).
func (s *Store) MarkMailFailed(ctx context.Context, holder, id, reason string, retryAfter time.Duration, giveUp bool) error {
	now := s.now()
	retryAt := now.Add(retryAfter)
	var failedAt any
	if giveUp {
		failedAt = now
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	reason = strings.ToValidUTF8(reason, "?")
	_, err := s.conns.Write.ExecContext(ctx, s.q(`UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, failed_at = ?, claimed_by = '', claimed_until = NULL
			WHERE id = ? AND claimed_by = ? AND sent_at IS NULL`), reason, retryAt.UTC(), failedAt, id, holder)
	return err
}

// ReleaseMail gives back holder's lease on messages it did not try, so
// another sender (or this one, later) takes them at once.
func (s *Store) ReleaseMail(ctx context.Context, holder string, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	in, args := placeholders(ids)
	_, err := s.conns.Write.ExecContext(ctx, s.q(`UPDATE outbox SET claimed_by = '', claimed_until = NULL
			WHERE id IN (`+in+`) AND claimed_by = ? AND sent_at IS NULL`), append(args, holder)...)
	return err
}

// MailStatus counts the outbox by state.
func (s *Store) MailStatus(ctx context.Context) (mail.Status, error) {
	var st mail.Status
	var queued, retrying, failed, sent sql.NullInt64
	var oldest sql.NullTime
	err := s.conns.Read.QueryRowContext(ctx, `SELECT
		SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL AND attempts > 0 THEN 1 ELSE 0 END),
		SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END)
		FROM outbox`).Scan(&queued, &retrying, &failed, &sent)
	if err != nil {
		return st, err
	}
	st.Queued, st.Retrying, st.Failed, st.Sent = int(queued.Int64), int(retrying.Int64), int(failed.Int64), int(sent.Int64)
	if st.Queued > 0 {
		err = s.conns.Read.QueryRowContext(ctx, `SELECT created_at FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY created_at LIMIT 1`).Scan(&oldest)
		st.Oldest = oldest.Time.UTC()
	}
	if err == nil && st.Retrying+st.Failed > 0 {
		err = s.conns.Read.QueryRowContext(ctx, `SELECT last_error FROM outbox WHERE sent_at IS NULL AND attempts > 0 ORDER BY next_attempt_at DESC, id LIMIT 1`).Scan(&st.LastError)
	}
	return st, err
}

// FailedMail lists up to limit messages the sender gave up on, newest
// first, without their sealed payload.
func (s *Store) FailedMail(ctx context.Context, limit int) ([]mail.Failed, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT id, kind, attempts, last_error, created_at, failed_at FROM outbox
		WHERE failed_at IS NOT NULL ORDER BY failed_at DESC, id LIMIT ?`), limit)
	return collect(rows, err, func(row rowScanner) (mail.Failed, error) {
		var f mail.Failed
		err := row.Scan(&f.ID, &f.Kind, &f.Attempts, &f.LastError, &f.CreatedAt, &f.FailedAt)
		f.CreatedAt, f.FailedAt = f.CreatedAt.UTC(), f.FailedAt.UTC()
		return f, err
	})
}

// RetryMail queues a message the sender gave up on again, due now, with
// a fresh retry schedule. ErrNotFound if id is not a failed message.
func (s *Store) RetryMail(ctx context.Context, id string) error {
	n, err := s.retryMail(ctx, "id = ? AND ", id)
	if err == nil && n == 0 {
		err = ErrNotFound
	}
	return err
}

// RetryAllMail queues every failed message again; it returns how many.
func (s *Store) RetryAllMail(ctx context.Context) (int64, error) { return s.retryMail(ctx, "") }

func (s *Store) retryMail(ctx context.Context, where string, args ...any) (int64, error) {
	now := s.now()
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?, claimed_by = '', claimed_until = NULL
			WHERE `+where+`failed_at IS NOT NULL AND sent_at IS NULL`), append([]any{now}, args...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

// PurgeMail deletes sent messages sent before sentBefore and failed
// messages given up before failedBefore (their sealed payload is
// personal data, kept only while staff may still retry it).
func (s *Store) PurgeMail(ctx context.Context, sentBefore, failedBefore time.Time) (int64, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < ?) OR (failed_at IS NOT NULL AND failed_at < ?)`),
			sentBefore.UTC(), failedBefore.UTC())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

var _ mail.Outbox = (*Store)(nil)
