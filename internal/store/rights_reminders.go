package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/rights"
)

// OpenRightsRequests lists the requests not yet closed, oldest first.
func (s *Store) OpenRightsRequests(ctx context.Context) ([]rights.Request, error) {
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT "+rightsColumns+" FROM rights_requests WHERE closed_on IS NULL ORDER BY received_on, id")
	return collect(rows, err, scanRightsRequest)
}

// Protectors lists the active accounts that handle rights requests:
// administrators and data protection officers, the recipients of the
// reminders.
func (s *Store) Protectors(ctx context.Context) ([]account.User, error) {
	users, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []account.User
	for _, u := range users {
		if !u.Disabled && (u.Role == account.Admin || u.Role == account.DPO) {
			out = append(out, u)
		}
	}
	return out, nil
}

// RemindRightsRequest records that request id was reminded of at stage
// for its due date, and queues the reminders in the same transaction.
// It reports false, and queues nothing, when that reminder was already
// written (by an earlier run, or by another instance at the same time).
func (s *Store) RemindRightsRequest(ctx context.Context, id, stage string, due time.Time, mails ...mail.Queued) (bool, error) {
	done := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO rights_reminders (request_id, stage, due_on, sent_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (request_id, stage, due_on) DO NOTHING`), id, stage, due.Format(time.DateOnly), s.now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		done = true
		return s.enqueueMail(ctx, tx, mails...)
	})
	return done, err
}
