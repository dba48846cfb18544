package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
)

// Breakdowns counted as coding happens (issue 12: a breakdown over
// 1,000,000 experiences in under 300 ms). Each approved experience adds
// one to a count for every (row value, column value, month) it has:
// rows are its themes, codes and stages (and '' for "any"), columns its
// community, source, language, month and equality answers. A theme's or
// code's count also adds up its coded passages (column passages: how
// many stretches of its answers carry the theme or code,
// analysis.CountPassages), so a breakdown of passages reads the same
// rows as one of experiences. The counts live in breakdown_counts; what
// each experience added lives in
// breakdown_facts, so that any change takes exactly that back out and
// adds the new. recount does both inside the transaction of the change
// (approval, a return to moderation, rejection, withdrawal, retention,
// demo removal, a coding added or removed, a code merged or moved, an
// event's community changed), so a withdrawn experience leaves every
// count at once. RecountBreakdowns rebuilds all of them from scratch.

// countFact is what one approved experience adds to the counts.
type countFact struct {
	Month     string   `json:"m"`
	Community string   `json:"c,omitempty"`
	FromEvent bool     `json:"e,omitempty"`
	Source    string   `json:"s,omitempty"`
	Event     string   `json:"v,omitempty"`
	Lang      string   `json:"l,omitempty"`
	Equality  []string `json:"q,omitempty"` // in EqualityQuestions' order
	Themes    []string `json:"t,omitempty"`
	Codes     []string `json:"k,omitempty"`
	Stages    []string `json:"g,omitempty"`
	// The coded passages of each theme and code, in Themes' and Codes'
	// order.
	ThemePassages []int `json:"tp,omitempty"`
	CodePassages  []int `json:"kp,omitempty"`
}

// tally is what a count holds: experiences (n) and, for a theme or a
// code, their coded passages.
type tally struct{ n, passages int }

// countRow is a count an experience adds one experience to, with its
// passages.
type countRow struct {
	key      countKey
	passages int
}

// countKey is one count: of the experiences in a scope (all of them, a
// community's, a stage's, or both: analysis.Scope), by a column and a
// row, in a month.
type countKey struct{ scope, colDim, rowKind, month, rowValue, colValue string }

// colFromEvent counts the experiences whose community came from their
// event (the row of every experience, column value "1").
const colFromEvent = "from_event"

// colPair counts themes and codes named together (co-occurrence): row
// kind theme or code; row and column values ” the experiences with any
// value, a value and ” those with it, two values (in byte order) those
// with both.
const colPair = "pair"

// keys are the counts an experience adds one to: each of its base
// counts in every scope it is in (scopes), so that a breakdown filtered
// by community or stage reads counts as an unfiltered one does.
func (f countFact) keys() []countRow {
	base := f.baseKeys()
	scopes := f.scopes()
	out := make([]countRow, 0, len(base)*len(scopes))
	for _, sc := range scopes {
		for _, r := range base {
			r.key.scope = sc
			out = append(out, r)
		}
	}
	return out
}

// scopes are the scopes an experience is counted in: all experiences,
// its community, each of its stages, its community with each of its
// stages.
func (f countFact) scopes() []string {
	scopes := []string{""}
	if f.Community != "" {
		scopes = append(scopes, analysis.Scope(f.Community, ""))
	}
	for _, st := range f.Stages {
		scopes = append(scopes, analysis.Scope("", st))
		if f.Community != "" {
			scopes = append(scopes, analysis.Scope(f.Community, st))
		}
	}
	return scopes
}

// countDelta is what replacing an experience's fact old (had: it was
// counted) by now (ok: it is counted now) adds to each count. When both
// are counted in the same scopes (a code added or taken away), the
// difference of their base counts is worked out once and repeated in
// each scope: the same result as subtracting every key of old from every
// key of now, without building both.
func countDelta(old countFact, had bool, now countFact, ok bool) map[countKey]tally {
	delta := map[countKey]tally{}
	if had && ok {
		if scopes := old.scopes(); slices.Equal(scopes, now.scopes()) {
			base := map[countKey]tally{}
			for _, r := range old.baseKeys() {
				base[r.key] = base[r.key].add(-1, -r.passages)
			}
			for _, r := range now.baseKeys() {
				base[r.key] = base[r.key].add(1, r.passages)
			}
			for _, sc := range scopes {
				for k, d := range base {
					if d != (tally{}) {
						k.scope = sc
						delta[k] = delta[k].add(d.n, d.passages)
					}
				}
			}
			return delta
		}
	}
	if had {
		for _, r := range old.keys() {
			delta[r.key] = delta[r.key].add(-1, -r.passages)
		}
	}
	if ok {
		for _, r := range now.keys() {
			delta[r.key] = delta[r.key].add(1, r.passages)
		}
	}
	return delta
}

func (t tally) add(n, passages int) tally { return tally{t.n + n, t.passages + passages} }

