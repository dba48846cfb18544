package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
)

// Search over approved experiences (/staff/analysis/search). Each
// approved experience has one row in search_documents: the text of its
// answers, its English renderings and the memos on it. The row is
// written whenever that text or the experience's status changes, inside
// the same transaction, and exists only while the experience is
// approved (migration 0020 says how each database indexes it).

// AuditSearched is a search: who, when, the filters and how many terms;
// never the words.
const AuditSearched = "analysis.searched"

// SearchPageSize is how many results a page shows.
const SearchPageSize = 20

// SearchFilters narrow a search; "" (or a zero time) is "any".
type SearchFilters struct {
	// Community: the person's own answer to the community question, or
	// else (none, or "prefer not to say") the community of the event the
	// story was captured at, as the breakdowns count it. It is
	// the only equality answer a search may filter on.
	Community string
	Stage     string // a pathway stage the story is about
	CodeID    string // coded with this code (the programme's coding, not samples)
	Lang      string
	Source    experience.Source
	EventID   string
	From, To  time.Time // received at or after From, before To
}

// detail is the filters as the audit trail records them.
func (f SearchFilters) detail(terms, page int) map[string]string {
	m := map[string]string{"terms": strconv.Itoa(terms), "page": strconv.Itoa(page + 1)}
	for k, v := range map[string]string{"community": f.Community, "stage": f.Stage, "code": f.CodeID, "lang": f.Lang,
		"source": string(f.Source), "event": f.EventID} {
		if v != "" {
			m[k] = v
		}
	}
	if !f.From.IsZero() {
		m["from"] = f.From.Format(time.RFC3339)
	}
	if !f.To.IsZero() {
		m["to"] = f.To.Format(time.RFC3339)
	}
	return m
}

// SearchResult is one approved experience that matched, with the text
// it was found in (for the snippet, made in Go, never in SQL).
type SearchResult struct {
	ID, Reference, Lang string
	Source              experience.Source
	CreatedAt           time.Time
	Body                string
}

