package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

func (s *Server) handleUserNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "user_form", s.userPage(r, nil, ""))
}

// handleUserCreate adds an account and shows its one-time set-up link.
func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f, n, errs := form.ParseUser(r, true)
	p := s.userPage(r, nil, "")
	p.Form = f
	if len(errs) == 0 && n.OrganisationID != "" && !s.knownOrganisation(n.OrganisationID) {
		errs.Add("organisation", "error.organisation_required")
	}
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	u, err := s.store.CreateUser(r.Context(), reqCtx(r).user.ID, n)
	if errors.Is(err, store.ErrConflict) {
		p.Errors.Add("email", "error.email_taken")
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	link, err := s.newSetupLink(r, u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p = s.userPage(r, &u, link)
	p.Flash = "users.created"
	s.render(w, r, http.StatusCreated, "user_form", p)
}
