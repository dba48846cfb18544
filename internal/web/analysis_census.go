package web

import (
	"fmt"
	"math"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/programme"
)

// Participation compared with the census (the programme's configured
// tables, programme.Census) and the co-occurrence of themes, for the
// breakdown page (exact: the analyst's own screen), the stakeholders'
// evidence page and the exports (through disclosure control).

// censusDimension is what an experience is matched on for a measure.
func censusDimension(measure string) analysis.Dimension {
	if measure == programme.CensusMainLanguage {
		return analysis.EqualityDimension("main_language")
	}
	return analysis.DimCommunity
}

// censusPart is what the "census-comparison" template draws: a table,
// and whether its figures are exact (the analyst's screen).
type censusPart struct {
	Page  *Page
	View  censusView
	Exact bool
}

// Census hands a comparison to the "census-comparison" template.
func (p *Page) Census(v censusView, exact bool) censusPart { return censusPart{p, v, exact} }

// censusView is one census table compared with the experiences.
type censusView struct {
	Measure, Heading                   string
	Table, Release, Source, Note, Area string
	Rows                               []censusRowView
	// Counts of the experiences compared, exact or published.
	Known, Unmatched, Unknown string
	Population                string
	AllWithheld               bool // every compared group's figure is withheld
}

type censusRowView struct {
	Label                string
	Population, PopShare string
	Heard, HeardShare    string
	Ratio                string
	Reading              string
	Test                 string // the chi-square's verdict, on the analyst's screen only
	Under                bool
}

// thousands writes a census figure with thousands separated by commas.
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return s
	}
	out := make([]byte, 0, len(s)+len(s)/3)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func ratioText(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f", r)
}

// reading is a comparison's plain-English sentence.
func reading(p *Page, r analysis.Reading, ratio float64) string {
	switch r {
	case analysis.ReadingUnder:
		return p.T("analysis.census_reading_under", "Per100", fmt.Sprint(int(math.Round(ratio*100))))
	case analysis.ReadingOver:
		return p.T("analysis.census_reading_over", "Per100", fmt.Sprint(int(math.Round(ratio*100))))
	}
	return p.T("analysis.census_reading_" + string(r))
}

func censusHeading(p *Page, t programme.CensusTable) string {
	return p.T("analysis.census_heading_"+t.Measure, "Table", t.Table)
}

// compareCensus compares the kept counts (with the census dimensions
// among their margins) with one census table.
func compareCensus(c analysis.Counts, m string, t programme.CensusTable) analysis.CensusComparison {
	return analysis.CompareCensusCounts(c.Margins[censusDimension(m)], c.Experiences, populationGroups(t), t.Total)
}

// censusComparisons compares the counts with each configured census
// table, exactly: for the analyst's screen.
func (s *Server) censusComparisons(p *Page, counts analysis.Counts) []censusView {
	prog := s.programme()
	var out []censusView
	for _, m := range prog.Census.Measures() {
		t, _ := prog.Census.Table(m)
		c := compareCensus(counts, m, t)
		v := censusView{Measure: m, Heading: censusHeading(p, t), Table: t.Table, Release: t.Release, Source: t.Source, Note: t.Note, Area: prog.Census.Area,
			Known: fmt.Sprint(c.Known), Unmatched: fmt.Sprint(c.Unmatched), Unknown: fmt.Sprint(c.Unknown), Population: thousands(t.Total)}
		for i, r := range c.Rows {
			row := censusRowView{Label: t.Categories[i].Name(p.Lang), Population: thousands(r.Population), PopShare: fmt.Sprintf("%.1f%%", 100*r.PopShare),
				Reading: reading(p, r.Reading, r.Ratio), Under: r.Reading == analysis.ReadingUnder || r.Reading == analysis.ReadingNone}
			if r.Matched {
				row.Heard, row.HeardShare, row.Ratio = fmt.Sprint(r.Heard), fmt.Sprintf("%.1f%%", 100*r.HeardShare), ratioText(r.Ratio)
				switch {
				case r.Tested && r.Unusual:
					row.Test = p.T("analysis.census_test_unusual", "P", formatP(r.P))
				case r.Tested:
					row.Test = p.T("analysis.census_test_chance", "P", formatP(r.P))
				default:
					row.Test = p.T("analysis.census_test_few")
				}
			} else {
				row.Heard, row.HeardShare, row.Ratio, row.Test = "–", "–", "–", "–"
			}
			v.Rows = append(v.Rows, row)
		}
		out = append(out, v)
	}
	return out
}

