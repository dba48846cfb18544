package web

import "net/http"

// handleUserDisable disables an account, ending its sessions. Nobody can
// disable themselves or the last active administrator.
func (s *Server) handleUserDisable(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	refuse := ""
	if u.ID == reqCtx(r).user.ID {
		refuse = "users.cannot_disable_self"
	} else if last, err := s.lastAdmin(r, u); err != nil {
		s.serverError(w, r, err)
		return
	} else if last {
		refuse = "users.last_admin"
	}
	if refuse != "" {
		p := s.userPage(r, &u, "")
		p.Errors.Add("role", refuse)
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	s.setDisabled(w, r, u.ID, true)
}

func (s *Server) handleUserEnable(w http.ResponseWriter, r *http.Request) {
	if u, ok := s.userFromPath(w, r); ok {
		s.setDisabled(w, r, u.ID, false)
	}
}

func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, id string, disabled bool) {
	if err := s.store.SetDisabled(r.Context(), reqCtx(r).user.ID, id, disabled); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "users.updated")
	redirect(w, r, "/staff/users/"+id)
}

// handleUserReset clears the account's password and security code, ends
// its sessions and shows a new set-up link.
func (s *Server) handleUserReset(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	if err := s.store.ResetSignIn(r.Context(), reqCtx(r).user.ID, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	link, err := s.newSetupLink(r, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	u.PasswordHash, u.TOTPSecret = "", ""
	s.render(w, r, http.StatusOK, "user_form", s.userPage(r, &u, link))
}
