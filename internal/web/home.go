package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/programme"
)

// way is one way to take part, shown on the home page.
type way struct{ Title, Text, Href string }

// ways lists how people take part, each with its own journey.
var ways = []way{
	{"home.share_title", "home.share_text", "/share"},
	{"home.ideas_title", "home.ideas_text", "/ideas"},
	{"home.events_title", "home.events_text", "/events"},
	{"home.invite_title", "home.invite_text", "/invite"},
	{"home.champion_title", "home.champion_text", "/champions"},
	{"home.support_title", "home.support_text", "/support"},
	{"home.awareness_title", "home.awareness_text", "/awareness"},
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	if s.anyReviewOpen(r) {
		// While drafts are open for community review the page invites
		// residents to rank them (not cached: it changes when the
		// review closes).
		p := s.newPage(r)
		p.Data = struct {
			Ways          []way
			Organisations []programme.Organisation
		}{append([]way{{"review.home_title", "review.home_text", "/report/review"}}, ways...), s.programme().Organisations}
		s.render(w, r, http.StatusOK, "home", p)
		return
	}
	s.renderStatic(w, r, "home", func(p *Page) {
		p.Data = struct {
			Ways          []way
			Organisations []programme.Organisation
		}{ways, s.programme().Organisations}
	})
}
