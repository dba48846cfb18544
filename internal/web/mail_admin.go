package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
)

// The outbox for administrators: counts by state, the messages the
// sender gave up on (kind, attempts, the server's last error; never the
// recipient or the body, which stay sealed) and a button to send them
// again. Administrators only: an SMTP server's error may name the
// recipient.

// mailRoutes lists this part's routes (see routes.go).
func (s *Server) mailRoutes() []Route {
	return []Route{
		{"GET /staff/mail", adminOnly, s.handleMailAdmin},
		{"POST /staff/mail/retry", adminOnly, s.handleMailRetryAll},
		{"POST /staff/mail/{id}/retry", adminOnly, s.handleMailRetry},
	}
}

type mailAdminData struct {
	Status  mail.Status
	Failed  []mail.Failed
	DevMode bool
}

func (s *Server) handleMailAdmin(w http.ResponseWriter, r *http.Request) {
	st, err := s.store.MailStatus(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	failed, err := s.store.FailedMail(r.Context(), 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = mailAdminData{Status: st, Failed: failed, DevMode: s.cfg.Mail.SMTPHost == ""}
	s.render(w, r, http.StatusOK, "mail_admin", p)
}

func (s *Server) handleMailRetry(w http.ResponseWriter, r *http.Request) {
	flash := "mail.admin.retried"
	if err := s.store.RetryMail(r.Context(), r.PathValue("id")); errors.Is(err, store.ErrNotFound) {
		flash = "mail.admin.not_found"
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, flash)
	redirect(w, r, "/staff/mail")
}

func (s *Server) handleMailRetryAll(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.RetryAllMail(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "mail.admin.retried_all")
	redirect(w, r, "/staff/mail")
}
