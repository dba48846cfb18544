package web

import "net/http"

// "You said, we did" (/report/communities/{slug}): one page per
// community, in its languages and in easy words, that fits on one printed
// sheet for notice boards and events and that an event page can link to.
// "You said" is what the community's stories added to each published
// recommendation's evidence (the frozen figures, suppressed as they were
// published; never a quote); "we did" is each organisation's answer and
// its commitments with their status now.

type communitySaid struct {
	Theme, Value string
}

type communityItem struct {
	Reference, Title string
	Fallback         bool
	Said             []communitySaid
	Answers          []reportAnswer
}

type communitySheet struct {
	Slug, Name string
	Items      []communityItem
}

func (s *Server) handleReportCommunity(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	p := s.newPage(r)
	sheet := communitySheet{Slug: slug}
	for _, c := range s.programme().Communities {
		if c.Slug == slug {
			sheet.Name = c.Name(p.Lang)
		}
	}
	if sheet.Name == "" {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	answers := rep.Answers(s.policy, s.today(), s.site.Load().loc)
	for _, rec := range rep.Recommendations {
		ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		var said []communitySaid
		for _, t := range ev.ByTheme() {
			for _, f := range t.ByCommunity {
				// "0": nobody from this community spoke of it. "*" is one
				// to seven people: they did, and the sheet says so
				// without the number.
				if f.Community == slug && f.Value != "0" && f.Value != "" {
					said = append(said, communitySaid{Theme: t.ThemeName, Value: f.Value})
				}
			}
		}
		if len(said) == 0 {
			continue
		}
		title, _, fallback := rec.In(p.Lang)
		sheet.Items = append(sheet.Items, communityItem{Reference: rec.Reference, Title: title, Fallback: fallback, Said: said,
			Answers: s.reportAnswers(p, rep.ForRecommendation(rec.ID), rec.ID, answers)})
	}
	p.Data = sheet
	s.render(w, r, http.StatusOK, "report_community", p)
}

// communityLinks lists the programme's active communities for the
// report's main page, in the reader's language.
func (s *Server) communityLinks(p *Page) []communityLink {
	var out []communityLink
	for _, c := range s.programme().Communities {
		if c.Active {
			out = append(out, communityLink{Slug: c.Slug, Name: c.Name(p.Lang)})
		}
	}
	return out
}

type communityLink struct{ Slug, Name string }
