package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/audit"
)

// handleAudit verifies the hash chain and shows the newest entries.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) {
	brk, checked, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	entries, err := s.store.RecentAudit(r.Context(), 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Data = struct {
		Break   *audit.Break
		Checked int64
		Entries []audit.Entry
	}{brk, checked, entries}
	s.render(w, r, http.StatusOK, "audit", p)
}
