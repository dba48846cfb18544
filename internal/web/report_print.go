package web

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"net/http"
	"regexp"
	"sync"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/pdf"
	"github.com/hearme-project/hearme/ui"
)

// The report on paper: /report/print is the whole report on one page that
// prints well from any browser (every recommendation with its text,
// evidence figures, each organisation's answer and all its commitments);
// /report/report.pdf is that page printed by headless Chromium where the
// server has it (internal/pdf). Like the open data, paper carries no
// quote's words: a printed quote cannot be recalled when its speaker
// withdraws it. The page says so and links to the site.

// reportPrint is the print page's data.
type reportPrint struct {
	Headline  accountability.Headline
	Items     []reportItem
	Generated string
	PDF       bool // this server can make the PDF
}

// pdfCache keeps the last PDF made in each language with the hash of the
// page it was printed from: a PDF is made again only when the report
// changed, so readers cannot make the server start a browser at will.
type pdfCache struct {
	mu sync.Mutex
	by map[string]cachedPDF
}

type cachedPDF struct {
	page [sha256.Size]byte
	pdf  []byte
}

func (s *Server) reportPrintPage(r *http.Request) (*Page, error) {
	rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r)
	loc := s.site.Load().loc
	today := s.today()
	d := reportPrint{Headline: rep.Headline(s.policy, today, loc), Generated: p.Date(s.now()), PDF: pdf.Available()}
	answers := rep.Answers(s.policy, today, loc)
	for _, rec := range rep.Recommendations {
		ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
		if err != nil {
			return nil, err
		}
		it := s.reportItem(p, rec.Recommendation, ev)
		it.Quotes = nil
		it.Answers = s.reportAnswers(p, rep, rec.ID, answers)
		d.Items = append(d.Items, it)
	}
	// How the community ranked each (report_review_staff.go).
	recs := make([]accountability.Recommendation, len(rep.Recommendations))
	for i, rec := range rep.Recommendations {
		recs[i] = rec.Recommendation
	}
	ranked, err := s.priorities(r, p, recs)
	if err != nil {
		return nil, err
	}
	for i := range d.Items {
		d.Items[i].Community = ranked[recs[i].ID]
	}
	p.Data = d
	return p, nil
}

func (s *Server) handleReportPrint(w http.ResponseWriter, r *http.Request) {
	p, err := s.reportPrintPage(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "report_print", p)
}

var (
	styleLink  = regexp.MustCompile(`<link rel="stylesheet" href="[^"]*">\n?`)
	iconLink   = regexp.MustCompile(`<link rel="icon"[^>]*>\n?`)
	scriptTag  = regexp.MustCompile(`<script[^>]*></script>\n?`)
	headEnding = []byte("</head>")
)

// selfContained makes a rendered page printable from a file with the
// network closed: its style sheets inline, no script, no icon.
func (s *Server) selfContained(page []byte, p *Page) ([]byte, error) {
	var css bytes.Buffer
	for _, name := range append([]string{"app.css"}, p.styles...) {
		b, err := ui.Static.ReadFile("static/" + name)
		if err != nil {
			return nil, err
		}
		css.Write(b)
		css.WriteByte('\n')
	}
	page = styleLink.ReplaceAll(page, nil)
	page = iconLink.ReplaceAll(page, nil)
	page = scriptTag.ReplaceAll(page, nil)
	i := bytes.Index(page, headEnding)
	if i < 0 {
		return nil, errors.New("report print: the page has no head")
	}
	var out bytes.Buffer
	out.Write(page[:i])
	out.WriteString("<style>")
	out.Write(bytes.ReplaceAll(css.Bytes(), []byte("</"), []byte(`<\/`)))
	out.WriteString("</style>\n")
	out.Write(page[i:])
	return out.Bytes(), nil
}

func (s *Server) handleReportPDF(w http.ResponseWriter, r *http.Request) {
	p, err := s.reportPrintPage(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !pdf.Available() {
		p.Data = nil
		s.render(w, r, http.StatusServiceUnavailable, "report_pdf_unavailable", p)
		return
	}
	// The document is the report, not this visit: no notice about the
	// language just chosen, and the same bytes (so the same PDF) for
	// every reader of one language.
	p.LanguageChanged, p.LanguageMissing, p.Flash = false, false, ""
	page, err := s.execute("report_print", p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	sum := sha256.Sum256(page)
	s.pdfs.mu.Lock()
	defer s.pdfs.mu.Unlock()
	c, ok := s.pdfs.by[p.Lang]
	if !ok || c.page != sum {
		html, err := s.selfContained(page, p)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		b, err := pdf.Print(r.Context(), html)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if s.pdfs.by == nil {
			s.pdfs.by = map[string]cachedPDF{}
		}
		c = cachedPDF{page: sum, pdf: b}
		s.pdfs.by[p.Lang] = c
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="report-`+p.Lang+`.pdf"`)
	w.Write(c.pdf)
}
