package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/mail"
)

// Responses, commitments and progress updates (the Account step, part 2,
// migration 0023). The rules are accountability's; this file enforces
// them where the true state is, inside the transaction, and writes every
// change to the audit trail in the same transaction: the public history
// of a commitment is read from the same rows the audit entries name.

const (
	AuditResponse          = "commitment.response"          // subject: the recommendation
	AuditCommitmentCreated = "commitment.created"           // subject: the commitment
	AuditCommitmentEdited  = "commitment.edited"            // subject: the commitment
	AuditUpdateAdded       = "commitment.update"            // subject: the commitment
	AuditUpdateApproved    = "commitment.update_approved"   // subject: the commitment
	AuditUpdateReturned    = "commitment.update_returned"   // subject: the commitment
	AuditUpdateAnswered    = "commitment.update_answered"   // subject: the commitment
	AuditShared            = "recommendation.shared"        // subject: the recommendation
	AuditNote              = "recommendation.accuracy_note" // subject: the recommendation
)

// date writes a calendar date as the migration stores it.
func calendarDate(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func calendarDay(s string) time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return d
}

// addressed checks, inside tx, that a recommendation is published and
// addressed to org.
func (s *Store) addressed(ctx context.Context, tx *sql.Tx, recID, org string) error {
	var ok int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM recommendations r JOIN recommendation_organisations o ON o.recommendation_id = r.id
		WHERE r.id = ? AND o.organisation = ? AND r.status = 'published'`), recID, org).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return accountability.ErrNotAddressed
	}
	return err
}

// SaveResponse records an organisation's answer to a recommendation
// addressed to it (r.ID empty: the first answer; ErrConflict if one was
// given meanwhile) or changes it, naming the version it started from.
func (s *Store) SaveResponse(ctx context.Context, actorID string, r accountability.Response) (accountability.Response, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.addressed(ctx, tx, r.RecommendationID, r.Organisation); err != nil {
			return err
		}
		now := s.now()
		if r.ID == "" {
			r.ID, r.Version, r.RespondedAt, r.RespondedBy = NewID(), 1, now, actorID
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO recommendation_responses (id, recommendation_id, organisation, decision, reasons, version, responded_by, responded_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`), r.ID, r.RecommendationID, r.Organisation, string(r.Decision), r.Reasons, actorID, now, now); err != nil {
				return s.conflict(err)
			}
		} else {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE recommendation_responses SET decision = ?, reasons = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND recommendation_id = ? AND organisation = ? AND version = ?`), string(r.Decision), r.Reasons, now, r.ID, r.RecommendationID, r.Organisation, r.Version)
			if err != nil {
				return err
			}
			if err := requireRow(res, ErrConflict); err != nil {
				return err
			}
			r.Version++
		}
		return s.appendAudit(ctx, tx, actorID, AuditResponse, r.RecommendationID,
			fmt.Sprintf(`{"organisation":%q,"decision":%q,"version":%d}`, r.Organisation, r.Decision, r.Version))
	})
	return r, err
}

const responseColumns = "p.id, p.recommendation_id, p.organisation, p.decision, p.reasons, p.version, p.responded_by, p.responded_at"

func scanResponse(row rowScanner) (accountability.Response, error) {
	var r accountability.Response
	var d string
	err := row.Scan(&r.ID, &r.RecommendationID, &r.Organisation, &d, &r.Reasons, &r.Version, &r.RespondedBy, &r.RespondedAt)
	r.Decision = accountability.Decision(d)
	return r, err
}

// Response reads an organisation's answer to a recommendation.
func (s *Store) Response(ctx context.Context, recID, org string) (accountability.Response, error) {
	r, err := scanResponse(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+responseColumns+" FROM recommendation_responses p WHERE p.recommendation_id = ? AND p.organisation = ?"), recID, org))
	return r, notFound(err)
}

// Responses lists the answers to published recommendations, of one
// organisation (org not empty) or all.
func (s *Store) Responses(ctx context.Context, org string) ([]accountability.Response, error) {
	q, args := "SELECT "+responseColumns+" FROM recommendation_responses p", []any{}
	if org != "" {
		q, args = q+" WHERE p.organisation = ?", append(args, org)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY p.responded_at"), args...)
	return collect(rows, err, scanResponse)
}

// AddCommitment adds a commitment (or, with ParentID, a sub-commitment
// of one) for a recommendation its organisation has accepted at least
// in part; its status is planned (the policy's planned status) until
// its first update. It returns the commitment with its id and reference.
func (s *Store) AddCommitment(ctx context.Context, actorID string, c accountability.Commitment, planned string) (accountability.Commitment, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var decision, recRef string
		err := tx.QueryRowContext(ctx, s.q(`SELECT p.decision, r.reference FROM recommendation_responses p JOIN recommendations r ON r.id = p.recommendation_id
			WHERE p.recommendation_id = ? AND p.organisation = ? AND r.status = 'published'`), c.RecommendationID, c.Organisation).Scan(&decision, &recRef)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !accountability.Decision(decision).Commits()) {
			return accountability.ErrNotAccepted
		}
		if err != nil {
			return err
		}
		prefix := recRef
		var n int
		if c.ParentID != "" {
			var prec, porg, pparent, pkind string
			err := tx.QueryRowContext(ctx, s.q("SELECT reference, recommendation_id, organisation, COALESCE(parent_id, ''), kind FROM commitments WHERE id = ?"), c.ParentID).
				Scan(&prefix, &prec, &porg, &pparent, &pkind)
			if err != nil {
				return notFound(err)
			}
			if prec != c.RecommendationID || porg != c.Organisation || pparent != "" {
				return ErrNotFound
			}
			if accountability.StatusKind(pkind).Closed() {
				return accountability.ErrDropped
			}
			err = tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM commitments WHERE parent_id = ?"), c.ParentID).Scan(&n)
			if err != nil {
				return err
			}
		} else if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM commitments WHERE recommendation_id = ? AND parent_id IS NULL"), c.RecommendationID).Scan(&n); err != nil {
			return err
		}
		now := s.now()
		c.ID, c.Reference, c.Version, c.Status, c.Kind, c.Progress = NewID(), accountability.CommitmentReference(prefix, n+1), 1, planned, accountability.KindPlanned, 0
		c.CreatedAt, c.UpdatedAt = now, now
		if c.CreatedOn.IsZero() {
			c.CreatedOn = accountability.Day(now, time.UTC)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO commitments (id, reference, recommendation_id, organisation, parent_id, body, owner_role, due_on, weight, status, kind, progress,
			version, created_by, created_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'planned', 0, 1, ?, ?, ?, ?)`),
			c.ID, c.Reference, c.RecommendationID, c.Organisation, nullable(c.ParentID), c.Text, c.OwnerRole, calendarDate(c.Due), c.Weight, c.Status, actorID, calendarDate(c.CreatedOn), now, now); err != nil {
			return s.conflict(err)
		}
		if err := s.commitmentVersion(ctx, tx, actorID, c, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditCommitmentCreated, c.ID, fmt.Sprintf(`{"reference":%q,"organisation":%q,"version":1}`, c.Reference, c.Organisation))
	})
	return c, err
}

