package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/programme"
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

// What a breakdown counts: experiences (the default), or the coded
// passages of themes or codes (analysis.PassageTable).
const (
	measureExperiences = "experiences"
	measurePassages    = "passages"
)

var measures = []string{measureExperiences, measurePassages}

func colDimensions() []analysis.Dimension {
	out := []analysis.Dimension{analysis.DimCommunity, analysis.DimSource, analysis.DimEvent, analysis.DimLanguage, analysis.DimPeriod}
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

// loadEvents names the events an experience can be heard at: the date
// and the title in the page's language.
func (l *labeller) loadEvents(r *http.Request) error {
	events, err := l.s.store.Events(r.Context(), store.EventFilter{})
	if err != nil {
		return err
	}
	m := map[string]string{}
	for i := range events {
		e := &events[i]
		m[e.ID] = l.p.Date(e.Start) + " · " + eventTitle(e, l.p.Lang)
	}
	l.labels[analysis.DimEvent] = m
	return nil
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
	return l.ordered(d, analysis.Keys(facts, d))
}

// ordered puts the values of a dimension that occur (present, sorted) in
// that order.
func (l *labeller) ordered(d analysis.Dimension, present []string) []string {
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
	// Where its bar is drawn in the chart: a 360-wide SVG, narrow enough
	// to stay legible on a phone, with the label on a line of its own
	// above a bar up to chartLongest long, in a part per column, and the
	// row's total after it.
	Y, LX int
	Parts []chartPart
}

// chartPart is one column's part of a row's bar.
type chartPart struct {
	X, W    int
	Pattern int // which of chartPatterns fills it
	Title   string
}

const (
	chartLongest = 300 // the longest bar
	chartRow     = 44  // a row's height: its label, then its bar
	chartFills   = 6   // patterns in the template's <defs>, told apart in grey
)

// chartParts splits a row's bar by column, each part as long as its
// count on a scale where the longest bar (the largest sum of a row's
// cells) is chartLongest; the parts start where the ones before end, so
// rounding never opens a gap. Columns past the sixth reuse the patterns,
// in the same order as the key.
func chartParts(counts []int, colLabels []string, longest int) ([]chartPart, int) {
	var parts []chartPart
	sum := 0
	for j, n := range counts {
		if n == 0 {
			continue
		}
		x := sum * chartLongest / longest
		sum += n
		parts = append(parts, chartPart{X: x, W: sum*chartLongest/longest - x, Pattern: j % chartFills, Title: fmt.Sprintf("%s: %d", colLabels[j], n)})
	}
	return parts, sum * chartLongest / longest
}

// legendItem is one column in the chart's key.
type legendItem struct {
	Label   string
	Pattern int
}

// breakdownQuery is a breakdown as asked for and counted.
type breakdownQuery struct {
	rows, cols       analysis.Dimension
	measure          string // measureExperiences or measurePassages
	from, to         string
	community, stage string
	counts           analysis.Counts // kept counts of the experiences the filters keep
	pairs            analysis.Dimension
	rowKeys, colKeys []string
	table            analysis.Breakdown
	passages         analysis.PassageTable // when measure is measurePassages
	lab              *labeller
	page             *Page
}

// filter is the breakdown's filters.
func (bq *breakdownQuery) filter() analysis.Filter {
	return analysis.Filter{From: bq.from, To: bq.to, Community: bq.community, Stage: bq.stage}
}

// pairDimension is what co-occurrence is shown for: codes when the rows
// are codes, themes otherwise.
func pairDimension(rows analysis.Dimension) analysis.Dimension {
	if rows == analysis.DimCode {
		return analysis.DimCode
	}
	return analysis.DimTheme
}

// censusMargins are the dimensions the census comparison counts by.
func (s *Server) censusMargins() []analysis.Dimension {
	var out []analysis.Dimension
	for _, m := range s.programme().Census.Measures() {
		if d := censusDimension(m); !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// present lists the values with at least one experience in a map of
// counts, sorted.
func present(m map[string]int) []string {
	var out []string
	for v, n := range m {
		if n > 0 && v != "" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

var monthRE = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// countBreakdown reads the query and the kept counts it needs (never
// every experience: store.BreakdownCounts reads ranges of the counts
// kept as coding happens). Filters it cannot read come back as field
// errors against the form (the page is shown again with them and the
// choices kept; nothing is counted).
func (s *Server) countBreakdown(r *http.Request) (*breakdownQuery, field.Errors, error) {
	q := r.URL.Query()
	rows := analysis.Dimension(form.Clean(q.Get("rows"), 40))
	cols := analysis.Dimension(form.Clean(q.Get("cols"), 40))
	if !slices.Contains(rowDimensions, rows) {
		rows = analysis.DimTheme
	}
	if !slices.Contains(colDimensions(), cols) {
		cols = analysis.DimCommunity
	}
	measure := form.Clean(q.Get("measure"), 20)
	if !slices.Contains(measures, measure) {
		measure = measureExperiences
	}
	bq := &breakdownQuery{rows: rows, cols: cols, measure: measure, from: form.Clean(q.Get("from"), 7), to: form.Clean(q.Get("to"), 7),
		community: form.Clean(q.Get("community"), 64), stage: form.Clean(q.Get("stage"), 64)}
	var errs field.Errors
	if measure == measurePassages && !analysis.PassagesMeasured(rows) {
		// A passage has a theme and a code; a pathway stage is the
		// whole story's.
		errs.Add("measure", "analysis.error_passages_rows")
	}
	prog := s.programme()
	if bq.community != "" && !slices.ContainsFunc(prog.Communities, func(c programme.Item) bool { return c.Slug == bq.community }) {
		errs.Add("community", "analysis.error_choice")
	}
	if bq.stage != "" && !slices.ContainsFunc(prog.Stages, func(c programme.Item) bool { return c.Slug == bq.stage }) {
		errs.Add("stage", "analysis.error_choice")
	}
	if bq.from != "" && !monthRE.MatchString(bq.from) {
		errs.Add("from", "analysis.error_month")
	}
	if bq.to != "" && !monthRE.MatchString(bq.to) {
		errs.Add("to", "analysis.error_month")
	} else if bq.from != "" && bq.to != "" && monthRE.MatchString(bq.from) && bq.to < bq.from {
		errs.Add("to", "analysis.error_month_order")
	}
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, nil, err
	}
	bq.page = s.newPage(r)
	bq.lab = s.newLabeller(bq.page, book)
	if cols == analysis.DimEvent {
		if err := bq.lab.loadEvents(r); err != nil {
			return nil, nil, err
		}
	}
	if len(errs) > 0 {
		return bq, errs, nil
	}
	bq.pairs = pairDimension(rows)
	bq.counts, err = s.store.BreakdownCounts(r.Context(), store.BreakdownQuery{Rows: rows, Cols: cols, Filter: bq.filter(),
		Margins: s.censusMargins(), Pairs: bq.pairs})
	if err != nil {
		return nil, nil, err
	}
	bq.rowKeys, bq.colKeys = bq.lab.ordered(rows, bq.counts.RowValues), bq.lab.ordered(cols, bq.counts.ColValues())
	bq.table = analysis.TabulateCounts(bq.counts, bq.rowKeys, bq.colKeys)
	if measure == measurePassages {
		bq.passages = analysis.TabulatePassageCounts(bq.counts, bq.rowKeys, bq.colKeys)
	}
	return bq, nil, nil
}

// emptyReason says why a breakdown has nothing to count: no experience
// at all, none matching the filters, or none with a column value.
func (bq *breakdownQuery) emptyReason() string {
	switch {
	case bq.counts.All == 0:
		return "analysis.breakdown_empty"
	case bq.counts.Experiences == 0:
		return "analysis.breakdown_no_match"
	case bq.table.Total == 0:
		return "analysis.breakdown_no_column"
	case bq.measure == measurePassages && bq.passages.Total == 0:
		return "analysis.breakdown_no_passages"
	}
	return ""
}

// filterSelect is a filter of the breakdown form.
type filterSelect struct {
	Name, Label string
	Options     []dimensionChoice
}

func (s *Server) breakdownFilters(p *Page, bq *breakdownQuery) []filterSelect {
	prog := s.programme()
	community := filterSelect{Name: "community", Label: p.T("analysis.dim_community")}
	for _, c := range prog.Communities {
		community.Options = append(community.Options, dimensionChoice{c.Slug, c.Name(p.Lang), c.Slug == bq.community})
	}
	stage := filterSelect{Name: "stage", Label: p.T("analysis.dim_stage")}
	for _, c := range prog.Stages {
		stage.Options = append(stage.Options, dimensionChoice{c.Slug, c.Name(p.Lang), c.Slug == bq.stage})
	}
	return []filterSelect{community, stage}
}

func (s *Server) handleBreakdown(w http.ResponseWriter, r *http.Request) {
	bq, errs, err := s.countBreakdown(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderBreakdown(w, r, bq, errs)
}

// breakdownData is what the breakdown page shows.
type breakdownData struct {
	Rows, Cols       []dimensionChoice
	Measures         []dimensionChoice
	Passages         bool // the table counts coded passages, untested
	PassageTotal     int  // coded passages among the experiences kept
	Filters          []filterSelect
	RowName, ColName string
	ColLabels        []string
	Legend           []legendItem
	Table            []breakdownRow
	ColTotals        []int
	Total, FromEvent int
	From, To         string
	Empty            string // why there is nothing to count, as a message key
	ChartHeight      int
	ChartSplit       bool // each bar in a part per column (six columns at most)
	CSV, XLSX        template.URL
	Census           []censusView
	Pairs            []pairView
	PairsName        string
	PairsMore        int // pairs not listed
}

func (s *Server) renderBreakdown(w http.ResponseWriter, r *http.Request, bq *breakdownQuery, errs field.Errors) {
	rows, cols, b, lab, p := bq.rows, bq.cols, bq.table, bq.lab, bq.page
	d := breakdownData{RowName: dimLabel(p, rows), ColName: dimLabel(p, cols), From: bq.from, To: bq.to, Filters: s.breakdownFilters(p, bq),
		Passages: bq.measure == measurePassages}
	for _, m := range measures {
		d.Measures = append(d.Measures, dimensionChoice{m, p.T("analysis.measure_" + m), m == bq.measure})
	}
	for _, dim := range rowDimensions {
		d.Rows = append(d.Rows, dimensionChoice{string(dim), dimLabel(p, dim), dim == rows})
	}
	for _, dim := range colDimensions() {
		d.Cols = append(d.Cols, dimensionChoice{string(dim), dimLabel(p, dim), dim == cols})
	}
	if len(errs) > 0 {
		p.Errors = errs
		p.Data = d
		s.render(w, r, http.StatusUnprocessableEntity, "staff_breakdown", p)
		return
	}
	for _, k := range bq.colKeys {
		d.ColLabels = append(d.ColLabels, lab.label(cols, k))
	}
	cells, rowTotals := experienceCells(b), b.RowTotals
	if d.Passages {
		cells, rowTotals = passageCells(bq.passages), bq.passages.RowTotals
	}
	longest := 1
	for i := range bq.rowKeys {
		sum := 0
		for _, c := range cells[i] {
			sum += c.Count
		}
		longest = max(longest, sum)
	}
	// Past six columns the patterns would repeat and a bar's parts could
	// not be told apart (300 events, 35 months): each bar is then the
	// row's total, and the table gives the columns.
	d.ChartSplit = len(d.ColLabels) <= chartFills
	partLabels := d.ColLabels
	if !d.ChartSplit {
		partLabels = []string{p.T("analysis.chart_part_total")}
	}
	for i, k := range bq.rowKeys {
		row := breakdownRow{Label: lab.label(rows, k), Total: rowTotals[i], Y: chartRow * i, Cells: cells[i]}
		if !d.Passages {
			row.Tested = b.RowTest[i].Tested
		}
		counts := make([]int, len(cells[i]))
		for j, c := range cells[i] {
			counts[j] = c.Count
		}
		if !d.ChartSplit {
			counts = []int{rowTotals[i]} // one part: the row's total
		}
		var end int
		row.Parts, end = chartParts(counts, partLabels, longest)
		row.LX = end + 6
		if row.Tested {
			row.P = formatP(b.RowTest[i].P)
		}
		d.Table = append(d.Table, row)
	}
	if d.ChartSplit {
		for j, l := range d.ColLabels {
			d.Legend = append(d.Legend, legendItem{l, j % chartFills})
		}
	}
	d.FromEvent = bq.counts.FromEvent
	d.ColTotals, d.Total, d.Empty = b.ColTotals, b.Total, bq.emptyReason()
	if d.Passages {
		d.ColTotals, d.PassageTotal = bq.passages.ColTotals, bq.passages.Total
	}
	if d.Empty != "" {
		d.Table = nil
	}
	d.ChartHeight = chartRow * len(d.Table)
	d.CSV, d.XLSX = bq.exportURL("csv"), bq.exportURL("xlsx")
	if bq.counts.Experiences > 0 {
		d.Census = s.censusComparisons(p, bq.counts)
		pd := bq.pairs
		keys := bq.rowKeys
		if pd != rows {
			keys = lab.ordered(pd, present(bq.counts.Pairs.With))
		}
		var all int
		d.Pairs, all = s.coOccurrence(p, lab, pd, keys, bq.counts.Pairs)
		d.PairsName, d.PairsMore = dimLabel(p, pd), all-len(d.Pairs)
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "staff_breakdown", p)
}

// experienceCells are a table of experiences' cells, ready to show,
// each marked where its share is unlikely to be chance.
func experienceCells(b analysis.Breakdown) [][]breakdownCell {
	out := make([][]breakdownCell, len(b.Cells))
	for i, row := range b.Cells {
		for _, c := range row {
			bc := breakdownCell{Count: c.Count, Share: fmt.Sprintf("%.0f%%", 100*c.Share), Difference: fmt.Sprintf("%+.0f", 100*c.Difference), Tested: c.Tested}
			if c.Unusual && c.Residual > 0 {
				bc.Marker = "higher"
			} else if c.Unusual {
				bc.Marker = "lower"
			}
			out[i] = append(out[i], bc)
		}
	}
	return out
}

// passageCells are a table of coded passages' cells, ready to show:
// shares of the column's passages, never tested.
func passageCells(t analysis.PassageTable) [][]breakdownCell {
	out := make([][]breakdownCell, len(t.Cells))
	for i, row := range t.Cells {
		for _, c := range row {
			out[i] = append(out[i], breakdownCell{Count: c.Passages, Share: fmt.Sprintf("%.0f%%", 100*c.Share), Difference: fmt.Sprintf("%+.0f", 100*c.Difference)})
		}
	}
	return out
}

// handleBreakdownExport writes the breakdown as a file: it leaves the
// analyst's screen, so every count goes through disclosure control
// (totals from the exact counts, then the rule), with the note under it.
func (s *Server) handleBreakdownExport(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		bq, errs, err := s.countBreakdown(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(errs) == 0 && bq.measure == measurePassages {
			// Coded passages stay on the analyst's screen: one story can
			// hold many, so published figures of them could be taken
			// apart (a total less the cells shown, one export less
			// another) to give what one or two people said, which no
			// rounding of the figures hides (docs/disclosure.md).
			errs.Add("measure", "analysis.error_passages_export")
		}
		if len(errs) > 0 {
			// A link with filters it cannot read: the page, with the
			// problems, rather than a file of nothing.
			s.renderBreakdown(w, r, bq, errs)
			return
		}
		p := bq.page
		var rowLabels, colLabels []string
		for _, k := range bq.rowKeys {
			rowLabels = append(rowLabels, bq.lab.label(bq.rows, k))
		}
		for _, k := range bq.colKeys {
			colLabels = append(colLabels, bq.lab.label(bq.cols, k))
		}
		head := append(append([]string{dimLabel(p, bq.rows)}, colLabels...), p.T("analysis.breakdown_all"))
		rows := [][]string{head}
		if f := bq.filterText(); f != "" {
			rows = append(rows, []string{f})
		}
		empty := bq.emptyReason()
		withheld := ""
		if len(colLabels) > 0 && empty == "" {
			t, err := bq.published()
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			withheld = withheldMessage(t.cells, append(slices.Clone(t.rowTotals), append(t.colTotals, t.total)...))
			for i := range rowLabels {
				row := []string{rowLabels[i]}
				for _, v := range t.cells[i] {
					row = append(row, v.String())
				}
				rows = append(rows, append(row, t.rowTotals[i].String()))
			}
			foot := []string{p.T("analysis.breakdown_experiences")}
			for _, v := range t.colTotals {
				foot = append(foot, v.String())
			}
			rows = append(rows, append(foot, t.total.String()))
		}
		rows = append(rows, []string{}, []string{disclosureNote})
		if empty != "" {
			// An empty selection still makes a file (the link may have
			// been kept), saying plainly that there is nothing in it.
			rows = append(rows, []string{p.T(empty)})
		} else if withheld != "" {
			rows = append(rows, []string{p.T(withheld)})
		}
		name := fmt.Sprintf("breakdown-%s-by-%s-%s", bq.rows, strings.ReplaceAll(string(bq.cols), ".", "-"), s.now().Format("2006-01-02"))
		sheets := []sheet{{"Breakdown", rows, 1}}
		// As on the page: no census comparison when nothing matched.
		if bq.counts.Experiences > 0 {
			if census := s.publishedCensus(p, bq.counts); len(census) > 0 {
				sheets = append(sheets, censusSheet(p, census))
			}
		}
		s.exportTables(w, r, kind, name, sheets...)
	}
}

// publishedTable is a breakdown through disclosure control: its cells,
// the rows' and columns' totals and the grand total.
type publishedTable struct {
	cells                [][]disclosure.Value
	rowTotals, colTotals []disclosure.Value
	total                disclosure.Value
}

// published puts the breakdown's experiences through disclosure
// control, totals from the exact counts; a row's total is its
// experiences in any column, counted once, which a multi-valued row need
// not sum to. (Coded passages are never published: handleBreakdownExport.)
func (bq *breakdownQuery) published() (publishedTable, error) {
	var t publishedTable
	b := bq.table
	counts := make([][]int, len(b.Cells))
	for i, row := range b.Cells {
		for _, c := range row {
			counts[i] = append(counts[i], c.Count)
		}
	}
	dt, err := disclosure.NewTable(b.Rows, b.Cols, counts)
	if err != nil {
		return t, err
	}
	t.cells = dt.Cells
	for _, n := range b.RowTotals {
		t.rowTotals = append(t.rowTotals, disclosure.Count(n))
	}
	for _, n := range b.ColTotals {
		t.colTotals = append(t.colTotals, disclosure.Count(n))
	}
	t.total = disclosure.Count(b.Total)
	return t, nil
}

// exportURL is the download link of a breakdown: a fixed path and the
// query encoded here, so the template can take it as it is.
func (bq *breakdownQuery) exportURL(kind string) template.URL {
	// Always the experiences: coded passages are not exported.
	q := url.Values{"rows": {string(bq.rows)}, "cols": {string(bq.cols)}, "from": {bq.from}, "to": {bq.to}}
	if bq.community != "" {
		q.Set("community", bq.community)
	}
	if bq.stage != "" {
		q.Set("stage", bq.stage)
	}
	return template.URL("/staff/analysis/breakdown." + kind + "?" + q.Encode())
}

// filterText says in an export which experiences it counts.
func (bq *breakdownQuery) filterText() string {
	var parts []string
	if bq.community != "" {
		parts = append(parts, dimLabel(bq.page, analysis.DimCommunity)+": "+bq.lab.label(analysis.DimCommunity, bq.community))
	}
	if bq.stage != "" {
		parts = append(parts, dimLabel(bq.page, analysis.DimStage)+": "+bq.lab.label(analysis.DimStage, bq.stage))
	}
	if bq.from != "" || bq.to != "" {
		parts = append(parts, bq.page.T("analysis.breakdown_months", "From", bq.from, "To", bq.to))
	}
	return strings.Join(parts, "; ")
}

// withheldMessage says, as a message key, what a published table hides
// when none of its cells shows a figure: "" while any cell does, the
// whole table when its totals are withheld too, and otherwise that only
// the totals are shown. It looks at the cells alone, since a total can
// be published (3, 3 and 2 make 8) when none of its cells is.
func withheldMessage(cells [][]disclosure.Value, totals ...[]disclosure.Value) string {
	if !everyCellWithheld(cells) {
		return ""
	}
	for _, row := range totals {
		for _, v := range row {
			if n, _ := v.Int(); !v.Suppressed() && n != 0 {
				return "analysis.cells_withheld"
			}
		}
	}
	return "analysis.all_withheld"
}

// everyCellWithheld reports whether published cells show no figure at
// all: every cell withheld or zero, and at least one withheld.
func everyCellWithheld(cells [][]disclosure.Value) bool {
	withheld := false
	for _, row := range cells {
		for _, v := range row {
			if v.Suppressed() {
				withheld = true
			} else if n, _ := v.Int(); n != 0 {
				return false
			}
		}
	}
	return withheld
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
// counts through disclosure control, themes by community and by pathway
// stage suppressed, participation against the census through the same
// rule, and consented, redacted quotes. Never a single experience, an
// unapproved or withdrawn one, or anyone's equality answer.
func (s *Server) handleEvidence(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	status, refused := s.evidenceRefusal(r)
	book, _, err := s.codebook(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// From the kept counts, never every experience (as the breakdown page).
	counts, err := s.store.BreakdownCounts(r.Context(), store.BreakdownQuery{Rows: analysis.DimTheme, Cols: analysis.DimCommunity,
		Margins: s.censusMargins(), Pairs: analysis.DimTheme})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var stageSlugs []string
	for _, st := range s.programme().Stages {
		stageSlugs = append(stageSlugs, st.Slug)
	}
	stageTotals, byStage, err := s.store.StageThemeCounts(r.Context(), stageSlugs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lab := s.newLabeller(p, book)
	rowKeys := lab.ordered(analysis.DimTheme, counts.RowValues)
	colKeys := lab.ordered(analysis.DimCommunity, counts.ColValues())
	table, err := analysis.PublishedThemesCounts(counts, rowKeys, colKeys)
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
	stageKeys := lab.ordered(analysis.DimStage, present(stageTotals))
	stages, err := analysis.PublishedThemeStagesCounts(byStage, rowKeys, stageKeys)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var stageLabels []string
	for _, k := range stageKeys {
		stageLabels = append(stageLabels, lab.label(analysis.DimStage, k))
	}
	var stageRows []evidenceRow
	for i, k := range rowKeys {
		row := evidenceRow{Label: lab.label(analysis.DimTheme, k), Total: table.Totals[i]}
		if stages != nil {
			row.Cells = stages[i]
		}
		stageRows = append(stageRows, row)
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
		Refused                  string
		Rows, StageRows          []evidenceRow
		ColLabels, StageLabels   []string
		Withheld, StagesWithheld string // message keys, "" when cells show figures
		Total                    disclosure.Value
		Census                   []censusView
		Quotes                   []quoteView
	}{refused, rows, stageRows, colLabels, stageLabels, withheldMessage(table.Cells, table.Totals),
		withheldMessage(stages, table.Totals),
		disclosure.Count(counts.All), s.publishedCensus(p, counts), qs}
	s.render(w, r, status, "staff_evidence", p)
}

// evidenceRefusal answers what the evidence page will not show: a
// stakeholder asking for another organisation's view, or anyone asking
// for one experience or one person's answers. The page says so plainly
// and shows what may be seen instead (status 403).
func (s *Server) evidenceRefusal(r *http.Request) (int, string) {
	q := r.URL.Query()
	for _, k := range []string{"experience", "reference", "person", "answers"} {
		if q.Has(k) {
			return http.StatusForbidden, "analysis.evidence_refused_person"
		}
	}
	if org := q.Get("org"); org != "" {
		u := reqCtx(r).user
		if u.Role == account.Stakeholder && !s.isOrganisation(org, u.OrganisationID) {
			return http.StatusForbidden, "analysis.evidence_refused_org"
		}
	}
	return http.StatusOK, ""
}

// isOrganisation reports whether ref (an id or a slug) names the
// organisation with the given id.
func (s *Server) isOrganisation(ref, id string) bool {
	if id == "" {
		return false
	}
	for _, o := range s.programme().Organisations {
		if o.ID == id {
			return ref == o.ID || ref == o.Slug
		}
	}
	return false
}
