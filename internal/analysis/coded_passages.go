package analysis

// Coded passages: the second measure of a breakdown (issue 12), beside
// experiences. A coded passage is a stretch of an answer given a code
// (what NVivo calls a coding reference and MAXQDA a coded segment). A
// code's passages are the distinct stretches coded with it, once merges
// are followed (two codings of one stretch, merged into one code, are
// one passage); a theme's are the distinct stretches coded with any of
// its codes, so a stretch given two codes of one theme is one passage
// of that theme, and a stretch given codes of two themes is a passage
// of each.

// Coding is one coding of an experience as the passage counts see it:
// the code as coded (merges not yet followed) and the stretch.
type Coding struct {
	Code    string
	Passage Passage
}

// CountPassages counts an experience's coded passages by code and by
// theme, resolve giving each coded code's code and theme now.
func CountPassages(codings []Coding, resolve func(code string) (resolved, theme string)) (byCode, byTheme map[string]int) {
	type at struct {
		value string
		p     Passage
	}
	seen := map[at]bool{}
	byCode, byTheme = map[string]int{}, map[string]int{}
	for _, c := range codings {
		code, theme := resolve(c.Code)
		if k := (at{"c:" + code, c.Passage}); !seen[k] {
			seen[k] = true
			byCode[code]++
		}
		if k := (at{"t:" + theme, c.Passage}); !seen[k] {
			seen[k] = true
			byTheme[theme]++
		}
	}
	return byCode, byTheme
}

// Passages are an experience's coded passages by each value of a
// dimension: by theme or code; none by any other dimension (a pathway
// stage or a community is the experience's, not a passage's).
func (f Fact) Passages(d Dimension) map[string]int {
	switch d {
	case DimTheme:
		return f.ThemePassages
	case DimCode:
		return f.CodePassages
	}
	return nil
}

// PassagesMeasured reports whether coded passages can be counted by d
// as the rows of a breakdown.
func PassagesMeasured(d Dimension) bool { return d == DimTheme || d == DimCode }

// PassageCell is one cell of a table of coded passages: the passages of
// the experiences in the cell, and the cell's share of its column's
// passages with that share minus the row's overall share (fractions).
type PassageCell struct {
	Passages          int
	Share, Difference float64
}

// PassageTable is a table of coded passages by theme or code (rows)
// against a dimension with one value per experience (columns). It has
// no test: several passages of one story are not independent
// observations, so a chi-square test over passages would claim
// certainty the data do not have. It is for the analyst's own screen
// only: published figures of passages could be taken apart to give what
// one person said (docs/disclosure.md).
type PassageTable struct {
	Rows, Cols []string
	Cells      [][]PassageCell
	RowTotals  []int // the row's passages in any column
	// ColTotals are the passages of every row value in the column (all
	// values, not only those in Rows); Total is theirs.
	ColTotals []int
	Total     int
}

// TabulatePassages counts the facts' coded passages by rows x cols over
// the given keys (in order).
func TabulatePassages(facts []Fact, rows, cols Dimension, rowKeys, colKeys []string) PassageTable {
	var c Counts
	for _, f := range facts {
		cv := f.Values(cols)
		if len(cv) == 0 {
			continue
		}
		for v, n := range f.Passages(rows) {
			c.AddPassages(v, cv[0], n)
		}
	}
	return TabulatePassageCounts(c, rowKeys, colKeys)
}

// TabulatePassageCounts is TabulatePassages over counts kept beforehand
// (Passages: the passages of each theme or code in each column).
func TabulatePassageCounts(c Counts, rowKeys, colKeys []string) PassageTable {
	t := PassageTable{Rows: rowKeys, Cols: colKeys, Cells: make([][]PassageCell, len(rowKeys)),
		RowTotals: make([]int, len(rowKeys)), ColTotals: make([]int, len(colKeys))}
	for j, k := range colKeys {
		for _, byCol := range c.Passages {
			t.ColTotals[j] += byCol[k]
		}
		t.Total += t.ColTotals[j]
	}
	for i, r := range rowKeys {
		t.Cells[i] = make([]PassageCell, len(colKeys))
		for j, k := range colKeys {
			cell := &t.Cells[i][j]
			cell.Passages = c.Passages[r][k]
			t.RowTotals[i] += cell.Passages
		}
	}
	for i := range rowKeys {
		overall := 0.0
		if t.Total > 0 {
			overall = float64(t.RowTotals[i]) / float64(t.Total)
		}
		for j := range colKeys {
			cell := &t.Cells[i][j]
			if t.ColTotals[j] > 0 {
				cell.Share = float64(cell.Passages) / float64(t.ColTotals[j])
				cell.Difference = cell.Share - overall
			}
		}
	}
	return t
}

// AddPassages adds n passages of row value r in column col.
func (c *Counts) AddPassages(r, col string, n int) {
	if c.Passages == nil {
		c.Passages = map[string]map[string]int{}
	}
	if c.Passages[r] == nil {
		c.Passages[r] = map[string]int{}
	}
	c.Passages[r][col] += n
}