func (s *Store) commitmentVersion(ctx context.Context, tx *sql.Tx, actorID string, c accountability.Commitment, at time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO commitment_versions (commitment_id, version, body, owner_role, due_on, weight, changed_by, changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), c.ID, c.Version, c.Text, c.OwnerRole, calendarDate(c.Due), c.Weight, actorID, at)
	return err
}

// EditCommitment changes a commitment's words, owner, due date or
// weight, naming the version it started from (ErrConflict if it moved
// on). The version it replaces stays in its history. A closed
// commitment (done, not doing) does not change: ErrDropped.
func (s *Store) EditCommitment(ctx context.Context, actorID string, c accountability.Commitment) (accountability.Commitment, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var kind, org string
		var v int
		if err := tx.QueryRowContext(ctx, s.q(s.d.ForUpdate("SELECT kind, organisation, version FROM commitments WHERE id = ?")), c.ID).Scan(&kind, &org, &v); err != nil {
			return notFound(err)
		}
		if org != c.Organisation {
			return ErrNotFound
		}
		if accountability.StatusKind(kind).Closed() {
			return accountability.ErrDropped
		}
		if v != c.Version {
			return ErrConflict
		}
		now := s.now()
		c.Version++
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET body = ?, owner_role = ?, due_on = ?, weight = ?, version = ?, updated_at = ? WHERE id = ?`),
			c.Text, c.OwnerRole, calendarDate(c.Due), c.Weight, c.Version, now, c.ID); err != nil {
			return err
		}
		if err := s.commitmentVersion(ctx, tx, actorID, c, now); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditCommitmentEdited, c.ID, fmt.Sprintf(`{"version":%d}`, c.Version))
	})
	return c, err
}

const commitmentColumns = `c.id, c.reference, c.recommendation_id, c.organisation, COALESCE(c.parent_id, ''), c.body, c.owner_role, c.due_on, c.weight,
	c.status, c.kind, c.progress, c.last_update_on, c.version, c.created_on, c.created_at, c.updated_at`

func scanCommitment(row rowScanner) (accountability.Commitment, error) {
	var c accountability.Commitment
	var due, kind, last, created string
	err := row.Scan(&c.ID, &c.Reference, &c.RecommendationID, &c.Organisation, &c.ParentID, &c.Text, &c.OwnerRole, &due, &c.Weight,
		&c.Status, &kind, &c.Progress, &last, &c.Version, &created, &c.CreatedAt, &c.UpdatedAt)
	c.Due, c.Kind, c.LastUpdateOn, c.CreatedOn = calendarDay(due), accountability.StatusKind(kind), calendarDay(last), calendarDay(created)
	return c, err
}

// Commitment reads one commitment.
func (s *Store) Commitment(ctx context.Context, id string) (accountability.Commitment, error) {
	c, err := scanCommitment(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+commitmentColumns+" FROM commitments c WHERE c.id = ?"), id))
	return c, notFound(err)
}

// CommitmentByReference reads a commitment by its public reference.
func (s *Store) CommitmentByReference(ctx context.Context, ref string) (accountability.Commitment, error) {
	c, err := scanCommitment(s.conns.Read.QueryRowContext(ctx, s.q(`SELECT `+commitmentColumns+` FROM commitments c JOIN recommendations r ON r.id = c.recommendation_id
		WHERE c.reference = ? AND r.status = 'published'`), ref))
	if err != nil {
		return c, notFound(err)
	}
	cs := []accountability.Commitment{c}
	err = s.withCommitmentTranslations(ctx, cs, "WHERE c.id = ?", c.ID)
	return cs[0], err
}

// CommitmentFilter narrows Commitments.
type CommitmentFilter struct {
	Organisation     string
	RecommendationID string
	Open             bool // only those not done or dropped
}

// Commitments lists commitments in the order they were made (sub-
// commitments among them, after their parent).
func (s *Store) Commitments(ctx context.Context, f CommitmentFilter) ([]accountability.Commitment, error) {
	q, args := "SELECT "+commitmentColumns+" FROM commitments c WHERE 1 = 1", []any{}
	if f.Organisation != "" {
		q, args = q+" AND c.organisation = ?", append(args, f.Organisation)
	}
	if f.RecommendationID != "" {
		q, args = q+" AND c.recommendation_id = ?", append(args, f.RecommendationID)
	}
	if f.Open {
		q += " AND c.kind NOT IN ('done', 'dropped')"
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY c.id"), args...)
	cs, err := collect(rows, err, scanCommitment)
	if err != nil {
		return nil, err
	}
	// Their translations, read with the same conditions.
	_, where, _ := strings.Cut(q, "WHERE")
	return cs, s.withCommitmentTranslations(ctx, cs, "WHERE"+where, args...)
}

// AddUpdate records a progress update on an open commitment (ErrDropped
// when it is done or not being done). An update that claims no change
// is public at once and sets the commitment's status and progress (if
// it is its latest); one that claims a change waits for a connector.
func (s *Store) AddUpdate(ctx context.Context, actorID, org string, u accountability.Update) (accountability.Update, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var kind, corg string
		if err := tx.QueryRowContext(ctx, s.q(s.d.ForUpdate("SELECT kind, organisation FROM commitments WHERE id = ?")), u.CommitmentID).Scan(&kind, &corg); err != nil {
			return notFound(err)
		}
		if corg != org {
			return ErrNotFound
		}
		if accountability.StatusKind(kind).Closed() {
			return accountability.ErrDropped
		}
		now := s.now()
		u.ID, u.Version, u.CreatedBy, u.CreatedAt = NewID(), 1, actorID, now
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO commitment_updates (id, commitment_id, on_date, status, kind, progress, body, reason, claim, what_changed, evidence_url,
			review, version, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`),
			u.ID, u.CommitmentID, calendarDate(u.On), u.Status, string(u.Kind), u.Progress, u.Text, u.Reason, string(u.Claim), u.WhatChanged, u.EvidenceURL, string(u.Review), actorID, now); err != nil {
			return err
		}
		if u.Review.Public() {
			if err := s.applyUpdate(ctx, tx, u, now); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, AuditUpdateAdded, u.CommitmentID, fmt.Sprintf(`{"update":%q,"review":%q,"status":%q,"progress":%d}`, u.ID, u.Review, u.Status, u.Progress))
	})
	return u, err
}

