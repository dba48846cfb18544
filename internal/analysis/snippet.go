package analysis

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Segment is a piece of a search result's snippet; the pieces marked are
// the words that matched. The page escapes each piece as it writes it
// (html/template), so a story's text can never become markup.
type Segment struct {
	Text string
	Mark bool
}

// InsideMin is the fewest letters (a phrase's spaces counted) a term
// needs to be found inside longer words, where a search does that
// (PostgreSQL's trigrams, in a story not in English): fewer would find
// almost every story.
const InsideMin = 3

// Inside reports whether the term is long enough to be found inside
// longer words (InsideMin).
func (t Term) Inside() bool { return utf8.RuneCountInString(strings.Join(t.Words, " ")) >= InsideMin }

// Snippet cuts about maxRunes of text around the first words that match
// the terms and marks every matching word in it. Matching is forgiving in
// the way the indexes are: case and accents do not count, a * term takes
// longer words, and English endings (-s, -es, -ed, -ing) are set aside,
// so "waiting times" marks "waited" and "time". With inside (the search
// found terms inside longer words, Term.Inside) a word that holds the
// term is marked too: "wynik" marks "wyników". A story matched only in a
// way the snippet cannot see starts at its beginning, unmarked.
func Snippet(text string, terms []Term, maxRunes int, inside bool) []Segment {
	rs := []rune(text)
	type span struct{ start, end int }
	var words []span
	for i := 0; i < len(rs); {
		if !isWordRune(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && isWordRune(rs[j]) {
			j++
		}
		words = append(words, span{i, j})
		i = j
	}
	folded := make([]string, len(words))
	for i, w := range words {
		folded[i] = fold(string(rs[w.start:w.end]))
	}
	var marks []span
	for i := range words {
		for _, t := range terms {
			n := len(t.Words)
			if n == 0 || i+n > len(words) {
				continue
			}
			in := inside && t.Inside()
			ok := true
			for k, tw := range t.Words {
				ft, fw := fold(tw), folded[i+k]
				if !wordMatches(ft, fw, t.Prefix && k == n-1) && !(in && insideMatches(ft, fw, k, n)) {
					ok = false
					break
				}
			}
			if ok {
				marks = append(marks, span{words[i].start, words[i+n-1].end})
				break
			}
		}
	}
	// The window: a third of it before the first match, on a word's start.
	from := 0
	if len(marks) > 0 {
		from = max(marks[0].start-maxRunes/3, 0)
		for _, w := range words {
			if from > 0 && w.start >= from {
				from = w.start
				break
			}
		}
	}
	to := from + maxRunes
	if to >= len(rs) {
		to = len(rs)
	} else {
		for k := len(words) - 1; k >= 0; k-- { // end on a word's end
			if words[k].end <= to && words[k].end > from {
				to = words[k].end
				break
			}
		}
	}
	var out []Segment
	add := func(s string, mark bool) {
		if s == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Mark == mark {
			out[n-1].Text += s
			return
		}
		out = append(out, Segment{Text: s, Mark: mark})
	}
	if from > 0 {
		add("… ", false)
	}
	pos := from
	for _, m := range marks {
		if m.end <= pos || m.start >= to {
			continue
		}
		start, end := max(m.start, pos), min(m.end, to)
		add(string(rs[pos:start]), false)
		add(string(rs[start:end]), true)
		pos = end
	}
	add(string(rs[pos:to]), false)
	if to < len(rs) {
		add(" …", false)
	}
	return out
}

// fold lower-cases a word and takes its accents off (ą to a, é to e), as
// the SQLite index does.
func fold(w string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(w)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if r == 'ł' { // Polish ł has no accent to take off in Unicode
			r = 'l'
		}
		b.WriteRune(r)
	}
	return b.String()
}

func wordMatches(term, word string, prefix bool) bool {
	if term == word || prefix && strings.HasPrefix(word, term) {
		return true
	}
	st := englishStem(term)
	return len([]rune(st)) >= 3 && st == englishStem(word)
}

// insideMatches reports whether word can be the k-th of n words of a
// text that holds the phrase whose k-th word is term, as a substring
// (what the trigram search matched): a word alone anywhere in a longer
// word, a phrase's first word at a word's end, its last at a word's
// start and any other whole.
func insideMatches(term, word string, k, n int) bool {
	switch {
	case n == 1:
		return strings.Contains(word, term)
	case k == 0:
		return strings.HasSuffix(word, term)
	case k == n-1:
		return strings.HasPrefix(word, term)
	}
	return term == word
}

// englishStem sets aside the commonest English endings, enough to mark
// the words PostgreSQL's English stemmer matched.
func englishStem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if s, ok := strings.CutSuffix(w, suf); ok && len([]rune(s)) >= 3 {
			return s
		}
	}
	return w
}
