package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Second-factor recovery (docs/security.md "Recovery codes"): codes
// shown once when the second factor is set up or new ones are made,
// each usable once at sign-in instead of the authenticator's code; an
// administrator can reset someone's second factor (audited).

func (s *Server) recoveryRoutes() []Route {
	return []Route{
		{"GET /login/recovery", public, s.handleLoginRecoveryForm},
		{"POST /login/recovery", public, s.handleLoginRecovery},
		{"GET /staff/account/recovery-codes", anyStaff, s.handleRecoveryCodesPage},
		{"POST /staff/account/recovery-codes", anyStaff, s.handleRecoveryCodesRenew},
		{"POST /staff/users/{id}/reset-second-factor", adminOnly, s.handleUserResetSecondFactor},
	}
}

// recoveryKey is the key recovery codes are hashed under.
func (s *Server) recoveryKey() []byte { return s.keys.Derive("recovery-codes") }

// newRecoveryCodes makes an account's codes and their hashes.
func (s *Server) newRecoveryCodes(userID string) (codes, hashes []string) {
	codes = auth.NewRecoveryCodes()
	key := s.recoveryKey()
	for _, c := range codes {
		hashes = append(hashes, auth.RecoveryHash(key, userID, c))
	}
	return codes, hashes
}

// showRecoveryCodes renders the codes, once: they are in this response
// only, never in the session or the database.
func (s *Server) showRecoveryCodes(w http.ResponseWriter, r *http.Request, codes []string, first bool) {
	p := s.newPage(r)
	p.Data = struct {
		Codes []string
		First bool
	}{codes, first}
	s.render(w, r, http.StatusOK, "recovery_codes", p)
}

func (s *Server) handleLoginRecoveryForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.pendingUser(r); !ok {
		redirect(w, r, "/login")
		return
	}
	s.render(w, r, http.StatusOK, "login_recovery", s.newPage(r))
}

func (s *Server) handleLoginRecovery(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	u, ok := s.pendingUser(r)
	if !ok {
		redirect(w, r, "/login?m=ended")
		return
	}
	p := s.newPage(r)
	typed := form.Value(r, "recovery_code", 40)
	code := auth.NormaliseRecoveryCode(typed)
	switch {
	case typed == "":
		p.Errors.Add("recovery_code", "recovery.error.required")
	case code == "":
		p.Errors.Add("recovery_code", "recovery.error.format")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "login_recovery", p)
		return
	}
	ip := reqCtx(r).ip
	key := "code:" + u.ID // the same throttle as the authenticator's codes
	if ok, wait := s.throttle.Allow(key, ip); !ok {
		s.throttled(p, "recovery_code", wait)
		s.render(w, r, http.StatusTooManyRequests, "login_recovery", p)
		return
	}
	err := s.store.UseRecoveryCode(r.Context(), u.ID, auth.RecoveryHash(s.recoveryKey(), u.ID, code))
	switch {
	case err == nil:
	case errors.Is(err, store.ErrRecoveryCodeUsed):
		s.throttle.Failure(key, ip)
		p.Errors.Add("recovery_code", "recovery.error.used")
	case errors.Is(err, store.ErrNotFound):
		s.throttle.Failure(key, ip)
		p.Errors.Add("recovery_code", "recovery.error.wrong")
	default:
		s.serverError(w, r, err)
		return
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnauthorized, "login_recovery", p)
		return
	}
	s.throttle.Success(key, ip)
	s.sessions.Put(r.Context(), sessFlash, "recovery.signed_in")
	s.signIn(w, r, u)
}

type recoveryPageData struct {
	Left int
}

func (s *Server) recoveryPage(w http.ResponseWriter, r *http.Request, u *account.User) (*Page, bool) {
	left, err := s.store.RecoveryCodesLeft(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	p := s.newPage(r)
	p.Data = recoveryPageData{Left: left}
	return p, true
}

func (s *Server) handleRecoveryCodesPage(w http.ResponseWriter, r *http.Request) {
	u := reqCtx(r).user
	if !u.HasTOTP() {
		redirect(w, r, "/staff/account/security-code")
		return
	}
	p, ok := s.recoveryPage(w, r, u)
	if !ok {
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "account_recovery", p)
}

// handleRecoveryCodesRenew makes new codes, replacing the old ones, once
// the person has given a current code from their authenticator (someone
// at an unlocked screen cannot take the account's way back in).
func (s *Server) handleRecoveryCodesRenew(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	u := reqCtx(r).user
	if !u.HasTOTP() {
		redirect(w, r, "/staff/account/security-code")
		return
	}
	p, ok := s.recoveryPage(w, r, u)
	if !ok {
		return
	}
	f, errs := form.ParseCode(r)
	if len(errs) == 0 {
		ip := reqCtx(r).ip
		key := "code:" + u.ID
		if ok, wait := s.throttle.Allow(key, ip); !ok {
			s.throttled(p, "code", wait)
			s.render(w, r, http.StatusTooManyRequests, "account_recovery", p)
			return
		}
		secret, err := s.keys.Open(u.TOTPSecret)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		step, valid := auth.VerifyTOTP(secret, f.Code, s.now(), u.TOTPLastStep)
		if valid && s.store.UseTOTPStep(r.Context(), u.ID, step) != nil {
			valid = false
		}
		if !valid {
			s.throttle.Failure(key, ip)
			errs.Add("code", "error.totp_invalid")
		} else {
			s.throttle.Success(key, ip)
			codes, hashes := s.newRecoveryCodes(u.ID)
			if err := s.store.ReplaceRecoveryCodes(r.Context(), u.ID, hashes); err != nil {
				s.serverError(w, r, err)
				return
			}
			s.showRecoveryCodes(w, r, codes, false)
			return
		}
	}
	p.Errors = errs
	s.render(w, r, http.StatusUnprocessableEntity, "account_recovery", p)
}

// handleUserResetSecondFactor clears someone's second factor and
// recovery codes (they lost their phone and their codes), keeping the
// password: at their next sign-in they set up a new one. Audited.
func (s *Server) handleUserResetSecondFactor(w http.ResponseWriter, r *http.Request) {
	u, ok := s.userFromPath(w, r)
	if !ok {
		return
	}
	if err := s.store.ResetSecondFactor(r.Context(), reqCtx(r).user.ID, u.ID); s.storeFailed(w, r, err) {
		return
	}
	u.TOTPSecret = ""
	p := s.userPage(r, &u, "")
	p.Flash = "recovery.reset_done"
	s.render(w, r, http.StatusOK, "user_form", p)
}
