package analysis

import (
	"errors"
	"strings"
	"unicode"
)

// Passage is the part of one answer a coding applies to: [Start, End) in
// Unicode code points of that answer's text. Whole means the whole answer,
// which stays whole however the text is later corrected.
type Passage struct {
	Field string // which answer: what_happened, went_well, could_be_better, idea, or translation.<field>
	Start int
	End   int
	Whole bool
}

// Answer fields that can be coded, in the order the story is told.
var AnswerFields = []string{"what_happened", "went_well", "could_be_better", "idea"}

// TranslationPrefix marks a passage in a human English rendering of an answer.
const TranslationPrefix = "translation."

// IsAnswerField reports whether f names a codable answer or its translation.
func IsAnswerField(f string) bool {
	f = strings.TrimPrefix(f, TranslationPrefix)
	for _, a := range AnswerFields {
		if a == f {
			return true
		}
	}
	return false
}

// Passage errors.
var (
	ErrPassageField = errors.New("analysis: the passage names no answer of this experience")
	ErrPassageRange = errors.New("analysis: the passage is outside the answer")
	ErrPassageEmpty = errors.New("analysis: the passage is empty")
)

// WholeOf is the whole of an answer.
func WholeOf(field, text string) Passage {
	return Passage{Field: field, Start: 0, End: len([]rune(text)), Whole: true}
}

// Check validates a passage against the answer's text: inside it, not
// empty, and not only spaces (a highlighted blank is nobody's words).
func (p Passage) Check(text string) error {
	if !IsAnswerField(p.Field) {
		return ErrPassageField
	}
	r := []rune(text)
	if p.Whole {
		if len(r) == 0 {
			return ErrPassageEmpty
		}
		return nil
	}
	if p.Start < 0 || p.End > len(r) || p.Start > p.End {
		return ErrPassageRange
	}
	if strings.TrimSpace(string(r[p.Start:p.End])) == "" {
		return ErrPassageEmpty
	}
	return nil
}

// Text returns the passage's words from the answer's text ("" if out of range).
func (p Passage) Text(text string) string {
	r := []rune(text)
	if p.Whole {
		return text
	}
	if p.Start < 0 || p.End > len(r) || p.Start > p.End {
		return ""
	}
	return string(r[p.Start:p.End])
}

// Overlaps reports whether two passages of the same answer share a character.
func (p Passage) Overlaps(q Passage, textLen int) bool {
	if p.Field != q.Field {
		return false
	}
	ps, pe := p.bounds(textLen)
	qs, qe := q.bounds(textLen)
	return ps < qe && qs < pe
}

// Covers reports whether p contains q entirely.
func (p Passage) Covers(q Passage, textLen int) bool {
	if p.Field != q.Field {
		return false
	}
	ps, pe := p.bounds(textLen)
	qs, qe := q.bounds(textLen)
	return ps <= qs && qe <= pe
}

func (p Passage) bounds(textLen int) (int, int) {
	if p.Whole {
		return 0, textLen
	}
	return p.Start, p.End
}

// Trim moves the ends of a passage inwards past spaces, so a highlight
// that caught a trailing space is stored as the words themselves.
func (p Passage) Trim(text string) Passage {
	if p.Whole {
		return p
	}
	r := []rune(text)
	if p.Start < 0 || p.End > len(r) || p.Start > p.End {
		return p
	}
	for p.Start < p.End && unicode.IsSpace(r[p.Start]) {
		p.Start++
	}
	for p.End > p.Start && unicode.IsSpace(r[p.End-1]) {
		p.End--
	}
	return p
}

// Reanchor finds a passage again after the answer's text changed (a
// correction or a redaction). A whole answer stays whole. A passage whose
// words are still at the same place, or occur exactly once in the new
// text, moves with them; otherwise ok is false and the coding goes back to
// a coder, because guessing would put a theme on words nobody coded.
func Reanchor(oldText, newText string, p Passage) (Passage, bool) {
	if p.Whole {
		return WholeOf(p.Field, newText), strings.TrimSpace(newText) != ""
	}
	words := p.Text(oldText)
	if strings.TrimSpace(words) == "" {
		return p, false
	}
	nr := []rune(newText)
	if p.End <= len(nr) && string(nr[p.Start:p.End]) == words {
		return p, true
	}
	first := strings.Index(newText, words)
	if first < 0 || strings.Contains(newText[first+len(words):], words) {
		return p, false
	}
	start := len([]rune(newText[:first]))
	return Passage{Field: p.Field, Start: start, End: start + len([]rune(words))}, true
}

// Span is a sentence of an answer, in code points.
type Span struct{ Start, End int }

// sentenceEnd are the marks that end a sentence in the programme's
// scripts: Latin . ! ?, the Urdu full stop ۔ and question mark ؟, the
// Bengali daṛi । and double daṛi ॥, and the ellipsis.
func sentenceEnd(r rune) bool {
	switch r {
	case '.', '!', '?', '۔', '؟', '।', '॥', '…':
		return true
	}
	return false
}

// titles is the short words that a full stop follows without ending a
// sentence: "Dr. Khan", "Mrs. Nowak".
var titles = map[string]bool{"dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "st": true, "nr": true, "e.g": true, "i.e": true}

func abbreviation(before []rune) bool {
	i := len(before)
	for i > 0 && !unicode.IsSpace(before[i-1]) {
		i--
	}
	return titles[strings.ToLower(string(before[i:]))]
}

// Sentences splits an answer into sentences (and lines), trimmed of
// spaces, so that people without JavaScript can code by choosing
// sentences and agreement can be counted sentence by sentence.
func Sentences(text string) []Span {
	r := []rune(text)
	var out []Span
	start := 0
	emit := func(end int) {
		s, e := start, end
		for s < e && unicode.IsSpace(r[s]) {
			s++
		}
		for e > s && unicode.IsSpace(r[e-1]) {
			e--
		}
		if e > s {
			out = append(out, Span{s, e})
		}
		start = end
	}
	for i := 0; i < len(r); i++ {
		switch {
		case r[i] == '\n':
			emit(i + 1)
		case sentenceEnd(r[i]):
			j := i + 1
			for j < len(r) && (sentenceEnd(r[j]) || r[j] == '"' || r[j] == '\'' || r[j] == ')' || r[j] == '”' || r[j] == '’') {
				j++
			}
			// "3.5" (no space after) and "Dr. Khan" (a title before)
			// do not end a sentence.
			if (j == len(r) || unicode.IsSpace(r[j])) && !(r[i] == '.' && abbreviation(r[start:i])) {
				emit(j)
				i = j - 1
			}
		}
	}
	emit(len(r))
	return out
}

// ErrNoQuoteConsent means the person did not agree to be quoted, so no
// passage of theirs may be marked as a quote.
var ErrNoQuoteConsent = errors.New("analysis: the person did not agree to be quoted")

// ErrStoryChanged means the experience changed (a redaction or a
// correction) after the coder opened it: the passage must be chosen again.
var ErrStoryChanged = errors.New("analysis: the experience changed while it was being coded")
