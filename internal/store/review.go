package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/retention"
)

// Community review of draft recommendations (migration 0028, issue 13
// item 9): opening and closing a review, residents' rankings and
// comments, listening events' results. Each change that staff make is
// audited in its own transaction.

const (
	AuditReviewOpened        = "review.opened"         // subject: the recommendation
	AuditReviewClosed        = "review.closed"         // subject: the recommendation
	AuditReviewEventRecorded = "review.event_recorded" // subject: the event's result
	AuditReviewComment       = "review.comment_moderated"
)

// Comment statuses.
const (
	CommentPending  = "pending"
	CommentApproved = "approved"
	CommentRejected = "rejected"
)

// RuleReviewComments names the retention rule of residents' comments.
const RuleReviewComments = retention.RuleReviewComments

func init() {
	registerRetentionRule(RuleReviewComments, retentionRule{
		table: "review_comments", key: "id",
		due:    "SELECT id FROM review_comments WHERE created_at < ? ORDER BY created_at, id",
		action: "retention.review_comments_deleted",
	})
}

// OpenReview opens a draft for community review (again, if it was
// closed), freezing the figures residents will see: the published
// strings of disclosure control, never a raw count.
func (s *Store) OpenReview(ctx context.Context, actorID, recID string, figures []accountability.Figure) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, s.q(s.d.ForUpdate("SELECT status FROM recommendations WHERE id = ?")), recID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != string(accountability.Draft) {
			return ErrNotDraft
		}
		var open int
		err := tx.QueryRowContext(ctx, s.q("SELECT 1 FROM recommendation_reviews WHERE recommendation_id = ? AND closed_at IS NULL"), recID).Scan(&open)
		if err == nil {
			return ErrConflict
		} else if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM recommendation_reviews WHERE recommendation_id = ?"), recID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_reviews (recommendation_id, opened_by, opened_at) VALUES (?, ?, ?)"), recID, actorID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM review_figures WHERE recommendation_id = ?"), recID); err != nil {
			return err
		}
		for i, f := range figures {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO review_figures (recommendation_id, theme_id, theme_name, community, value, position)
				VALUES (?, ?, ?, ?, ?, ?)`), recID, f.ThemeID, f.ThemeName, f.Community, f.Value, i); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, AuditReviewOpened, recID, fmt.Sprintf(`{"figures":%d}`, len(figures)))
	})
}

// CloseReview closes a draft's open review (ErrNotFound if none is open).
func (s *Store) CloseReview(ctx context.Context, actorID, recID string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE recommendation_reviews SET closed_by = ?, closed_at = ? WHERE recommendation_id = ? AND closed_at IS NULL"), actorID, s.now(), recID)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrNotFound); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditReviewClosed, recID, "")
	})
}

// ReviewOf reads a recommendation's review (a zero Review if it never
// had one).
func (s *Store) ReviewOf(ctx context.Context, recID string) (accountability.CommunityReview, error) {
	r := accountability.CommunityReview{RecommendationID: recID}
	var closed sql.NullTime
	err := s.conns.Read.QueryRowContext(ctx, s.q("SELECT opened_at, closed_at FROM recommendation_reviews WHERE recommendation_id = ?"), recID).Scan(&r.OpenedAt, &closed)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if closed.Valid {
		r.ClosedAt = closed.Time
	}
	return r, err
}

// DraftsInReview lists the drafts open for community review, with their
// texts and chosen evidence, oldest reference first.
func (s *Store) DraftsInReview(ctx context.Context) ([]accountability.Recommendation, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT `+recommendationColumns+` FROM recommendations WHERE status = 'draft'
		AND id IN (SELECT recommendation_id FROM recommendation_reviews WHERE closed_at IS NULL) ORDER BY reference`))
	list, err := collect(rows, err, scanRecommendation)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if err := s.recommendationParts(ctx, &list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// AnyReviewOpen reports whether any draft is open for review (the home
// page and the report link to the review while one is).
func (s *Store) AnyReviewOpen(ctx context.Context) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM recommendation_reviews v JOIN recommendations r ON r.id = v.recommendation_id
		WHERE v.closed_at IS NULL AND r.status = 'draft'`)).Scan(&n)
	return n > 0, err
}

// ReviewFigures reads the figures frozen when a draft was opened for
// review.
func (s *Store) ReviewFigures(ctx context.Context, recID string) ([]accountability.Figure, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT theme_id, theme_name, community, value FROM review_figures WHERE recommendation_id = ? ORDER BY position"), recID)
	return collect(rows, err, func(row rowScanner) (accountability.Figure, error) {
		var f accountability.Figure
		return f, row.Scan(&f.ThemeID, &f.ThemeName, &f.Community, &f.Value)
	})
}

// Ranked reports whether the browser (its keyed hash) has ranked any of
// the drafts open for review.
func (s *Store) Ranked(ctx context.Context, browser string) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM review_ranks k JOIN recommendation_reviews v ON v.recommendation_id = k.recommendation_id
		WHERE k.browser = ? AND v.closed_at IS NULL`), browser).Scan(&n)
	return n > 0, err
}

