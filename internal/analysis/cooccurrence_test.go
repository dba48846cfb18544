package analysis

import "testing"

// TestCoOccurrence: 40 coded experiences; "language" and "interpreters"
// go together in 15, against the 21 x 20 / 40 = 10.5 that chance would
// give (p about 0.004); "waiting" meets "language" once (untested: an
// expected count under 5); a theme named twice in one story counts once.
func TestCoOccurrence(t *testing.T) {
	var facts []Fact
	add := func(n int, themes ...string) {
		for range n {
			facts = append(facts, Fact{Themes: themes})
		}
	}
	add(15, "language", "interpreters", "language")
	add(5, "language")
	add(5, "interpreters")
	add(1, "waiting", "language")
	add(14, "transport")
	add(3) // not coded: left out
	pairs := CoOccurrence(facts, DimTheme, []string{"language", "interpreters", "waiting", "transport"})
	if len(pairs) != 2 {
		t.Fatalf("pairs %+v", pairs)
	}
	p := pairs[0]
	if p.A != "language" || p.B != "interpreters" || p.Both != 15 || p.WithA != 21 || p.WithB != 20 || p.Coded != 40 {
		t.Fatalf("first pair %+v", p)
	}
	if !p.Tested || !p.Unusual || !p.Together || p.P > 0.01 {
		t.Errorf("first pair not found unusual: %+v", p)
	}
	if q := pairs[1]; q.A != "language" || q.B != "waiting" || q.Both != 1 || q.Tested {
		t.Errorf("second pair %+v", q)
	}
	if got := CoOccurrence(nil, DimTheme, []string{"a", "b"}); len(got) != 0 {
		t.Errorf("pairs from nothing: %+v", got)
	}
}
