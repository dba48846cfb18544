// Package disclosure is the single gate every figure about people must pass
// through before it leaves the staff area (public pages, stakeholder views,
// exports). It implements the NHS England (formerly NHS Digital) small-number
// disclosure control used for Hospital Episode Statistics (HES) and the
// Emergency Care Data Set (ECDS):
//
//   - a count of 0 is published as 0;
//   - a count of 1 to 7 is published as "*";
//   - a count of 8 or more is rounded to the nearest 5;
//   - totals are summed from the unrounded counts, then the total goes through
//     the same rule (see [Total] and [NewTable]);
//   - percentages are calculated from the published (rounded) figures, and
//     are "*" if either figure is "*" (see [Percent]);
//   - a mean or median over 1 to 7 people is "*" (see [Mean], [Median]).
//
// Why: small counts about a named community can identify individuals, and
// rounding stops small counts being recovered by subtracting published figures
// from each other. The rule is applied everywhere, with no "national level"
// exemption, because every hearme output is sub-national.
//
// The published types ([Value], [PercentValue], [Statistic]) have only
// unexported fields, so the functions in this package are the only way to make
// one. Their zero values are suppressed ("*"): a figure that never went through
// this package can never be published as a number by mistake.
//
// See docs/disclosure.md for the rule, worked examples and sources.
package disclosure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// SuppressedMark is shown instead of any figure withheld by the rule.
const SuppressedMark = "*"

// NotApplicableMark is shown where there is no figure to give: a percentage
// of a total of 0, or a mean or median over 0 people. It is not a disclosure
// marker; it says "nothing to divide by".
const NotApplicableMark = "-"

// MaxSuppressed is the largest count that is withheld. Counts from 1 to
// MaxSuppressed inclusive are published as "*".
const MaxSuppressed = 7

// RoundTo is the base published counts are rounded to.
const RoundTo = 5

// Value is a published count: either suppressed ("*") or a whole number that
// already obeys the rule (0, or a multiple of 5 that is at least 10).
//
// The zero Value is suppressed, so an uninitialised field fails closed.
type Value struct {
	n         int
	published bool // false means suppressed
}

// Count applies the rule to one raw count of people.
//
//	0        -> 0
//	1 .. 7   -> "*"
//	8 and up -> nearest multiple of 5
//
// Ties cannot occur: an integer is never exactly 2.5 from a multiple of 5, so
// a remainder (mod 5) of 0, 1 or 2 rounds down and 3 or 4 rounds up
// (8 -> 10, 12 -> 10, 13 -> 15, 17 -> 15, 18 -> 20, 22 -> 20, 23 -> 25).
// Rounding never overflows: math.MaxInt and math.MaxInt32 are both 2 mod 5,
// so the largest counts round down.
//
// A negative count is a bug in the caller, not a figure; Count returns a
// suppressed Value for it rather than panicking, because a public page must
// never show a number that did not come through the rule, and a "*" is
// always safe to show.
func Count(n int) Value {
	switch {
	case n < 0:
		return Value{}
	case n == 0:
		return Value{n: 0, published: true}
	case n <= MaxSuppressed:
		return Value{}
	}
	q, r := n/RoundTo, n%RoundTo
	if r*2 > RoundTo { // r is 3 or 4: closer to the next multiple up
		q++
	}
	return Value{n: q * RoundTo, published: true}
}

// Total sums raw counts and then applies the rule to the sum once. This is
// the only correct way to publish a total: adding published values would
// compound rounding errors and lose every "*" cell.
//
// For example Total(3, 3, 3) is 10, while each of the three cells is "*".
// A negative count, or a sum too large for an int, gives a suppressed Value
// (see [Count]).
func Total(counts ...int) Value {
	sum, err := sum(counts)
	if err != nil {
		return Value{}
	}
	return Count(sum)
}

// Suppressed reports whether v is withheld ("*").
func (v Value) Suppressed() bool { return !v.published }

// Int returns the published number and true, or 0 and false if v is
// suppressed.
func (v Value) Int() (int, bool) {
	if !v.published {
		return 0, false
	}
	return v.n, true
}

// String returns "*" for a suppressed value, otherwise the number in base 10
// with no separators (so it is safe in CSV and JSON).
func (v Value) String() string {
	if !v.published {
		return SuppressedMark
	}
	return strconv.Itoa(v.n)
}

// MarshalText implements encoding.TextMarshaler, so Value encodes as its
// String in encoding/json (a JSON string such as "10" or "*"), encoding/xml
// and friends. There is deliberately no UnmarshalText: published figures are
// only ever made from raw counts, never parsed back in.
func (v Value) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// kind is the state of a derived figure (a percentage or a statistic).
// Its zero value is suppressed, so uninitialised figures fail closed.
type kind uint8

const (
	kindSuppressed kind = iota
	kindNotApplicable
	kindNumber
)

