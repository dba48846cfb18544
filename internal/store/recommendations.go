package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Recommendations (the Account step): drafts name their evidence; the
// publication freezes it (see migration 0019). The snapshot's figures are
// the published strings of disclosure control, never raw counts; its
// quotes' words cascade from their experience.

const (
	AuditRecommendationCreated   = "recommendation.created"
	AuditRecommendationEdited    = "recommendation.edited"
	AuditRecommendationPublished = "recommendation.published"
)

// ErrQuoteNotConsented is a quote that is no longer a consented quote
// of an approved experience (withdrawn, consent withdrawn, unmarked).
var ErrQuoteNotConsented = errors.New("store: the quote is no longer consented")

// ErrNotDraft is a change to a recommendation already published.
var ErrNotDraft = errors.New("store: the recommendation is published")

// SaveRecommendation adds a draft (r.ID empty; its reference is the
// year's next) or changes one, naming the version it started from. Only
// drafts change: a published recommendation's evidence is frozen.
func (s *Store) SaveRecommendation(ctx context.Context, actorID string, r accountability.Recommendation) (accountability.Recommendation, error) {
	err := s.tx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		action := AuditRecommendationEdited
		if r.ID == "" {
			action = AuditRecommendationCreated
			r.ID, r.Status, r.Version = NewID(), accountability.Draft, 1
			var n int
			prefix := fmt.Sprintf("R-%d-", now.Year())
			if err := tx.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM recommendations WHERE reference LIKE ?"), prefix+"%").Scan(&n); err != nil {
				return err
			}
			r.Reference = accountability.Reference(now.Year(), n+1)
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO recommendations (id, reference, status, title, body, version, created_by, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)`), r.ID, r.Reference, string(r.Status), r.Title, r.Text, actorID, now, now); err != nil {
				return err
			}
		} else {
			res, err := tx.ExecContext(ctx, s.q(`UPDATE recommendations SET title = ?, body = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND version = ? AND status = 'draft'`), r.Title, r.Text, now, r.ID, r.Version)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				var status string
				if err := tx.QueryRowContext(ctx, s.q("SELECT status FROM recommendations WHERE id = ?"), r.ID).Scan(&status); err != nil {
					return notFound(err)
				}
				if status != string(accountability.Draft) {
					return ErrNotDraft
				}
				return ErrConflict
			}
			r.Version++
			for _, t := range []string{"recommendation_texts", "recommendation_organisations", "recommendation_themes", "recommendation_quote_choices"} {
				if _, err := tx.ExecContext(ctx, s.q("DELETE FROM "+t+" WHERE recommendation_id = ?"), r.ID); err != nil {
					return err
				}
			}
		}
		for _, t := range r.Translations {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_texts (recommendation_id, lang, title, body) VALUES (?, ?, ?, ?)"), r.ID, t.Lang, t.Title, t.Text); err != nil {
				return err
			}
		}
		for _, o := range r.Organisations {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_organisations (recommendation_id, organisation) VALUES (?, ?)"), r.ID, o); err != nil {
				return err
			}
		}
		for i, th := range r.Themes {
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_themes (recommendation_id, theme_id, position) VALUES (?, ?, ?)"), r.ID, th, i); err != nil {
				return err
			}
		}
		for i, q := range r.Quotes {
			if err := s.checkQuoteConsented(ctx, tx, q); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_quote_choices (recommendation_id, coding_id, position) VALUES (?, ?, ?)"), r.ID, q, i); err != nil {
				return err
			}
		}
		return s.appendAudit(ctx, tx, actorID, action, r.ID, fmt.Sprintf(`{"reference":%q,"version":%d}`, r.Reference, r.Version))
	})
	return r, err
}

// checkQuoteConsented refuses a coding that is not, at this moment, a
// consented quote of an approved experience.
func (s *Store) checkQuoteConsented(ctx context.Context, tx *sql.Tx, codingID string) error {
	var ok int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM codings g JOIN consents c ON c.experience_id = g.experience_id
		JOIN experiences e ON e.id = g.experience_id
		WHERE g.id = ? AND g.quote AND c.quote AND e.status = 'approved' AND g.sample_id = '' AND NOT g.needs_review`), codingID).Scan(&ok)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrQuoteNotConsented
	}
	return err
}

const recommendationColumns = "id, reference, status, title, body, version, created_at, published_at, shared_at"

func scanRecommendation(row rowScanner) (accountability.Recommendation, error) {
	var r accountability.Recommendation
	var status string
	var published, shared sql.NullTime
	err := row.Scan(&r.ID, &r.Reference, &status, &r.Title, &r.Text, &r.Version, &r.CreatedAt, &published, &shared)
	r.Status = accountability.Status(status)
	if published.Valid {
		r.PublishedAt = published.Time
	}
	if shared.Valid {
		r.SharedAt = shared.Time
	}
	return r, err
}

// Recommendation reads one recommendation with its texts, organisations
// and chosen evidence (a chosen quote withdrawn since is gone from it).
func (s *Store) Recommendation(ctx context.Context, id string) (accountability.Recommendation, error) {
	r, err := scanRecommendation(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+recommendationColumns+" FROM recommendations WHERE id = ?"), id))
	if err != nil {
		return r, notFound(err)
	}
	return r, s.recommendationParts(ctx, &r)
}