// applyUpdate makes a public update the commitment's status, unless a
// later-dated one is already.
func (s *Store) applyUpdate(ctx context.Context, tx *sql.Tx, u accountability.Update, now time.Time) error {
	_, err := tx.ExecContext(ctx, s.q(`UPDATE commitments SET status = ?, kind = ?, progress = ?, last_update_on = ?, updated_at = ?
		WHERE id = ? AND last_update_on <= ?`), u.Status, string(u.Kind), u.Progress, calendarDate(u.On), now, u.CommitmentID, calendarDate(u.On))
	return err
}

const updateColumns = `u.id, u.commitment_id, u.on_date, u.status, u.kind, u.progress, u.body, u.reason, u.claim, u.what_changed, u.evidence_url,
	u.review, u.question, u.answer, u.version, u.created_by, u.created_at, u.reviewed_at`

func scanUpdate(row rowScanner) (accountability.Update, error) {
	var u accountability.Update
	var on, kind, claim, review string
	var reviewed sql.NullTime
	err := row.Scan(&u.ID, &u.CommitmentID, &on, &u.Status, &kind, &u.Progress, &u.Text, &u.Reason, &claim, &u.WhatChanged, &u.EvidenceURL,
		&review, &u.Question, &u.Answer, &u.Version, &u.CreatedBy, &u.CreatedAt, &reviewed)
	u.On, u.Kind, u.Claim, u.Review = calendarDay(on), accountability.StatusKind(kind), accountability.Claim(claim), accountability.Review(review)
	if reviewed.Valid {
		u.ReviewedAt = reviewed.Time
	}
	return u, err
}

