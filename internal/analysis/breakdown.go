package analysis

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/stat/distuv"
)

// Fact is what breakdowns count about one approved experience. Nothing in
// it is shown about a person: breakdowns only ever show counts of many.
type Fact struct {
	ExperienceID string
	Community    string // the person's own answer, else the community of the event it was heard at
	FromEvent    bool   // the community was taken from the event, not the person
	Stages       []string
	Themes       []string // top-level themes of its codings
	Codes        []string // every code of its codings (merges followed)
	// Its coded passages by theme and by code (CountPassages).
	ThemePassages, CodePassages map[string]int
	Source                      string
	Event                       string // the id of the event it was heard at, if any
	Lang                        string
	Month                       string            // YYYY-MM it was shared
	Equality                    map[string]string // question -> answer, for equality breakdowns only
}

// Dimension is what a breakdown's rows or columns count by.
type Dimension string

const (
	DimTheme     Dimension = "theme"
	DimCode      Dimension = "code"
	DimStage     Dimension = "stage"
	DimCommunity Dimension = "community"
	DimSource    Dimension = "source"
	DimLanguage  Dimension = "language"
	DimPeriod    Dimension = "period"
	DimEvent     Dimension = "event"
)

// EqualityDimension breaks down by the answers to one equality question.
func EqualityDimension(question string) Dimension { return Dimension("equality." + question) }

// Multi reports whether an experience can have several values of d (a
// story can name several themes and stages).
func (d Dimension) Multi() bool { return d == DimTheme || d == DimCode || d == DimStage }

// Values are an experience's values of a dimension.
func (f Fact) Values(d Dimension) []string {
	switch d {
	case DimTheme:
		return f.Themes
	case DimCode:
		return f.Codes
	case DimStage:
		return f.Stages
	case DimCommunity:
		return one(f.Community)
	case DimSource:
		return one(f.Source)
	case DimLanguage:
		return one(f.Lang)
	case DimPeriod:
		return one(f.Month)
	case DimEvent:
		return one(f.Event)
	}
	if q, ok := cutPrefix(string(d), "equality."); ok {
		return one(f.Equality[q])
	}
	return nil
}

func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}

// Cell is one count of a breakdown, with how it compares with the whole.
type Cell struct {
	Count int
	// Share is the cell's share of its column (the experiences of that
	// community, say), and Difference that share minus the row's overall
	// share, both as fractions.
	Share, Difference float64
	Expected          float64 // the count if the row did not depend on the column
	Residual          float64 // adjusted standardised residual
	Tested            bool    // false where an expected count is under 5
	Unusual           bool    // |residual| > 1.96: unlikely to be chance (5%)
}

// Breakdown is a table of experiences counted by two dimensions.
// Columns must be a dimension with one value per experience (community,
// source, event, language, period, an equality question), so each column is a
// group of distinct experiences; rows may be themes or stages, of which a
// story can have several. Each row is then tested on its own: whether
// the share of experiences with that row's value differs between the
// columns (a 2 x k chi-square test), which is valid whatever the other
// rows hold.
type Breakdown struct {
	Rows, Cols []string
	Cells      [][]Cell
	RowTotals  []int // experiences with the row's value, in any column
	ColTotals  []int // experiences in the column
	Total      int   // experiences in any column
	RowTest    []RowTest
}

// RowTest is one row's chi-square test across the columns.
type RowTest struct {
	Tested    bool // false where an expected count is under 5
	ChiSquare float64
	DF        int
	P         float64
}

// MinExpected is the smallest expected count a chi-square test is run on.
const MinExpected = 5

// Tabulate counts facts by rows x cols over the given keys (in order).
func Tabulate(facts []Fact, rows, cols Dimension, rowKeys, colKeys []string) Breakdown {
	b := Breakdown{Rows: rowKeys, Cols: colKeys, RowTotals: make([]int, len(rowKeys)), ColTotals: make([]int, len(colKeys))}
	ri := map[string]int{}
	for i, k := range rowKeys {
		ri[k] = i
	}
	ci := map[string]int{}
	for j, k := range colKeys {
		ci[k] = j
	}
	counts := make([][]int, len(rowKeys))
	for i := range counts {
		counts[i] = make([]int, len(colKeys))
	}
	for _, f := range facts {
		cv := f.Values(cols)
		if len(cv) == 0 {
			continue
		}
		j, ok := ci[cv[0]]
		if !ok {
			continue
		}
		b.ColTotals[j]++
		b.Total++
		seen := map[int]bool{}
		for _, rv := range f.Values(rows) {
			if i, ok := ri[rv]; ok && !seen[i] {
				seen[i] = true
				counts[i][j]++
				b.RowTotals[i]++
			}
		}
	}
	return b.test(counts)
}

// Counts are a breakdown already counted (kept by the store as coding
// happens, so that a page need not read every experience): for each
// value of the rows' dimension and each value of the columns' dimension,
// the experiences with both; the experiences in each column; the row
// values that occur at all; how many experiences' community was taken
// from their event.
type Counts struct {
	Cells     map[string]map[string]int // row value -> column value -> experiences
	ColTotals map[string]int            // column value -> experiences
	RowValues []string                  // row values with at least one experience, sorted
	FromEvent int
	// Experiences is how many experiences the filter keeps (with a
	// column value or not), All how many approved experiences there
	// are, whatever the filter.
	Experiences, All int
	// Margins are the experiences the filter keeps by each value of
	// further dimensions asked for (the census comparison's).
	Margins map[Dimension]map[string]int
	// Pairs are the co-occurrence counts of the dimension asked for.
	Pairs PairCounts
	// Passages are the coded passages of the experiences in each cell
	// (row value -> column value -> passages), where the rows are
	// themes or codes.
	Passages map[string]map[string]int
}

