package analysis

import (
	"math"
	"testing"
)

func censusFacts(counts map[string]int) []Fact {
	var facts []Fact
	for community, n := range counts {
		for range n {
			facts = append(facts, Fact{Community: community})
		}
	}
	return facts
}

// TestCompareCensusFindsTheUnderHeard: 100 experiences with a known
// community; a group that is 40% of the population gives 10 of them
// (a quarter of its share: under-heard, and unlikely to be chance), a
// group of 10% gives 30 (heard more than its share), an unmatched group
// is shown but not compared, and the unknown are left out of the shares.
func TestCompareCensusFindsTheUnderHeard(t *testing.T) {
	facts := censusFacts(map[string]int{"south-asian": 10, "black-african": 20, "black-caribbean": 10, "eastern-european": 60, "prefer-not-to-say": 5, "": 7})
	groups := []PopulationGroup{
		{Key: "asian", Population: 400, Match: []string{"south-asian"}},
		{Key: "black", Population: 100, Match: []string{"black-african", "black-caribbean"}},
		{Key: "white", Population: 500},
	}
	c := CompareCensus(facts, DimCommunity, groups, 1000)
	if c.Known != 100 || c.Unmatched != 60 || c.Unknown != 12 {
		t.Fatalf("known %d unmatched %d unknown %d", c.Known, c.Unmatched, c.Unknown)
	}
	asian, black, white := c.Rows[0], c.Rows[1], c.Rows[2]
	if asian.Heard != 10 || math.Abs(asian.Ratio-0.25) > 1e-9 || asian.Reading != ReadingUnder || !asian.Tested || !asian.Unusual || asian.P > 0.001 {
		t.Errorf("asian %+v", asian)
	}
	if black.Heard != 30 || math.Abs(black.Ratio-3) > 1e-9 || black.Reading != ReadingOver || !black.Tested || !black.Unusual {
		t.Errorf("black %+v", black)
	}
	if white.Matched || white.Reading != ReadingNotMatched || white.Tested || white.Heard != 0 {
		t.Errorf("white %+v", white)
	}
	// In proportion, and too few to test.
	few := CompareCensus(censusFacts(map[string]int{"south-asian": 2, "x": 3}), DimCommunity, groups[:1], 1000)
	if r := few.Rows[0]; r.Reading != ReadingProportion || r.Tested {
		t.Errorf("few %+v", r)
	}
	none := CompareCensus(censusFacts(map[string]int{"x": 3}), DimCommunity, groups[:1], 1000)
	if r := none.Rows[0]; r.Reading != ReadingNone {
		t.Errorf("none %+v", r)
	}
	empty := CompareCensus(nil, DimCommunity, groups[:1], 1000)
	if r := empty.Rows[0]; r.Reading != ReadingUnknown || !math.IsNaN(r.Ratio) {
		t.Errorf("empty %+v", r)
	}
}

// TestPublishedCensusIsSuppressed: what leaves the screen goes through
// disclosure control, and the reading of a withheld figure is withheld.
func TestPublishedCensusIsSuppressed(t *testing.T) {
	groups := []PopulationGroup{{Key: "asian", Population: 400, Match: []string{"south-asian"}}, {Key: "black", Population: 100, Match: []string{"black-african"}}}
	c := CompareCensus(censusFacts(map[string]int{"south-asian": 12, "black-african": 3, "x": 26}), DimCommunity, groups, 1000)
	p := c.Publish()
	if p.Known.String() != "40" {
		t.Errorf("known %s, want 41 rounded to 40", p.Known)
	}
	asian, black := p.Rows[0], p.Rows[1]
	// 12 -> 10; 10 of 40 = 25%; population 40%: ratio 0.625, under-heard.
	if asian.Heard.String() != "10" || asian.HeardShare.String() != "25" || math.Abs(asian.Ratio-0.625) > 1e-9 || asian.Reading != ReadingUnder {
		t.Errorf("asian %+v %s %s", asian, asian.Heard, asian.HeardShare)
	}
	if black.Heard.String() != "*" || black.HeardShare.String() != "*" || !math.IsNaN(black.Ratio) || black.Reading != ReadingUnknown {
		t.Errorf("black %+v", black)
	}
}
