package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"sort"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/tabular"
)

// Exports of the coded project: the REFI-QDA project (.qdpx) for a
// university partner's qualitative software, and code frequencies with
// co-occurrence as CSV and XLSX. Coders appear as pseudonyms, sources by
// their reference only; every export is written to the audit trail.

// pseudonym gives a coder a stable GUID that is not their account id.
func pseudonym(id string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("hearme:coder:"+id)).String()
}

func (s *Server) handleExportQDPX(w http.ResponseWriter, r *http.Request) {
	data, err := s.store.CodedProject(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	codes, err := s.codebookCodes(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	proj := analysis.Project{Name: s.programme().Settings.Name, Created: s.now(), Codes: codes, CodeMemos: map[string][]analysis.Memo{},
		Variables: []string{"language", "source", "pathway stages"}}
	users := map[string]string{}
	user := func(id string) string {
		if id == "" {
			return ""
		}
		g := pseudonym(id)
		if _, ok := users[g]; !ok {
			users[g] = fmt.Sprintf("Coder %d", len(users)+1)
		}
		return g
	}
	for _, m := range data.CodeMemos {
		proj.CodeMemos[m.CodeID] = append(proj.CodeMemos[m.CodeID], analysis.Memo{GUID: m.ID, Title: "Memo", Text: m.Text, By: user(m.AuthorID), Created: m.CreatedAt})
	}
	for _, e := range data.Experiences {
		var fields []analysis.FieldText
		for _, f := range analysis.AnswerFields {
			fields = append(fields, analysis.FieldText{Field: f, Heading: p.T(answerHeadings[f]), Text: e.Answers[f]})
			if t := e.Answers[analysis.TranslationPrefix+f]; t != "" {
				fields = append(fields, analysis.FieldText{Field: analysis.TranslationPrefix + f, Heading: p.T(answerHeadings[f]) + " (English)", Text: t})
			}
		}
		text, starts := analysis.SourceText(fields)
		src := analysis.Source{GUID: e.ID, Name: e.Reference, Text: text, Created: e.CreatedAt,
			Values: map[string]string{"language": e.Lang, "source": e.Source, "pathway stages": e.Stages}}
		for _, c := range e.Codings {
			base, ok := starts[c.Field]
			if !ok {
				continue
			}
			start, end := c.Start, c.End
			if c.Whole {
				start, end = 0, len([]rune(e.Answers[c.Field]))
			}
			src.Selections = append(src.Selections, analysis.Selection{GUID: c.ID, Start: base + start, End: base + end, Code: c.CodeID, By: user(c.CoderID), Created: c.CreatedAt})
		}
		for _, m := range e.Memos {
			src.Memos = append(src.Memos, analysis.Memo{GUID: m.ID, Title: "Memo", Text: m.Text, By: user(m.AuthorID), Created: m.CreatedAt})
		}
		proj.Sources = append(proj.Sources, src)
	}
	guids := make([]string, 0, len(users))
	for g := range users {
		guids = append(guids, g)
	}
	sort.Slice(guids, func(i, j int) bool { return users[guids[i]] < users[guids[j]] })
	for _, g := range guids {
		proj.Users = append(proj.Users, analysis.User{GUID: g, Name: users[g]})
	}
	var buf bytes.Buffer
	if err := analysis.WriteQDPX(&buf, proj); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.download(w, r, "hearme-project-"+s.now().Format("2006-01-02")+".qdpx", "application/zip", buf.Bytes())
}

// disclosureNote is written under every exported table of counts.
const disclosureNote = "Counts of 1 to 7 are shown as * and others are rounded to the nearest 5 (NHS England small-number rule; see docs/disclosure.md)."

// frequencySheets are the code frequencies (experiences per code) and
// the co-occurrence of codes in one experience (experiences per code
// are the row totals of the breakdown by code). Passages per code are
// not exported: figures of passages could be taken apart to give what
// one person said (docs/disclosure.md).
func (s *Server) frequencySheets(r *http.Request) ([]sheet, error) {
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	pairs, err := s.store.CodeOccurrences(r.Context())
	if err != nil {
		return nil, err
	}
	exps := map[string]map[string]bool{} // code -> experiences
	for _, p := range pairs {
		code := book.Resolve(p.CodeID)
		if exps[code] == nil {
			exps[code] = map[string]bool{}
		}
		exps[code][p.ExperienceID] = true
	}
	var nodes []analysis.Node
	for _, n := range book.Walk(true) {
		if n.MergedInto == "" {
			nodes = append(nodes, n)
		}
	}
	// A file leaves the analyst's screen, so every count in it goes
	// through disclosure control (docs/disclosure.md).
	freq := [][]string{{"code", "path", "experiences"}}
	head := []string{"code"}
	var freqCells [][]disclosure.Value
	for _, n := range nodes {
		v := disclosure.Count(len(exps[n.ID]))
		freq = append(freq, []string{n.Name, n.Path, v.String()})
		freqCells = append(freqCells, []disclosure.Value{v})
		head = append(head, n.Name)
	}
	co := [][]string{head}
	var coCells [][]disclosure.Value
	for _, a := range nodes {
		row := []string{a.Name}
		var cells []disclosure.Value
		for _, b := range nodes {
			n := 0
			for e := range exps[a.ID] {
				if exps[b.ID][e] {
					n++
				}
			}
			v := disclosure.Count(n)
			row = append(row, v.String())
			cells = append(cells, v)
		}
		co = append(co, row)
		coCells = append(coCells, cells)
	}
	p := s.newPage(r)
	// Under each table, as under the breakdown export's: the note, and in
	// words when nothing is coded yet or every figure is withheld.
	foot := func(rows [][]string, cells [][]disclosure.Value) [][]string {
		rows = append(rows, []string{}, []string{disclosureNote})
		if len(pairs) == 0 {
			return append(rows, []string{p.T("analysis.breakdown_empty")})
		}
		if m := withheldMessage(cells); m != "" {
			rows = append(rows, []string{p.T(m)})
		}
		return rows
	}
	return []sheet{{"Frequencies", foot(freq, freqCells), 2}, {"Co-occurrence", foot(co, coCells), 1}}, nil
}

func (s *Server) handleExportFrequencies(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sheets, err := s.frequencySheets(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.exportTables(w, r, kind, "code-frequencies-"+s.now().Format("2006-01-02"), sheets...)
	}
}

// sheet is one table of an export: its rows (the first is the header)
// and the first column that holds counts.
type sheet struct {
	Name        string
	Rows        [][]string
	NumericFrom int
}

// exportTables answers with the tables as CSV (one after the other, a
// blank row between) or as an XLSX workbook (a sheet each), audited.
func (s *Server) exportTables(w http.ResponseWriter, r *http.Request, kind, name string, sheets ...sheet) {
	if kind == "csv" {
		s.download(w, r, name+".csv", "text/csv; charset=utf-8", csvTables(sheets...))
		return
	}
	b, err := workbook(sheets...)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.download(w, r, name+".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b)
}

// csvTables writes the tables one after the other (a blank row between)
// as CSV with a byte order mark, for spreadsheets to read UTF-8; text a
// spreadsheet would run as a formula is neutralised.
func csvTables(sheets ...sheet) []byte {
	var buf bytes.Buffer
	buf.WriteString(tabular.BOM)
	cw := csv.NewWriter(&buf)
	for i, sh := range sheets {
		if i > 0 {
			cw.Write([]string{})
		}
		for _, row := range sh.Rows {
			out := make([]string, len(row))
			for j := range row {
				out[j] = tabular.Neutralise(row[j])
			}
			cw.Write(out)
		}
	}
	cw.Flush()
	return buf.Bytes()
}

// workbook writes each table on a sheet of its own with a bold, frozen
// header row; counts are numbers, text is neutralised against formulas.
func workbook(sheets ...sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.Name); err != nil {
				return nil, err
			}
		} else if _, err := f.NewSheet(sh.Name); err != nil {
			return nil, err
		}
		for y, row := range sh.Rows {
			for x, v := range row {
				cell, err := excelize.CoordinatesToCellName(x+1, y+1)
				if err != nil {
					return nil, err
				}
				var n int
				if y > 0 && x >= sh.NumericFrom {
					if _, err := fmt.Sscan(v, &n); err == nil && fmt.Sprint(n) == v {
						if err := f.SetCellInt(sh.Name, cell, int64(n)); err != nil {
							return nil, err
						}
						continue
					}
				}
				if err := f.SetCellStr(sh.Name, cell, tabular.Neutralise(v)); err != nil {
					return nil, err
				}
			}
		}
		if len(sh.Rows) > 0 && len(sh.Rows[0]) > 0 {
			last, _ := excelize.CoordinatesToCellName(len(sh.Rows[0]), 1)
			if err := f.SetCellStyle(sh.Name, "A1", last, bold); err != nil {
				return nil, err
			}
			if err := f.SetPanes(sh.Name, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"}); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
