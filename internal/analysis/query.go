package analysis

import (
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The search box's language (/staff/analysis/search): words, "quoted
// phrases", -exclusions and OR between alternatives, as people type them
// into any search engine. `"waiting times" -parking` finds stories with
// the phrase and without the word; `interpreter OR translator` finds
// either; a word ending in * also finds longer words that start with it
// (kolej* finds kolejka and kolejki: Polish endings). Words are matched
// case-insensitively, in every script.

// Limits of a query: long enough for any real question, short enough
// that no query can make the database work hard.
const (
	MaxQueryRunes = 200
	MaxQueryTerms = 12
)

// Errors of a query the search cannot read. Each is a translation key,
// shown against the search box.
var (
	ErrQueryQuote          = errors.New("search.error.quote")
	ErrQueryOnlyExclusions = errors.New("search.error.only_exclusions")
	ErrQueryTooLong        = errors.New("search.error.too_long")
	ErrQueryOR             = errors.New("search.error.or")
)

// Term is a word, or a phrase of words that must come one after the
// other. Words are lower-cased letters and digits only (what a search
// index stores), so a term can be handed to any index's query syntax.
type Term struct {
	Words  []string
	Prefix bool // the last word also matches longer words that start with it
}

// Clause is one or more alternatives, of which a story needs any one.
type Clause []Term

// Query is a parsed search: a story matches when it matches every
// clause and none of the exclusions. The zero Query (an empty box)
// matches every story; the filters alone then choose.
type Query struct {
	All     []Clause
	Exclude []Term
}

// Empty reports whether the query has no terms at all.
func (q Query) Empty() bool { return len(q.All) == 0 && len(q.Exclude) == 0 }

// Terms is how many terms the query has (what the audit trail records
// of it: never the words).
func (q Query) Terms() int {
	n := len(q.Exclude)
	for _, c := range q.All {
		n += len(c)
	}
	return n
}

// Positive lists the terms a matching story contains (for highlighting).
func (q Query) Positive() []Term {
	var out []Term
	for _, c := range q.All {
		out = append(out, c...)
	}
	return out
}

// token is one piece of the query as typed.
type token struct {
	or      bool // the operator OR
	exclude bool
	term    Term
}

// ParseQuery reads a search as typed into the search box.
func ParseQuery(s string) (Query, error) {
	var q Query
	s = strings.TrimSpace(norm.NFC.String(s))
	if utf8.RuneCountInString(s) > MaxQueryRunes {
		return q, ErrQueryTooLong
	}
	toks, err := lex(s)
	if err != nil {
		return q, err
	}
	terms := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.or {
			return Query{}, ErrQueryOR // OR with nothing before it, or twice
		}
		if t.exclude {
			if i+1 < len(toks) && toks[i+1].or {
				return Query{}, ErrQueryOR // an exclusion cannot be an alternative
			}
			q.Exclude = append(q.Exclude, t.term)
			terms++
			continue
		}
		clause := Clause{t.term}
		for i+1 < len(toks) && toks[i+1].or {
			if i+2 >= len(toks) || toks[i+2].or || toks[i+2].exclude {
				return Query{}, ErrQueryOR
			}
			clause = append(clause, toks[i+2].term)
			i += 2
		}
		q.All = append(q.All, clause)
		terms += len(clause)
	}
	if terms > MaxQueryTerms {
		return Query{}, ErrQueryTooLong
	}
	if len(q.All) == 0 && len(q.Exclude) > 0 {
		return Query{}, ErrQueryOnlyExclusions
	}
	return q, nil
}

// lex splits the query into words, phrases and ORs. Pieces with no
// letter or digit in them ("!!", a lone "-") are dropped.
func lex(s string) ([]token, error) {
	var out []token
	rs := []rune(s)
	for i := 0; i < len(rs); {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		exclude := false
		if rs[i] == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]) {
			exclude = true
			i++
		}
		if rs[i] == '"' {
			end := i + 1
			for end < len(rs) && rs[end] != '"' {
				end++
			}
			if end == len(rs) {
				return nil, ErrQueryQuote
			}
			if words := Words(string(rs[i+1 : end])); len(words) > 0 {
				out = append(out, token{exclude: exclude, term: Term{Words: words}})
			}
			i = end + 1
			continue
		}
		end := i
		for end < len(rs) && !unicode.IsSpace(rs[end]) && rs[end] != '"' {
			end++
		}
		piece := string(rs[i:end])
		i = end
		if piece == "OR" && !exclude {
			out = append(out, token{or: true})
			continue
		}
		prefix := strings.HasSuffix(piece, "*")
		if words := Words(piece); len(words) > 0 {
			out = append(out, token{exclude: exclude, term: Term{Words: words, Prefix: prefix}})
		}
	}
	return out, nil
}

// Words splits text into lower-cased runs of letters, marks and digits,
// as a search index does (unicode61 on SQLite, the simple parser on
// PostgreSQL).
func Words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		out = append(out, strings.ToLower(w))
	}
	return out
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}
