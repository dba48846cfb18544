package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tkWord  tokKind = iota + 1 // letters, possibly with digits ("LU1", "3rd", "O'Brien")
	tkNum                      // ASCII digits only
	tkPunct                    // one non-space, non-word rune
)

// Gap before a token.
const (
	gapNone  uint8 = iota // touching the previous token
	gapSpace              // spaces or tabs only
	gapBreak              // a line break, a long run of spaces, or control characters
)

type token struct {
	start, end int // byte offsets of the token in the text
	core       int // end without a possessive "'s" / "’s"
	kind       tokKind
	gap        uint8 // gap before this token
	cap        bool  // Capitalised: first letter upper case, not ALL CAPS (single letters count)
	upper      bool  // every letter upper case (at least one letter)
	sent       bool  // first token of a sentence
	letters    int
	digits     int // ASCII digits
	// script of the word's first letter; Arabic (Urdu) and Bengali words
	// have no capitals, so the name rules for them are in script_names.go.
	script uint8
	info   wordInfo
}

const (
	scriptLatin  uint8 = iota // and every other cased script
	scriptArabic              // Urdu
	scriptBengali
)

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool       { return c >= '0' && c <= '9' }

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		c := byte(r)
		return isASCIILetter(c) || isDigit(c)
	}
	// Every combining mark belongs to its word: Bengali vowel signs are
	// spacing marks (Mc), so "রহিম" would otherwise split in three. Zero-
	// width joiners shape Bengali and Urdu letters inside a word.
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.M, r) || r == 0x200C || r == 0x200D
}

func isLetterRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIILetter(byte(r))
	}
	return unicode.IsLetter(r)
}

// decode is utf8.DecodeRuneInString with an ASCII fast path. Invalid
// bytes decode as utf8.RuneError of size 1, as in a range loop.
func decode(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	return utf8.DecodeRuneInString(s[i:])
}

// abbreviations after which a full stop does not end a sentence.
var noSentenceEnd = map[string]bool{
	"dr": true, "mr": true, "mrs": true, "ms": true, "st": true, "prof": true, "no": true,
	"dl": true, "dna": true, "nr": true, "tel": true, "mob": true, "ref": true, "approx": true, "etc": false,
}

