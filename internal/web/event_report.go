package web

import (
	"net/http"
	"net/url"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
)

// The event's own report, for staff: registrations, attendance,
// communities reached, what was captured and support signposted. Raw
// counts: this page never leaves the staff area.

type communityLine struct {
	Name  string // "" when the person did not say
	Count int
}

func (s *Server) handleEventReport(w http.ResponseWriter, r *http.Request) {
	ev, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	rep, err := s.store.EventReport(r.Context(), ev.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	var lines []communityLine
	for _, c := range rep.Communities {
		lines = append(lines, communityLine{s.invCommunityName(c.Community, p.Lang), c.Count})
	}
	p.Data = struct {
		Event       *event.Event
		Title       string
		Focus       string
		Report      store.EventReport
		Communities []communityLine
		Held        bool
	}{ev, ev.Text(p.Lang).Title, s.invCommunityName(ev.Community, p.Lang), rep, lines, ev.Start.Before(s.now())}
	s.render(w, r, http.StatusOK, "event_report", p)
}

// invCommunityName is a community's name in lang; "" stays "".
func (s *Server) invCommunityName(slug, lang string) string {
	if slug == "" {
		return ""
	}
	for _, c := range s.programme().Communities {
		if c.Slug == slug {
			return c.Name(lang)
		}
	}
	return slug
}

func urlQueryEscape(v string) string { return url.QueryEscape(v) }
