package web

import "net/http"

func noData(*Page) {}

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "privacy", noData)
}

func (s *Server) handleAccessibility(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "accessibility", noData)
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "contact", noData)
}
