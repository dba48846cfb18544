package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/accountability"
)

// The public report (/report): the published recommendations, each with
// the organisations it is addressed to and its frozen evidence. Nothing
// here is computed from experiences: the figures are the strings
// disclosure control published on the day, the quotes the words frozen
// then, gone if the person withdrew them.

// reportItem is one published recommendation ready to show in the
// reader's language.
type reportItem struct {
	Reference, Title, Text, Published string
	Fallback                          bool // shown in English: not translated into the reader's language
	Organisations                     []string
	Themes                            []reportTheme
	Quotes                            []accountability.Quote
	Communities                       []string // the column heads of the figures by community
}

type reportTheme struct {
	Name, Total string
	Cells       []string
}

func (s *Server) reportItem(p *Page, rec accountability.Recommendation, ev accountability.Evidence) reportItem {
	title, text, fallback := rec.In(p.Lang)
	it := reportItem{Reference: rec.Reference, Title: title, Text: text, Fallback: fallback, Published: p.Date(rec.PublishedAt), Quotes: ev.Quotes}
	prog := s.programme()
	for _, slug := range rec.Organisations {
		name := slug
		for _, o := range prog.Organisations {
			if o.Slug == slug {
				name = o.Name
			}
		}
		it.Organisations = append(it.Organisations, name)
	}
	communityName := func(slug string) string {
		for _, c := range prog.Communities {
			if c.Slug == slug {
				return c.Name(p.Lang)
			}
		}
		if slug == "prefer-not-to-say" {
			return p.T("analysis.prefer_not_to_say")
		}
		return slug
	}
	for i, t := range ev.ByTheme() {
		rt := reportTheme{Name: t.ThemeName, Total: t.Total}
		for _, f := range t.ByCommunity {
			rt.Cells = append(rt.Cells, f.Value)
			if i == 0 {
				it.Communities = append(it.Communities, communityName(f.Community))
			}
		}
		it.Themes = append(it.Themes, rt)
	}
	return it
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.PublishedRecommendations(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	var items []reportItem
	for _, rec := range list {
		ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items = append(items, s.reportItem(p, rec, ev))
	}
	p.Data = struct{ Items []reportItem }{items}
	s.render(w, r, http.StatusOK, "report", p)
}

func (s *Server) handleReportRecommendation(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("reference")
	if !accountability.ValidReference(ref) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	rec, err := s.store.PublishedRecommendation(r.Context(), ref)
	if s.storeFailed(w, r, err) {
		return
	}
	s.renderReportRecommendation(w, r, rec, "report_recommendation")
}

// renderReportRecommendation shows one published recommendation as the
// public reads it (also the staff view of a published one).
func (s *Server) renderReportRecommendation(w http.ResponseWriter, r *http.Request, rec accountability.Recommendation, page string) {
	ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = s.reportItem(p, rec, ev)
	s.render(w, r, http.StatusOK, page, p)
}

// reportPart pairs the page with a recommendation for the "report-text"
// and "report-evidence" templates (Full: the figures by community too).
type reportPart struct {
	Page *Page
	Item reportItem
	Full bool
}

// Report pairs the page with a recommendation.
func (p *Page) Report(it reportItem, full bool) reportPart { return reportPart{p, it, full} }
