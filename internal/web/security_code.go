package web

import (
	"net/http"

	"github.com/pquerna/otp"

	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/web/form"
)

// pendingSecret returns the secret being enrolled and its otpauth URL,
// making one (sealed in the session) on first view so a reload shows the
// same QR code.
func (s *Server) pendingSecret(r *http.Request) (secret, url string, err error) {
	u := reqCtx(r).user
	if sealedURL := s.sessions.GetString(r.Context(), sessTOTPSecret); sealedURL != "" {
		if url, err = s.keys.Open(sealedURL); err == nil {
			if key, err := otp.NewKeyFromURL(url); err == nil {
				return key.Secret(), url, nil
			}
		}
	}
	secret, url, err = auth.NewTOTPSecret(s.programme().Settings.ShortName, u.Email)
	if err != nil {
		return "", "", err
	}
	sealedURL, err := s.keys.Seal(url)
	if err != nil {
		return "", "", err
	}
	s.sessions.Put(r.Context(), sessTOTPSecret, sealedURL)
	return secret, url, nil
}

func (s *Server) handleSecurityCodeForm(w http.ResponseWriter, r *http.Request) {
	secret, _, err := s.pendingSecret(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	if reqCtx(r).user.HasTOTP() {
		redirect(w, r, "/staff")
		return
	}
	p.Data = struct{ Key string }{auth.FormatTOTPSecret(secret)}
	s.render(w, r, http.StatusOK, "security_code", p)
}

func (s *Server) handleSecurityCodeQR(w http.ResponseWriter, r *http.Request) {
	_, url, err := s.pendingSecret(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	png, err := auth.TOTPQRCodePNG(url)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Write(png)
}

func (s *Server) handleSecurityCode(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	u := reqCtx(r).user
	if u.HasTOTP() {
		redirect(w, r, "/staff")
		return
	}
	secret, _, err := s.pendingSecret(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f, errs := form.ParseCode(r)
	p := s.newPage(r)
	p.Data = struct{ Key string }{auth.FormatTOTPSecret(secret)}
	if len(errs) == 0 {
		if ok, wait := s.throttle.Allow("enrol:"+u.ID, reqCtx(r).ip); !ok {
			s.throttled(p, "code", wait)
			s.render(w, r, http.StatusTooManyRequests, "security_code", p)
			return
		}
		step, ok := auth.VerifyTOTP(secret, f.Code, s.now(), 0)
		if !ok {
			s.throttle.Failure("enrol:"+u.ID, reqCtx(r).ip)
			errs.Add("code", "error.totp_invalid")
		} else {
			// Recovery codes come with the second factor: shown once, on
			// this page only (recovery_codes.go).
			codes, hashes := s.newRecoveryCodes(u.ID)
			sealedSecret, err := s.keys.Seal(secret)
			if err == nil {
				err = s.store.EnrolTOTPWithCodes(r.Context(), u.ID, sealedSecret, step, hashes)
			}
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			s.sessions.Remove(r.Context(), sessTOTPSecret)
			s.showRecoveryCodes(w, r, codes, true)
			return
		}
	}
	p.Errors = errs
	s.render(w, r, http.StatusUnprocessableEntity, "security_code", p)
}
