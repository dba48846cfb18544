package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// SetupLinkTTL is how long a set-up link works.
const SetupLinkTTL = 72 * time.Hour

type userFormData struct {
	Existing      *account.User
	Roles         []account.Role
	Organisations []programme.Organisation
	Link          string
}

func (s *Server) userFormData(existing *account.User) userFormData {
	return userFormData{Existing: existing, Roles: account.Roles, Organisations: s.programme().Organisations}
}

func (s *Server) handleUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.store.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct{ Users []account.User }{users}
	s.render(w, r, http.StatusOK, "users", p)
}

func (s *Server) handleUserNew(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Form = form.User{Role: account.Connector}
	p.Data = s.userFormData(nil)
	s.render(w, r, http.StatusOK, "user_form", p)
}

// newSetupLink makes a one-time set-up link for an account.
func (s *Server) newSetupLink(r *http.Request, userID string) (string, error) {
	token := auth.RandomToken(32)
	if err := s.store.CreateSetupToken(r.Context(), auth.HashToken(token), userID, store.PurposeSetPassword, SetupLinkTTL); err != nil {
		return "", err
	}
	return s.baseURL(r) + "/setup/" + token, nil
}

// baseURL is the configured public address, or the one this request came to.
func (s *Server) baseURL(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return s.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleUserCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f, n, errs := form.ParseUser(r, true)
	p := s.newPage(r)
	p.Form = f
	data := s.userFormData(nil)
	p.Data = data
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
	data = s.userFormData(&u)
	data.Link = link
	p.Data = data
	p.Flash = "users.created"
	s.render(w, r, http.StatusCreated, "user_form", p)
}

func (s *Server) knownOrganisation(id string) bool {
	for _, o := range s.programme().Organisations {
		if o.ID == id {
			return true
		}
	}
	return false
}

// userFromPath loads the account named in the path, or answers 404.
func (s *Server) userFromPath(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	u, err := s.store.UserByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound)
		return u, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return u, false
	}
	return u, true
}

func (s *Server) handleUserEdit(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Form = form.User{Name: u.DisplayName, Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID}
	p.Data = s.userFormData(&u)
	s.render(w, r, http.StatusOK, "user_form", p)
}

// lastAdmin reports whether u is the only active administrator, whom no
// change may remove.
func (s *Server) lastAdmin(r *http.Request, u account.User) (bool, error) {
	if u.Role != account.Admin || u.Disabled {
		return false, nil
	}
	n, err := s.store.CountUsers(r.Context(), account.Admin)
	return n <= 1, err
}

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
	p := s.newPage(r)
	p.Form = f
	p.Data = s.userFormData(&u)
	if len(errs) == 0 && n.OrganisationID != "" && !s.knownOrganisation(n.OrganisationID) {
		errs.Add("organisation", "error.organisation_required")
	}
	if len(errs) == 0 && n.Role != account.Admin {
		if last, err := s.lastAdmin(r, u); err != nil {
			s.serverError(w, r, err)
			return
		} else if last {
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

func (s *Server) handleUserDisable(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	p := s.newPage(r)
	p.Form = form.User{Name: u.DisplayName, Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID}
	p.Data = s.userFormData(&u)
	if u.ID == reqCtx(r).user.ID {
		p.Errors.Add("role", "users.cannot_disable_self")
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	if last, err := s.lastAdmin(r, u); err != nil || last {
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors.Add("role", "users.last_admin")
		s.render(w, r, http.StatusUnprocessableEntity, "user_form", p)
		return
	}
	if err := s.store.SetDisabled(r.Context(), reqCtx(r).user.ID, u.ID, true); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "users.updated")
	redirect(w, r, "/staff/users/"+u.ID)
}

func (s *Server) handleUserEnable(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	if err := s.store.SetDisabled(r.Context(), reqCtx(r).user.ID, u.ID, false); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "users.updated")
	redirect(w, r, "/staff/users/"+u.ID)
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
	p := s.newPage(r)
	p.Form = form.User{Name: u.DisplayName, Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID}
	data := s.userFormData(&u)
	data.Link = link
	p.Data = data
	s.render(w, r, http.StatusOK, "user_form", p)
}
