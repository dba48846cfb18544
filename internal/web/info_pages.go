package web

import "net/http"

func (s *Server) handlePrivacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "privacy", s.newPage(r))
}

func (s *Server) handleAccessibility(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "accessibility", s.newPage(r))
}

func (s *Server) handleContact(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "contact", s.newPage(r))
}