// SaveBallot stores a resident's ranking and comments in one
// transaction: every draft must still be open for review
// (accountability.ErrNotInReview) and not yet ranked from this browser
// (accountability.ErrAlreadyRanked). Comments wait for moderation.
func (s *Store) SaveBallot(ctx context.Context, browser string, b accountability.Ballot) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		ballot := NewID()
		for id, place := range b.Places {
			var open int
			err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM recommendation_reviews v JOIN recommendations r ON r.id = v.recommendation_id
				WHERE v.recommendation_id = ? AND v.closed_at IS NULL AND r.status = 'draft'`), id).Scan(&open)
			if errors.Is(err, sql.ErrNoRows) {
				return accountability.ErrNotInReview
			} else if err != nil {
				return err
			}
			var seen int
			err = tx.QueryRowContext(ctx, s.q("SELECT 1 FROM review_ranks WHERE recommendation_id = ? AND browser = ?"), id, browser).Scan(&seen)
			if err == nil {
				return accountability.ErrAlreadyRanked
			} else if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO review_ranks (recommendation_id, browser, ballot_id, place, of_count, created_at) VALUES (?, ?, ?, ?, ?, ?)"),
				id, browser, ballot, place, len(b.Places), now); err != nil {
				if errors.Is(s.conflict(err), ErrConflict) {
					return accountability.ErrAlreadyRanked
				}
				return err
			}
		}
		for id, text := range b.Comments {
			if _, ok := b.Places[id]; !ok {
				return accountability.ErrNotInReview
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO review_comments (id, recommendation_id, lang, body, status, created_at) VALUES (?, ?, ?, ?, 'pending', ?)"),
				NewID(), id, b.Lang, text, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// RecordEventResult stores a listening event's result, audited. Every
// draft it names must be open for review.
func (s *Store) RecordEventResult(ctx context.Context, actorID string, ev accountability.EventResult) (string, error) {
	id := NewID()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO review_events (id, place, held_on, community, method, participants, recorded_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`), id, ev.Place, ev.HeldOn.Format(time.DateOnly), ev.Community, ev.Method, ev.Participants, actorID, s.now()); err != nil {
			return err
		}
		for rec, v := range ev.Values {
			var open int
			err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM recommendation_reviews v JOIN recommendations r ON r.id = v.recommendation_id
				WHERE v.recommendation_id = ? AND v.closed_at IS NULL AND r.status = 'draft'`), rec).Scan(&open)
			if errors.Is(err, sql.ErrNoRows) {
				return accountability.ErrNotInReview
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO review_event_votes (event_id, recommendation_id, value) VALUES (?, ?, ?)"), id, rec, v); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, AuditReviewEventRecorded, id,
			fmt.Sprintf(`{"community":%q,"method":%q,"participants":%d,"drafts":%d}`, ev.Community, ev.Method, ev.Participants, len(ev.Values)))
	})
	return id, err
}

// ReviewRanks reads the online ranks, counted by draft, place and size
// of the ranking (raw figures: the caller publishes them only through
// accountability.Priorities). Grouped in the database, so the report
// reads a few rows per draft however many residents ranked.
func (s *Store) ReviewRanks(ctx context.Context) ([]accountability.Rank, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT recommendation_id, place, of_count, COUNT(*) FROM review_ranks
		GROUP BY recommendation_id, place, of_count ORDER BY recommendation_id, place, of_count`))
	return collect(rows, err, func(row rowScanner) (accountability.Rank, error) {
		var r accountability.Rank
		return r, row.Scan(&r.RecommendationID, &r.Place, &r.Of, &r.Count)
	})
}

