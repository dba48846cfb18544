package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/awareness"
)

// Awareness pages: staff-managed information pages, a text per language.

// CreateAwarenessPage adds an (unpublished) page; a slug already used is
// ErrConflict.
func (s *Store) CreateAwarenessPage(ctx context.Context, actorID, slug string, position int) (awareness.Page, error) {
	p := awareness.Page{ID: NewID(), Slug: slug, Position: position, CreatedAt: s.now()}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO awareness_pages (id, slug, position, published, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)`), p.ID, p.Slug, p.Position, false, p.CreatedAt, p.CreatedAt); err != nil {
			return s.conflict(err)
		}
		return s.appendAudit(ctx, tx, actorID, awareness.ActionCreated, p.ID, audit.Detail(map[string]string{"slug": slug}))
	})
	if err != nil {
		return awareness.Page{}, err
	}
	return p, nil
}

// SaveAwarenessText adds or replaces the page's text in t.Lang. The text
// it replaces is kept in the history.
func (s *Store) SaveAwarenessText(ctx context.Context, actorID, slug string, t awareness.Text) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var pageID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM awareness_pages WHERE slug = ?`), slug).Scan(&pageID); err != nil {
			return notFound(err)
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO awareness_history (id, page_id, lang, title, summary, body_markdown, reviewed_on, reviewer, updated_by, updated_at, replaced_at)
			SELECT ?, page_id, lang, title, summary, body_markdown, reviewed_on, reviewer, updated_by, updated_at, ?
			FROM awareness_texts WHERE page_id = ? AND lang = ?`), NewID(), now, pageID, t.Lang); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO awareness_texts (page_id, lang, title, summary, body_markdown, body_html, reviewed_on, reviewer, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (page_id, lang) DO UPDATE SET title = excluded.title, summary = excluded.summary, body_markdown = excluded.body_markdown,
				body_html = excluded.body_html, reviewed_on = excluded.reviewed_on, reviewer = excluded.reviewer,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`),
			pageID, t.Lang, t.Title, t.Summary, t.Markdown, t.HTML, t.ReviewedOn.Format(awareness.DateLayout), t.Reviewer, actorID, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE awareness_pages SET updated_at = ? WHERE id = ?`), now, pageID); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, actorID, awareness.ActionSaved, pageID, audit.Detail(map[string]string{"lang": t.Lang}))
	})
}

// SetAwarenessPublished publishes or withdraws a page. Publishing needs a
// text in fallback (English).
func (s *Store) SetAwarenessPublished(ctx context.Context, actorID, slug, fallback string, published bool) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var pageID string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM awareness_pages WHERE slug = ?`), slug).Scan(&pageID); err != nil {
			return notFound(err)
		}
		if published {
			var n int
			if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM awareness_texts WHERE page_id = ? AND lang = ?`), pageID, fallback).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return awareness.ErrNoEnglish
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE awareness_pages SET published = ?, updated_at = ? WHERE id = ?`), published, s.now(), pageID); err != nil {
			return err
		}
		action := awareness.ActionUnpublished
		if published {
			action = awareness.ActionPublished
		}
		return s.appendAudit(ctx, tx, actorID, action, pageID, "")
	})
}

// AwarenessPages lists the pages in order (position, then slug), each
// with its texts' titles, summaries and review details but not their
// bodies. publishedOnly leaves out pages not published.
func (s *Store) AwarenessPages(ctx context.Context, publishedOnly bool) ([]awareness.Page, error) {
	query := `SELECT p.id, p.slug, p.position, p.published, p.created_at,
		t.lang, t.title, t.summary, t.reviewed_on, t.reviewer, t.updated_by, t.updated_at
		FROM awareness_pages p LEFT JOIN awareness_texts t ON t.page_id = p.id`
	var args []any
	if publishedOnly {
		query += ` WHERE p.published = ?`
		args = append(args, true)
	}
	query += ` ORDER BY p.position, p.slug, t.lang`
	rows, err := s.conns.Read.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []awareness.Page
	for rows.Next() {
		var p awareness.Page
		var lang, title, summary, reviewed, reviewer, updatedBy sql.NullString
		var updatedAt sql.NullTime
		if err := rows.Scan(&p.ID, &p.Slug, &p.Position, &p.Published, &p.CreatedAt,
			&lang, &title, &summary, &reviewed, &reviewer, &updatedBy, &updatedAt); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != p.ID {
			out = append(out, p)
		}
		if lang.Valid {
			day, err := parseDay(reviewed.String)
			if err != nil {
				return nil, err
			}
			last := &out[len(out)-1]
			last.Texts = append(last.Texts, awareness.Text{Lang: lang.String, Title: title.String, Summary: summary.String,
				ReviewedOn: day, Reviewer: reviewer.String, UpdatedBy: updatedBy.String, UpdatedAt: updatedAt.Time})
		}
	}
	return out, rows.Err()
}

// AwarenessPage returns a page with every text in full; an unknown slug
// is ErrNotFound.
func (s *Store) AwarenessPage(ctx context.Context, slug string) (awareness.Page, error) {
	var p awareness.Page
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT id, slug, position, published, created_at FROM awareness_pages WHERE slug = ?`), slug).
		Scan(&p.ID, &p.Slug, &p.Position, &p.Published, &p.CreatedAt)
	if err != nil {
		return p, notFound(err)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT lang, title, summary, body_markdown, body_html, reviewed_on, reviewer, updated_by, updated_at
		FROM awareness_texts WHERE page_id = ? ORDER BY lang`), p.ID)
	p.Texts, err = collect(rows, err, func(row rowScanner) (awareness.Text, error) {
		var t awareness.Text
		var reviewed string
		if err := row.Scan(&t.Lang, &t.Title, &t.Summary, &t.Markdown, &t.HTML, &reviewed, &t.Reviewer, &t.UpdatedBy, &t.UpdatedAt); err != nil {
			return t, err
		}
		var err error
		t.ReviewedOn, err = parseDay(reviewed)
		return t, err
	})
	return p, err
}

// AwarenessHistory counts the earlier versions kept of a page's text in lang.
func (s *Store) AwarenessHistory(ctx context.Context, slug, lang string) (int, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM awareness_history h JOIN awareness_pages p ON p.id = h.page_id
		WHERE p.slug = ? AND h.lang = ?`), slug, lang).Scan(&n)
	return n, err
}

// HasAwarenessPages reports whether any page exists (the demo loader adds
// its pages only to an empty set).
func (s *Store) HasAwarenessPages(ctx context.Context) (bool, error) {
	var n int
	err := s.conns.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM awareness_pages`).Scan(&n)
	return n > 0, err
}

// parseDay reads a stored reviewed_on date (YYYY-MM-DD).
func parseDay(s string) (time.Time, error) {
	t, err := time.Parse(awareness.DateLayout, s)
	if err != nil {
		return t, fmt.Errorf("awareness reviewed_on %q: %w", s, err)
	}
	return t, nil
}
