package analysis

import (
	"math"
	"testing"
)

func set(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// A worked example: 10 sentences; both coders used W on 4, only A on 1,
// only B on 1, neither on 4. po = 0.8, pe = 0.5*0.5 + 0.5*0.5 = 0.5,
// kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
func TestKappaWorkedExample(t *testing.T) {
	t.Parallel()
	var units []Unit
	for range 4 {
		units = append(units, Unit{A: set("W", "x"), B: set("W", "x")})
	}
	units = append(units, Unit{A: set("W", "x"), B: set("x")}, Unit{A: set("x"), B: set("W", "x")})
	for range 4 {
		units = append(units, Unit{A: set("x"), B: set("x")})
	}
	ag := Kappa(units)
	var w CodeAgreement
	for _, c := range ag.Codes {
		if c.Code == "W" {
			w = c
		}
	}
	if w.Both != 4 || w.OnlyA != 1 || w.OnlyB != 1 || w.Units != 10 {
		t.Fatalf("table = %+v", w)
	}
	if math.Abs(w.Observed-0.8) > 1e-9 || math.Abs(w.Kappa-0.6) > 1e-9 {
		t.Errorf("observed %v kappa %v, want 0.8 and 0.6", w.Observed, w.Kappa)
	}
	// x was used on every sentence by both: chance agreement is 1, kappa undefined.
	for _, c := range ag.Codes {
		if c.Code == "x" && c.Defined() {
			t.Errorf("kappa for a code used everywhere should be undefined, got %v", c.Kappa)
		}
	}
}

func TestKappaPerfectAndOpposite(t *testing.T) {
	t.Parallel()
	perfect := []Unit{{A: set("a"), B: set("a")}, {A: set("b"), B: set("b")}}
	if k := Kappa(perfect).Codes[0].Kappa; math.Abs(k-1) > 1e-9 {
		t.Errorf("perfect agreement kappa = %v", k)
	}
	opposite := []Unit{{A: set("a"), B: set("b")}, {A: set("b"), B: set("a")}}
	if k := Kappa(opposite).Codes[0].Kappa; k >= 0 {
		t.Errorf("systematic disagreement kappa = %v, want negative", k)
	}
}

func TestUnitsFromPassagesCountsOnlyCodedSentences(t *testing.T) {
	t.Parallel()
	text := "One. Two. Three. Four."
	a := map[string][]Passage{"W": {{Field: "f", Start: 0, End: 4}}}                                          // "One."
	b := map[string][]Passage{"W": {{Field: "f", Start: 0, End: 9}}, "X": {{Field: "f", Start: 17, End: 22}}} // "One. Two." and "Four."
	units := UnitsFromPassages(text, "f", a, b)
	if len(units) != 3 {
		t.Fatalf("units = %d, want 3 (One, Two, Four; Three was coded by nobody)", len(units))
	}
	if !units[0].A["W"] || !units[0].B["W"] || units[1].A["W"] || !units[1].B["W"] || !units[2].B["X"] {
		t.Errorf("units = %+v", units)
	}
}