// PercentValue is a published percentage, in whole percent. It is either
// suppressed ("*"), not applicable ("-", the denominator is 0) or a number.
//
// Whole percent is deliberate: the inputs are rounded to the nearest 5, so
// any decimal places would suggest accuracy the published figures do not
// have. The zero PercentValue is suppressed.
type PercentValue struct {
	pct  int
	kind kind
}

// Percent returns num as a percentage of den, calculated from the published
// (rounded) values so that a reader can reproduce it from the figures on the
// page. It is rounded to the nearest whole percent, halves away from zero
// (1/8 = 12.5% -> 13%).
//
//   - "*" if num or den is suppressed (this check comes first);
//   - "-" (not applicable) if den is 0;
//   - otherwise round(100 * num / den).
func Percent(num, den Value) PercentValue {
	n, okN := num.Int()
	d, okD := den.Int()
	switch {
	case !okN || !okD:
		return PercentValue{}
	case d == 0:
		return PercentValue{kind: kindNotApplicable}
	}
	p := math.Round(float64(n) * 100 / float64(d))
	return PercentValue{pct: int(p), kind: kindNumber}
}

// Suppressed reports whether p is withheld ("*").
func (p PercentValue) Suppressed() bool { return p.kind == kindSuppressed }

// NotApplicable reports whether there is no percentage because the
// denominator was 0.
func (p PercentValue) NotApplicable() bool { return p.kind == kindNotApplicable }

// Int returns the whole percentage and true, or 0 and false if p is
// suppressed or not applicable.
func (p PercentValue) Int() (int, bool) {
	if p.kind != kindNumber {
		return 0, false
	}
	return p.pct, true
}

// String returns "*", "-" or the whole percentage without a "%" sign (so it
// drops straight into a CSV column or JSON field; pages add the sign).
func (p PercentValue) String() string {
	switch p.kind {
	case kindNotApplicable:
		return NotApplicableMark
	case kindNumber:
		return strconv.Itoa(p.pct)
	default:
		return SuppressedMark
	}
}

// MarshalText implements encoding.TextMarshaler; the text is String.
func (p PercentValue) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// Statistic is a published summary (mean or median) of one value per person.
// It is either suppressed ("*", 1 to 7 people), not applicable ("-", 0
// people or no finite result) or a number. The zero Statistic is suppressed.
type Statistic struct {
	x    float64
	kind kind
}

// Mean returns the arithmetic mean of values, one value per person, or "*"
// if there are 1 to 7 people and "-" if there are none. Why: a mean over a
// handful of people, together with other figures, can reveal one person's
// value; the HES rule withholds it below 8 values.
//
// The statistic itself is not rounded to 5 (it is not a count). If there
// are 8 or more people but any value is NaN or infinite, the result is "-":
// such a value is a data error, not a figure to publish.
func Mean(values []float64) Statistic {
	if s, done := statisticGate(values); done {
		return s
	}
	var total float64
	for _, x := range values {
		total += x
	}
	return number(total / float64(len(values)))
}

// Median returns the median of values, one value per person (the mean of the
// two middle values when the number is even), with the same "*" and "-"
// rules as [Mean]. The caller's slice is not reordered.
func Median(values []float64) Statistic {
	if s, done := statisticGate(values); done {
		return s
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	mid := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return number(sorted[mid])
	}
	return number(sorted[mid-1]/2 + sorted[mid]/2) // halves first: no overflow
}

// statisticGate applies the people-count part of the rule, then rejects
// non-finite input; done is true when s is the answer and no calculation
// should be made. The people count is checked first so that bad data about
// 1 to 7 people still shows "*".
func statisticGate(values []float64) (s Statistic, done bool) {
	switch {
	case len(values) == 0:
		return Statistic{kind: kindNotApplicable}, true
	case len(values) <= MaxSuppressed:
		return Statistic{}, true
	case slices.ContainsFunc(values, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }):
		return Statistic{kind: kindNotApplicable}, true
	}
	return Statistic{}, false
}

// number wraps a result; one that is not finite (a sum of large finite
// values can overflow) becomes not applicable.
func number(x float64) Statistic {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return Statistic{kind: kindNotApplicable}
	}
	return Statistic{x: x, kind: kindNumber}
}

// Suppressed reports whether s is withheld ("*").
func (s Statistic) Suppressed() bool { return s.kind == kindSuppressed }

// NotApplicable reports whether there is no statistic (0 people, or no
// finite result).
func (s Statistic) NotApplicable() bool { return s.kind == kindNotApplicable }

// Float returns the unrounded statistic and true, or 0 and false if s is
// suppressed or not applicable.
func (s Statistic) Float() (float64, bool) {
	if s.kind != kindNumber {
		return 0, false
	}
	return s.x, true
}

// String returns "*", "-" or the statistic to 1 decimal place (e.g. "12.5").
// Callers wanting another precision can format Float themselves.
func (s Statistic) String() string {
	switch s.kind {
	case kindNotApplicable:
		return NotApplicableMark
	case kindNumber:
		return strconv.FormatFloat(s.x, 'f', 1, 64)
	default:
		return SuppressedMark
	}
}