// baseKeys are the counts an experience adds one to in each scope, with
// its passages for a theme or a code.
func (f countFact) baseKeys() []countRow {
	cols := [][2]string{{string(analysis.DimCommunity), f.Community}, {string(analysis.DimSource), f.Source},
		{string(analysis.DimLanguage), f.Lang}, {string(analysis.DimPeriod), f.Month}, {string(analysis.DimEvent), f.Event}}
	for i, q := range EqualityQuestions {
		if i < len(f.Equality) {
			cols = append(cols, [2]string{string(analysis.EqualityDimension(q)), f.Equality[i]})
		}
	}
	var out []countRow
	for _, c := range cols {
		if c[1] == "" {
			continue
		}
		out = append(out, countRow{key: countKey{"", c[0], "", f.Month, "", c[1]}})
		for _, r := range []struct {
			kind     analysis.Dimension
			vals     []string
			passages []int
		}{{analysis.DimTheme, f.Themes, f.ThemePassages}, {analysis.DimCode, f.Codes, f.CodePassages}, {analysis.DimStage, f.Stages, nil}} {
			for i, v := range r.vals {
				row := countRow{key: countKey{"", c[0], string(r.kind), f.Month, v, c[1]}}
				if i < len(r.passages) {
					row.passages = r.passages[i]
				}
				out = append(out, row)
			}
		}
	}
	if f.FromEvent {
		out = append(out, countRow{key: countKey{"", colFromEvent, "", f.Month, "", "1"}})
	}
	for _, r := range []struct {
		kind analysis.Dimension
		vals []string
	}{{analysis.DimTheme, f.Themes}, {analysis.DimCode, f.Codes}} {
		if len(r.vals) == 0 {
			continue
		}
		vals := slices.Compact(slices.Sorted(slices.Values(r.vals)))
		out = append(out, countRow{key: countKey{"", colPair, string(r.kind), f.Month, "", ""}})
		for x, a := range vals {
			out = append(out, countRow{key: countKey{"", colPair, string(r.kind), f.Month, a, ""}})
			for _, b := range vals[x+1:] {
				out = append(out, countRow{key: countKey{"", colPair, string(r.kind), f.Month, a, b}})
			}
		}
	}
	return out
}

// factOf reads what an experience adds to the counts (ok is false when
// it adds nothing: not approved, or gone) and the fact kept for it
// (had is false when there is none), in two statements: the
// experience's row with its kept fact, then its stages, its codes and
// every code they lead to by merges and parents (sqlFactParts). A
// recount runs inside every coding's transaction: each statement saved
// is a round trip and a statement's set-up taken off every coding.
// resolve, when given, resolves codes (a
// codebook read once for many experiences); else the links read here
// do, as analysis.Codebook would.
func (s *Store) factOf(ctx context.Context, q querier, id string, resolve func(string) (string, string, error)) (f countFact, ok bool, kept string, had bool, err error) {
	var fact, status sql.NullString
	var own, event string
	var at sql.NullTime
	eq := make([]string, len(EqualityQuestions))
	err = q.QueryRowContext(ctx, s.q(sqlFactOf), id).Scan(&fact, &status, &f.Source, &f.Lang, &at, &own, &event, &f.Event, &eq[0], &eq[1], &eq[2], &eq[3], &eq[4], &eq[5])
	if err != nil {
		return f, false, "", false, err
	}
	kept, had = fact.String, fact.Valid
	if status.String != string(experience.StatusApproved) || !at.Valid {
		return countFact{}, false, kept, had, nil
	}
	f.Month = at.Time.UTC().Format("2006-01")
	f.Community, f.FromEvent = communityOf(own, event)
	if slices.ContainsFunc(eq, func(v string) bool { return v != "" }) {
		f.Equality = eq
	}
	rows, err := q.QueryContext(ctx, s.q(sqlFactParts), id, id, id)
	parts, err := collect(rows, err, func(r rowScanner) (factPart, error) {
		var p factPart
		return p, r.Scan(&p.kind, &p.value, &p.parent, &p.merged, &p.start, &p.end)
	})
	if err != nil {
		return f, false, "", false, err
	}
	links := map[string]codeLinks{}
	var codes []string
	var codings []analysis.Coding
	for _, p := range parts {
		switch p.kind {
		case partStage:
			f.Stages = append(f.Stages, p.value)
		case partCoding:
			codings = append(codings, analysis.Coding{Code: p.value,
				Passage: analysis.Passage{Field: p.parent, Start: p.start, End: p.end, Whole: p.merged == "w"}})
		case partOwnCode:
			codes = append(codes, p.value)
			fallthrough
		default:
			links[p.value] = codeLinks{parent: p.parent, merged: p.merged}
		}
	}
	slices.Sort(f.Stages)
	f.Stages = slices.Compact(f.Stages)
	if resolve == nil {
		resolve = linkResolver(links)
	}
	resolved := map[string][2]string{}
	for _, c := range slices.Compact(slices.Sorted(slices.Values(codes))) {
		code, theme, err := resolve(c)
		if err != nil {
			return f, false, "", false, err
		}
		resolved[c] = [2]string{code, theme}
	}
	f.setCodings(codings, func(c string) (string, string) { r := resolved[c]; return r[0], r[1] })
	return f, true, kept, had, nil
}

