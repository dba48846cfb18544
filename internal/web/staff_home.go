package web

import "net/http"

func (s *Server) handleStaffHome(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_home", p)
}