// CommitmentUpdate reads one update.
func (s *Store) CommitmentUpdate(ctx context.Context, id string) (accountability.Update, error) {
	u, err := scanUpdate(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+updateColumns+" FROM commitment_updates u WHERE u.id = ?"), id))
	return u, notFound(err)
}

// Updates lists a commitment's updates, newest first; only the public
// ones when asked.
func (s *Store) Updates(ctx context.Context, commitmentID string, publicOnly bool) ([]accountability.Update, error) {
	q := "SELECT " + updateColumns + " FROM commitment_updates u WHERE u.commitment_id = ?"
	if publicOnly {
		q += " AND u.review IN ('none', 'approved')"
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY u.on_date DESC, u.created_at DESC"), commitmentID)
	us, err := collect(rows, err, scanUpdate)
	if err != nil {
		return nil, err
	}
	return us, s.withUpdateTranslations(ctx, us, "WHERE u.commitment_id = ?", commitmentID)
}

// UpdatesInReview lists the updates waiting for a connector (review
// pending) or sent back (returned), of one organisation or all, oldest
// first.
func (s *Store) UpdatesInReview(ctx context.Context, review accountability.Review, org string) ([]accountability.Update, error) {
	q, args := "SELECT "+updateColumns+" FROM commitment_updates u JOIN commitments c ON c.id = u.commitment_id WHERE u.review = ?", []any{string(review)}
	if org != "" {
		q, args = q+" AND c.organisation = ?", append(args, org)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY u.created_at LIMIT 500"), args...)
	return collect(rows, err, scanUpdate)
}

// ReviewUpdate approves a claimed change (it becomes public and, if it
// is the latest, the commitment's status) or sends it back with a
// question. Only a pending update is reviewed (ErrNotPending).
func (s *Store) ReviewUpdate(ctx context.Context, actorID, id string, approve bool, question string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		u, err := scanUpdate(tx.QueryRowContext(ctx, s.q(s.d.ForUpdate("SELECT "+updateColumns+" FROM commitment_updates u WHERE u.id = ?")), id))
		if err != nil {
			return notFound(err)
		}
		if u.Review != accountability.ReviewPending {
			return accountability.ErrNotPending
		}
		now := s.now()
		review, action := accountability.ReviewApproved, AuditUpdateApproved
		if !approve {
			review, action = accountability.ReviewReturned, AuditUpdateReturned
		} else {
			question = ""
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE commitment_updates SET review = ?, question = ?, reviewed_by = ?, reviewed_at = ?, version = version + 1 WHERE id = ?"),
			string(review), question, actorID, now, id); err != nil {
			return err
		}
		if approve {
			if err := s.applyUpdate(ctx, tx, u, now); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, action, u.CommitmentID, fmt.Sprintf(`{"update":%q}`, id))
	})
}