// PublishedRecommendation reads a published recommendation by its
// reference (ErrNotFound for a draft).
func (s *Store) PublishedRecommendation(ctx context.Context, reference string) (accountability.Recommendation, error) {
	r, err := scanRecommendation(s.conns.Read.QueryRowContext(ctx, s.q("SELECT "+recommendationColumns+" FROM recommendations WHERE reference = ? AND status = 'published'"), reference))
	if err != nil {
		return r, notFound(err)
	}
	return r, s.recommendationParts(ctx, &r)
}

func (s *Store) recommendationParts(ctx context.Context, r *accountability.Recommendation) error {
	trows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT lang, title, body FROM recommendation_texts WHERE recommendation_id = ? ORDER BY lang"), r.ID)
	texts, err := collect(trows, err, func(row rowScanner) (accountability.Translation, error) {
		var t accountability.Translation
		return t, row.Scan(&t.Lang, &t.Title, &t.Text)
	})
	if err != nil {
		return err
	}
	r.Translations = texts
	strs := func(query string) ([]string, error) {
		rows, err := s.conns.Read.QueryContext(ctx, s.q(query), r.ID)
		return collect(rows, err, func(row rowScanner) (string, error) {
			var v string
			return v, row.Scan(&v)
		})
	}
	if r.Organisations, err = strs("SELECT organisation FROM recommendation_organisations WHERE recommendation_id = ? ORDER BY organisation"); err != nil {
		return err
	}
	if r.Themes, err = strs("SELECT theme_id FROM recommendation_themes WHERE recommendation_id = ? ORDER BY position"); err != nil {
		return err
	}
	r.Quotes, err = strs("SELECT coding_id FROM recommendation_quote_choices WHERE recommendation_id = ? ORDER BY position")
	return err
}

// Recommendations lists recommendations, newest reference first; only
// the published ones when asked. Without their parts.
func (s *Store) Recommendations(ctx context.Context, publishedOnly bool) ([]accountability.Recommendation, error) {
	where := ""
	if publishedOnly {
		where = " WHERE status = 'published'"
	}
	rows, err := s.conns.Read.QueryContext(ctx, "SELECT "+recommendationColumns+" FROM recommendations"+where+" ORDER BY created_at DESC, reference DESC")
	return collect(rows, err, scanRecommendation)
}

