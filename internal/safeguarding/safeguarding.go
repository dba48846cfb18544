// Package safeguarding notices when something a person wrote suggests a
// risk of harm: thoughts of suicide or self-harm, or harm from someone
// else. It is a prompt for a human, not a diagnosis: a match shows the
// person crisis support at once and puts a flag on the item for a
// moderator, who follows the programme's escalation path. A missed phrase
// is a missed prompt, so the lists lean towards flagging; a false flag
// costs a moderator a minute.
//
// Matching is by phrase over normalised words: lower case, Polish and
// Romanian letters without their diacritics (people often type without
// them), Arabic-keyboard letters folded to Urdu's, Bengali nukta letters
// decomposed. Every list is tried on every text, because people mix
// languages. See docs/safeguarding.md for the lists' limits and measured
// precision and recall.
package safeguarding

import (
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Match is one phrase found, with the language of its list.
type Match struct {
	Lang   string // en, pl, ro, ur, bn, so
	Phrase string // as written in the list
}

// phrase is a list entry compiled to words; a word ending in "*" matches
// any word that starts with it.
type phrase struct {
	lang, text string
	words      []string
}

type matcher struct {
	byFirst map[string][]phrase // exact first word
	prefix  []phrase            // first word is a prefix pattern
}

var compiled = sync.OnceValue(func() *matcher {
	m := &matcher{byFirst: map[string][]phrase{}}
	for lang, list := range Phrases {
		for _, p := range list {
			ws := words(p, true)
			if len(ws) == 0 {
				continue
			}
			ph := phrase{lang, p, ws}
			if strings.HasSuffix(ws[0], "*") {
				m.prefix = append(m.prefix, ph)
			} else {
				m.byFirst[ws[0]] = append(m.byFirst[ws[0]], ph)
			}
		}
	}
	return m
})

// Assess returns the phrases found in the texts, each once, in the order
// of the languages and then of the lists. No match means no flag.
func Assess(texts ...string) []Match {
	m := compiled()
	seen := map[string]bool{} // lang + phrase
	var out []Match
	for _, t := range texts {
		ws := words(t, false)
		for i, w := range ws {
			for _, p := range m.byFirst[w] {
				if k := p.lang + "\x00" + p.text; !seen[k] && matchAt(ws, i, p.words) {
					seen[k] = true
					out = append(out, Match{p.lang, p.text})
				}
			}
			for _, p := range m.prefix {
				if k := p.lang + "\x00" + p.text; !seen[k] && matchAt(ws, i, p.words) {
					seen[k] = true
					out = append(out, Match{p.lang, p.text})
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Match) int { return langOrder(a.Lang) - langOrder(b.Lang) })
	return out
}

// Flagged reports whether any text suggests a risk of harm.
func Flagged(texts ...string) bool { return len(Assess(texts...)) > 0 }

func langOrder(l string) int {
	return strings.Index("en pl ro ur bn so", l)
}

func matchAt(ws []string, i int, pat []string) bool {
	if i+len(pat) > len(ws) {
		return false
	}
	for k, p := range pat {
		w := ws[i+k]
		if pre, ok := strings.CutSuffix(p, "*"); ok {
			if !strings.HasPrefix(w, pre) {
				return false
			}
		} else if w != p {
			return false
		}
	}
	return true
}

// words splits text into normalised words: letters, digits and marks,
// with an apostrophe inside a word dropped ("don't" -> "dont", so both
// spellings match one entry). Everything else separates words. In a
// pattern (a list entry) a "*" marks a prefix.
func words(s string, pattern bool) []string {
	var out []string
	var b []byte
	flush := func() {
		if len(b) > 0 {
			out = append(out, string(b))
			b = b[:0]
		}
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\'' || r == '’' || r == 'ʼ':
			continue // inside or around a word: dropped
		case r == '*' && pattern:
			b = append(b, '*')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) || r == 0x200C || r == 0x200D:
			b = appendFolded(b, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// appendFolded writes r in the form the lists use.
func appendFolded(b []byte, r rune) []byte {
	switch {
	case r < utf8.RuneSelf:
		return append(b, byte(unicode.ToLower(r)))
	case r >= 0x0600 && r <= 0x06FF:
		switch {
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r == 'ه' || r == 'ة' || r == 'ۃ':
			r = 'ہ'
		case r == 0x0640 || (r >= 0x064B && r <= 0x065F) || r == 0x0670:
			return b // tatweel and short-vowel marks
		}
		return utf8.AppendRune(b, r)
	case r == '\u09DC':
		return append(b, "\u09A1\u09BC"...)
	case r == '\u09DD':
		return append(b, "\u09A2\u09BC"...)
	case r == '\u09DF':
		return append(b, "\u09AF\u09BC"...)
	case r == 0x200C || r == 0x200D:
		return b // joiners change shape, not the word
	}
	if f, ok := latinFold[unicode.ToLower(r)]; ok {
		return append(b, f...)
	}
	return utf8.AppendRune(b, unicode.ToLower(r))
}

// latinFold removes the diacritics of Polish and Romanian letters (and a
// few others a keyboard may produce), so "nie chcę żyć" and "nie chce
// zyc" are one phrase.
var latinFold = map[rune]string{
	'ą': "a", 'ć': "c", 'ę': "e", 'ł': "l", 'ń': "n", 'ó': "o", 'ś': "s", 'ź': "z", 'ż': "z",
	'ă': "a", 'â': "a", 'î': "i", 'ș': "s", 'ş': "s", 'ț': "t", 'ţ': "t",
	'á': "a", 'à': "a", 'ä': "a", 'é': "e", 'è': "e", 'ë': "e", 'í': "i", 'ï': "i", 'ö': "o", 'ú': "u", 'ü': "u",
}