// Filter narrows a breakdown: the months from..to ("YYYY-MM",
// inclusive, "" for open), one community, one pathway stage.
type Filter struct {
	From, To, Community, Stage string
}

// Keep reports whether the filter keeps an experience.
func (f Filter) Keep(x Fact) bool {
	return (f.From == "" || x.Month >= f.From) && (f.To == "" || x.Month <= f.To) &&
		(f.Community == "" || x.Community == f.Community) && (f.Stage == "" || slices.Contains(x.Stages, f.Stage))
}

// Scope names the experiences a filter keeps apart from its months, as
// the store keeps counts for: "" for all, "c:community", "s:stage" or
// "c:community s:stage".
func (f Filter) Scope() string { return Scope(f.Community, f.Stage) }

// Scope is the name of the experiences of a community (or "") and a
// stage (or "").
func Scope(community, stage string) string {
	switch {
	case community != "" && stage != "":
		return "c:" + community + " s:" + stage
	case community != "":
		return "c:" + community
	case stage != "":
		return "s:" + stage
	}
	return ""
}

// Add adds n experiences with row value r (or "" for none) in column c.
func (c *Counts) Add(r, col string, n int) {
	if c.ColTotals == nil {
		c.ColTotals, c.Cells = map[string]int{}, map[string]map[string]int{}
	}
	if r == "" {
		c.ColTotals[col] += n
		return
	}
	if c.Cells[r] == nil {
		c.Cells[r] = map[string]int{}
	}
	c.Cells[r][col] += n
}

// ColValues are the column values with at least one experience, sorted.
func (c Counts) ColValues() []string {
	var out []string
	for v, n := range c.ColTotals {
		if n > 0 {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// TabulateCounts is Tabulate over counts kept beforehand: the same table
// and tests as Tabulate gives over the facts they were counted from.
func TabulateCounts(c Counts, rowKeys, colKeys []string) Breakdown {
	b := Breakdown{Rows: rowKeys, Cols: colKeys, RowTotals: make([]int, len(rowKeys)), ColTotals: make([]int, len(colKeys))}
	for j, k := range colKeys {
		b.ColTotals[j] = c.ColTotals[k]
		b.Total += c.ColTotals[k]
	}
	counts := make([][]int, len(rowKeys))
	for i, r := range rowKeys {
		counts[i] = make([]int, len(colKeys))
		for j, k := range colKeys {
			// Each experience is in one column, so a row's total over
			// the columns counts each of its experiences once.
			counts[i][j] = c.Cells[r][k]
			b.RowTotals[i] += counts[i][j]
		}
	}
	return b.test(counts)
}

// test fills in the cells from the counts, with each row's test.
func (b Breakdown) test(counts [][]int) Breakdown {
	rowKeys, colKeys := b.Rows, b.Cols
	b.Cells = make([][]Cell, len(rowKeys))
	b.RowTest = make([]RowTest, len(rowKeys))
	n := float64(b.Total)
	for i := range rowKeys {
		b.Cells[i] = make([]Cell, len(colKeys))
		p := 0.0
		if n > 0 {
			p = float64(b.RowTotals[i]) / n
		}
		test := RowTest{Tested: n > 0 && len(colKeys) > 1, DF: max(len(colKeys)-1, 0)}
		for j := range colKeys {
			c := &b.Cells[i][j]
			c.Count = counts[i][j]
			nc := float64(b.ColTotals[j])
			if nc > 0 {
				c.Share = float64(c.Count) / nc
				c.Difference = c.Share - p
			}
			c.Expected = nc * p
			// Both cells of the column (with and without the row's value)
			// need an expected count of at least 5.
			if c.Expected < MinExpected || nc-c.Expected < MinExpected {
				test.Tested = false
			}
			if v := c.Expected * (1 - p) * (1 - nc/n); v > 0 {
				c.Residual = (float64(c.Count) - c.Expected) / math.Sqrt(v)
			}
			if e := c.Expected; e > 0 {
				test.ChiSquare += sq(float64(c.Count)-e) / e
			}
			if e := nc - c.Expected; e > 0 {
				test.ChiSquare += sq(nc-float64(c.Count)-e) / e
			}
		}
		if test.Tested {
			test.P = distuv.ChiSquared{K: float64(test.DF)}.Survival(test.ChiSquare)
			for j := range colKeys {
				c := &b.Cells[i][j]
				c.Tested = true
				c.Unusual = math.Abs(c.Residual) > 1.96
			}
		} else {
			test.ChiSquare = 0
		}
		b.RowTest[i] = test
	}
	return b
}

func sq(x float64) float64 { return x * x }

// Keys lists the values of a dimension that occur in facts, sorted, for
// dimensions without a configured order.
func Keys(facts []Fact, d Dimension) []string {
	seen := map[string]bool{}
	for _, f := range facts {
		for _, v := range f.Values(d) {
			seen[v] = true
		}
	}
	out := make([]string, 0, len(seen))
	for v := range seen {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}
