package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Breakdowns (/staff/analysis): experiences counted by theme, code or
// pathway stage against community, source, language, period or an
// equality question, with each row tested across the columns. This is
// the analyst's own screen: counts are shown as they are. Everything that
// leaves it (the stakeholders' evidence page, exports) goes through
// disclosure control.

var evidenceReaders = Access{Roles: []account.Role{account.Admin, account.Connector, account.Analyst, account.Stakeholder}}

func (s *Server) breakdownRoutes() []Route {
	return []Route{
		{"GET /staff/analysis", coders, s.handleBreakdown},
		{"GET /staff/analysis/breakdown.csv", coders, s.handleBreakdownExport("csv")},
		{"GET /staff/analysis/breakdown.xlsx", coders, s.handleBreakdownExport("xlsx")},
		{"GET /staff/evidence", evidenceReaders, s.handleEvidence},
	}
}

// dimensionChoice is one dimension offered on the form.
type dimensionChoice struct {
	Value, Label string
	Selected     bool
}

var rowDimensions = []analysis.Dimension{analysis.DimTheme, analysis.DimCode, analysis.DimStage}

func colDimensions() []analysis.Dimension {
	out := []analysis.Dimension{analysis.DimCommunity, analysis.DimSource, analysis.DimLanguage, analysis.DimPeriod}
	for _, q := range store.EqualityQuestions {
		out = append(out, analysis.EqualityDimension(q))
	}
	return out
}

// labeller names the values of each dimension in the page's language.
type labeller struct {
	p      *Page
	s      *Server
	book   *analysis.Codebook
	labels map[analysis.Dimension]map[string]string
}

func (s *Server) newLabeller(p *Page, book *analysis.Codebook) *labeller {
	l := &labeller{p: p, s: s, book: book, labels: map[analysis.Dimension]map[string]string{}}
	prog := s.programme()
	comm := map[string]string{}
	for _, c := range prog.Communities {
		comm[c.Slug] = c.Name(p.Lang)
	}
	l.labels[analysis.DimCommunity] = comm
	st := map[string]string{}
	for _, c := range prog.Stages {
		st[c.Slug] = c.Name(p.Lang)
	}
	l.labels[analysis.DimStage] = st
	langs := map[string]string{}
	var choices []equality.Choice
	for _, lg := range prog.Languages {
		langs[lg.Code] = lg.NativeName
		choices = append(choices, equality.Choice{Code: lg.Code, Label: lg.NativeName})
	}
	l.labels[analysis.DimLanguage] = langs
	opts := map[string][]equality.Option{
		"ethnic_group": equality.EthnicOptions(), "age_band": equality.AgeBandOptions(), "sex": equality.SexOptions(),
		"disability": equality.DisabilityOptions(), "religion": equality.ReligionOptions(), "main_language": equality.LanguageOptions(choices),
	}
	for q, os := range opts {
		m := map[string]string{}
		for _, o := range os {
			if o.Label != "" {
				m[o.Code] = o.Label
			} else {
				m[o.Code] = p.T(o.LabelKey)
			}
		}
		l.labels[analysis.EqualityDimension(q)] = m
	}
	return l
}

func (l *labeller) label(d analysis.Dimension, v string) string {
	switch d {
	case analysis.DimTheme, analysis.DimCode:
		if c, ok := l.book.Get(v); ok {
			return c.Name
		}
	case analysis.DimSource:
		return l.p.T("analysis.source_" + v)
	case analysis.DimPeriod:
		return v
	}
	if m, ok := l.labels[d]; ok {
		if s, ok := m[v]; ok {
			return s
		}
	}
	if v == "prefer-not-to-say" {
		return l.p.T("analysis.prefer_not_to_say")
	}
	return v
}