// setCodings sets the fact's codes and themes, and their coded
// passages, from the experience's codings, resolve giving each coded
// code's code and theme now.
func (f *countFact) setCodings(codings []analysis.Coding, resolve func(string) (string, string)) {
	byCode, byTheme := analysis.CountPassages(codings, resolve)
	f.Codes, f.Themes = slices.Sorted(maps.Keys(byCode)), slices.Sorted(maps.Keys(byTheme))
	f.CodePassages, f.ThemePassages = make([]int, len(f.Codes)), make([]int, len(f.Themes))
	for i, c := range f.Codes {
		f.CodePassages[i] = byCode[c]
	}
	for i, t := range f.Themes {
		f.ThemePassages[i] = byTheme[t]
	}
}

// factPart is a row of sqlFactParts: a stage, a code with its links, or
// a coding (its code, field, whether it is of the whole answer, and
// where it starts and ends).
type factPart struct {
	kind                  int
	value, parent, merged string
	start, end            int
}

// The kinds of sqlFactParts' rows.
const (
	partStage   = 0 // a pathway stage of the experience
	partCode    = 1 // a code reached by a merge or as a parent
	partOwnCode = 2 // a code the experience is coded with
	partCoding  = 3 // a coding: code, field, 'w' for a whole answer, start, end
)

// communityOf is an experience's community for the breakdowns: the
// person's own answer, else (none, or "prefer not to say") the community
// of the event it was heard at. Search's filter says the same in SQL
// (searchCommunity; TestSearchCommunityAsTheBreakdownsCountIt).
func communityOf(own, event string) (string, bool) {
	if (own == "" || own == equality.PreferNotToSay) && event != "" {
		return event, true
	}
	return own, false
}

// codeLinks are a code's parent and the code it was merged into.
type codeLinks struct{ parent, merged string }

// linkResolver resolves codes with the links factOf read, following
// merges and then parents as analysis.Codebook's Resolve and Theme do
// (a code not among them stops the walk, as a code not in the book
// does).
func linkResolver(links map[string]codeLinks) func(string) (string, string, error) {
	return func(id string) (string, string, error) {
		for range 64 {
			l, ok := links[id]
			if !ok || l.merged == "" {
				break
			}
			id = l.merged
		}
		theme := id
		for range 64 {
			l, ok := links[theme]
			if !ok || l.parent == "" {
				break
			}
			if _, ok := links[l.parent]; !ok {
				break
			}
			theme = l.parent
		}
		return id, theme, nil
	}
}

// bookResolver resolves codes with a codebook read once.
func bookResolver(b *analysis.Codebook) func(string) (string, string, error) {
	return func(id string) (string, string, error) {
		c := b.Resolve(id)
		return c, b.Theme(c), nil
	}
}

// The statements a recount runs for one experience, prepared once on
// the writer by prepareRecount (keptTx uses them when they are).
const (
	// sqlFactOf is the experience's row and its kept fact; the row
	// comes back, with NULLs, when either is missing.
	sqlFactOf = `SELECT f.fact, e.status, COALESCE(e.source, ''), COALESCE(e.lang, ''), e.created_at, COALESCE(a.community, ''),
		COALESCE(v.community, ''), COALESCE(v.id, ''), COALESCE(a.ethnic_group, ''), COALESCE(a.age_band, ''), COALESCE(a.sex, ''),
		COALESCE(a.disability, ''), COALESCE(a.religion, ''), COALESCE(a.main_language, '')
		FROM (SELECT CAST(? AS TEXT) AS id) x LEFT JOIN breakdown_facts f ON f.experience_id = x.id
		LEFT JOIN experiences e ON e.id = x.id LEFT JOIN equality_answers a ON a.experience_id = e.id LEFT JOIN events v ON v.id = e.event_id`
	// sqlFactParts are the experience's stages (kind 0), the codes it is
	// coded with (kind 2) and the codes those lead to by merges and
	// parents (kind 1), each code with its links, and its codings (kind
	// 3), whose passages are counted.
	sqlFactParts = `WITH RECURSIVE links (own, id, parent_id, merged_into) AS (
			SELECT 1, k.id, k.parent_id, k.merged_into FROM codes k
			WHERE k.id IN (SELECT code_id FROM codings WHERE experience_id = ? AND sample_id = '')
		UNION
			SELECT 0, k.id, k.parent_id, k.merged_into FROM links l JOIN codes k ON k.id = l.parent_id OR k.id = l.merged_into)
		SELECT 0, stage, '', '', 0, 0 FROM experience_stages WHERE experience_id = ?
		UNION ALL SELECT 1 + own, id, parent_id, merged_into, 0, 0 FROM links
		UNION ALL SELECT 3, code_id, field, CASE WHEN whole THEN 'w' ELSE '' END, start_pos, end_pos FROM codings WHERE experience_id = ? AND sample_id = ''`
	sqlFactPut     = "INSERT INTO breakdown_facts (experience_id, fact) VALUES (?, ?) ON CONFLICT (experience_id) DO UPDATE SET fact = excluded.fact"
	sqlFactDropped = "DELETE FROM breakdown_facts WHERE experience_id = ?"
)

// countsPer is the most counts one statement writes (8 arguments each,
// under both databases' limits); a change writes its counts in parts of
// a power of two (countParts), so that few statements cover every size
// and each can be prepared once.
const countsPer = 256 // a power of two

// countParts are the sizes of the statements that write n counts: the
// powers of two in n, largest first, after as many of countsPer as fit.
func countParts(n int) []int {
	var out []int
	for ; n >= countsPer; n -= countsPer {
		out = append(out, countsPer)
	}
	for p := countsPer / 2; p > 0; p /= 2 {
		if n >= p {
			out = append(out, p)
			n -= p
		}
	}
	return out
}

