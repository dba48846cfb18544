package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
)

// Consents lead somewhere: connectors follow up the people who agreed to
// be contacted (the only place their sealed contact details are shown,
// each view audited) and see who agreed to be named or to tell their
// story at an event; a person withdraws one consent alone from
// /my-story.

// FollowUpStates are the states of a follow-up, in the order a connector
// moves through them.
var FollowUpStates = []string{"todo", "contacted", "done", "unreachable"}

// FollowUp is one person who agreed to be contacted, with their sealed
// contact details.
type FollowUp struct {
	ExperienceID, Reference string
	Kind                    experience.Kind
	Lang                    string
	CreatedAt               time.Time
	NameSealed, EmailSealed string
	PhoneSealed             string
	State, StateBy          string
	StateAt                 *time.Time
}

// FollowUps lists everyone who agreed to be contacted and whose contact
// details are held: those still to do first, then by when they shared.
// The caller audits the view (AuditFollowUpsViewed).
func (s *Store) FollowUps(ctx context.Context) ([]FollowUp, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT e.id, e.reference, e.kind, e.lang, e.created_at,
		d.name_sealed, d.email_sealed, d.phone_sealed, d.followup_state, d.followup_by, d.followup_at
		FROM experiences e JOIN consents c ON c.experience_id = e.id JOIN contact_details d ON d.experience_id = e.id
		WHERE c.contact
		ORDER BY CASE d.followup_state WHEN 'todo' THEN 0 WHEN 'contacted' THEN 1 WHEN 'unreachable' THEN 2 ELSE 3 END, e.created_at, e.id`)
	if err != nil {
		return nil, fmt.Errorf("follow-ups: %w", err)
	}
	defer rows.Close()
	var out []FollowUp
	for rows.Next() {
		var f FollowUp
		var kind string
		var at sql.NullTime
		if err := rows.Scan(&f.ExperienceID, &f.Reference, &kind, &f.Lang, &f.CreatedAt, &f.NameSealed, &f.EmailSealed, &f.PhoneSealed,
			&f.State, &f.StateBy, &at); err != nil {
			return nil, err
		}
		f.Kind = experience.Kind(kind)
		f.CreatedAt = f.CreatedAt.UTC()
		if at.Valid {
			t := at.Time.UTC()
			f.StateAt = &t
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// AuditFollowUpsViewed records that a member of staff opened the
// follow-ups list, with its contact details.
func (s *Store) AuditFollowUpsViewed(ctx context.Context, actorID string, shown int) error {
	return s.AppendAudit(ctx, actorID, "followups.viewed", "", fmt.Sprintf(`{"shown":%d}`, shown))
}

// SetFollowUp records a follow-up's state. Contacted and done count as
// contact, which the retention of contact details runs from. It is
// ErrNotFound when the person did not agree to be contacted or their
// details are gone.
func (s *Store) SetFollowUp(ctx context.Context, actorID, experienceID, state string) error {
	if !slices.Contains(FollowUpStates, state) {
		return fmt.Errorf("follow-up state %q", state)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		q := `UPDATE contact_details SET followup_state = ?, followup_by = ?, followup_at = ?`
		args := []any{state, actorID, now}
		if state == "contacted" || state == "done" {
			q += `, last_contact_at = ?`
			args = append(args, now)
		}
		q += ` WHERE experience_id = ? AND experience_id IN (SELECT experience_id FROM consents WHERE contact)`
		args = append(args, experienceID)
		res, err := tx.ExecContext(ctx, s.q(q), args...)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, "followup.updated", experienceID, `{"state":"`+state+`"}`)
	})
}

// Speaker is one person who agreed to be named or to tell their story at
// an event. No contact details here: those are on the follow-ups list.
type Speaker struct {
	ExperienceID, Reference string
	Kind                    experience.Kind
	Status                  experience.Status
	Lang                    string
	CreatedAt               time.Time
	CanContact              bool // agreed to be contacted and their details are held
}

// Speakers lists everyone who agreed to be named or to speak, newest
// first.
func (s *Store) Speakers(ctx context.Context) ([]Speaker, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT e.id, e.reference, e.kind, e.status, e.lang, e.created_at,
		c.contact AND EXISTS (SELECT 1 FROM contact_details d WHERE d.experience_id = e.id)
		FROM experiences e JOIN consents c ON c.experience_id = e.id
		WHERE c.named
		ORDER BY e.created_at DESC, e.id`)
	if err != nil {
		return nil, fmt.Errorf("speakers: %w", err)
	}
	defer rows.Close()
	var out []Speaker
	for rows.Next() {
		var sp Speaker
		var kind, status string
		if err := rows.Scan(&sp.ExperienceID, &sp.Reference, &kind, &status, &sp.Lang, &sp.CreatedAt, &sp.CanContact); err != nil {
			return nil, err
		}
		sp.Kind, sp.Status, sp.CreatedAt = experience.Kind(kind), experience.Status(status), sp.CreatedAt.UTC()
		out = append(out, sp)
	}
	return out, rows.Err()
}

// Consents a person may withdraw one at a time. Withdrawing the use as
// evidence is withdrawing everything (WithdrawExperience).
const (
	ConsentQuote   = "quote"
	ConsentContact = "contact"
	ConsentNamed   = "named"
)

// ErrUnknownConsent is a consent that cannot be withdrawn alone.
var ErrUnknownConsent = errors.New("store: not a consent that can be withdrawn alone")

// WithdrawConsent withdraws one consent of an experience, proved by its
// reference and secret. Withdrawing consent to be contacted deletes the
// contact details at once (and queues the clean-up of what the deletion
// leaves on disk). Audited by id only.
func (s *Store) WithdrawConsent(ctx context.Context, reference, secret, which string) error {
	column := map[string]string{ConsentQuote: "quote", ConsentContact: "contact", ConsentNamed: "named"}[which]
	if column == "" {
		return ErrUnknownConsent
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id string
		err := tx.QueryRowContext(ctx, s.q("SELECT id FROM experiences WHERE reference = ? AND secret_hash = ?"),
			reference, experience.HashSecret(secret)).Scan(&id)
		if err != nil {
			return notFound(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE consents SET `+column+` = FALSE, updated_at = ? WHERE experience_id = ?`), s.now(), id); err != nil {
			return err
		}
		if which == ConsentQuote {
			// Words quoted in a published recommendation go with the consent.
			if err := s.dropSnapshotQuotes(ctx, tx, id); err != nil {
				return err
			}
		}
		if which == ConsentContact {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM contact_details WHERE experience_id = ?`), id); err != nil {
				return err
			}
			// The erase-leftovers job then clears what the deletion left
			// in the database files, as after a withdrawal.
			if err := s.markErased(ctx, tx); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, "anonymous", "consent.withdrawn", id, `{"consent":"`+which+`"}`)
	})
}