// keys are a dimension's values in a sensible order: the codebook's for
// themes and codes, the programme's for communities, stages and
// languages, the options' for equality answers, sorted otherwise.
func (l *labeller) keys(d analysis.Dimension, facts []analysis.Fact) []string {
	present := analysis.Keys(facts, d)
	var order []string
	switch d {
	case analysis.DimTheme:
		for _, n := range l.book.Walk(false) {
			if n.Depth == 0 {
				order = append(order, n.ID)
			}
		}
	case analysis.DimCode:
		for _, n := range l.book.Walk(false) {
			order = append(order, n.ID)
		}
	case analysis.DimCommunity:
		for _, c := range l.s.programme().Communities {
			order = append(order, c.Slug)
		}
	case analysis.DimStage:
		for _, c := range l.s.programme().Stages {
			order = append(order, c.Slug)
		}
	case analysis.DimLanguage:
		for _, c := range l.s.programme().Languages {
			order = append(order, c.Code)
		}
	}
	if order == nil {
		return present
	}
	// The configured order first (themes even with no experience, so a
	// silent theme shows as 0), then anything else that occurs.
	out := slices.Clone(order)
	for _, v := range present {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if d != analysis.DimTheme && d != analysis.DimCode && d != analysis.DimStage {
		// Columns: only what occurs, so a table has no empty columns.
		out = slices.DeleteFunc(out, func(v string) bool { return !slices.Contains(present, v) })
	}
	return out
}

func dimLabel(p *Page, d analysis.Dimension) string {
	if q, ok := strings.CutPrefix(string(d), "equality."); ok {
		return p.T("analysis.dim_equality_" + q)
	}
	return p.T("analysis.dim_" + string(d))
}

// breakdownCell is a cell ready to show.
type breakdownCell struct {
	Count             int
	Share, Difference string
	Marker            string // "higher", "lower" or ""
	Tested            bool
}

type breakdownRow struct {
	Label  string
	Total  int
	Cells  []breakdownCell
	Tested bool
	P      string
	// Where its bar is drawn in the chart (a 720-wide SVG: labels on
	// the first 300, bars from 310 on up to 340 long, the count after).
	Y, W, LX int
}

// breakdownQuery is a breakdown as asked for and counted.
type breakdownQuery struct {
	rows, cols       analysis.Dimension
	from, to         string
	facts            []analysis.Fact
	rowKeys, colKeys []string
	table            analysis.Breakdown
	lab              *labeller
	page             *Page
}

// countBreakdown reads the query, the facts and counts them.
func (s *Server) countBreakdown(r *http.Request) (*breakdownQuery, error) {
	q := r.URL.Query()
	rows := analysis.Dimension(form.Clean(q.Get("rows"), 40))
	cols := analysis.Dimension(form.Clean(q.Get("cols"), 40))
	if !slices.Contains(rowDimensions, rows) {
		rows = analysis.DimTheme
	}
	if !slices.Contains(colDimensions(), cols) {
		cols = analysis.DimCommunity
	}
	from, to := form.Clean(q.Get("from"), 7), form.Clean(q.Get("to"), 7)
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.AnalysisFacts(r.Context(), book)
	if err != nil {
		return nil, err
	}
	facts = slices.DeleteFunc(facts, func(f analysis.Fact) bool {
		return from != "" && f.Month < from || to != "" && f.Month > to
	})
	p := s.newPage(r)
	lab := s.newLabeller(p, book)
	rowKeys, colKeys := lab.keys(rows, facts), lab.keys(cols, facts)
	return &breakdownQuery{rows: rows, cols: cols, from: from, to: to, facts: facts, rowKeys: rowKeys, colKeys: colKeys,
		table: analysis.Tabulate(facts, rows, cols, rowKeys, colKeys), lab: lab, page: p}, nil
}

func (s *Server) handleBreakdown(w http.ResponseWriter, r *http.Request) {
	bq, err := s.countBreakdown(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	rows, cols, from, to, facts, rowKeys, colKeys, b, lab, p := bq.rows, bq.cols, bq.from, bq.to, bq.facts, bq.rowKeys, bq.colKeys, bq.table, bq.lab, bq.page
	maxTotal := 1
	for _, t := range b.RowTotals {
		maxTotal = max(maxTotal, t)
	}
	var view []breakdownRow
	for i, k := range rowKeys {
		w := 340 * b.RowTotals[i] / maxTotal
		row := breakdownRow{Label: lab.label(rows, k), Total: b.RowTotals[i], Tested: b.RowTest[i].Tested, Y: 22 * i, W: w, LX: 316 + w}
		if row.Tested {
			row.P = formatP(b.RowTest[i].P)
		}
		for _, c := range b.Cells[i] {
			bc := breakdownCell{Count: c.Count, Share: fmt.Sprintf("%.0f%%", 100*c.Share), Difference: fmt.Sprintf("%+.0f", 100*c.Difference), Tested: c.Tested}
			if c.Unusual && c.Residual > 0 {
				bc.Marker = "higher"
			} else if c.Unusual {
				bc.Marker = "lower"
			}
			row.Cells = append(row.Cells, bc)
		}
		view = append(view, row)
	}
	var colLabels []string
	for _, k := range colKeys {
		colLabels = append(colLabels, lab.label(cols, k))
	}
	var rowChoices, colChoices []dimensionChoice
	for _, d := range rowDimensions {
		rowChoices = append(rowChoices, dimensionChoice{string(d), dimLabel(p, d), d == rows})
	}
	for _, d := range colDimensions() {
		colChoices = append(colChoices, dimensionChoice{string(d), dimLabel(p, d), d == cols})
	}
	fromEvent := 0
	for _, f := range facts {
		if f.FromEvent {
			fromEvent++
		}
	}
	p.Data = struct {
		Rows, Cols       []dimensionChoice
		RowName, ColName string
		ColLabels        []string
		Table            []breakdownRow
		ColTotals        []int
		Total, FromEvent int
		From, To         string
		ChartHeight      int
		CSV, XLSX        template.URL
	}{rowChoices, colChoices, dimLabel(p, rows), dimLabel(p, cols), colLabels, view, b.ColTotals, b.Total, fromEvent, from, to, 22*len(view) + 4, exportURL("csv", rows, cols, from, to), exportURL("xlsx", rows, cols, from, to)}
	s.render(w, r, http.StatusOK, "staff_breakdown", p)
}

// handleBreakdownExport writes the breakdown as a file: it leaves the
// analyst's screen, so every count goes through disclosure control
// (totals from the exact counts, then the rule), with the note under it.
func (s *Server) handleBreakdownExport(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		bq, err := s.countBreakdown(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		b, p := bq.table, bq.page
		var rowLabels, colLabels []string
		counts := make([][]int, len(bq.rowKeys))
		for i, k := range bq.rowKeys {
			rowLabels = append(rowLabels, bq.lab.label(bq.rows, k))
			for _, c := range b.Cells[i] {
				counts[i] = append(counts[i], c.Count)
			}
		}
		for _, k := range bq.colKeys {
			colLabels = append(colLabels, bq.lab.label(bq.cols, k))
		}
		head := append(append([]string{dimLabel(p, bq.rows)}, colLabels...), p.T("analysis.breakdown_all"))
		rows := [][]string{head}
		if len(colLabels) > 0 {
			t, err := disclosure.NewTable(rowLabels, colLabels, counts)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			for i := range rowLabels {
				row := []string{rowLabels[i]}
				for _, v := range t.Cells[i] {
					row = append(row, v.String())
				}
				// A row's total is its experiences in any column, counted
				// once, which a multi-valued row need not sum to.
				row = append(row, disclosure.Count(b.RowTotals[i]).String())
				rows = append(rows, row)
			}
			foot := []string{p.T("analysis.breakdown_experiences")}
			for _, n := range b.ColTotals {
				foot = append(foot, disclosure.Count(n).String())
			}
			rows = append(rows, append(foot, disclosure.Count(b.Total).String()))
		}
		rows = append(rows, []string{}, []string{disclosureNote})
		if len(b.Rows) == 0 || b.Total == 0 {
			rows = append(rows, []string{p.T("analysis.breakdown_empty")})
		}
		name := fmt.Sprintf("breakdown-%s-by-%s-%s", bq.rows, strings.ReplaceAll(string(bq.cols), ".", "-"), s.now().Format("2006-01-02"))
		s.exportTables(w, r, kind, name, sheet{"Breakdown", rows, 1})
	}
}

// exportURL is the download link of a breakdown: a fixed path and the
// query encoded here, so the template can take it as it is.
func exportURL(kind string, rows, cols analysis.Dimension, from, to string) template.URL {
	q := url.Values{"rows": {string(rows)}, "cols": {string(cols)}, "from": {from}, "to": {to}}
	return template.URL("/staff/analysis/breakdown." + kind + "?" + q.Encode())
}

func formatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "–"
	case p < 0.001:
		return "< 0.001"
	}
	return fmt.Sprintf("%.3f", p)
}

