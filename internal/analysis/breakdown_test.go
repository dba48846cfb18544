package analysis

import (
	"math"
	"testing"
)

func facts(spec map[[2]string]int) []Fact {
	// spec: {theme-or-"", community} -> number of experiences
	var out []Fact
	for k, n := range spec {
		for range n {
			f := Fact{Community: k[1]}
			if k[0] != "" {
				f.Themes = []string{k[0]}
			}
			out = append(out, f)
		}
	}
	return out
}

// A worked example: 100 South Asian and 100 Polish experiences; 40 of the
// South Asian and 10 of the Polish name "language". Overall share 25%.
// 2 x 2 table: chi-square = 200 * (40*90 - 10*60)^2 / (100*100*50*150)
// = 24.0, df 1, p < 0.001. Adjusted residual for the South Asian cell:
// (40 - 25) / sqrt(25 * 0.75 * 0.5) = 4.899.
func TestTabulateWorkedExample(t *testing.T) {
	t.Parallel()
	fs := facts(map[[2]string]int{
		{"language", "south-asian"}: 40, {"", "south-asian"}: 60,
		{"language", "polish"}: 10, {"", "polish"}: 90,
	})
	b := Tabulate(fs, DimTheme, DimCommunity, []string{"language"}, []string{"south-asian", "polish"})
	if b.Total != 200 || b.RowTotals[0] != 50 || b.ColTotals[0] != 100 {
		t.Fatalf("totals %d %v %v", b.Total, b.RowTotals, b.ColTotals)
	}
	c := b.Cells[0][0]
	if c.Count != 40 || math.Abs(c.Share-0.40) > 1e-9 || math.Abs(c.Difference-0.15) > 1e-9 || math.Abs(c.Expected-25) > 1e-9 {
		t.Errorf("cell %+v", c)
	}
	if math.Abs(c.Residual-4.899) > 0.001 || !c.Unusual || !c.Tested {
		t.Errorf("residual %v unusual %v", c.Residual, c.Unusual)
	}
	rt := b.RowTest[0]
	if !rt.Tested || math.Abs(rt.ChiSquare-24.0) > 1e-9 || rt.DF != 1 || rt.P > 0.001 {
		t.Errorf("test %+v", rt)
	}
}

func TestNoTestWhereExpectedCountsAreSmall(t *testing.T) {
	t.Parallel()
	fs := facts(map[[2]string]int{{"stigma", "a"}: 3, {"", "a"}: 10, {"", "b"}: 12})
	b := Tabulate(fs, DimTheme, DimCommunity, []string{"stigma"}, []string{"a", "b"})
	if b.RowTest[0].Tested || b.Cells[0][0].Tested || b.Cells[0][0].Unusual {
		t.Errorf("a test was run with expected counts under 5: %+v %+v", b.RowTest[0], b.Cells[0][0])
	}
	if b.Cells[0][0].Count != 3 || b.Cells[0][1].Count != 0 {
		t.Errorf("counts %+v", b.Cells[0])
	}
}

func TestMultiValuedRowsCountEachExperienceOncePerRow(t *testing.T) {
	t.Parallel()
	fs := []Fact{
		{Community: "a", Themes: []string{"x", "y", "x"}},
		{Community: "a", Themes: []string{"x"}},
		{Community: "b"},
		{Community: ""}, // no community: in no column
	}
	b := Tabulate(fs, DimTheme, DimCommunity, []string{"x", "y"}, []string{"a", "b"})
	if b.Cells[0][0].Count != 2 || b.Cells[1][0].Count != 1 || b.Total != 3 || b.ColTotals[0] != 2 {
		t.Errorf("%+v total %d cols %v", b.Cells, b.Total, b.ColTotals)
	}
}