// publishedCensus is the same comparison through disclosure control, for
// stakeholders and files.
func (s *Server) publishedCensus(p *Page, counts analysis.Counts) []censusView {
	prog := s.programme()
	var out []censusView
	for _, m := range prog.Census.Measures() {
		t, _ := prog.Census.Table(m)
		pub := compareCensus(counts, m, t).Publish()
		v := censusView{Measure: m, Heading: censusHeading(p, t), Table: t.Table, Release: t.Release, Source: t.Source, Note: t.Note, Area: prog.Census.Area,
			Known: pub.Known.String(), Population: thousands(t.Total), AllWithheld: true}
		compared := false
		for i, r := range pub.Rows {
			row := censusRowView{Label: t.Categories[i].Name(p.Lang), Population: thousands(r.Population), PopShare: fmt.Sprintf("%.1f%%", r.PopPercent),
				Reading: reading(p, r.Reading, r.Ratio), Under: r.Reading == analysis.ReadingUnder || r.Reading == analysis.ReadingNone}
			if r.Matched {
				compared = true
				if !r.Heard.Suppressed() {
					v.AllWithheld = false
				}
				row.Heard, row.HeardShare, row.Ratio = r.Heard.String(), percentText(r.HeardShare), ratioText(r.Ratio)
			} else {
				row.Heard, row.HeardShare, row.Ratio = "–", "–", "–"
			}
			v.Rows = append(v.Rows, row)
		}
		v.AllWithheld = v.AllWithheld && compared
		out = append(out, v)
	}
	return out
}

func percentText(v disclosure.PercentValue) string {
	if _, ok := v.Int(); ok {
		return v.String() + "%"
	}
	return v.String()
}

func populationGroups(t programme.CensusTable) []analysis.PopulationGroup {
	var out []analysis.PopulationGroup
	for _, c := range t.Categories {
		out = append(out, analysis.PopulationGroup{Key: c.Slug, Population: c.Population, Match: c.Match})
	}
	return out
}

// censusSheet is the published comparison as an export's sheet.
func censusSheet(p *Page, views []censusView) sheet {
	rows := [][]string{{p.T("analysis.census_group"), p.T("analysis.census_population"), p.T("analysis.census_pop_share"),
		p.T("analysis.census_heard"), p.T("analysis.census_heard_share"), p.T("analysis.census_ratio"), p.T("analysis.census_reading")}}
	for _, v := range views {
		rows = append(rows, []string{v.Heading + " · " + v.Area})
		for _, r := range v.Rows {
			rows = append(rows, []string{r.Label, r.Population, r.PopShare, r.Heard, r.HeardShare, r.Ratio, r.Reading})
		}
		rows = append(rows, []string{p.T("analysis.census_known"), "", "", v.Known})
		rows = append(rows, []string{p.T("analysis.census_cited", "Table", v.Table, "Release", v.Release, "Source", v.Source)})
		if v.Note != "" {
			rows = append(rows, []string{v.Note})
		}
		if v.AllWithheld {
			rows = append(rows, []string{p.T("analysis.all_withheld")})
		}
		rows = append(rows, []string{})
	}
	rows = append(rows, []string{disclosureNote})
	return sheet{"Census", rows, 3}
}

// pairView is a pair of themes or codes named in one experience.
type pairView struct {
	A, B         string
	Both         int
	ShareA       string // of A's experiences, how many also name B
	Expected     string
	Marker, Test string
}

// maxPairs is how many pairs the page lists (most often together first).
const maxPairs = 15

func (s *Server) coOccurrence(p *Page, lab *labeller, d analysis.Dimension, keys []string, counts analysis.PairCounts) ([]pairView, int) {
	pairs := analysis.CoOccurrenceCounts(counts, keys)
	var out []pairView
	for i, pr := range pairs {
		if i == maxPairs {
			break
		}
		v := pairView{A: lab.label(d, pr.A), B: lab.label(d, pr.B), Both: pr.Both, Expected: fmt.Sprintf("%.1f", pr.Expected)}
		if pr.WithA > 0 {
			v.ShareA = fmt.Sprintf("%.0f%%", 100*float64(pr.Both)/float64(pr.WithA))
		}
		switch {
		case pr.Tested && pr.Unusual && pr.Together:
			v.Marker, v.Test = "higher", p.T("analysis.pairs_together", "P", formatP(pr.P))
		case pr.Tested && pr.Unusual:
			v.Marker, v.Test = "lower", p.T("analysis.pairs_apart", "P", formatP(pr.P))
		case pr.Tested:
			v.Test = p.T("analysis.census_test_chance", "P", formatP(pr.P))
		default:
			v.Test = p.T("analysis.census_test_few")
		}
		out = append(out, v)
	}
	return out, len(pairs)
}