// MarshalText implements encoding.TextMarshaler; the text is String.
func (s Statistic) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Table is a published cross-tabulation (for example community x pathway
// stage). It holds only published figures; the raw counts it was made from
// are not kept, so a Table can be handed to any template or exporter.
type Table struct {
	RowLabels []string
	ColLabels []string
	// Cells[i][j] is the published count for row i, column j.
	Cells [][]Value
	// RowTotals[i], ColTotals[j] and GrandTotal are summed from the raw
	// counts and then put through the rule, so they are generally NOT the
	// sum of the published cells.
	RowTotals  []Value
	ColTotals  []Value
	GrandTotal Value
	// RowPercents[i][j] is Cells[i][j] as a percentage of RowTotals[i],
	// calculated from those published figures.
	RowPercents [][]PercentValue
}

// Errors returned by NewTable. The raw table is rejected as a whole rather
// than partly published.
var (
	ErrShape    = errors.New("disclosure: table shape does not match its labels")
	ErrNegative = errors.New("disclosure: negative count")
	ErrOverflow = errors.New("disclosure: total overflows int")
)

// NewTable publishes a 2-D table of raw counts. counts[i][j] is the raw count
// for rowLabels[i], colLabels[j]. Row, column and grand totals are summed
// from the raw counts and then put through [Count]; row percentages come from
// the published cells and row totals via [Percent].
//
// It returns an error (wrapping ErrShape, ErrNegative or ErrOverflow) instead
// of a partial table if the shape does not match the labels, a count is
// negative, or a total does not fit in an int.
func NewTable(rowLabels, colLabels []string, counts [][]int) (Table, error) {
	if len(counts) != len(rowLabels) {
		return Table{}, fmt.Errorf("%w: %d rows of counts, %d row labels", ErrShape, len(counts), len(rowLabels))
	}
	cols := make([][]int, len(colLabels)) // column-major copy for column totals
	for i, row := range counts {
		if len(row) != len(colLabels) {
			return Table{}, fmt.Errorf("%w: row %q has %d counts, %d column labels", ErrShape, rowLabels[i], len(row), len(colLabels))
		}
		for j, n := range row {
			if n < 0 {
				return Table{}, fmt.Errorf("%w: %d at row %q, column %q", ErrNegative, n, rowLabels[i], colLabels[j])
			}
			cols[j] = append(cols[j], n)
		}
	}

	t := Table{
		RowLabels:   slices.Clone(rowLabels),
		ColLabels:   slices.Clone(colLabels),
		Cells:       make([][]Value, len(counts)),
		RowTotals:   make([]Value, len(counts)),
		ColTotals:   make([]Value, len(colLabels)),
		RowPercents: make([][]PercentValue, len(counts)),
	}
	grand := 0
	for i, row := range counts {
		rowSum, err := sum(row)
		if err != nil {
			return Table{}, fmt.Errorf("%w: row %q", err, rowLabels[i])
		}
		if grand, err = add(grand, rowSum); err != nil {
			return Table{}, fmt.Errorf("%w: grand total", err)
		}
		t.RowTotals[i] = Count(rowSum)
		t.Cells[i] = make([]Value, len(row))
		t.RowPercents[i] = make([]PercentValue, len(row))
		for j, n := range row {
			t.Cells[i][j] = Count(n)
			t.RowPercents[i][j] = Percent(t.Cells[i][j], t.RowTotals[i])
		}
	}
	for j, col := range cols {
		colSum, err := sum(col)
		if err != nil {
			return Table{}, fmt.Errorf("%w: column %q", err, colLabels[j])
		}
		t.ColTotals[j] = Count(colSum)
	}
	t.GrandTotal = Count(grand)
	return t, nil
}

// Records returns the published counts as rows of strings for
// encoding/csv.Writer.WriteAll: a header row ("", column labels..., "Total"),
// one row per row label ending in its total, and a final "Total" row of
// column totals and the grand total. Percentages are not included.
func (t Table) Records() [][]string {
	out := make([][]string, 0, len(t.Cells)+2)
	header := append([]string{""}, t.ColLabels...)
	out = append(out, append(header, "Total"))
	for i, row := range t.Cells {
		rec := []string{t.RowLabels[i]}
		for _, v := range row {
			rec = append(rec, v.String())
		}
		out = append(out, append(rec, t.RowTotals[i].String()))
	}
	last := []string{"Total"}
	for _, v := range t.ColTotals {
		last = append(last, v.String())
	}
	return append(out, append(last, t.GrandTotal.String()))
}

// sum adds non-negative raw counts, refusing negatives and overflow.
func sum(counts []int) (int, error) {
	total := 0
	for _, n := range counts {
		if n < 0 {
			return 0, ErrNegative
		}
		var err error
		if total, err = add(total, n); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// add adds two non-negative ints, reporting overflow.
func add(a, b int) (int, error) {
	if a > math.MaxInt-b {
		return 0, ErrOverflow
	}
	return a + b, nil
}
