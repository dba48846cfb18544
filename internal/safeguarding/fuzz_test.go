package safeguarding

import (
	"slices"
	"testing"
)

// FuzzAssess: any input (invalid UTF-8, control characters) is accepted;
// every match is a phrase of its language's list, reported once.
func FuzzAssess(f *testing.F) {
	for _, s := range []string{"", "\xff", "I want to die", "nie chcę żyć", "خودكشي", "আত্মহত্যার", "isdil", "self-harm", "don't want to live"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ms := Assess(text, text)
		seen := map[Match]bool{}
		for _, m := range ms {
			if seen[m] {
				t.Fatalf("%v reported twice", m)
			}
			seen[m] = true
			if !slices.Contains(Phrases[m.Lang], m.Phrase) {
				t.Fatalf("%v is not in the %s list", m, m.Lang)
			}
		}
	})
}
