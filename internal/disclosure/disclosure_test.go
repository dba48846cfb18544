package disclosure

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"testing/quick"
)

func TestCountBoundaries(t *testing.T) {
	tests := []struct {
		raw  int
		want string
	}{
		{0, "0"},
		{1, "*"},
		{2, "*"},
		{5, "*"},
		{7, "*"},
		{8, "10"},
		{9, "10"},
		{10, "10"},
		{11, "10"},
		{12, "10"},
		{13, "15"},
		{14, "15"},
		{15, "15"},
		{17, "15"},
		{18, "20"},
		{22, "20"},
		{23, "25"},
		{100, "100"},
		{102, "100"},
		{103, "105"},
		{1000, "1000"},
		{1002, "1000"},
		{1003, "1005"},
		{-1, "*"}, // invalid input fails closed
		{math.MinInt, "*"},
		{math.MaxInt, strconv.Itoa(math.MaxInt - 2)}, // MaxInt is 2 mod 5: rounds down, no overflow
		{math.MaxInt - 1, strconv.Itoa(math.MaxInt - 2)},
		{math.MaxInt - 4, strconv.Itoa(math.MaxInt - 2)}, // remainder 3 rounds up to MaxInt-2
	}
	for _, tt := range tests {
		v := Count(tt.raw)
		if got := v.String(); got != tt.want {
			t.Errorf("Count(%d) = %q, want %q", tt.raw, got, tt.want)
		}
		n, ok := v.Int()
		if ok == (tt.want == "*") || ok != !v.Suppressed() {
			t.Errorf("Count(%d): Int ok=%v, Suppressed=%v, want suppressed=%v", tt.raw, ok, v.Suppressed(), tt.want == "*")
		}
		if ok && strconv.Itoa(n) != tt.want {
			t.Errorf("Count(%d).Int() = %d, want %s", tt.raw, n, tt.want)
		}
	}
}

func TestZeroValuesFailClosed(t *testing.T) {
	var v Value
	var p PercentValue
	var s Statistic
	if v.String() != "*" || !v.Suppressed() {
		t.Errorf("zero Value = %q, want suppressed", v)
	}
	if p.String() != "*" || !p.Suppressed() {
		t.Errorf("zero PercentValue = %q, want suppressed", p)
	}
	if s.String() != "*" || !s.Suppressed() {
		t.Errorf("zero Statistic = %q, want suppressed", s)
	}
}

func TestTotalFromUnrounded(t *testing.T) {
	tests := []struct {
		raw  []int
		want string
	}{
		{[]int{3, 3, 3}, "10"}, // cells all "*", total 9 -> 10
		{[]int{}, "0"},
		{[]int{0, 0}, "0"},
		{[]int{4, 3}, "*"},     // 7 stays hidden
		{[]int{12, 12}, "25"},  // 24 -> 25, not 10+10=20
		{[]int{13, 13}, "25"},  // 26 -> 25, not 15+15=30
		{[]int{1, 2, -1}, "*"}, // invalid input fails closed
		{[]int{math.MaxInt, 1}, "*"},
	}
	for _, tt := range tests {
		if got := Total(tt.raw...).String(); got != tt.want {
			t.Errorf("Total(%v) = %q, want %q", tt.raw, got, tt.want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		num, den int // raw counts; Percent sees Count of each
		want     string
	}{
		{3, 100, "*"},  // suppressed numerator
		{0, 5, "*"},    // suppressed denominator
		{3, 5, "*"},    // both suppressed
		{0, 0, "-"},    // no denominator
		{0, 100, "0"},  // a real 0%
		{12, 24, "40"}, // published 10 of 25, not 12/24 = 50%
		{8, 8, "100"},
		{10, 30, "33"}, // 33.33 -> 33
		{20, 30, "67"}, // 66.67 -> 67
		{10, 80, "13"}, // 12.5 -> 13 (halves away from zero)
		{10, 400, "3"}, // 2.5 -> 3
		{10, 1000, "1"},
		{10, 3000, "0"}, // 0.33 -> 0
	}
	for _, tt := range tests {
		p := Percent(Count(tt.num), Count(tt.den))
		if got := p.String(); got != tt.want {
			t.Errorf("Percent(Count(%d), Count(%d)) = %q, want %q", tt.num, tt.den, got, tt.want)
		}
		_, ok := p.Int()
		if ok != (tt.want != "*" && tt.want != "-") || p.Suppressed() != (tt.want == "*") || p.NotApplicable() != (tt.want == "-") {
			t.Errorf("Percent(%d, %d): Int ok=%v Suppressed=%v NotApplicable=%v, inconsistent with %q",
				tt.num, tt.den, ok, p.Suppressed(), p.NotApplicable(), tt.want)
		}
	}
	// Suppression wins over "no denominator".
	if got := Percent(Value{}, Count(0)).String(); got != "*" {
		t.Errorf("Percent(*, 0) = %q, want *", got)
	}
}

func people(n int, x float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = x + float64(i)
	}
	return out
}

func TestMeanMedian(t *testing.T) {
	tests := []struct {
		name         string
		values       []float64
		mean, median string
	}{
		{"0 people", nil, "-", "-"},
		{"0 people empty", []float64{}, "-", "-"},
		{"1 person", people(1, 40), "*", "*"},
		{"7 people", people(7, 40), "*", "*"},
		{"8 people", people(8, 40), "43.5", "43.5"}, // 40..47
		{"9 people", people(9, 40), "44.0", "44.0"}, // 40..48
		{"skewed", []float64{1, 1, 1, 1, 1, 1, 1, 100, 1000}, "123.0", "1.0"},
		{"unsorted", []float64{9, 3, 7, 1, 5, 8, 2, 6}, "5.1", "5.5"},
		{"NaN", append(people(8, 1), math.NaN()), "-", "-"},
		{"Inf", append(people(8, 1), math.Inf(1)), "-", "-"},
		{"NaN among few", []float64{math.NaN()}, "*", "*"}, // people rule first
	}
	for _, tt := range tests {
		in := slices.Clone(tt.values)
		if got := Mean(tt.values).String(); got != tt.mean {
			t.Errorf("%s: Mean = %q, want %q", tt.name, got, tt.mean)
		}
		if got := Median(tt.values).String(); got != tt.median {
			t.Errorf("%s: Median = %q, want %q", tt.name, got, tt.median)
		}
		if !slices.EqualFunc(in, tt.values, func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }) {
			t.Errorf("%s: Median reordered the caller's slice", tt.name)
		}
	}
	huge := slices.Repeat([]float64{math.MaxFloat64}, 8)
	if got := Mean(huge); !got.NotApplicable() {
		t.Errorf("Mean with an overflowing sum = %q, want -", got)
	}
	if x, ok := Median(huge).Float(); !ok || x != math.MaxFloat64 {
		t.Errorf("Median(huge) = %v, %v, want MaxFloat64 (no overflow averaging the middle pair)", x, ok)
	}
	s := Median(people(8, 40))
	if x, ok := s.Float(); !ok || x != 43.5 || s.Suppressed() || s.NotApplicable() {
		t.Errorf("Median(8 people).Float() = %v, %v", x, ok)
	}
	if _, ok := Mean(people(7, 1)).Float(); ok {
		t.Error("Mean over 7 people returned a number")
	}
	if !Mean(nil).NotApplicable() || Mean(nil).Suppressed() {
		t.Error("Mean over 0 people should be not applicable, not suppressed")
	}
}