// tokenize splits text into tokens in one pass and looks each word up in
// the lexicon. buf is scratch space for lower-casing.
func (sc *Scanner) tokenize(s string) []token {
	toks := make([]token, 0, len(s)/4+1)
	var buf []byte
	gap := gapBreak
	sent := true
	i := 0
	for i < len(s) {
		r, size := decode(s, i)
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x2028 || r == 0x2029 || r == 0x85:
			gap = gapBreak
			sent = true
			i += size
			continue
		case r == ' ' || r == '\t' || r == 0xA0 || (r >= 0x2000 && r <= 0x200B) || r == 0x202F || r == 0x3000:
			if gap == gapNone {
				gap = gapSpace
			}
			i += size
			continue
		case r == utf8.RuneError && size == 1, r < 0x20, r == 0x7f, r >= 0x80 && r < 0xA0:
			gap = gapBreak
			i += size
			continue
		case unicode.IsSpace(r):
			if gap == gapNone {
				gap = gapSpace
			}
			i += size
			continue
		}
		t := token{start: i, gap: gap, sent: sent}
		if !isWordRune(r) {
			t.kind = tkPunct
			t.end = i + size
			t.core = t.end
			i += size
			toks = append(toks, t)
			gap = gapNone
			switch r {
			case '.', '!', '?', '…', '؟', '۔', '।':
				sent = true
				if r == '.' && len(toks) >= 2 {
					p := toks[len(toks)-2]
					if p.end == t.start && p.kind == tkWord {
						w := s[p.start:p.end]
						if (p.letters == 1 && p.cap) || noSentenceEnd[string(lowerBytes(&buf, w))] {
							sent = false
						}
					}
				}
			case '"', '“', '”', '\'', '‘', '’', '(', '[', '-', '–', '—', '*', '•', '·', '>':
				// keep sentence state: "(Anna ..." after a full stop is still sentence-initial
			default:
				sent = false
			}
			continue
		}
		// A word: letters/digits/marks, joined across ' ’ - when a letter
		// is on both sides.
		j := i
		letters, digits := 0, 0
		firstUpper := false
		anyLower, anyUpper := false, false
		prevLetter := false
		for j < len(s) {
			r, size := decode(s, j)
			if isWordRune(r) {
				if r < utf8.RuneSelf {
					c := byte(r)
					if isDigit(c) {
						digits++
						prevLetter = false
					} else {
						if letters == 0 && j == i {
							firstUpper = c <= 'Z'
						}
						if c >= 'a' {
							anyLower = true
						} else {
							anyUpper = true
						}
						letters++
						prevLetter = true
					}
				} else if unicode.IsLetter(r) {
					if letters == 0 && j == i {
						firstUpper = unicode.IsUpper(r) || unicode.IsTitle(r)
						switch {
						case unicode.Is(unicode.Arabic, r):
							t.script = scriptArabic
						case unicode.Is(unicode.Bengali, r):
							t.script = scriptBengali
						}
					}
					if unicode.IsLower(r) {
						anyLower = true
					} else if unicode.IsUpper(r) || unicode.IsTitle(r) {
						anyUpper = true
					}
					letters++
					prevLetter = true
				} else {
					prevLetter = false
				}
				j += size
				continue
			}
			if prevLetter && (r == '\'' || r == '’' || r == '-' || r == '‐') && j+size < len(s) {
				nr, _ := decode(s, j+size)
				if isLetterRune(nr) {
					j += size
					prevLetter = false
					continue
				}
			}
			break
		}
		t.end = j
		t.core = j
		t.letters = letters
		t.digits = digits
		if letters == 0 && digits == j-i {
			t.kind = tkNum
		} else {
			t.kind = tkWord
			w := s[i:j]
			if n := len(w); n > 3 && (strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s")) {
				if strings.HasSuffix(w, "'s") {
					t.core = j - 2
				} else {
					t.core = j - len("’s")
				}
			}
			// Letters of a script without case (Urdu, Bengali) are
			// neither: such a word is not "ALL CAPS".
			t.upper = anyUpper && !anyLower
			t.cap = firstUpper && (letters == 1 || anyLower)
			if letters > 0 {
				buf = lowerBytes(&buf, s[i:t.core])
				t.info = sc.lex.words[string(buf)]
			}
		}
		i = j
		toks = append(toks, t)
		gap = gapNone
		sent = false
	}
	return toks
}

// lowerBytes lower-cases w into *buf (reusing its storage) and returns it.
// Indexing a map with string(lowerBytes(...)) does not allocate.
func lowerBytes(buf *[]byte, w string) []byte {
	b := (*buf)[:0]
	for k := 0; k < len(w); {
		c := w[k]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			k++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[k:])
		k += size
		if r == '’' {
			r = '\''
		}
		if r >= 0x0600 && r <= 0x09FF {
			b = foldScript(b, r)
			continue
		}
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	*buf = b
	return b
}

// lowerString is the allocating variant used when building the lexicon.
func lowerString(w string) string {
	var b []byte
	return string(lowerBytes(&b, w))
}

// foldScript appends the form of an Arabic-script or Bengali rune that the
// lexicon uses, so one spelling matches however it was typed: Arabic
// keyboards' yeh, kaf, heh and teh marbuta become Urdu's ی ک ہ; short-vowel
// marks and the joining stroke (tatweel) are dropped; Bengali's precomposed
// ড় ঢ় য় become base letter + nukta, as most keyboards type them.
func foldScript(b []byte, r rune) []byte {
	switch {
	case r == 'ي' || r == 'ى':
		r = 'ی'
	case r == 'ك':
		r = 'ک'
	case r == 'ه' || r == 'ة' || r == 'ۃ':
		r = 'ہ'
	case r == 0x0640 || (r >= 0x064B && r <= 0x065F) || r == 0x0670:
		return b
	case r == '\u09DC':
		return append(b, "\u09A1\u09BC"...)
	case r == '\u09DD':
		return append(b, "\u09A2\u09BC"...)
	case r == '\u09DF':
		return append(b, "\u09AF\u09BC"...)
	}
	return utf8.AppendRune(b, r)
}