// AnswerUpdate sends a returned update back for review with the
// organisation's answer to the question and the claim's words and link
// as corrected.
func (s *Store) AnswerUpdate(ctx context.Context, actorID, org, id, answer, whatChanged, link string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var review, corg, cid string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT u.review, c.organisation, c.id FROM commitment_updates u JOIN commitments c ON c.id = u.commitment_id WHERE u.id = ?`), id).
			Scan(&review, &corg, &cid); err != nil {
			return notFound(err)
		}
		if corg != org {
			return ErrNotFound
		}
		if accountability.Review(review) != accountability.ReviewReturned {
			return accountability.ErrNotPending
		}
		if _, err := tx.ExecContext(ctx, s.q("UPDATE commitment_updates SET review = 'pending', answer = ?, what_changed = ?, evidence_url = ?, version = version + 1 WHERE id = ?"),
			answer, whatChanged, link, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditUpdateAnswered, cid, fmt.Sprintf(`{"update":%q}`, id))
	})
}

// CommitmentHistory is a commitment's public history, oldest first:
// every version of its words (with who-changed-it left out) and every
// public update (at the time it became public).
func (s *Store) CommitmentHistory(ctx context.Context, id string) ([]accountability.HistoryEntry, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT version, body, owner_role, due_on, weight, changed_at FROM commitment_versions WHERE commitment_id = ? ORDER BY version"), id)
	out, err := collect(rows, err, func(row rowScanner) (accountability.HistoryEntry, error) {
		var e accountability.HistoryEntry
		var c accountability.Commitment
		var due string
		err := row.Scan(&e.Version, &c.Text, &c.OwnerRole, &due, &c.Weight, &e.At)
		c.Due, c.Version = calendarDay(due), e.Version
		e.Before = &c
		return e, err
	})
	if err != nil {
		return nil, err
	}
	ups, err := s.Updates(ctx, id, true)
	if err != nil {
		return nil, err
	}
	for i := range ups {
		u := ups[i]
		at := u.CreatedAt
		if u.Review == accountability.ReviewApproved {
			at = u.ReviewedAt
		}
		out = append(out, accountability.HistoryEntry{At: at, Update: &u})
	}
	slices.SortStableFunc(out, func(a, b accountability.HistoryEntry) int { return a.At.Compare(b.At) })
	return out, nil
}

// LatestUpdates returns, for the public report, each commitment's latest
// public update's text (by commitment id). Only what the main page shows.
func (s *Store) LatestUpdateTexts(ctx context.Context) (map[string]string, error) {
	rows, err := s.conns.Read.QueryContext(ctx, `SELECT u.commitment_id, u.body FROM commitment_updates u JOIN commitments c ON c.id = u.commitment_id
		WHERE u.review IN ('none', 'approved') AND u.on_date = c.last_update_on ORDER BY u.created_at`)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			rows.Close()
			return nil, err
		}
		out[id] = body
	}
	return out, closeRows(rows)
}

// ShareForCheck shares a draft with the organisations it is addressed to
// for a factual-accuracy check: their stakeholders can read it and leave
// notes, never change it.
func (s *Store) ShareForCheck(ctx context.Context, actorID, recID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE recommendations SET shared_at = ? WHERE id = ? AND status = 'draft'"), s.now(), recID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotDraft); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditShared, recID, "")
	})
}

// SharedDrafts lists the drafts shared for a check with org.
func (s *Store) SharedDrafts(ctx context.Context, org string) ([]accountability.Recommendation, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+recommendationColumns+` FROM recommendations WHERE status = 'draft' AND shared_at IS NOT NULL
		AND id IN (SELECT recommendation_id FROM recommendation_organisations WHERE organisation = ?) ORDER BY reference`), org)
	return collect(rows, err, scanRecommendation)
}

// SharedWith reports whether a draft is shared for a check with org.
func (s *Store) SharedWith(ctx context.Context, recID, org string) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM recommendations r JOIN recommendation_organisations o ON o.recommendation_id = r.id
		WHERE r.id = ? AND o.organisation = ? AND r.status = 'draft' AND r.shared_at IS NOT NULL`), recID, org).Scan(&n)
	return n > 0, err
}

