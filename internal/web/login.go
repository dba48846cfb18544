package web

import (
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if reqCtx(r).user != nil {
		redirect(w, r, "/staff")
		return
	}
	p := s.newPage(r)
	p.Form = form.Login{}
	switch r.URL.Query().Get("m") {
	case "out":
		p.Flash = "login.signed_out"
	case "ended":
		p.Flash = "login.session_ended"
	case "resume":
		p.Flash = "session.resume_sign_in" // a form posted after the session ended is kept
	}
	s.render(w, r, http.StatusOK, "login", p)
}

func (s *Server) throttled(p *Page, field string, wait time.Duration) {
	p.Errors.Add(field, "error.throttled", "Minutes", int(math.Ceil(wait.Minutes())))
}

// handleLogin checks the email and password. Every failure looks the
// same to the person (no hint whether the account exists), is throttled
// per account and per address, and is audited without the address typed.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f, errs := form.ParseLogin(r)
	p := s.newPage(r)
	p.Form = form.Login{Email: f.Email}
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "login", p)
		return
	}
	ip := reqCtx(r).ip
	email, _ := account.NormaliseEmail(f.Email)
	if email == "" {
		email = f.Email
	}
	if ok, wait := s.throttle.Allow(email, ip); !ok {
		s.throttled(p, "email", wait)
		s.render(w, r, http.StatusTooManyRequests, "login", p)
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	ok := false
	if err == nil && u.HasPassword() && !u.Disabled {
		var rehash bool
		var cerr error
		if ok, rehash, cerr = auth.CheckPassword(u.PasswordHash, f.Password); cerr != nil {
			// A stored hash that cannot be read: the sign-in is refused
			// as a wrong password would be, and staff can see why.
			s.log.Error("stored password hash unreadable", "err", cerr.Error())
		}
		if ok && rehash {
			if h, err := auth.HashPassword(f.Password); err != nil {
				s.log.Error("password rehash failed", "err", err.Error())
			} else if err := s.store.RehashPassword(r.Context(), u.ID, h); err != nil {
				// The old hash still works: the sign-in goes ahead, and
				// the rehash is tried again next time.
				s.log.Error("password rehash failed", "err", err.Error())
			}
		}
	} else {
		auth.DummyCheck() // same time whether or not the account exists
	}
	if !ok {
		s.throttle.Failure(email, ip)
		subject := "unknown-account"
		if err == nil {
			subject = u.ID
		}
		if aerr := s.store.AppendAudit(r.Context(), "anonymous", audit.LoginFailed, subject, ""); aerr != nil {
			s.log.Error("audit failed login", "err", aerr.Error())
		}
		p.Errors.Add("email", "error.credentials")
		s.render(w, r, http.StatusUnauthorized, "login", p)
		return
	}
	s.throttle.Success(email, ip)
	if u.HasTOTP() {
		if err := s.sessions.RenewToken(r.Context()); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), sessPendingID, u.ID)
		s.sessions.Put(r.Context(), sessPendingAt, s.now().Unix())
		redirect(w, r, "/login/code")
		return
	}
	s.signIn(w, r, u)
}

// signIn starts a staff session with a fresh token (no fixation).
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u account.User) {
	ctx := r.Context()
	if err := s.sessions.RenewToken(ctx); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Remove(ctx, sessPendingID)
	s.sessions.Remove(ctx, sessPendingAt)
	s.sessions.Put(ctx, sessUserID, u.ID)
	s.sessions.Put(ctx, sessEpoch, u.SessionEpoch)
	if err := s.store.RecordLogin(ctx, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	if s.needsTOTP(&u) {
		redirect(w, r, "/staff/account/security-code")
		return
	}
	if path := s.pendingPath(r); path != "" {
		redirect(w, r, path) // the form kept while the person signed in again
		return
	}
	redirect(w, r, "/staff")
}

// pendingUser is the account that passed its password and now owes a
// security code; the step expires after five minutes.
func (s *Server) pendingUser(r *http.Request) (account.User, bool) {
	id := s.sessions.GetString(r.Context(), sessPendingID)
	at := s.sessions.GetInt64(r.Context(), sessPendingAt)
	if id == "" || s.now().Unix()-at > 300 {
		return account.User{}, false
	}
	u, err := s.store.UserByID(r.Context(), id)
	if err != nil || u.Disabled {
		return account.User{}, false
	}
	return u, true
}

func (s *Server) handleLoginCodeForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.pendingUser(r); !ok {
		redirect(w, r, "/login")
		return
	}
	s.render(w, r, http.StatusOK, "login_code", s.newPage(r))
}

func (s *Server) handleLoginCode(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	u, ok := s.pendingUser(r)
	if !ok {
		redirect(w, r, "/login?m=ended")
		return
	}
	f, errs := form.ParseCode(r)
	p := s.newPage(r)
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "login_code", p)
		return
	}
	ip := reqCtx(r).ip
	key := "code:" + u.ID
	if ok, wait := s.throttle.Allow(key, ip); !ok {
		s.throttled(p, "code", wait)
		s.render(w, r, http.StatusTooManyRequests, "login_code", p)
		return
	}
	secret, err := s.keys.Open(u.TOTPSecret)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	step, valid := auth.VerifyTOTP(secret, f.Code, s.now(), u.TOTPLastStep)
	if valid {
		if err := s.store.UseTOTPStep(r.Context(), u.ID, step); err != nil {
			valid = false // the same code was just used by another request
		}
	}
	if !valid {
		s.throttle.Failure(key, ip)
		if aerr := s.store.AppendAudit(r.Context(), "anonymous", audit.SecondFactorFail, u.ID, ""); aerr != nil {
			s.log.Error("audit failed code", "err", aerr.Error())
		}
		p.Errors.Add("code", "error.totp_invalid")
		s.render(w, r, http.StatusUnauthorized, "login_code", p)
		return
	}
	s.throttle.Success(key, ip)
	s.signIn(w, r, u)
}

// handleLogout ends this session and every other session of the account
// (a shared or lost device is signed out too).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if u := reqCtx(r).user; u != nil {
		if err := s.store.SignOutEverywhere(r.Context(), u.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if err := s.sessions.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	// Nothing of the capture queue stays on a shared phone (docs/offline.md):
	// its records (only ever encrypted, to a key the phone never has), the
	// queue key, the offline shell and the service worker. The page's
	// script refuses to sign out while records wait unsent.
	w.Header().Set("Clear-Site-Data", `"cache", "storage"`)
	redirect(w, r, "/login?m=out")
}
