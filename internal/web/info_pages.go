package web

import "net/http"

func noData(*Page) {}

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	// What is kept, how long and who sees it come from the record of
	// processing (ropa.go), so the notice and the record never disagree.
	rec := s.ropaRecord(nil)
	s.renderStatic(w, r, "privacy", func(p *Page) { p.Data = rec.Public() })
}

func (s *Server) handleAccessibility(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "accessibility", noData)
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "contact", noData)
}
