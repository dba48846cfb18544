package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
)

// enqueueMail writes messages to the outbox inside the caller's
// transaction: the email exists exactly when the change that causes it
// is committed.
func (s *Store) enqueueMail(ctx context.Context, tx *sql.Tx, ms ...mail.Queued) error {
	now := time.Now().UTC()
	for _, m := range ms {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO outbox (id, kind, payload, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)`),
			NewID(), m.Kind, m.Payload, now, now); err != nil {
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