// PublishedRecommendations lists the published recommendations with
// their texts and organisations, for the public report.
func (s *Store) PublishedRecommendations(ctx context.Context) ([]accountability.Recommendation, error) {
	list, err := s.Recommendations(ctx, true)
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

// PublishRecommendation freezes a draft's evidence and publishes it, in
// one transaction: the figures as given (published strings), and the
// chosen quotes' words, each checked again to be a consented quote at
// this moment. version is the one the administrator saw.
func (s *Store) PublishRecommendation(ctx context.Context, actorID, id string, version int, figures []accountability.Figure, quotes []Quote, themeName func(string) string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var status string
		var v int
		if err := tx.QueryRowContext(ctx, s.q("SELECT status, version FROM recommendations WHERE id = ?"), id).Scan(&status, &v); err != nil {
			return notFound(err)
		}
		if status != string(accountability.Draft) {
			return ErrNotDraft
		}
		if v != version {
			return ErrConflict
		}
		for i, f := range figures {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO recommendation_figures (recommendation_id, theme_id, theme_name, community, value, position)
				VALUES (?, ?, ?, ?, ?, ?)`), id, f.ThemeID, f.ThemeName, f.Community, f.Value, i); err != nil {
				return err
			}
		}
		for i, q := range quotes {
			if err := s.checkQuoteConsented(ctx, tx, q.CodingID); err != nil {
				return err
			}
			// The words are read again inside the transaction: a redaction
			// or a new rendering since the page read them must not be
			// undone by the snapshot (redactSnapshotQuotes runs only on
			// snapshots that already exist).
			fresh, err := s.consentedQuotes(ctx, tx, "g.id = ?", q.CodingID, 1)
			if err != nil {
				return err
			}
			if len(fresh) == 0 {
				return ErrQuoteNotConsented
			}
			q.Lang, q.Words, q.Translation, q.Field = fresh[0].Lang, fresh[0].Words, fresh[0].Translation, fresh[0].Field
			qid := NewID()
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_quotes (id, recommendation_id, position, theme_id, theme_name) VALUES (?, ?, ?, ?, ?)"),
				qid, id, i, q.CodeID, themeName(q.CodeID)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q("INSERT INTO recommendation_quote_words (quote_id, experience_id, lang, words, translation, field) VALUES (?, ?, ?, ?, ?, ?)"),
				qid, q.ExperienceID, q.Lang, q.Words, q.Translation, q.Field); err != nil {
				return err
			}
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q("UPDATE recommendations SET status = 'published', published_by = ?, published_at = ?, updated_at = ?, version = version + 1 WHERE id = ?"),
			actorID, now, now, id); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, AuditRecommendationPublished, id, fmt.Sprintf(`{"figures":%d,"quotes":%d}`, len(figures), len(quotes)))
	})
}

// RecommendationEvidence reads a published recommendation's frozen
// evidence. A quote whose words went (withdrawn) keeps its place,
// marked withdrawn, without any words.
func (s *Store) RecommendationEvidence(ctx context.Context, id string) (accountability.Evidence, error) {
	var e accountability.Evidence
	rows, err := s.conns.Read.QueryContext(ctx, s.q("SELECT theme_id, theme_name, community, value FROM recommendation_figures WHERE recommendation_id = ? ORDER BY position"), id)
	if e.Figures, err = collect(rows, err, func(row rowScanner) (accountability.Figure, error) {
		var f accountability.Figure
		return f, row.Scan(&f.ThemeID, &f.ThemeName, &f.Community, &f.Value)
	}); err != nil {
		return e, err
	}
	rows, err = s.conns.Read.QueryContext(ctx, s.q(`SELECT q.theme_id, q.theme_name, COALESCE(w.lang, ''), COALESCE(w.words, ''), COALESCE(w.translation, ''), w.quote_id IS NULL
		FROM recommendation_quotes q LEFT JOIN recommendation_quote_words w ON w.quote_id = q.id
			AND NOT EXISTS (SELECT 1 FROM experiences x WHERE x.id = w.experience_id AND x.status = 'restricted')
		WHERE q.recommendation_id = ? ORDER BY q.position`), id)
	e.Quotes, err = collect(rows, err, func(row rowScanner) (accountability.Quote, error) {
		var q accountability.Quote
		return q, row.Scan(&q.ThemeID, &q.ThemeName, &q.Lang, &q.Words, &q.Translation, &q.Withdrawn)
	})
	return e, err
}

// dropSnapshotQuotes removes an experience's words from every published
// snapshot, inside the transaction that withdraws it or its consent to
// be quoted. (The foreign key's cascade does the same for the retention
// rule and the demo reset; this says it where the withdrawal is.)
func (s *Store) dropSnapshotQuotes(ctx context.Context, tx *sql.Tx, experienceID string) error {
	_, err := tx.ExecContext(ctx, s.q("DELETE FROM recommendation_quote_words WHERE experience_id = ?"), experienceID)
	return err
}

// redactSnapshotQuotes drops from every published snapshot the quoted
// words of an experience that its redacted answers (after) and its
// renderings still up to date no longer hold, and blanks a rendering
// beside them that is no longer up to date, inside the transaction that
// redacts it: what a moderator took out of the story leaves the public
// record too (the quote keeps its place, without words, as on a
// withdrawal).
func (s *Store) redactSnapshotQuotes(ctx context.Context, tx *sql.Tx, d sealed.DataKey, experienceID string, after map[string]string) error {
	type triple struct{ key, text, other string }
	scan := func(r rowScanner) (triple, error) {
		var x triple
		return x, r.Scan(&x.key, &x.text, &x.other)
	}
	rows, err := tx.QueryContext(ctx, s.q("SELECT field, text, source_hash FROM translations WHERE experience_id = ?"), experienceID)
	renderings, err := collect(rows, err, scan)
	if err != nil {
		return err
	}
	current := map[string]string{} // renderings of the answers as they now are, by answer
	for _, r := range renderings {
		if r.other != answerHash(after[r.key]) {
			continue
		}
		if err := openAll(d, experienceID, &r.text); err != nil {
			return err
		}
		current[r.key] = r.text
	}
	within := func(words string, texts ...string) bool {
		return slices.ContainsFunc(texts, func(t string) bool { return t != "" && strings.Contains(t, words) })
	}
	rows, err = tx.QueryContext(ctx, s.q("SELECT quote_id, words, translation, field FROM recommendation_quote_words WHERE experience_id = ?"), experienceID)
	type quoted struct{ id, words, translation, field string }
	quotes, err := collect(rows, err, func(r rowScanner) (quoted, error) {
		var q quoted
		return q, r.Scan(&q.id, &q.words, &q.translation, &q.field)
	})
	if err != nil {
		return err
	}
	// For a quote published before its answer was recorded: any answer
	// or up-to-date rendering.
	anyRendering := slices.Collect(maps.Values(current))
	anyText := slices.Concat(slices.Collect(maps.Values(after)), anyRendering)
	for _, q := range quotes {
		// Where the words must still be: the answer (or the up-to-date
		// rendering) they were quoted from.
		from, rendered := anyText, anyRendering
		if answer, onRendering := strings.CutPrefix(q.field, analysis.TranslationPrefix); q.field != "" {
			from, rendered = []string{after[answer]}, []string{current[answer]}
			if onRendering {
				from = rendered
			}
		}
		switch {
		case !within(q.words, from...):
			_, err = tx.ExecContext(ctx, s.q("DELETE FROM recommendation_quote_words WHERE quote_id = ?"), q.id)
		case q.translation != "" && !within(q.translation, rendered...):
			_, err = tx.ExecContext(ctx, s.q("UPDATE recommendation_quote_words SET translation = '' WHERE quote_id = ?"), q.id)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
