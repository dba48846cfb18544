package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// On the day of an event: the connectors' check-in list (who has
// arrived) and the count of people who came without registering.

// CheckIn is one registration on the check-in list. The name is sealed;
// the caller opens it for the connector at the door.
type CheckIn struct {
	ID          string
	Status      string // confirmed or waiting
	Places      int
	NameSealed  string
	Interpreter string
	AttendedAt  *time.Time
}

// MaxWalkIns bounds the walk-ins count, so a typing slip cannot make a
// report absurd.
const MaxWalkIns = 10000

// CheckInList lists an event's confirmed and waiting registrations in
// order of arrival, for checking people in. An unknown event is
// ErrNotFound.
func (s *Store) CheckInList(ctx context.Context, eventID string) ([]CheckIn, error) {
	var one int
	if err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT 1 FROM events WHERE id = ?"), eventID).Scan(&one); err != nil {
		return nil, notFound(err)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT id, status, places, name_sealed, interpreter_lang, attended_at FROM registrations
		WHERE event_id = ? AND status IN ('confirmed', 'waiting') ORDER BY CASE status WHEN 'confirmed' THEN 0 ELSE 1 END, position, id`), eventID)
	return collect(rows, err, func(row rowScanner) (CheckIn, error) {
		var c CheckIn
		var at sql.NullTime
		err := row.Scan(&c.ID, &c.Status, &c.Places, &c.NameSealed, &c.Interpreter, &at)
		if at.Valid {
			t := at.Time
			c.AttendedAt = &t
		}
		return c, err
	})
}

// SetAttended marks a registration of the event as arrived (or not).
// A registration of another event, or a cancelled one, is ErrNotFound.
func (s *Store) SetAttended(ctx context.Context, actorID, eventID, regID string, attended bool) error {
	var at any
	if attended {
		at = s.now()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE registrations SET attended_at = ?, updated_at = ? WHERE id = ? AND event_id = ? AND status IN ('confirmed', 'waiting')`),
			at, s.now(), regID, eventID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "event.check_in", eventID, fmt.Sprintf(`{"registration":%q,"attended":%t}`, regID, attended))
	})
}

// AddWalkIns changes an event's count of walk-ins by delta and returns
// the new count, which never goes below 0 nor above MaxWalkIns.
func (s *Store) AddWalkIns(ctx context.Context, eventID string, delta int) (int, error) {
	return s.walkIns(ctx, eventID, func(n int) int { return n + delta })
}

// SetWalkIns sets an event's count of walk-ins (clamped to 0..MaxWalkIns).
func (s *Store) SetWalkIns(ctx context.Context, eventID string, n int) (int, error) {
	return s.walkIns(ctx, eventID, func(int) int { return n })
}

func (s *Store) walkIns(ctx context.Context, eventID string, change func(int) int) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sql.Tx) error {
		q := s.d.ForUpdate("SELECT walk_ins FROM events WHERE id = ?")
		if err := tx.QueryRowContext(ctx, s.q(q), eventID).Scan(&n); err != nil {
			return notFound(err)
		}
		n = min(max(change(n), 0), MaxWalkIns)
		_, err := tx.ExecContext(ctx, s.q("UPDATE events SET walk_ins = ?, updated_at = ? WHERE id = ?"), n, s.now(), eventID)
		return err
	})
	return n, err
}