// sqlCountsAdd adds n deltas to the counts; sqlCountsDrop removes those
// of n counts that reached 0.
func sqlCountsAdd(n int) string {
	return `INSERT INTO breakdown_counts (scope, col_dim, row_kind, month, row_value, col_value, n, passages) VALUES (?, ?, ?, ?, ?, ?, ?, ?)` +
		strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?)", n-1) +
		` ON CONFLICT (scope, col_dim, row_kind, month, row_value, col_value) DO UPDATE SET n = breakdown_counts.n + excluded.n, passages = breakdown_counts.passages + excluded.passages`
}

func sqlCountsDrop(n int) string {
	return `DELETE FROM breakdown_counts WHERE n <= 0 AND (scope, col_dim, row_kind, month, row_value, col_value) IN (VALUES (?, ?, ?, ?, ?, ?)` +
		strings.Repeat(", (?, ?, ?, ?, ?, ?)", n-1) + `)`
}

// sqlCountsAddArrays and sqlCountsDropArrays do the same for any number
// of counts, one array per column (dialect.ColumnArrays).
const (
	sqlCountsAddArrays = `INSERT INTO breakdown_counts (scope, col_dim, row_kind, month, row_value, col_value, n, passages)
		SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS INTEGER[]), CAST(? AS INTEGER[]))
		ON CONFLICT (scope, col_dim, row_kind, month, row_value, col_value) DO UPDATE SET n = breakdown_counts.n + excluded.n, passages = breakdown_counts.passages + excluded.passages`
	sqlCountsDropArrays = `DELETE FROM breakdown_counts WHERE n <= 0 AND (scope, col_dim, row_kind, month, row_value, col_value) IN
		(SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])))`
)

// recountSQL is recount's statements rebound for the dialect: all
// (to prepare) and those that write n counts (add[0] and drop[0]: any
// number, where the dialect takes column arrays).
type recountSQL struct {
	all       []string
	add, drop map[int]string
}

func (s *Store) recountStatements() *recountSQL {
	s.recountOnce.Do(func() {
		r := &s.recountSQL
		r.all = []string{s.q(sqlFactOf), s.q(sqlFactParts), s.q(sqlFactPut), s.q(sqlFactDropped)}
		r.add, r.drop = map[int]string{}, map[int]string{}
		if s.d.ColumnArrays {
			r.add[0], r.drop[0] = s.q(sqlCountsAddArrays), s.q(sqlCountsDropArrays)
			r.all = append(r.all, r.add[0], r.drop[0])
			return
		}
		for n := countsPer; n > 0; n /= 2 {
			r.add[n], r.drop[n] = s.q(sqlCountsAdd(n)), s.q(sqlCountsDrop(n))
			r.all = append(r.all, r.add[n], r.drop[n])
		}
	})
	return &s.recountSQL
}

// prepareRecount prepares recount's statements on the writer (once).
// Like writeStatements it must be called outside a write transaction. A
// recount run without it compiles each statement as it goes, with the
// same result.
func (s *Store) prepareRecount(ctx context.Context) error {
	if s.recountReady.Load() {
		return nil
	}
	if _, err := s.writeStatements(ctx, s.recountStatements().all...); err != nil {
		return err
	}
	s.recountReady.Store(true)
	return nil
}

// recount brings an experience's part of the breakdown counts up to
// date inside tx: takes out what it added last time, adds what it adds
// now (nothing unless it is approved).
func (s *Store) recount(ctx context.Context, tx *sql.Tx, id string) error {
	return s.recountWith(ctx, keptTx{s, tx}, id, nil)
}

// recountWith is recount with resolve resolving codes (nil: as the
// transaction sees the codebook; factOf).
func (s *Store) recountWith(ctx context.Context, q querier, id string, resolve func(string) (string, string, error)) error {
	f, ok, old, had, err := s.factOf(ctx, q, id, resolve)
	if err != nil {
		return err
	}
	var enc []byte
	if ok {
		if enc, err = json.Marshal(f); err != nil {
			return err
		}
		if had && string(enc) == old {
			return nil // the same fact: no count changes
		}
	}
	var of countFact
	if had {
		if err := json.Unmarshal([]byte(old), &of); err != nil {
			return fmt.Errorf("breakdown fact of %s: %w", id, err)
		}
	}
	switch {
	case ok:
		_, err = q.ExecContext(ctx, s.q(sqlFactPut), id, string(enc))
	case had:
		_, err = q.ExecContext(ctx, s.q(sqlFactDropped), id)
	}
	if err != nil {
		return err
	}
	// The counts last: other writers wait for their rows' locks (on
	// PostgreSQL) from here to the commit.
	return s.applyCounts(ctx, q, countDelta(of, had, f, ok))
}