// evidenceRow is a theme's published count and its suppressed breakdown.
type evidenceRow struct {
	Label string
	Total disclosure.Value
	Cells []disclosure.Value
}

// handleEvidence is what stakeholders see: the programme's themes with
// counts through disclosure control, themes by community suppressed, and
// consented, redacted quotes. Never a single experience, an unapproved or
// withdrawn one, or anyone's equality answer.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	book, _, err := s.codebook(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	facts, err := s.store.AnalysisFacts(r.Context(), book)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	lab := s.newLabeller(p, book)
	rowKeys := lab.keys(analysis.DimTheme, facts)
	colKeys := lab.keys(analysis.DimCommunity, facts)
	table, err := analysis.PublishedThemes(facts, rowKeys, colKeys)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var colLabels []string
	for _, k := range colKeys {
		colLabels = append(colLabels, lab.label(analysis.DimCommunity, k))
	}
	var rows []evidenceRow
	for i, k := range rowKeys {
		row := evidenceRow{Label: lab.label(analysis.DimTheme, k), Total: table.Totals[i]}
		if table.Cells != nil {
			row.Cells = table.Cells[i]
		}
		rows = append(rows, row)
	}
	quotes, err := s.store.ConsentedQuotes(r.Context(), 30)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type quoteView struct {
		Theme, Lang, Words, Translation string
	}
	// One entry per passage, with every theme it was coded with.
	var qs []quoteView
	at := map[string]int{}
	for _, q := range quotes {
		theme := lab.label(analysis.DimTheme, book.Theme(q.CodeID))
		key := q.ExperienceID + "\x00" + q.Words
		if i, ok := at[key]; ok {
			if !strings.Contains(qs[i].Theme, theme) {
				qs[i].Theme += ", " + theme
			}
			continue
		}
		at[key] = len(qs)
		qs = append(qs, quoteView{theme, q.Lang, q.Words, q.Translation})
	}
	p.Data = struct {
		Rows      []evidenceRow
		ColLabels []string
		Total     disclosure.Value
		Quotes    []quoteView
	}{rows, colLabels, disclosure.Count(len(facts)), qs}
	s.render(w, r, http.StatusOK, "staff_evidence", p)
}