func TestTableWorkedExample(t *testing.T) {
	tab, err := NewTable(
		[]string{"Northfield", "Southgate"},
		[]string{"Referred", "Diagnosed", "Treated"},
		[][]int{
			{3, 3, 3},
			{12, 0, 41},
		},
	)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := csv.NewWriter(&buf).WriteAll(tab.Records()); err != nil {
		t.Fatal(err)
	}
	// Row totals from raw: 9 -> 10, 53 -> 55.
	// Column totals from raw: 15 -> 15, 3 -> "*", 44 -> 45; grand 62 -> 60.
	want := ",Referred,Diagnosed,Treated,Total\n" +
		"Northfield,*,*,*,10\n" +
		"Southgate,10,0,40,55\n" +
		"Total,15,*,45,60\n"
	if got := buf.String(); got != want {
		t.Errorf("Records:\n%s\nwant:\n%s", got, want)
	}
	var pct []string
	for _, row := range tab.RowPercents {
		for _, p := range row {
			pct = append(pct, p.String())
		}
	}
	// Southgate: 10/55 = 18.2, 0/55 = 0, 40/55 = 72.7.
	if want := []string{"*", "*", "*", "18", "0", "73"}; !slices.Equal(pct, want) {
		t.Errorf("RowPercents = %v, want %v", pct, want)
	}
	js, err := json.Marshal(tab.Cells)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[["*","*","*"],["10","0","40"]]`; string(js) != want {
		t.Errorf("json = %s, want %s", js, want)
	}
}

func TestTableErrors(t *testing.T) {
	rows, cols := []string{"a", "b"}, []string{"x", "y"}
	tests := []struct {
		name   string
		rows   []string
		counts [][]int
		want   error
	}{
		{"too few rows", rows, [][]int{{1, 2}}, ErrShape},
		{"ragged", rows, [][]int{{1, 2}, {3}}, ErrShape},
		{"negative", rows, [][]int{{1, 2}, {3, -4}}, ErrNegative},
		{"row overflow", rows, [][]int{{math.MaxInt, 1}, {0, 0}}, ErrOverflow},
		{"column overflow", rows, [][]int{{math.MaxInt, 0}, {1, 0}}, ErrOverflow},
	}
	for _, tt := range tests {
		if _, err := NewTable(tt.rows, cols, tt.counts); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	tab, err := NewTable(nil, cols, nil)
	if err != nil || tab.GrandTotal.String() != "0" || tab.ColTotals[1].String() != "0" {
		t.Errorf("empty table: %+v, %v", tab, err)
	}
}

// checkPublished fails t unless v is a correct publication of raw.
func checkPublished(t testing.TB, what string, raw int, v Value) {
	t.Helper()
	n, ok := v.Int()
	if ok == v.Suppressed() {
		t.Fatalf("%s: raw %d: Int ok=%v but Suppressed=%v", what, raw, ok, v.Suppressed())
	}
	if s := v.String(); (ok && s != strconv.Itoa(n)) || (!ok && s != "*") {
		t.Fatalf("%s: raw %d: String %q disagrees with Int %d, %v", what, raw, s, n, ok)
	}
	if txt, _ := v.MarshalText(); string(txt) != v.String() {
		t.Fatalf("%s: raw %d: MarshalText %q != String %q", what, raw, txt, v.String())
	}
	switch {
	case raw < 0:
		if ok {
			t.Fatalf("%s: negative raw %d published as %d", what, raw, n)
		}
	case raw == 0:
		if !ok || n != 0 {
			t.Fatalf("%s: raw 0 published as %s, want 0", what, v)
		}
	case raw <= 7:
		if ok {
			t.Fatalf("%s: raw %d published as %d, want *", what, raw, n)
		}
	default:
		if !ok {
			t.Fatalf("%s: raw %d suppressed, want a number", what, raw)
		}
		if n == 0 || (n >= 1 && n <= 7) {
			t.Fatalf("%s: raw %d published as %d", what, raw, n)
		}
		if n%5 != 0 {
			t.Fatalf("%s: raw %d published as %d, not a multiple of 5", what, raw, n)
		}
		if d := n - raw; d < -2 || d > 2 {
			t.Fatalf("%s: raw %d published as %d, off by %d", what, raw, n, d)
		}
	}
}

func TestCountQuick(t *testing.T) {
	f := func(raw int) bool {
		checkPublished(t, "Count", raw, Count(raw))
		checkPublished(t, "Count small", raw%40, Count(raw%40))
		return true
	}
	cfg := &quick.Config{MaxCount: 20000}
	if err := quick.Check(f, cfg); err != nil {
		t.Fatal(err)
	}
}

// randomCount favours the interesting region around the threshold.
func randomCount(r *rand.Rand) int {
	switch r.IntN(4) {
	case 0:
		return 0
	case 1:
		return r.IntN(10) // 0..9
	case 2:
		return r.IntN(30)
	default:
		return r.IntN(5000)
	}
}

func TestTableProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(20240607, 7))
	for iter := range 5000 {
		nr, nc := r.IntN(6), 1+r.IntN(6)
		rows, cols := make([]string, nr), make([]string, nc)
		for i := range rows {
			rows[i] = "r" + strconv.Itoa(i)
		}
		for j := range cols {
			cols[j] = "c" + strconv.Itoa(j)
		}
		raw := make([][]int, nr)
		rowSum, colSum, grand := make([]int, nr), make([]int, nc), 0
		for i := range raw {
			raw[i] = make([]int, nc)
			for j := range raw[i] {
				n := randomCount(r)
				raw[i][j] = n
				rowSum[i] += n
				colSum[j] += n
				grand += n
			}
		}
		tab, err := NewTable(rows, cols, raw)
		if err != nil {
			t.Fatalf("table %d: %v", iter, err)
		}
		for i := range raw {
			for j := range raw[i] {
				checkPublished(t, "cell", raw[i][j], tab.Cells[i][j])
				checkPercent(t, tab.Cells[i][j], tab.RowTotals[i], tab.RowPercents[i][j])
			}
			checkPublished(t, "row total", rowSum[i], tab.RowTotals[i])
		}
		for j := range cols {
			checkPublished(t, "column total", colSum[j], tab.ColTotals[j])
		}
		checkPublished(t, "grand total", grand, tab.GrandTotal)
		if got := len(tab.Records()); got != nr+2 {
			t.Fatalf("table %d: %d records, want %d", iter, got, nr+2)
		}
	}
}

// checkPercent checks p against the published cell and total it came from.
func checkPercent(t *testing.T, cell, total Value, p PercentValue) {
	t.Helper()
	c, okC := cell.Int()
	d, okD := total.Int()
	got, ok := p.Int()
	switch {
	case !okC || !okD:
		if !p.Suppressed() || p.String() != "*" {
			t.Fatalf("percent of %s/%s = %q, want *", cell, total, p)
		}
	case d == 0:
		if !p.NotApplicable() || p.String() != "-" || c != 0 {
			t.Fatalf("percent of %s/%s = %q, want -", cell, total, p)
		}
	default:
		exact := float64(c) * 100 / float64(d)
		if !ok || math.Abs(float64(got)-exact) > 0.5 || got < 0 || got > 100 {
			t.Fatalf("percent of %s/%s = %q, want about %.2f", cell, total, p, exact)
		}
	}
}

func FuzzCount(f *testing.F) {
	for _, n := range []int{0, 1, 7, 8, 9, 12, 13, 17, 18, 22, 23, 1000, -1, math.MaxInt, math.MinInt} {
		f.Add(n)
	}
	f.Fuzz(func(t *testing.T, raw int) {
		checkPublished(t, "Count", raw, Count(raw))
		if raw >= 0 {
			checkPublished(t, "Total", raw, Total(raw))
			checkPublished(t, "Total split", raw, Total(raw/2, raw-raw/2))
		}
	})
}