// ReviewEvents reads every listening event's result, newest first.
func (s *Store) ReviewEvents(ctx context.Context) ([]accountability.EventResult, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT id, place, held_on, community, method, participants, created_at FROM review_events ORDER BY held_on DESC, created_at DESC"))
	list, err := collect(rows, err, func(row rowScanner) (accountability.EventResult, error) {
		var e accountability.EventResult
		var on string
		err := row.Scan(&e.ID, &e.Place, &on, &e.Community, &e.Method, &e.Participants, &e.RecordedAt)
		if err == nil {
			e.HeldOn, err = time.Parse(time.DateOnly, on)
		}
		e.Values = map[string]int{}
		return e, err
	})
	if err != nil || len(list) == 0 {
		return list, err
	}
	at := map[string]int{}
	for i, e := range list {
		at[e.ID] = i
	}
	type vote struct {
		event, rec string
		value      int
	}
	rows, err = s.conns.Read.QueryContext(ctx, s.q("SELECT event_id, recommendation_id, value FROM review_event_votes"))
	votes, err := collect(rows, err, func(row rowScanner) (vote, error) {
		var v vote
		return v, row.Scan(&v.event, &v.rec, &v.value)
	})
	for _, v := range votes {
		if i, ok := at[v.event]; ok {
			list[i].Values[v.rec] = v.value
		}
	}
	return list, err
}

// ReviewComment is a resident's comment on a draft.
type ReviewComment struct {
	ID, RecommendationID, Reference, Lang, Text, Status string
	CreatedAt                                           time.Time
}

const reviewCommentColumns = "c.id, c.recommendation_id, r.reference, c.lang, c.body, c.status, c.created_at"
const reviewCommentFrom = " FROM review_comments c JOIN recommendations r ON r.id = c.recommendation_id"

func scanReviewComment(row rowScanner) (ReviewComment, error) {
	var c ReviewComment
	return c, row.Scan(&c.ID, &c.RecommendationID, &c.Reference, &c.Lang, &c.Text, &c.Status, &c.CreatedAt)
}

// PendingReviewComments lists the comments waiting for moderation,
// oldest first.
func (s *Store) PendingReviewComments(ctx context.Context, limit int) ([]ReviewComment, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+reviewCommentColumns+reviewCommentFrom+" WHERE c.status = 'pending' ORDER BY c.created_at, c.id LIMIT ?"), limit)
	return collect(rows, err, scanReviewComment)
}

// ApprovedReviewComments lists a draft's approved comments, oldest first.
func (s *Store) ApprovedReviewComments(ctx context.Context, recID string) ([]ReviewComment, error) {
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT "+reviewCommentColumns+reviewCommentFrom+" WHERE c.recommendation_id = ? AND c.status = 'approved' ORDER BY c.created_at, c.id"), recID)
	return collect(rows, err, scanReviewComment)
}

// ReviewCommentByID reads one comment.
func (s *Store) ReviewCommentByID(ctx context.Context, id string) (ReviewComment, error) {
	c, err := scanReviewComment(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+reviewCommentColumns+reviewCommentFrom+" WHERE c.id = ?"), id))
	return c, notFound(err)
}

// ModerateReviewComment approves a pending comment with its text as
// redacted (text), or rejects it, audited. A comment already moderated
// is ErrConflict.
func (s *Store) ModerateReviewComment(ctx context.Context, actorID, id, status, text string) error {
	if status != CommentApproved && status != CommentRejected {
		return fmt.Errorf("store: moderate comment: bad status %q", status)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("UPDATE review_comments SET status = ?, body = ?, moderated_by = ?, moderated_at = ? WHERE id = ? AND status = 'pending'"),
			status, text, actorID, s.now(), id)
		if err != nil {
			return err
		}
		if err := requireRow(res, ErrConflict); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditReviewComment, id, fmt.Sprintf(`{"status":%q}`, status))
	})
}
