package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/retention"
)

// NewRegistration is a registration to store: the personal fields are
// already sealed by the caller, the email and phone reduced to keyed
// hashes for the duplicate check, and the cancellation token to its hash.
type NewRegistration struct {
	event.Registration
	EmailKey, PhoneKey string
	CancelHash         string
}

// Register adds a registration under the event's lock: confirmed when
// its places fit and nobody is waiting, otherwise on the waiting list at
// the end. It refuses a closed event (event.ErrClosed), an unknown one
// (ErrNotFound) and an email or phone already registered
// (event.ErrDuplicateRegistration). The confirmation email (from mailer) is
// written to the outbox in the same transaction.
func (s *Store) Register(ctx context.Context, nr NewRegistration, mailer RegMailer) (event.Registration, error) {
	r := nr.Registration
	if r.ID == "" {
		r.ID = NewID()
	}
	if !event.ValidID(r.EventID) {
		return r, ErrNotFound
	}
	r.CreatedAt = s.now()
	nr.Registration = r
	// On SQLite this shares the writer's durable commit with the writes
	// waiting beside it (group_commit.go).
	err := s.durably(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		r, err = s.registerTx(ctx, tx, nr, mailer)
		return err
	})
	return r, err
}

// registerTx is one registration inside a transaction (see Register).
func (s *Store) registerTx(ctx context.Context, tx *sql.Tx, nr NewRegistration, mailer RegMailer) (event.Registration, error) {
	r, now := nr.Registration, nr.CreatedAt
	err := func() error {
		if err := s.lockEvent(ctx, tx, r.EventID); err != nil {
			return err
		}
		var status string
		var starts time.Time
		var capacity, confirmed, waiting, last int
		if err := tx.QueryRowContext(ctx, s.q("SELECT status, starts_at, capacity, confirmed_places, waiting_places, last_position FROM events WHERE id = ?"),
			r.EventID).Scan(&status, &starts, &capacity, &confirmed, &waiting, &last); err != nil {
			return notFound(err)
		}
		if err := event.CheckOpen(event.Status(status), starts, now); err != nil {
			return err
		}
		// An email or phone already registered is refused by the partial
		// unique indexes registrations_email_once and _phone_once (the
		// INSERT below fails and the whole transaction rolls back), so
		// the write lock is not held for a separate check first.
		r.Position = last + 1
		r.Status, r.WaitingAhead = event.RegConfirmed, 0
		addConfirmed, addWaiting := r.Places, 0
		if waiting > 0 || confirmed+r.Places > capacity {
			r.Status, r.WaitingAhead = event.RegWaiting, waiting
			addConfirmed, addWaiting = 0, r.Places
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE events SET confirmed_places = confirmed_places + ?, waiting_places = waiting_places + ?,
			last_position = ? WHERE id = ?`), addConfirmed, addWaiting, r.Position, r.EventID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO registrations (id, event_id, status, places, position, lang, name_sealed, email_sealed, phone_sealed,
			reminders_consent, access_needs_sealed, interpreter_lang, heard_about, email_key, phone_key, cancel_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			r.ID, r.EventID, string(r.Status), r.Places, r.Position, r.Lang, r.NameSealed, r.EmailSealed, r.PhoneSealed, r.Reminders,
			r.AccessNeedsSealed, r.Interpreter, r.HeardAbout, nr.EmailKey, nr.PhoneKey, nr.CancelHash, now, now)
		if err != nil {
			if s.d.IsUniqueViolation(err) {
				return event.ErrDuplicateRegistration
			}
			return err
		}
		kind := "event_registered"
		if r.Status == event.RegWaiting {
			kind = "event_waitlisted"
		}
		return s.mailReg(ctx, tx, mailer, kind, r)
	}()
	return r, err
}

func (s *Store) mailReg(ctx context.Context, tx *sql.Tx, mailer RegMailer, kind string, r event.Registration) error {
	if mailer == nil {
		return nil
	}
	qs, err := mailer(kind, r)
	if err != nil {
		return fmt.Errorf("compose %s: %w", kind, err)
	}
	return s.enqueueMail(ctx, tx, qs...)
}

// promote confirms people from the waiting list, in order, while their
// places fit; it stops at the first that does not fit, so nobody is
// overtaken. Each promoted person is told by email (kind
// "event_promoted").
func (s *Store) promote(ctx context.Context, tx *sql.Tx, eventID string, capacity int, mailer RegMailer) ([]event.Registration, error) {
	confirmed, waiting, err := s.placeCounts(ctx, tx, eventID)
	if err != nil || waiting == 0 {
		return nil, err
	}
	regs, err := s.queryRegistrations(ctx, tx, "r.event_id = ? AND r.status = 'waiting' ORDER BY r.position", eventID)
	if err != nil {
		return nil, err
	}
	var out []event.Registration
	now := s.now()
	for _, r := range regs {
		if confirmed+r.Places > capacity {
			break
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE registrations SET status = 'confirmed', promoted_at = ?, updated_at = ? WHERE id = ?"), now, now, r.ID); err != nil {
			return nil, err
		}
		if err := s.addPlaces(ctx, tx, eventID, r.Places, -r.Places); err != nil {
			return nil, err
		}
		confirmed += r.Places
		r.Status, r.PromotedAt = event.RegConfirmed, &now
		if err := s.mailReg(ctx, tx, mailer, "event_promoted", r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// RegistrationByCancelHash finds the registration a cancellation link
// points to.
func (s *Store) RegistrationByCancelHash(ctx context.Context, hash string) (event.Registration, error) {
	regs, err := s.queryRegistrations(ctx, s.conns.Read, "r.cancel_hash = ?", hash)
	if err != nil {
		return event.Registration{}, err
	}
	if len(regs) == 0 {
		return event.Registration{}, ErrNotFound
	}
	return regs[0], nil
}

// CancelRegistration cancels the registration the link's token hash
// names (no account needed), tells the person by email, and promotes the
// waiting list in order into the places freed. Cancelling twice is not
// an error: the registration is returned as it is.
func (s *Store) CancelRegistration(ctx context.Context, hash string, mailer RegMailer) (r event.Registration, promoted []event.Registration, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var eventID string
		if err := tx.QueryRowContext(ctx, s.q("SELECT event_id FROM registrations WHERE cancel_hash = ?"), hash).Scan(&eventID); err != nil {
			return notFound(err)
		}
		if err := s.lockEvent(ctx, tx, eventID); err != nil {
			return err
		}
		regs, err := s.queryRegistrations(ctx, tx, "r.cancel_hash = ?", hash)
		if err != nil || len(regs) == 0 {
			return notFound(err)
		}
		r = regs[0]
		if r.Status == event.RegCancelled {
			return nil
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q("UPDATE registrations SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ?"), now, now, r.ID); err != nil {
			return err
		}
		dc, dw := -r.Places, 0
		if r.Status == event.RegWaiting {
			dc, dw = 0, -r.Places
		}
		if err := s.addPlaces(ctx, tx, eventID, dc, dw); err != nil {
			return err
		}
		r.Status, r.CancelledAt = event.RegCancelled, &now
		if err := s.mailReg(ctx, tx, mailer, "event_cancelled_by_you", r); err != nil {
			return err
		}
		var capacity int
		var status string
		if err := tx.QueryRowContext(ctx, s.q("SELECT capacity, status FROM events WHERE id = ?"), eventID).Scan(&capacity, &status); err != nil {
			return err
		}
		if event.Status(status) == event.StatusCancelled {
			return nil
		}
		promoted, err = s.promote(ctx, tx, eventID, capacity, mailer)
		return err
	})
	return r, promoted, err
}

const regColumns = `r.id, r.event_id, r.status, r.places, r.position, r.lang, r.name_sealed, r.email_sealed, r.phone_sealed, r.reminders_consent,
	r.access_needs_sealed, r.interpreter_lang, r.heard_about, r.created_at, r.cancelled_at, r.promoted_at, r.reminder_sent_at, r.attended_at,
	r.details_removed_at,
	CASE WHEN r.status = 'waiting' THEN COALESCE((SELECT SUM(w.places) FROM registrations w WHERE w.event_id = r.event_id AND w.status = 'waiting' AND w.position < r.position), 0) ELSE 0 END`

func (s *Store) queryRegistrations(ctx context.Context, q querier, where string, args ...any) ([]event.Registration, error) {
	rows, err := q.QueryContext(ctx, s.q("SELECT "+regColumns+" FROM registrations r WHERE "+where), args...)
	return collect(rows, err, func(row rowScanner) (event.Registration, error) {
		var r event.Registration
		var status string
		var cancelled, promoted, reminded, attended, removed sql.NullTime
		err := row.Scan(&r.ID, &r.EventID, &status, &r.Places, &r.Position, &r.Lang, &r.NameSealed, &r.EmailSealed, &r.PhoneSealed, &r.Reminders,
			&r.AccessNeedsSealed, &r.Interpreter, &r.HeardAbout, &r.CreatedAt, &cancelled, &promoted, &reminded, &attended, &removed, &r.WaitingAhead)
		r.Status = event.RegStatus(status)
		r.CreatedAt = r.CreatedAt.UTC()
		r.CancelledAt, r.PromotedAt, r.ReminderSentAt, r.AttendedAt, r.DetailsRemovedAt = ptrTime(cancelled), ptrTime(promoted), ptrTime(reminded), ptrTime(attended), ptrTime(removed)
		return r, err
	})
}

func ptrTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// Registrations lists an event's registrations in order of arrival, for
// the staff area; viewing them (names opened from the seal) is audited
// by the caller with AuditRegistrationsViewed.
func (s *Store) Registrations(ctx context.Context, eventID string) ([]event.Registration, error) {
	if !event.ValidID(eventID) {
		return nil, ErrNotFound
	}
	return s.queryRegistrations(ctx, s.conns.Read, "r.event_id = ? ORDER BY r.position", eventID)
}

// AuditRegistrationsViewed records that a member of staff opened the
// names and contact details of an event's registrations.
func (s *Store) AuditRegistrationsViewed(ctx context.Context, actor, eventID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		return s.appendAudit(ctx, tx, actor, "event.registrations_viewed", eventID, "{}")
	})
}

// DueReminders lists confirmed registrations with consent and an email,
// not yet reminded, for scheduled events starting between from and to.
func (s *Store) DueReminders(ctx context.Context, from, to time.Time, limit int) ([]event.Registration, error) {
	return s.queryRegistrations(ctx, s.conns.Read, `r.status = 'confirmed' AND r.reminders_consent = ? AND r.email_sealed <> ''
		AND r.reminder_sent_at IS NULL AND r.details_removed_at IS NULL
		AND r.event_id IN (SELECT id FROM events WHERE status = 'scheduled' AND starts_at >= ? AND starts_at < ?)
		ORDER BY r.event_id, r.position LIMIT ?`, true, from.UTC(), to.UTC(), limit)
}

// MarkReminded records that a registration was reminded and writes the
// reminder to the outbox in the same transaction; it reports false
// (writing nothing) when another run reminded it first, so each
// registration is reminded once.
func (s *Store) MarkReminded(ctx context.Context, r event.Registration, mailer RegMailer) (bool, error) {
	var done bool
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q("UPDATE registrations SET reminder_sent_at = ? WHERE id = ? AND reminder_sent_at IS NULL AND status = 'confirmed'"), now, r.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err // n == 0: already reminded, or no longer confirmed
		}
		done = true
		return s.mailReg(ctx, tx, mailer, "event_reminder", r)
	})
	return done, err
}

// The registration-details retention rule: a configured period after an
// event ended, its registrations lose the name, contact details, access
// needs and duplicate-check hashes; the status and places stay for the
// event's report.
func init() {
	registerRetentionRule(retention.RuleRegistrations, retentionRule{
		table:  "registrations",
		key:    "id",
		due:    "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id WHERE e.ends_at < ? AND r.details_removed_at IS NULL ORDER BY e.ends_at, r.id",
		action: "retention.registration_details_removed",
		remove: "UPDATE registrations SET name_sealed = '', email_sealed = '', phone_sealed = '', access_needs_sealed = '', email_key = '', phone_key = '', details_removed_at = CURRENT_TIMESTAMP WHERE id",
	})
}
