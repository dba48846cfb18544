package analysis

import (
	"fmt"
	"testing"
)

// TestCountPassages: a code's passages are its distinct stretches once
// merges are followed; a theme's are the distinct stretches of any of
// its codes, so one stretch with two codes of a theme is one passage of
// it, and a stretch with codes of two themes is a passage of each.
func TestCountPassages(t *testing.T) {
	t.Parallel()
	first := Passage{Field: "what_happened", Start: 0, End: 9}
	second := Passage{Field: "what_happened", Start: 11, End: 32}
	whole := Passage{Field: "what_happened", Whole: true}
	rendering := Passage{Field: "translation.what_happened", Start: 0, End: 9}
	// interp and letters are language's codes; old was merged into
	// interp; bus is transport's.
	resolve := func(c string) (string, string) {
		switch c {
		case "old", "interp":
			return "interp", "language"
		case "letters":
			return "letters", "language"
		}
		return c, "transport"
	}
	byCode, byTheme := CountPassages([]Coding{
		{"interp", first}, {"old", first}, // merged: one passage of interp
		{"letters", first}, // the same stretch: language counts it once
		{"interp", second}, {"interp", whole}, {"interp", rendering},
		{"bus", first}, // the same stretch, another theme: a passage of each
	}, resolve)
	if got := fmt.Sprint(byCode); got != "map[bus:1 interp:4 letters:1]" {
		t.Errorf("by code: %s", got)
	}
	if got := fmt.Sprint(byTheme); got != "map[language:4 transport:1]" {
		t.Errorf("by theme: %s", got)
	}
	if c, th := CountPassages(nil, resolve); len(c) != 0 || len(th) != 0 {
		t.Errorf("no codings: %v %v", c, th)
	}
}
