package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/experience"
)

// QueueItem is one submission waiting for moderation. It carries no
// narrative: the queue can be shown without exposing anyone's story.
type QueueItem struct {
	ID, Reference string
	Kind          experience.Kind
	Lang          string
	Source        experience.Source
	CreatedAt     time.Time
	Corrected     bool      // the person added a correction since sharing
	Offline       bool      // captured on a phone, maybe offline (capture_records.go)
	CapturedAt    time.Time // when, by the server's clock; zero when the phone's clock could not be trusted
	ClockNote     string    // experience.Clock*
}

// ModerationQueue lists pending submissions, oldest first.
func (s *Store) ModerationQueue(ctx context.Context, limit int) ([]QueueItem, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT e.id, e.reference, e.kind, e.lang, e.source, e.created_at,
		EXISTS (SELECT 1 FROM experience_corrections c WHERE c.experience_id = e.id),
		cr.client_id, cr.captured_at, cr.clock_note
		FROM experiences e LEFT JOIN capture_records cr ON cr.experience_id = e.id
		WHERE e.status = ? ORDER BY e.created_at LIMIT ?`), string(experience.StatusPending), limit)
	return collect(rows, err, func(row rowScanner) (QueueItem, error) {
		var q QueueItem
		var kind, source string
		var client, note sql.NullString
		var captured sql.NullTime
		err := row.Scan(&q.ID, &q.Reference, &kind, &q.Lang, &source, &q.CreatedAt, &q.Corrected, &client, &captured, &note)
		q.Kind, q.Source = experience.Kind(kind), experience.Source(source)
		q.Offline, q.ClockNote = client.Valid, note.String
		if captured.Valid {
			q.CapturedAt = captured.Time
		}
		return q, err
	})
}

// ExperienceForModeration returns a submission to a moderator and writes
// the look to the audit trail first (who, when, which record; never the
// content): every view of an unredacted experience is accounted for.
func (s *Store) ExperienceForModeration(ctx context.Context, id, viewerID string) (HeldExperience, error) {
	h, err := s.loadExperience(ctx, "e.id = ?", id)
	if err != nil {
		return h, err
	}
	if err := s.AppendAudit(ctx, viewerID, audit.ExperienceViewed, id, ""); err != nil {
		return h, err
	}
	return h, nil
}

// RedactExperience replaces the free-text answers, and the corrections
// the person added (matched by id), with their redacted versions. The
// first original (sealed by the caller with the keyring) is kept apart,
// sealed again with the experience's own key (later redactions keep it),
// for its retention rule to remove.
func (s *Store) RedactExperience(ctx context.Context, actorID, id string, texts experience.Submission, corrections []Correction, sealedOriginal string) error {
	// The words as they were, so codings can follow their passages.
	before, err := s.loadExperience(ctx, "e.id = ?", id)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		d, err := s.writeKey(ctx, tx, id)
		if err != nil {
			return err
		}
		seal := func(v string) string { return d.Seal(id, v) }
		res, err := tx.ExecContext(ctx, s.q(`UPDATE experiences SET what_happened = ?, went_well = ?, could_be_better = ?, idea = ?, cancer_type = ?,
			updated_at = ? WHERE id = ?`), seal(texts.WhatHappened), seal(texts.WentWell), seal(texts.CouldBeBetter), seal(texts.Idea), seal(texts.CancerType), now, id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		for _, c := range corrections {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE experience_corrections SET text = ? WHERE id = ? AND experience_id = ?"), seal(c.Text), c.ID, id); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO experience_originals (experience_id, sealed, created_at) VALUES (?, ?, ?)
			ON CONFLICT (experience_id) DO NOTHING`), id, seal(sealedOriginal), now); err != nil {
			return err
		}
		if err := s.reanchorCodings(ctx, tx, id, answers(before), answers(HeldExperience{Submission: texts})); err != nil {
			return err
		}
		if err := s.redactSnapshotQuotes(ctx, tx, d, id, answers(HeldExperience{Submission: texts})); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, id); err != nil { // the redacted words only
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.ExperienceRedacted, id, "")
	})
}

// DecideExperience approves a submission into the evidence base or
// rejects it with a reason. Only approved submissions reach analysis.
func (s *Store) DecideExperience(ctx context.Context, actorID, id string, status experience.Status, reason string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		d, err := s.writeKey(ctx, tx, id)
		if err != nil {
			return err
		}
		// A restricted experience is not moderated until the restriction
		// is lifted (ErrNotFound, as for one withdrawn meanwhile).
		res, err := tx.ExecContext(ctx, s.q(`UPDATE experiences SET status = ?, reject_reason = ?, moderated_by = ?, moderated_at = ?, updated_at = ?
			WHERE id = ? AND status <> 'restricted'`), string(status), d.Seal(id, reason), actorID, now, now, id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		// Approved: searchable from now; rejected: out of the search.
		if err := s.reindex(ctx, tx, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, audit.ExperienceDecided, id, audit.Detail(map[string]string{"status": string(status)}))
	})
}

// SealedOriginal returns the unredacted original of an experience as
// the moderator's caller sealed it (ErrNotFound when none is kept).
func (s *Store) SealedOriginal(ctx context.Context, id string) (string, error) {
	var v string
	if err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT sealed FROM experience_originals WHERE experience_id = ?"), id).Scan(&v); err != nil {
		return "", notFound(err)
	}
	d, err := s.dataKey(ctx, s.conns.Read, id)
	if err != nil {
		return "", err
	}
	return v, openAll(d, id, &v)
}
