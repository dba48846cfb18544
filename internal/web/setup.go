package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

type setupData struct {
	First, Invalid bool
	Action         string
}

// setupToken looks up the one-time token in the path. The token itself
// is never logged: request logs carry the route pattern only.
func (s *Server) setupToken(r *http.Request) (string, store.SetupToken, bool) {
	raw := r.PathValue("token")
	if len(raw) < 20 || len(raw) > 100 {
		return "", store.SetupToken{}, false
	}
	h := auth.HashToken(raw)
	t, err := s.store.SetupTokenByHash(r.Context(), h)
	return h, t, err == nil
}

func (s *Server) handleSetupForm(w http.ResponseWriter, r *http.Request) {
	_, t, ok := s.setupToken(r)
	p := s.newPage(r)
	p.Form = form.Password{}
	if !ok {
		p.Data = setupData{Invalid: true}
		s.render(w, r, http.StatusNotFound, "setup", p)
		return
	}
	p.Data = setupData{First: t.Purpose == store.PurposeFirstAdmin, Action: r.URL.Path}
	s.render(w, r, http.StatusOK, "setup", p)
}

func (s *Server) handleSetup(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	hash, t, ok := s.setupToken(r)
	p := s.newPage(r)
	if !ok {
		p.Data = setupData{Invalid: true}
		s.render(w, r, http.StatusNotFound, "setup", p)
		return
	}
	first := t.Purpose == store.PurposeFirstAdmin
	p.Data = setupData{First: first, Action: r.URL.Path}
	password := r.PostForm.Get("password")
	f, n, errs := form.ParsePassword(r, first)
	p.Form = f
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "setup", p)
		return
	}
	ph, err := auth.HashPassword(password)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var firstUser = &n
	if !first {
		firstUser = nil
	}
	u, err := s.store.CompleteSetup(r.Context(), hash, ph, firstUser)
	switch {
	case errors.Is(err, store.ErrConflict):
		p.Errors.Add("email", "error.email_taken")
		s.render(w, r, http.StatusUnprocessableEntity, "setup", p)
		return
	case errors.Is(err, store.ErrNotFound):
		p.Data = setupData{Invalid: true}
		s.render(w, r, http.StatusNotFound, "setup", p)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.signIn(w, r, u)
}
