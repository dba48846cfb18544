package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/programme"
)

// way is one way to take part, shown on the home page.
type way struct{ Title, Text, Href string }

// ways lists how people take part. Until the journeys of their own are
// built, each points to the contact page, which says how to do it now.
var ways = []way{
	{"home.share_title", "home.share_text", "/share"},
	{"home.ideas_title", "home.ideas_text", "/ideas"},
	{"home.events_title", "home.events_text", "/contact#take-part"},
	{"home.invite_title", "home.invite_text", "/contact#take-part"},
	{"home.champion_title", "home.champion_text", "/contact#take-part"},
	{"home.support_title", "home.support_text", "/contact#support"},
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "home", func(p *Page) {
		p.Data = struct {
			Ways          []way
			Organisations []programme.Organisation
		}{ways, s.programme().Organisations}
	})
}