// SearchExperiences finds approved experiences matching q and the
// filters, newest first, a page (from 0) of SearchPageSize at a time,
// and whether another page follows. The search is written to the audit
// trail first.
func (s *Store) SearchExperiences(ctx context.Context, viewerID string, q analysis.Query, f SearchFilters, page int) ([]SearchResult, bool, error) {
	if page < 0 {
		page = 0
	}
	if err := s.AppendAudit(ctx, viewerID, AuditSearched, "", audit.Detail(f.detail(q.Terms(), page))); err != nil {
		return nil, false, err
	}
	where := []string{"e.status = 'approved'"}
	from := "search_documents d JOIN experiences e ON e.id = d.experience_id"
	order := "e.created_at DESC, e.id DESC"
	if s.d.SearchFacets {
		order = "d.created_at DESC, d.experience_id DESC"
	}
	var args []any
	if !q.Empty() {
		from, order, args = s.d.TextMatch(q)
	}
	add := func(cond string, v any) {
		where, args = append(where, cond), append(args, v)
	}
	// Where the filters are read: the experience and its answers, or on
	// PostgreSQL the search document's own columns (migration 0030),
	// which its b-trees list newest first.
	t, community, stage := "e", searchCommunity+" = ?", "EXISTS (SELECT 1 FROM experience_stages st WHERE st.experience_id = e.id AND st.stage = ?)"
	expID := "e.id"
	if s.d.SearchFacets {
		t, community, stage, expID = "d", "d.community = ?", "d.stages @> ARRAY[CAST(? AS TEXT)]", "d.experience_id"
	}
	if f.Community != "" {
		add(community, f.Community)
	}
	if f.Stage != "" {
		add(stage, f.Stage)
	}
	if f.CodeID != "" {
		add("EXISTS (SELECT 1 FROM codings c WHERE c.experience_id = "+expID+" AND c.sample_id = '' AND c.code_id = ?)", f.CodeID)
	}
	if f.Lang != "" {
		add(t+".lang = ?", f.Lang)
	}
	if f.Source != "" {
		add(t+".source = ?", string(f.Source))
	}
	if f.EventID != "" {
		add(t+".event_id = ?", f.EventID)
	}
	if !f.From.IsZero() {
		add(t+".created_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		add(t+".created_at < ?", f.To.UTC())
	}
	if s.d.NumberedDocuments && !q.Empty() {
		// The dates bound the documents' numbers too (they follow the
		// time shared), which FTS5 uses to skip the matches outside.
		if !f.From.IsZero() {
			add("m.doc_id >= ?", DocNumber(f.From))
		}
		if !f.To.IsZero() {
			add("m.doc_id < ?", DocNumber(f.To.Add(time.Second-1)))
		}
	}
	args = append(args, SearchPageSize+1, page*SearchPageSize)
	if s.d.SearchFacets {
		// Planned for these words and filters each time (an unnamed
		// statement), never with a plan cached for the statement: a cached
		// (generic) plan cannot tell a date range of a month from all time,
		// nor a common word from a rare one, and took seconds on some.
		args = append([]any{pgx.QueryExecModeDescribeExec}, args...)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT e.id, e.reference, e.lang, e.source, e.created_at, d.body
		FROM `+from+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ? OFFSET ?`), args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []SearchResult
	for rows.Next() {
		var r SearchResult
		var source string
		if err := rows.Scan(&r.ID, &r.Reference, &r.Lang, &source, &r.CreatedAt, &r.Body); err != nil {
			return nil, false, err
		}
		r.Source = experience.Source(source)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > SearchPageSize
	if more {
		out = out[:SearchPageSize]
	}
	return out, more, nil
}

// reindex brings an experience's search document up to date inside tx:
// the text of an approved experience, and no document for any other
// (pending, rejected, deleted).
func (s *Store) reindex(ctx context.Context, tx *sql.Tx, id string) error {
	var status, lang string
	var created time.Time
	err := tx.QueryRowContext(ctx, s.q("SELECT status, lang, created_at FROM experiences WHERE id = ?"), id).Scan(&status, &lang, &created)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if status != string(experience.StatusApproved) {
		return s.unindex(ctx, tx, id)
	}
	body, err := s.searchBody(ctx, tx, id)
	if err != nil {
		return err
	}
	if s.d.NumberedDocuments {
		// A new document's number follows the time its experience was
		// shared (migration 0022), so the index yields matches newest
		// first; an existing document keeps its number.
		base := DocNumber(created)
		_, err = tx.ExecContext(ctx, `INSERT INTO search_documents (doc_id, experience_id, body, lang, updated_at)
			VALUES ((SELECT COALESCE(MAX(doc_id) + 1, ?) FROM search_documents WHERE doc_id >= ? AND doc_id < ?), ?, ?, ?, ?)
			ON CONFLICT (experience_id) DO UPDATE SET body = excluded.body, lang = excluded.lang, updated_at = excluded.updated_at`,
			base, base, base+docSlots, id, body, lang, s.now())
	} else {
		// With what search filters on (migration 0030), read from the
		// experience as it is now.
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO search_documents (experience_id, body, lang, updated_at, created_at, source, event_id, community, stages)
			SELECT e.id, CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TIMESTAMPTZ), e.created_at, e.source, e.event_id, `+searchCommunity+`, `+searchStages+`
			FROM experiences e WHERE e.id = ?
			ON CONFLICT (experience_id) DO UPDATE SET body = excluded.body, lang = excluded.lang, updated_at = excluded.updated_at,
			created_at = excluded.created_at, source = excluded.source, event_id = excluded.event_id, community = excluded.community, stages = excluded.stages`),
			body, lang, s.now(), id)
	}
	if err != nil {
		return err
	}
	// The breakdown counts change with the same events (breakdown_counts.go).
	return s.recount(ctx, tx, id)
}

// searchCommunity and searchStages are what a search document carries
// of its experience e for the filters (PostgreSQL, migration 0030; on
// SQLite the community filter reads searchCommunity itself): the
// person's own community answer, else (none, or "prefer not to say")
// the community of the event; the pathway stages. The community is the
// one the breakdowns count the story under (communityOf), so a filter
// finds what a breakdown's count says is there.
const (
	searchCommunity = `COALESCE(NULLIF(NULLIF((SELECT a.community FROM equality_answers a WHERE a.experience_id = e.id), ''), '` + equality.PreferNotToSay + `'),
		NULLIF((SELECT v.community FROM events v WHERE v.id = e.event_id), ''),
		(SELECT a.community FROM equality_answers a WHERE a.experience_id = e.id), '')`
	searchStages = `ARRAY(SELECT st.stage FROM experience_stages st WHERE st.experience_id = e.id ORDER BY st.stage)`
)

// refreshSearchFacets writes again what the search documents selected
// by cond (over d, the document, and e, its experience) carry for the
// filters: after an event's community changed, or a bulk load.
func (s *Store) refreshSearchFacets(ctx context.Context, q querier, cond string, args ...any) error {
	if !s.d.SearchFacets {
		return nil
	}
	_, err := q.ExecContext(ctx, s.q(`UPDATE search_documents d SET created_at = e.created_at, source = e.source, event_id = e.event_id,
		community = `+searchCommunity+`, stages = `+searchStages+`
		FROM experiences e WHERE e.id = d.experience_id AND `+cond), args...)
	return err
}

// docSlots is how many documents one second of sharing can number.
const docSlots = 1 << 20

// DocNumber is the first number (SQLite's search document key) of the
// experiences shared in created's second; the seeder numbers its
// documents the same way.
func DocNumber(created time.Time) int64 { return created.Unix() * docSlots }

// unindex removes an experience's search document inside tx, and its
// part of the breakdown counts.
func (s *Store) unindex(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, s.q("DELETE FROM search_documents WHERE experience_id = ?"), id); err != nil {
		return err
	}
	return s.recount(ctx, tx, id)
}

// searchBody is the searchable text of an experience: its answers, then
// its English renderings, then the memos on it, a paragraph each.
func (s *Store) searchBody(ctx context.Context, q querier, id string) (string, error) {
	// The text is sealed with the experience's data key (experience_keys.go).
	key, err := s.dataKey(ctx, q, id)
	if err != nil {
		return "", err
	}
	var a, b, c, d string
	if err := q.QueryRowContext(ctx, s.q("SELECT what_happened, went_well, could_be_better, idea FROM experiences WHERE id = ?"), id).
		Scan(&a, &b, &c, &d); err != nil {
		return "", notFound(err)
	}
	if err := openAll(key, id, &a, &b, &c, &d); err != nil {
		return "", err
	}
	parts := []string{a, b, c, d}
	for _, query := range []string{
		"SELECT text FROM translations WHERE experience_id = ? ORDER BY field",
		"SELECT text FROM memos WHERE experience_id = ? ORDER BY created_at, id",
	} {
		rows, err := q.QueryContext(ctx, s.q(query), id)
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var t string
			if err := rows.Scan(&t); err != nil {
				rows.Close()
				return "", err
			}
			if err := openAll(key, id, &t); err != nil {
				rows.Close()
				return "", err
			}
			parts = append(parts, t)
		}
		if err := rows.Close(); err != nil {
			return "", err
		}
	}
	var kept []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n\n"), nil
}

// IndexApproved writes the search document of every approved experience
// that has none (those approved before search existed), a batch at a
// time; it returns how many it wrote. hearme runs it at start.
func (s *Store) IndexApproved(ctx context.Context) (int, error) {
	total := 0
	for {
		var ids []string
		rows, err := s.conns.Read.QueryContext(ctx, `SELECT e.id FROM experiences e WHERE e.status = 'approved'
			AND NOT EXISTS (SELECT 1 FROM search_documents d WHERE d.experience_id = e.id) ORDER BY e.id LIMIT 500`)
		if err != nil {
			return total, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return total, err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			for _, id := range ids {
				if err := s.reindex(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return total, err
		}
		total += len(ids)
	}
}

// SearchFindsInside reports whether a search finds its terms inside
// longer words of a story in lang (PostgreSQL's trigrams), for the
// snippet to mark what was found.
func (s *Store) SearchFindsInside(lang string) bool { return s.d.FindsInside(lang) }
