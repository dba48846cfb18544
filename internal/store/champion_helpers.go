package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
)

// Champions sign up to help at upcoming events ("event_helpers", from
// migration 0009; the events themselves belong to the events part).

// SetEventHelper signs an active champion up to help at an event (help
// true) or takes them off (false). Signing up needs a scheduled event
// that has not started (event.ErrClosed) and an active champion
// (champion.ErrIllegalMove); a missing event is ErrNotFound. Signing up twice is
// harmless.
func (s *Store) SetEventHelper(ctx context.Context, userID, eventID string, help bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		var starts sql.NullTime
		if err := tx.QueryRowContext(ctx, s.q("SELECT status, starts_at FROM events WHERE id = ?"), eventID).Scan(&status, &starts); err != nil {
			return notFound(err)
		}
		if !help {
			_, err := tx.ExecContext(ctx, s.q("DELETE FROM event_helpers WHERE event_id = ? AND user_id = ?"), eventID, userID)
			return err
		}
		var stage champion.Stage
		err := tx.QueryRowContext(ctx, s.q("SELECT stage FROM champion_applications WHERE user_id = ? AND counts_only = FALSE"), userID).Scan(&stage)
		if errors.Is(err, sql.ErrNoRows) {
			return champion.ErrIllegalMove // not a champion at all
		}
		if err != nil {
			return err
		}
		if err := champion.CheckActive(stage); err != nil {
			return err
		}
		if err := event.CheckOpen(event.Status(status), starts.Time, s.now()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q("INSERT INTO event_helpers (event_id, user_id, created_at) SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM event_helpers WHERE event_id = ? AND user_id = ?)"),
			eventID, userID, s.now(), eventID, userID)
		return err
	})
}

// HelpingAt lists the events a person signed up to help at.
func (s *Store) HelpingAt(ctx context.Context, userID string) (map[string]bool, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT event_id FROM event_helpers WHERE user_id = ?"), userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// EventHelpers lists the champions signed up to help at an event, by
// name (for the event's staff page).
func (s *Store) EventHelpers(ctx context.Context, eventID string) ([]account.User, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+userColumns+" FROM users WHERE disabled = FALSE AND id IN (SELECT user_id FROM event_helpers WHERE event_id = ?) ORDER BY display_name, email"), eventID)
	return collect(rows, err, scanUser)
}
