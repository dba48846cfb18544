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
// experiences e, the ORDER BY that lists them newest first, and the
// arguments.
type textMatcher func(q analysis.Query) (from, order string, args []any)

// TextMatch returns a FROM clause that yields the search_documents rows
// (aliased d) matching q, which must not be empty, joined to their
// experiences (aliased e); the ORDER BY (newest first) that is cheapest
// with it; and its arguments.
// The words reach the database as arguments, never as SQL; they hold
// only letters and digits (analysis.ParseQuery), so neither index's
// query syntax, nor a LIKE pattern, can be steered by them either.
func (d Dialect) TextMatch(q analysis.Query) (from, order string, args []any) { return d.textMatch(q) }

// FindsInside reports whether a search finds its terms (those long
// enough, analysis.Term.Inside) inside longer words of a story in lang,
// so that its snippet marks them there too.
func (d Dialect) FindsInside(lang string) bool { return d.insideWords && lang != "en" }

// ftsMatch is SQLite's: one FTS5 query string, (a OR b) AND c NOT x.
// The matches drive the join (CROSS JOIN fixes SQLite's join order:
// matches, then their documents, then their experiences):
// left to itself the planner walks every approved experience newest
// first and probes the matches, which costs the whole table when few
// of them match. A document's number grows with the time its story was
// shared (migration 0022), so ordering by it newest first is the
// order FTS5 hands matches over in: a page stops after its 21st match
// that passes the filters, instead of sorting every match.
func ftsMatch(q analysis.Query) (string, string, []any) {
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
		" CROSS JOIN experiences e ON e.id = d.experience_id", "m.doc_id DESC", []any{expr}
}

// stemmers are the programme's languages other than English that
// PostgreSQL has a stemmer (a text search configuration) for, each with
// it. A document in one carries its words as that stemmer sees them in
// its stems column (migration 0037, whose column definition lists the
// same languages). English is in every document's words (migration
// 0020), for the English renderings; Polish, Urdu, Bengali and Somali
// have none in PostgreSQL.
var stemmers = []struct{ lang, config string }{{"ro", "romanian"}}

// tsMatch is PostgreSQL's. A word or phrase matches as the English
// stemmer sees it or as written (the simple configuration) in the
// tsvector, and in a document in a language of stemmers as that
// language's stemmer sees it ("spital" finds "spitalul"); a prefix
// matches as written. In a document in another language than English
// a word or phrase of at least 3 letters also matches inside longer
// words, by trigrams (pg_trgm, migration 0022): "wynik" finds "wyniki"
// and "wyników". Newest first by the document's own time shared
// (migration 0030), which its filter b-trees list in that order. An excluded word or phrase matches only as a word, never
// inside a longer one: "-rak" leaves out a story about "rak", never one
// that says "brak" (a stemmer's forms of it count as the word, so
// "-spital" also leaves out a Romanian "spitalul"; SQLite has no
// stemmer).
func tsMatch(q analysis.Query) (string, string, []any) {
	var args []any
	term := func(t analysis.Term, exclude bool) string {
		var words string
		if t.Prefix {
			args = append(args, strings.Join(t.Words, " <-> ")+":*")
			words = "d.words @@ to_tsquery('simple', ?)"
		} else {
			p := strings.Join(t.Words, " ")
			args = append(args, p, p)
			words = "d.words @@ (phraseto_tsquery('english', ?) || phraseto_tsquery('simple', ?))"
			for _, st := range stemmers {
				args = append(args, p)
				words += " OR (d.lang = '" + st.lang + "' AND d.stems @@ phraseto_tsquery('" + st.config + "', ?))"
			}
		}
		if exclude || !t.Inside() {
			return "(" + words + ")"
		}
		args = append(args, "%"+strings.Join(t.Words, " ")+"%")
		return "(" + words + " OR (d.lang <> 'en' AND d.body ILIKE ?))"
	}
	var all []string
	for _, c := range q.All {
		var alts []string
		for _, t := range c {
			alts = append(alts, term(t, false))
		}
		all = append(all, "("+strings.Join(alts, " OR ")+")")
	}
	for _, t := range q.Exclude {
		all = append(all, "NOT "+term(t, true))
	}
	return "search_documents d JOIN experiences e ON e.id = d.experience_id AND " + strings.Join(all, " AND "),
		"d.created_at DESC, d.experience_id DESC", args
}
