package web_test

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/disclosure"
)

const suppressionNote = "Counts of 1 to 7 are shown as *"

// openXLSX reads an exported workbook.
func openXLSX(t *testing.T, body string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// checkSheet checks what every exported sheet promises: a bold header
// row frozen with the first column, and the suppression note under the
// table. It returns the sheet's rows.
func checkSheet(t *testing.T, f *excelize.File, name string) [][]string {
	t.Helper()
	rows, err := f.GetRows(name)
	if err != nil || len(rows) < 2 {
		t.Fatalf("sheet %q: %v %v", name, err, rows)
	}
	for x := range rows[0] {
		cell, _ := excelize.CoordinatesToCellName(x+1, 1)
		id, _ := f.GetCellStyle(name, cell)
		st, err := f.GetStyle(id)
		if err != nil || st.Font == nil || !st.Font.Bold {
			t.Errorf("sheet %q: header %s is not bold", name, cell)
		}
	}
	panes, err := f.GetPanes(name)
	if err != nil || !panes.Freeze || panes.YSplit != 1 || panes.XSplit != 1 {
		t.Errorf("sheet %q: header row not frozen: %+v %v", name, panes, err)
	}
	if !strings.Contains(flat(rows), suppressionNote) {
		t.Errorf("sheet %q has no suppression note:\n%s", name, flat(rows))
	}
	return rows
}

func flat(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}

// readTables parses an exported CSV (blank rows between its tables).
func readTables(t *testing.T, body string) [][]string {
	t.Helper()
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("csv: %v", err)
	}
	return rows
}

// TestFrequenciesExportSaysWhatItHolds: every table of the code
// frequencies export carries the suppression note; with nothing coded it
// says so, and with every figure withheld it says so, under each table,
// as the breakdown export does. Its experiences per code are the row
// totals of the breakdown by code, through the same rule, and it has no
// passages column (figures of passages are never published).
func TestFrequenciesExportSaysWhatItHolds(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		codes, _ := demo.Codebook()
		if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
			t.Fatal(err)
		}
		c := e.client()
		c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
		const empty, withheld = "No coded experience to count yet.", "Every figure in this table is between 1 and 7"

		r := c.get("/staff/analysis/frequencies.csv")
		if n := strings.Count(r.body, suppressionNote); n != 2 {
			t.Errorf("empty export: %d suppression notes, want one per table", n)
		}
		if n := strings.Count(r.body, empty); n != 2 {
			t.Errorf("empty export: %d messages that nothing is coded, want one per table:\n%s", n, r.body)
		}
		f := openXLSX(t, c.get("/staff/analysis/frequencies.xlsx").body)
		for _, name := range []string{"Frequencies", "Co-occurrence"} {
			if rows := checkSheet(t, f, name); !strings.Contains(flat(rows), empty) {
				t.Errorf("empty workbook's %s sheet does not say nothing is coded", name)
			}
		}

		for range 3 {
			addCodedExperience(t, e, "south-asian", false, "No interpreter again.")
		}
		r = c.get("/staff/analysis/frequencies.csv")
		if n := strings.Count(r.body, withheld); n != 2 || strings.Contains(r.body, empty) {
			t.Errorf("three experiences: %d all-withheld messages, want one per table:\n%s", n, r.body)
		}

		for range 7 {
			addCodedExperience(t, e, "eastern-european", false, "No interpreter again.")
		}
		r = c.get("/staff/analysis/frequencies.csv")
		if strings.Contains(r.body, withheld) || strings.Contains(r.body, "passages") {
			t.Errorf("ten experiences: %s", r.body)
		}
		rows := readTables(t, r.body)
		if got := strings.Join(rows[0], ","); got != "code,path,experiences" {
			t.Errorf("frequencies header: %s", got)
		}
		// The page: the breakdown by code, exact; the export: the same
		// figure through the rule.
		page := c.get("/staff/analysis?rows=code&cols=source")
		for _, row := range rows[1:] {
			if len(row) != 3 || row[0] == "" || row[0] == "code" {
				break
			}
			i := strings.Index(page.body, `<th scope="row">`+row[0]+"</th>")
			if i < 0 {
				t.Errorf("code %q of the export is not a row of the page", row[0])
				continue
			}
			cells := page.body[i:]
			cells = cells[:strings.Index(cells, "</tr>")]
			// The row's total is the cell before the p value.
			tds := strings.Split(cells, `<td class="num">`)
			total, err := strconv.Atoi(strings.SplitN(tds[len(tds)-2], "<", 2)[0])
			if err != nil || disclosure.Count(total).String() != row[2] {
				t.Errorf("%s: export %s, page %d (%v)", row[0], row[2], total, err)
			}
		}
		if !strings.Contains(r.body, "Family interpreting,Language and interpreters › Family interpreting,10") {
			t.Errorf("the coded code's frequency:\n%s", r.body)
		}
	})
}

