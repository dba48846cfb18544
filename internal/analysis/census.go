package analysis

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/hearme-project/hearme/internal/disclosure"
)

// Participation compared with the population: each census category's
// share of the experiences heard against its share of the area's
// population. An experience counts in a category through its value of
// one dimension (its community for ethnic group, the person's main
// language answer for main language), matched by the programme's
// configuration.

// PopulationGroup is one census category as the comparison needs it.
type PopulationGroup struct {
	Key        string
	Population int
	Match      []string // values of the dimension counted in this group
}

// Reading is what a comparison says about a group, in plain words.
type Reading string

const (
	ReadingUnder      Reading = "under"      // heard less than 0.8 times its share
	ReadingProportion Reading = "proportion" // between 0.8 and 1.25 times
	ReadingOver       Reading = "over"       // more than 1.25 times
	ReadingNone       Reading = "none"       // not heard from at all
	ReadingNotMatched Reading = "unmatched"  // nothing of the programme maps to it
	ReadingUnknown    Reading = "unknown"    // nobody heard yet, or a figure withheld
)

// The bounds of "in proportion": the four-fifths convention, and its
// reciprocal for being heard more than the group's share.
const (
	UnderHeard = 0.8
	OverHeard  = 1.25
)

// CensusRow is one group's comparison.
type CensusRow struct {
	Key        string
	Population int
	PopShare   float64 // of the table's total
	Matched    bool
	Heard      int     // experiences counted in the group
	HeardShare float64 // of the experiences with a known value
	Ratio      float64 // HeardShare / PopShare; NaN where it cannot be taken
	Expected   float64 // experiences the population share would give
	Tested     bool    // false where an expected count is under 5
	P          float64
	Unusual    bool // p < 0.05
	Reading    Reading
}

// CensusComparison is the comparison over one census table.
type CensusComparison struct {
	Rows       []CensusRow
	Population int // the table's total
	Known      int // experiences with a known value of the dimension
	Unmatched  int // of those, experiences whose value maps to no group
	Unknown    int // experiences with no value, or "prefer not to say"
}

// CompareCensus counts facts into the groups by their value of d. The
// experiences' shares are of every experience whose value is known
// (whether or not it maps to a group), as the population's are of
// everyone; a row is tested (a 1-degree chi-square goodness of fit: in
// the group or not) only where both expected counts are at least 5.
func CompareCensus(facts []Fact, d Dimension, groups []PopulationGroup, total int) CensusComparison {
	values := map[string]int{}
	for _, f := range facts {
		if v := f.Values(d); len(v) > 0 {
			values[v[0]]++
		}
	}
	return CompareCensusCounts(values, len(facts), groups, total)
}

// CompareCensusCounts is CompareCensus over counts kept beforehand:
// values holds how many of the experiences have each value of the
// dimension, experiences how many there are in all (with a value or
// not). It gives what CompareCensus gives over the facts counted.
func CompareCensusCounts(values map[string]int, experiences int, groups []PopulationGroup, total int) CensusComparison {
	out := CensusComparison{Population: total}
	group := map[string]int{}
	for i, g := range groups {
		for _, m := range g.Match {
			group[m] = i
		}
	}
	heard := make([]int, len(groups))
	for v, n := range values {
		if v == "" || v == "prefer-not-to-say" || n <= 0 {
			continue
		}
		out.Known += n
		if i, ok := group[v]; ok {
			heard[i] += n
		} else {
			out.Unmatched += n
		}
	}
	out.Unknown = experiences - out.Known
	n := float64(out.Known)
	for i, g := range groups {
		r := CensusRow{Key: g.Key, Population: g.Population, Matched: len(g.Match) > 0, Heard: heard[i], Ratio: math.NaN()}
		if total > 0 {
			r.PopShare = float64(g.Population) / float64(total)
		}
		if n > 0 {
			r.HeardShare = float64(r.Heard) / n
		}
		if r.PopShare > 0 && n > 0 {
			r.Ratio = r.HeardShare / r.PopShare
		}
		r.Expected = n * r.PopShare
		if r.Matched && r.Expected >= MinExpected && n-r.Expected >= MinExpected {
			r.Tested = true
			x := sq(float64(r.Heard)-r.Expected)/r.Expected + sq((n-float64(r.Heard))-(n-r.Expected))/(n-r.Expected)
			r.P = distuv.ChiSquared{K: 1}.Survival(x)
			r.Unusual = r.P < 0.05
		}
		r.Reading = readRatio(r.Matched, r.Heard, out.Known, r.Ratio)
		out.Rows = append(out.Rows, r)
	}
	return out
}

func readRatio(matched bool, heard, known int, ratio float64) Reading {
	switch {
	case !matched:
		return ReadingNotMatched
	case known == 0 || math.IsNaN(ratio):
		return ReadingUnknown
	case heard == 0:
		return ReadingNone
	case ratio < UnderHeard:
		return ReadingUnder
	case ratio > OverHeard:
		return ReadingOver
	}
	return ReadingProportion
}

// PublishedCensusRow is a group's comparison as it may leave the
// analyst's screen: the experiences through disclosure control, their
// share from the published figures, and the ratio and reading from that
// published share (withheld where it is).
type PublishedCensusRow struct {
	Key        string
	Population int // a published census figure: not about the people heard
	PopPercent float64
	Matched    bool
	Heard      disclosure.Value
	HeardShare disclosure.PercentValue
	Ratio      float64 // NaN where withheld or not taken
	Reading    Reading
}

// PublishedCensus is a comparison ready for a stakeholder or a file.
type PublishedCensus struct {
	Rows  []PublishedCensusRow
	Known disclosure.Value
}

// Publish puts the comparison through disclosure control: each group's
// experiences and the experiences with a known value (rounded from the
// exact count) through the rule; shares from those published figures.
func (c CensusComparison) Publish() PublishedCensus {
	out := PublishedCensus{Known: disclosure.Count(c.Known)}
	for _, r := range c.Rows {
		p := PublishedCensusRow{Key: r.Key, Population: r.Population, PopPercent: 100 * r.PopShare, Matched: r.Matched,
			Heard: disclosure.Count(r.Heard), Ratio: math.NaN()}
		p.HeardShare = disclosure.Percent(p.Heard, out.Known)
		if pct, ok := p.HeardShare.Int(); ok && p.PopPercent > 0 {
			p.Ratio = float64(pct) / p.PopPercent
		}
		switch {
		case !r.Matched:
			p.Reading = ReadingNotMatched
		case p.Heard.Suppressed() || p.HeardShare.Suppressed():
			p.Reading = ReadingUnknown
		default:
			n, _ := p.Heard.Int()
			known, _ := out.Known.Int()
			p.Reading = readRatio(true, n, known, p.Ratio)
		}
		out.Rows = append(out.Rows, p)
	}
	return out
}