// AddNote records a stakeholder's factual-accuracy note on a draft
// shared with its organisation (ErrNotAddressed otherwise).
func (s *Store) AddNote(ctx context.Context, actorID string, n accountability.Note) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var ok int
		err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM recommendations r JOIN recommendation_organisations o ON o.recommendation_id = r.id
			WHERE r.id = ? AND o.organisation = ? AND r.status = 'draft' AND r.shared_at IS NOT NULL`), n.RecommendationID, n.Organisation).Scan(&ok)
		if errors.Is(err, sql.ErrNoRows) {
			return accountability.ErrNotAddressed
		} else if err != nil {
			return err
		}
		id := NewID()
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_notes (id, recommendation_id, organisation, body, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
			id, n.RecommendationID, n.Organisation, n.Text, actorID, s.now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditNote, n.RecommendationID, fmt.Sprintf(`{"organisation":%q}`, n.Organisation))
	})
}

// Notes lists a draft's factual-accuracy notes, of one organisation
// (org not empty) or all.
func (s *Store) Notes(ctx context.Context, recID, org string) ([]accountability.Note, error) {
	q, args := "SELECT id, recommendation_id, organisation, body, created_by, created_at FROM recommendation_notes WHERE recommendation_id = ?", []any{recID}
	if org != "" {
		q, args = q+" AND organisation = ?", append(args, org)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(q+" ORDER BY created_at"), args...)
	return collect(rows, err, func(row rowScanner) (accountability.Note, error) {
		var n accountability.Note
		return n, row.Scan(&n.ID, &n.RecommendationID, &n.Organisation, &n.Text, &n.CreatedBy, &n.CreatedAt)
	})
}

// StakeholderEmails lists the addresses of an organisation's active
// stakeholder accounts that have finished setting up.
func (s *Store) StakeholderEmails(ctx context.Context, org string) ([]string, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT u.email FROM users u JOIN organisations o ON o.id = u.organisation_id
		WHERE o.slug = ? AND u.role = 'stakeholder' AND NOT u.disabled AND u.password_hash <> '' ORDER BY u.email`), org)
	return collect(rows, err, scanValue[string])
}

// SendReminder writes a reminder's emails to the outbox unless the same
// reminder (subject, kind, deadline) was sent before, in one
// transaction; it reports whether it wrote them.
func (s *Store) SendReminder(ctx context.Context, subject, kind string, due time.Time, msgs ...mail.Queued) (bool, error) {
	sent := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("INSERT INTO accountability_reminders (subject_id, kind, due_on, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
			subject, kind, calendarDate(due), s.now())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		sent = true
		if len(msgs) == 0 {
			return nil
		}
		return s.enqueueMail(ctx, tx, msgs...)
	})
	return sent && err == nil, err
}
