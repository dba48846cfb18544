// Package moderation finds identifying details in residents' free-text
// answers (names, staff names, email addresses, phone numbers, NHS
// numbers, postcodes, exact dates, street addresses, long reference
// numbers) so that a connector can redact them before anything is analysed
// or published.
//
// The scanner is rule based: a single tokenising pass, a lexicon of words
// (titles, job roles, family words, months, street types, services and
// places in English, Polish, Romanian, Somali and transliterated Urdu) and
// embedded lists of common given names, plus byte-level passes for digits
// and "@". Urdu and Bengali script, which have no capitals, have name rules
// of their own (script_names.go). See docs/scanner.md for the rules, measured precision and recall,
// and known limits.
package moderation

import (
	"cmp"
	"slices"
	"strings"
	"sync"
)

// Kind is the kind of identifying detail a Finding holds.
type Kind string

// Kinds, in merge priority order (highest first): when two findings
// overlap they are merged into one span that takes the higher kind.
const (
	Email            Kind = "email"
	NHSNumber        Kind = "nhs_number"
	Phone            Kind = "phone"
	Postcode         Kind = "postcode"
	Address          Kind = "address"
	Date             Kind = "date"
	Staff            Kind = "staff"
	Name             Kind = "name"
	PostcodeDistrict Kind = "postcode_district"
	Number           Kind = "number"
)

// Kinds lists every kind in priority order.
var Kinds = []Kind{Email, NHSNumber, Phone, Postcode, Address, Date, Staff, Name, PostcodeDistrict, Number}

func (k Kind) priority() int {
	for i, x := range Kinds {
		if x == k {
			return len(Kinds) - i
		}
	}
	return 0
}

// Placeholder is the text Redact puts in place of a span of kind k,
// e.g. "[name]", "[nhs_number]".
func (k Kind) Placeholder() string {
	if k == "" {
		return "[redacted]"
	}
	return "[" + string(k) + "]"
}

// Finding is one span of text likely to identify someone.
type Finding struct {
	Kind Kind
	// Start and End are byte offsets into the scanned text, on rune
	// boundaries: Text == text[Start:End].
	Start, End int
	Text       string
}

// Scanner finds identifying details. Build it once with NewScanner; it is
// immutable afterwards and safe for concurrent use.
type Scanner struct {
	lex *lexicon
}

// NewScanner builds a scanner, loading the embedded name lists.
func NewScanner() *Scanner {
	lx, err := newLexicon()
	if err != nil {
		// The lists are embedded at build time; failure is a build bug.
		panic(err)
	}
	return &Scanner{lex: lx}
}

var defaultScanner = sync.OnceValue(NewScanner)

// Default returns the package's shared scanner.
func Default() *Scanner { return defaultScanner() }

// Scan finds identifying details with the default scanner.
func Scan(text string) []Finding { return Default().Scan(text) }

// Scan returns the findings in text, sorted by Start and non-overlapping.
// It accepts any input, including invalid UTF-8 and control characters.
func (sc *Scanner) Scan(text string) []Finding {
	if len(text) == 0 {
		return nil
	}
	var raw []Finding
	emit := func(k Kind, start, end int) {
		if start < end {
			raw = append(raw, Finding{Kind: k, Start: start, End: end})
		}
	}
	scanEmails(text, emit)
	sc.scanDigits(text, emit)
	toks := sc.tokenize(text)
	sc.scanTokens(text, toks, emit)
	return mergeFindings(text, raw)
}

// mergeFindings sorts findings, clamps them to text and merges overlapping
// spans; a merged span takes the highest-priority kind among its parts.
func mergeFindings(text string, fs []Finding) []Finding {
	clean := fs[:0:0]
	for _, f := range fs {
		f.Start = max(f.Start, 0)
		f.End = min(f.End, len(text))
		if f.Start < f.End {
			clean = append(clean, f)
		}
	}
	slices.SortFunc(clean, func(a, b Finding) int {
		if c := cmp.Compare(a.Start, b.Start); c != 0 {
			return c
		}
		return cmp.Compare(b.End, a.End)
	})
	out := clean[:0]
	for _, f := range clean {
		if n := len(out); n > 0 && f.Start < out[n-1].End {
			last := &out[n-1]
			last.End = max(last.End, f.End)
			if f.Kind.priority() > last.Kind.priority() {
				last.Kind = f.Kind
			}
			continue
		}
		out = append(out, f)
	}
	for i := range out {
		out[i].Text = text[out[i].Start:out[i].End]
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Redact returns text with every finding's span replaced by its kind's
// placeholder ("[name]", "[phone]", ...). The findings need not be sorted;
// out-of-range offsets are clamped and overlapping spans merged, so any
// slice is accepted.
func Redact(text string, fs []Finding) string {
	if len(fs) == 0 {
		return text
	}
	fs = mergeFindings(text, slices.Clone(fs))
	var b strings.Builder
	b.Grow(len(text))
	pos := 0
	for _, f := range fs {
		b.WriteString(text[pos:f.Start])
		b.WriteString(f.Kind.Placeholder())
		pos = f.End
	}
	b.WriteString(text[pos:])
	return b.String()
}

// RedactText scans text with the default scanner and redacts it.
func RedactText(text string) string { return Redact(text, Scan(text)) }
