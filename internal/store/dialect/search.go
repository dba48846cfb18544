package dialect

import (
	"strings"

	"github.com/hearme-project/hearme/internal/analysis"
)

// Full-text search is the one query the two databases cannot share:
// SQLite matches in an FTS5 table (migration 0020), PostgreSQL in a
// tsvector column. Both index the rows of search_documents.

// textMatcher writes the documents that match a parsed query joined to
// their experiences, as a FROM clause naming search_documents d and
// experiences e, with its arguments.
type textMatcher func(q analysis.Query) (string, []any)

// TextMatch returns a FROM clause that yields the search_documents rows
// (aliased d) matching q, which must not be empty, joined to their
// experiences (aliased e), with its arguments.
// The words reach the database as arguments, never as SQL; they hold
// only letters and digits (analysis.ParseQuery), so neither index's
// query syntax can be steered by them either.
func (d Dialect) TextMatch(q analysis.Query) (string, []any) { return d.textMatch(q) }

// ftsMatch is SQLite's: one FTS5 query string, (a OR b) AND c NOT x.
// The matches drive the join (CROSS JOIN fixes SQLite's join order:
// matches, then their documents, then their experiences):
// left to itself the planner walks every approved experience newest
// first and probes the matches, which costs the whole table when few
// of them match.
func ftsMatch(q analysis.Query) (string, []any) {
	term := func(t analysis.Term) string {
		s := `"` + strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`) + `"`
		if t.Prefix {
			s += "*"
		}
		return s
	}
	var all []string
	for _, c := range q.All {
		var alts []string
		for _, t := range c {
			alts = append(alts, term(t))
		}
		all = append(all, "("+strings.Join(alts, " OR ")+")")
	}
	expr := "(" + strings.Join(all, " AND ") + ")"
	for _, t := range q.Exclude {
		expr += " NOT " + term(t)
	}
	return "(SELECT rowid AS doc_id FROM search_index WHERE search_index MATCH ?) m CROSS JOIN search_documents d ON d.doc_id = m.doc_id" +
		" CROSS JOIN experiences e ON e.id = d.experience_id", []any{expr}
}

// tsMatch is PostgreSQL's: a tsquery built from the terms. A word or
// phrase matches as the English stemmer sees it or as written (the
// simple configuration, for the other languages); a prefix matches as
// written.
func tsMatch(q analysis.Query) (string, []any) {
	var args []any
	term := func(t analysis.Term) string {
		if t.Prefix {
			args = append(args, strings.Join(t.Words, " <-> ")+":*")
			return "to_tsquery('simple', ?)"
		}
		p := strings.Join(t.Words, " ")
		args = append(args, p, p)
		return "(phraseto_tsquery('english', ?) || phraseto_tsquery('simple', ?))"
	}
	var all []string
	for _, c := range q.All {
		var alts []string
		for _, t := range c {
			alts = append(alts, term(t))
		}
		all = append(all, "("+strings.Join(alts, " || ")+")")
	}
	expr := strings.Join(all, " && ")
	for _, t := range q.Exclude {
		expr += " && (!!" + term(t) + ")"
	}
	return "(SELECT experience_id, body FROM search_documents WHERE words @@ (" + expr + ")) d JOIN experiences e ON e.id = d.experience_id", args
}