// TestExportsNeutraliseFormulas: a code named like a formula and
// communities whose names start with + and @ come out of both exports,
// CSV and XLSX, as text a spreadsheet will not run (the apostrophe of
// tabular.Neutralise, as in the support and report exports), and each
// workbook sheet has its bold frozen header row and the suppression note.
func TestExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		codes, _ := demo.Codebook()
		for i := range codes {
			if codes[i].ID == demo.CodeID("language-family-interpreting") {
				codes[i].Name = `=HYPERLINK("x")`
			}
		}
		if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
			t.Fatal(err)
		}
		prog, err := e.store.Programme(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range prog.Communities {
			switch c.Slug {
			case "south-asian":
				prog.Communities[i].Names = map[string]string{"en": "+1"}
			case "eastern-european":
				prog.Communities[i].Names = map[string]string{"en": "@x"}
			}
		}
		if err := e.store.ReplaceProgramme(ctx, "test", prog); err != nil {
			t.Fatal(err)
		}
		if err := e.web.ReloadProgramme(ctx); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			addCodedExperience(t, e, "south-asian", false, "No interpreter again.")
		}
		addCodedExperience(t, e, "eastern-european", false, "No interpreter again.")
		c := e.client()
		c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))

		const breakdown = "/staff/analysis/breakdown.%s?rows=code&cols=community"
		for _, path := range []string{strings.Replace(breakdown, "%s", "csv", 1), "/staff/analysis/frequencies.csv"} {
			r := c.get(path)
			for _, want := range []string{`"'=HYPERLINK(""x"")"`} {
				if !strings.Contains(r.body, want) {
					t.Errorf("%s lacks %s:\n%s", path, want, r.body)
				}
			}
			if strings.Contains(r.body, `,"=HYPERLINK`) || strings.Contains(r.body, "\n\"=HYPERLINK") {
				t.Errorf("%s has a formula:\n%s", path, r.body)
			}
		}
		if r := c.get(strings.Replace(breakdown, "%s", "csv", 1)); !strings.Contains(r.body, ",'@x,'+1,") {
			t.Errorf("breakdown csv header: %s", strings.SplitN(r.body, "\n", 2)[0])
		}

		// Workbooks: every sheet's header and note, and the cells as text.
		want := map[string][]string{
			strings.Replace(breakdown, "%s", "xlsx", 1): {"Breakdown", "Census"},
			"/staff/analysis/frequencies.xlsx":          {"Frequencies", "Co-occurrence"},
		}
		for path, sheets := range want {
			f := openXLSX(t, c.get(path).body)
			if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(sheets, ",") {
				t.Errorf("%s sheets: %v, want %v", path, got, sheets)
			}
			for _, name := range sheets {
				rows := checkSheet(t, f, name)
				if name == "Census" {
					continue
				}
				text := flat(rows)
				if !strings.Contains(text, `'=HYPERLINK("x")`) || strings.Contains(text, "\n=HYPERLINK") || strings.Contains(text, "|=HYPERLINK") {
					t.Errorf("%s %s: the code's name is not neutralised:\n%s", path, name, text)
				}
				cols, _ := f.GetCols(name)
				for x, col := range cols {
					for y := range col {
						cell, _ := excelize.CoordinatesToCellName(x+1, y+1)
						if fm, _ := f.GetCellFormula(name, cell); fm != "" {
							t.Errorf("%s %s!%s is a formula: %s", path, name, cell, fm)
						}
					}
				}
			}
			if path != "/staff/analysis/frequencies.xlsx" {
				rows, _ := f.GetRows("Breakdown")
				if strings.Join(rows[0], "|") != "Code|'@x|'+1|All" {
					t.Errorf("breakdown header: %v", rows[0])
				}
				// 1 -> *, 10 -> 10; numbers are numbers.
				for _, row := range rows {
					if len(row) > 0 && row[0] == `'=HYPERLINK("x")` {
						if strings.Join(row[1:], "|") != "*|10|10" {
							t.Errorf("breakdown row: %v", row)
						}
						if typ, _ := f.GetCellType("Breakdown", "C"+strconv.Itoa(indexOf(rows, row)+1)); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
							t.Errorf("a count is written as text")
						}
					}
				}
			}
		}
	})
}

func indexOf(rows [][]string, row []string) int {
	for i, r := range rows {
		if strings.Join(r, "\x00") == strings.Join(row, "\x00") {
			return i
		}
	}
	return -1
}
