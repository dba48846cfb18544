package web

import (
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

type userFormData struct {
	Existing      *account.User
	Roles         []account.Role
	Organisations []programme.Organisation
	Link          string // a one-time set-up link to hand over
}

// userPage builds the add/change user page: for an existing account its
// current values fill the form; link, when set, is shown to hand over.
func (s *Server) userPage(r *http.Request, existing *account.User, link string) *Page {
	p := s.newPage(r)
	p.Data = userFormData{Existing: existing, Roles: account.Roles, Organisations: s.programme().Organisations, Link: link}
	if existing != nil {
		u := existing
		p.Form = form.User{Name: u.DisplayName, Email: u.Email, Role: u.Role, OrganisationID: u.OrganisationID}
	} else {
		p.Form = form.User{Role: account.Connector}
	}
	return p
}

// userFromPath loads the account named in the path, or answers 404.
func (s *Server) userFromPath(w http.ResponseWriter, r *http.Request) (account.User, bool) {
	u, err := s.store.UserByID(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return u, false
	}
	return u, true
}

// newSetupLink makes a one-time set-up link for an account.
func (s *Server) newSetupLink(r *http.Request, userID string) (string, error) {
	token := auth.RandomToken(32)
	if err := s.store.CreateSetupToken(r.Context(), auth.HashToken(token), userID, store.PurposeSetPassword, SetupLinkTTL); err != nil {
		return "", err
	}
	return s.baseURL(r) + "/setup/" + token, nil
}

// baseURL is the configured public address (--base-url, or the
// listening address in development), never the request's Host header:
// a set-up or reset link must not lead wherever the sender said.
func (s *Server) baseURL(*http.Request) string { return s.cfg.PublicURL() }

func (s *Server) knownOrganisation(id string) bool {
	for _, o := range s.programme().Organisations {
		if o.ID == id {
			return true
		}
	}
	return false
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

// PublicURL is where links in emails start (for tests and tools).
func (s *Server) PublicURL() string { return s.cfg.PublicURL() }
