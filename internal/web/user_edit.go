package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/web/form"
)

func (s *Server) handleUserEdit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	p := s.userPage(r, &u, "")
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "user_form", p)
}

// handleUserUpdate changes an account's role and organisation; the
// account's sessions end so the new rights apply at once.
func (s *Server) handleUserUpdate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	f, n, errs := form.ParseUser(r, false)
	f.Name, f.Email = u.DisplayName, u.Email
	p := s.userPage(r, &u, "")
	p.Form = f
	if len(errs) == 0 && n.OrganisationID != "" && !s.knownOrganisation(n.OrganisationID) {
		errs.Add("organisation", "error.organisation_required")
	}
	if len(errs) == 0 && n.Role != account.Admin {
		last, err := s.lastAdmin(r, u)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if last {
			errs.Add("role", "users.last_admin")
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	if n.Role != u.Role || n.OrganisationID != u.OrganisationID {
		if err := s.store.ChangeRole(r.Context(), reqCtx(r).user.ID, u.ID, n.Role, n.OrganisationID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.sessions.Put(r.Context(), sessFlash, "users.updated")
	redirect(w, r, "/staff/users/"+u.ID)
}