// applyCounts adds delta to the counts, in key order (so that two
// transactions on PostgreSQL take the rows' locks in the same order),
// many counts a statement (countParts), removing counts that reach 0.
func (s *Store) applyCounts(ctx context.Context, q querier, delta map[countKey]tally) error {
	keys := make([]countKey, 0, len(delta))
	for k, d := range delta {
		if d != (tally{}) {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b countKey) int {
		return cmp.Or(strings.Compare(a.scope, b.scope), strings.Compare(a.colDim, b.colDim), strings.Compare(a.rowKind, b.rowKind),
			strings.Compare(a.month, b.month), strings.Compare(a.rowValue, b.rowValue), strings.Compare(a.colValue, b.colValue))
	})
	sqls := s.recountStatements()
	if s.d.ColumnArrays {
		return applyCountArrays(ctx, q, sqls, keys, delta)
	}
	var fewer []countKey
	args := make([]any, 0, 8*min(countsPer, len(keys)))
	for _, n := range countParts(len(keys)) {
		part := keys[:n]
		keys = keys[n:]
		args = args[:0]
		fewer = fewer[:0]
		for _, k := range part {
			args = append(args, k.scope, k.colDim, k.rowKind, k.month, k.rowValue, k.colValue, delta[k].n, delta[k].passages)
			if delta[k].n < 0 {
				fewer = append(fewer, k)
			}
		}
		if _, err := q.ExecContext(ctx, sqls.add[n], args...); err != nil {
			return err
		}
		for _, m := range countParts(len(fewer)) {
			args = args[:0]
			for _, k := range fewer[:m] {
				args = append(args, k.scope, k.colDim, k.rowKind, k.month, k.rowValue, k.colValue)
			}
			fewer = fewer[m:]
			if _, err := q.ExecContext(ctx, sqls.drop[m], args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyCountArrays is applyCounts in two statements, whatever the
// number of counts: the keys (in order) and their changes as one array
// per column, then the counts that reached 0 among those that fell.
func applyCountArrays(ctx context.Context, q querier, sqls *recountSQL, keys []countKey, delta map[countKey]tally) error {
	if len(keys) == 0 {
		return nil
	}
	var cols [6][]string
	ns := make([]int32, 0, len(keys))
	passages := make([]int32, 0, len(keys))
	var fell [6][]string
	for _, k := range keys {
		d := delta[k]
		for i, v := range [6]string{k.scope, k.colDim, k.rowKind, k.month, k.rowValue, k.colValue} {
			cols[i] = append(cols[i], v)
			if d.n < 0 {
				fell[i] = append(fell[i], v)
			}
		}
		ns = append(ns, int32(d.n))
		passages = append(passages, int32(d.passages))
	}
	if _, err := q.ExecContext(ctx, sqls.add[0], cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], ns, passages); err != nil {
		return err
	}
	if len(fell[0]) == 0 {
		return nil
	}
	_, err := q.ExecContext(ctx, sqls.drop[0], fell[0], fell[1], fell[2], fell[3], fell[4], fell[5])
	return err
}

// uncountWhere takes the experiences that query (with args) selects out
// of the counts inside tx, before they are deleted: their breakdown
// facts would otherwise go with them by cascade and their counts stay.
func (s *Store) uncountWhere(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT f.experience_id, f.fact FROM breakdown_facts f WHERE f.experience_id IN (`+query+`)`), args...)
	type had struct{ id, fact string }
	facts, err := collect(rows, err, func(r rowScanner) (had, error) {
		var h had
		return h, r.Scan(&h.id, &h.fact)
	})
	if err != nil {
		return err
	}
	delta := map[countKey]tally{}
	for _, h := range facts {
		var f countFact
		if err := json.Unmarshal([]byte(h.fact), &f); err != nil {
			return fmt.Errorf("breakdown fact of %s: %w", h.id, err)
		}
		for _, r := range f.keys() {
			delta[r.key] = delta[r.key].add(-1, -r.passages)
		}
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM breakdown_facts WHERE experience_id = ?"), h.id); err != nil {
			return err
		}
	}
	return s.applyCounts(ctx, tx, delta)
}

// codedWith lists the experiences coded with one of codes (a code merged
// or moved changes the themes they count under).
func (s *Store) codedWith(ctx context.Context, tx *sql.Tx, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	args := make([]any, len(codes))
	for i, c := range codes {
		args[i] = c
	}
	rows, err := tx.QueryContext(ctx, s.q(`SELECT DISTINCT experience_id FROM codings WHERE sample_id = '' AND code_id IN (?`+
		strings.Repeat(", ?", len(codes)-1)+`)`), args...)
	return collect(rows, err, scanValue[string])
}

// recountAll recounts experiences inside tx, with the codebook as tx
// sees it now.
func (s *Store) recountAll(ctx context.Context, tx *sql.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	b, err := s.codebookIn(ctx, tx)
	if err != nil {
		return err
	}
	resolve := bookResolver(b)
	for _, id := range ids {
		if err := s.recountWith(ctx, tx, id, resolve); err != nil {
			return err
		}
	}
	return nil
}

// recountEvent recounts the experiences heard at an event (its community
// is theirs when they gave none).
func (s *Store) recountEvent(ctx context.Context, tx *sql.Tx, eventID string) error {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT e.id FROM experiences e WHERE e.event_id = ? AND e.status = 'approved'`), eventID)
	ids, err := collect(rows, err, scanValue[string])
	if err != nil {
		return err
	}
	// Search filters on the same community (PostgreSQL's documents carry it).
	if err := s.refreshSearchFacets(ctx, tx, "e.event_id = ?", eventID); err != nil {
		return err
	}
	return s.recountAll(ctx, tx, ids)
}

// subtree is a code and every code under it.
func subtree(b *analysis.Codebook, id string) []string {
	out := []string{id}
	for i := 0; i < len(out); i++ {
		for _, c := range b.Children(out[i]) {
			out = append(out, c.ID)
		}
	}
	return out
}

// changedCodes are the codes whose resolved code or theme differs
// between two versions of the codebook.
func changedCodes(before, after *analysis.Codebook) []string {
	var out []string
	for _, n := range after.Walk(true) {
		id := n.ID
		b, a := before.Resolve(id), after.Resolve(id)
		if b != a || before.Theme(b) != after.Theme(a) {
			out = append(out, id)
		}
	}
	return out
}

// BreakdownQuery asks for kept counts: rows (theme, code or stage) by
// columns (community, source, event, language, period or an equality
// question) of the experiences a filter keeps, with the totals of
// further column dimensions (Margins) and the co-occurrence counts of
// themes or codes (Pairs, "" for none).
type BreakdownQuery struct {
	Rows, Cols analysis.Dimension
	Filter     analysis.Filter
	Margins    []analysis.Dimension
	Pairs      analysis.Dimension
}

// BreakdownCounts reads the kept counts a breakdown page needs, in one
// query from the read pool: each part a range of the primary key
// (scope, column dimension, row kind, months), whatever the number of
// experiences.
func (s *Store) BreakdownCounts(ctx context.Context, bq BreakdownQuery) (analysis.Counts, error) {
	rows, cols, f := bq.Rows, bq.Cols, bq.Filter
	var c analysis.Counts
	c.Add("", "", 0) // an empty breakdown is counted, not nil
	delete(c.ColTotals, "")
	c.Margins = map[analysis.Dimension]map[string]int{}
	for _, m := range bq.Margins {
		c.Margins[m] = map[string]int{}
	}
	c.Pairs = analysis.PairCounts{With: map[string]int{}, Both: map[[2]string]int{}}
	months, margs := "", []any{}
	if f.From != "" {
		months += " AND month >= ?"
		margs = append(margs, f.From)
	}
	if f.To != "" {
		months += " AND month <= ?"
		margs = append(margs, f.To)
	}
	scope := f.Scope()
	var parts []string
	var args []any
	part := func(query string, a ...any) {
		parts = append(parts, query)
		args = append(args, a...)
	}
	// The cells (experiences and, for themes and codes, their coded
	// passages), the columns' totals, the row values that occur at all
	// (counted by month), the experiences whose community came from
	// their event, the experiences kept, and every approved experience.
	part(`SELECT 'cell', '', row_value, col_value, SUM(n), SUM(passages) FROM breakdown_counts WHERE scope = ? AND col_dim = ? AND row_kind = ?`+months+` GROUP BY row_value, col_value`,
		append([]any{scope, string(cols), string(rows)}, margs...)...)
	part(`SELECT 'total', '', '', col_value, SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = ? AND row_kind = ''`+months+` GROUP BY col_value`,
		append([]any{scope, string(cols)}, margs...)...)
	part(`SELECT 'row', '', row_value, '', SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = 'period' AND row_kind = ?`+months+` GROUP BY row_value`,
		append([]any{scope, string(rows)}, margs...)...)
	part(`SELECT 'event', '', '', '', SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = ? AND row_kind = ''`+months,
		append([]any{scope, colFromEvent}, margs...)...)
	part(`SELECT 'kept', '', '', '', SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = 'period' AND row_kind = ''`+months,
		append([]any{scope}, margs...)...)
	part(`SELECT 'all', '', '', '', SUM(n), 0 FROM breakdown_counts WHERE scope = '' AND col_dim = 'period' AND row_kind = ''`)
	for _, m := range bq.Margins {
		part(`SELECT 'margin', col_dim, '', col_value, SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = ? AND row_kind = ''`+months+` GROUP BY col_dim, col_value`,
			append([]any{scope, string(m)}, margs...)...)
	}
	if bq.Pairs != "" {
		part(`SELECT 'pair', '', row_value, col_value, SUM(n), 0 FROM breakdown_counts WHERE scope = ? AND col_dim = ? AND row_kind = ?`+months+` GROUP BY row_value, col_value`,
			append([]any{scope, colPair, string(bq.Pairs)}, margs...)...)
	}
	rs, err := s.conns.Read.QueryContext(ctx, s.q(strings.Join(parts, "\nUNION ALL ")), args...)
	if err != nil {
		return c, err
	}
	defer rs.Close()
	for rs.Next() {
		var part, dim, rv, cv string
		var n, passages sql.NullInt64
		if err := rs.Scan(&part, &dim, &rv, &cv, &n, &passages); err != nil {
			return c, err
		}
		if n.Int64 <= 0 {
			continue
		}
		v := int(n.Int64)
		switch part {
		case "cell":
			if rows != "" {
				c.Add(rv, cv, v)
			}
			if analysis.PassagesMeasured(rows) {
				c.AddPassages(rv, cv, int(passages.Int64))
			}
		case "total":
			if cv != "" {
				c.Add("", cv, v)
			}
		case "row":
			if rows != "" {
				c.RowValues = append(c.RowValues, rv)
			}
		case "event":
			c.FromEvent = v
		case "kept":
			c.Experiences = v
		case "all":
			c.All = v
		case "margin":
			if m := c.Margins[analysis.Dimension(dim)]; m != nil && cv != "" {
				m[cv] = v
			}
		case "pair":
			switch {
			case rv == "":
				c.Pairs.Coded = v
			case cv == "":
				c.Pairs.With[rv] = v
			default:
				c.Pairs.Both[analysis.PairKey(rv, cv)] = v
			}
		}
	}
	if err := rs.Err(); err != nil {
		return c, err
	}
	slices.Sort(c.RowValues)
	return c, nil
}

// StageThemeCounts reads, from the kept counts, how many approved
// experiences there are at each of the pathway stages given (stages)
// and how many of them name each theme (byStage[stage][theme]). From
// the read pool.
func (s *Store) StageThemeCounts(ctx context.Context, stageList []string) (stages map[string]int, byStage map[string]map[string]int, err error) {
	stages, byStage = map[string]int{}, map[string]map[string]int{}
	if len(stageList) == 0 {
		return stages, byStage, nil
	}
	// One key range per stage's scope ('s:<stage>', period columns).
	args := make([]any, len(stageList))
	for i, st := range stageList {
		args[i] = analysis.Scope("", st)
	}
	rows, err := s.conns.Read.QueryContext(ctx, s.q(`SELECT scope, row_kind, row_value, SUM(n) FROM breakdown_counts
		WHERE scope IN (?`+strings.Repeat(", ?", len(stageList)-1)+`) AND col_dim = 'period' AND row_kind IN ('', 'theme') GROUP BY scope, row_kind, row_value`), args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var scope, kind, theme string
		var n int
		if err := rows.Scan(&scope, &kind, &theme, &n); err != nil {
			return nil, nil, err
		}
		st, ok := strings.CutPrefix(scope, "s:")
		if !ok || n <= 0 {
			continue
		}
		if kind == "" {
			stages[st] = n
			continue
		}
		if byStage[st] == nil {
			byStage[st] = map[string]int{}
		}
		byStage[st][theme] = n
	}
	return stages, byStage, rows.Err()
}

// CountUncounted adds to the counts every approved experience that is
// not in them (those approved before the counts existed), a batch at a
// time, and returns how many. hearme runs it at start.
func (s *Store) CountUncounted(ctx context.Context) (int, error) {
	// Nothing counted at all (a new database, or migration 0030, which
	// threw the counts away to count them by scope): all at once.
	var counted, approved int
	if err := s.conns.Read.QueryRowContext(ctx, `SELECT CASE WHEN EXISTS (SELECT 1 FROM breakdown_facts) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM experiences WHERE status = 'approved') THEN 1 ELSE 0 END`).Scan(&counted, &approved); err != nil {
		return 0, err
	}
	if counted == 0 && approved == 1 {
		return s.RecountBreakdowns(ctx)
	}
	total := 0
	for {
		rows, err := s.conns.Read.QueryContext(ctx, `SELECT e.id FROM experiences e WHERE e.status = 'approved'
			AND NOT EXISTS (SELECT 1 FROM breakdown_facts f WHERE f.experience_id = e.id) ORDER BY e.id LIMIT 500`)
		ids, err := collect(rows, err, scanValue[string])
		if err != nil || len(ids) == 0 {
			return total, err
		}
		if err := s.tx(ctx, func(tx *sql.Tx) error {
			b, err := s.codebookIn(ctx, tx)
			if err != nil {
				return err
			}
			resolve := bookResolver(b)
			for _, id := range ids {
				if err := s.recountWith(ctx, tx, id, resolve); err != nil {
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

// RecountBreakdowns throws the kept counts away and counts every
// approved experience again, reading them a batch at a time, in one
// transaction (a reader sees the old counts or the new, never half).
// The synthetic seeder uses it after loading; tests compare it with the
// counts kept as changes happen.
func (s *Store) RecountBreakdowns(ctx context.Context) (int, error) {
	book, err := s.codebook(ctx)
	if err != nil {
		return 0, err
	}
	counts := map[countKey]tally{}
	n := 0
	err = s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"breakdown_facts", "breakdown_counts"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return err
			}
		}
		ins := newBulkInsert(s, tx, "breakdown_facts", []string{"experience_id", "fact"})
		after := ""
		for {
			facts, last, err := s.factsBatch(ctx, tx, book, after, 20000)
			if err != nil {
				return err
			}
			if last == "" {
				break
			}
			after = last
			for _, f := range facts {
				enc, err := json.Marshal(f.fact)
				if err != nil {
					return err
				}
				if err := ins.add(ctx, f.id, string(enc)); err != nil {
					return err
				}
				for _, r := range f.fact.keys() {
					counts[r.key] = counts[r.key].add(1, r.passages)
				}
				n++
			}
		}
		if err := ins.flush(ctx); err != nil {
			return err
		}
		cins := newBulkInsert(s, tx, "breakdown_counts", []string{"scope", "col_dim", "row_kind", "month", "row_value", "col_value", "n", "passages"})
		for k, v := range counts {
			if err := cins.add(ctx, k.scope, k.colDim, k.rowKind, k.month, k.rowValue, k.colValue, v.n, v.passages); err != nil {
				return err
			}
		}
		return cins.flush(ctx)
	})
	return n, err
}

func (s *Store) codebook(ctx context.Context) (*analysis.Codebook, error) {
	codes, err := s.codes(ctx, s.conns.Read)
	if err != nil {
		return nil, err
	}
	plain := make([]analysis.Code, len(codes))
	for i, c := range codes {
		plain[i] = c.Code
	}
	return analysis.NewCodebook(plain), nil
}

type idFact struct {
	id   string
	fact countFact
}

// factsBatch reads the facts of the approved experiences among the next
// limit experiences with ids after after, in id order, and the last id
// read ("" when none). It walks the primary key: a filter on the status
// would let the planner take the status index and sort every approved
// experience for each batch.
func (s *Store) factsBatch(ctx context.Context, q querier, book *analysis.Codebook, after string, limit int) ([]idFact, string, error) {
	rows, err := q.QueryContext(ctx, s.q(`SELECT e.id, e.status, e.source, e.lang, e.created_at, COALESCE(a.community, ''), COALESCE(v.community, ''), COALESCE(v.id, ''),
		COALESCE(a.ethnic_group, ''), COALESCE(a.age_band, ''), COALESCE(a.sex, ''), COALESCE(a.disability, ''),
		COALESCE(a.religion, ''), COALESCE(a.main_language, '')
		FROM experiences e LEFT JOIN equality_answers a ON a.experience_id = e.id LEFT JOIN events v ON v.id = e.event_id
		WHERE e.id > ? ORDER BY e.id LIMIT ?`), after, limit)
	if err != nil {
		return nil, "", err
	}
	var out []idFact
	index := map[string]int{}
	last := ""
	for rows.Next() {
		var f idFact
		var at time.Time
		var status, own, event string
		eq := make([]string, len(EqualityQuestions))
		if err := rows.Scan(&f.id, &status, &f.fact.Source, &f.fact.Lang, &at, &own, &event, &f.fact.Event, &eq[0], &eq[1], &eq[2], &eq[3], &eq[4], &eq[5]); err != nil {
			rows.Close()
			return nil, "", err
		}
		last = f.id
		if status != string(experience.StatusApproved) {
			continue
		}
		f.fact.Month = at.UTC().Format("2006-01")
		f.fact.Community, f.fact.FromEvent = communityOf(own, event)
		if slices.ContainsFunc(eq, func(v string) bool { return v != "" }) {
			f.fact.Equality = eq
		}
		index[f.id] = len(out)
		out = append(out, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil || last == "" {
		return nil, "", err
	}
	rows, err = q.QueryContext(ctx, s.q(`SELECT experience_id, stage FROM experience_stages WHERE experience_id > ? AND experience_id <= ? ORDER BY experience_id, stage`), after, last)
	stages, err := collect(rows, err, func(r rowScanner) ([2]string, error) {
		var v [2]string
		return v, r.Scan(&v[0], &v[1])
	})
	if err != nil {
		return nil, "", err
	}
	for _, v := range stages {
		if i, ok := index[v[0]]; ok {
			out[i].fact.Stages = append(out[i].fact.Stages, v[1])
		}
	}
	rows, err = q.QueryContext(ctx, s.q(`SELECT experience_id, code_id, field, start_pos, end_pos, whole FROM codings
		WHERE sample_id = '' AND experience_id > ? AND experience_id <= ?`), after, last)
	type idCoding struct {
		id string
		c  analysis.Coding
	}
	all, err := collect(rows, err, func(r rowScanner) (idCoding, error) {
		var v idCoding
		p := &v.c.Passage
		return v, r.Scan(&v.id, &v.c.Code, &p.Field, &p.Start, &p.End, &p.Whole)
	})
	if err != nil {
		return nil, "", err
	}
	codings := make([][]analysis.Coding, len(out))
	for _, v := range all {
		if i, ok := index[v.id]; ok {
			codings[i] = append(codings[i], v.c)
		}
	}
	resolve := func(c string) (string, string) {
		c = book.Resolve(c)
		return c, book.Theme(c)
	}
	for i := range out {
		out[i].fact.setCodings(codings[i], resolve)
		slices.Sort(out[i].fact.Stages)
	}
	return out, last, nil
}

// bulkInsert writes many rows with multi-row INSERTs inside a
// transaction (the synthetic seeder on SQLite, and the recount).
type bulkInsert struct {
	s     *Store
	tx    *sql.Tx
	table string
	cols  []string
	args  []any
	rows  int
}

func newBulkInsert(s *Store, tx *sql.Tx, table string, cols []string) *bulkInsert {
	return &bulkInsert{s: s, tx: tx, table: table, cols: cols}
}

// bulkRows is how many rows one INSERT carries (under SQLite's 32,766
// and PostgreSQL's 65,535 parameters).
func (b *bulkInsert) perInsert() int { return max(1, 30000/len(b.cols)) }

func (b *bulkInsert) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows >= b.perInsert() {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulkInsert) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	one := "(?" + strings.Repeat(", ?", len(b.cols)-1) + ")"
	q := "INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES " + one + strings.Repeat(", "+one, b.rows-1)
	_, err := b.tx.ExecContext(ctx, b.s.q(q), b.args...)
	b.args, b.rows = b.args[:0], 0
	return err
}
