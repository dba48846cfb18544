package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Champions sign up to help at upcoming events from their home page.

// championHelpEvent is an upcoming event a champion can help at.
type championHelpEvent struct {
	ID, Title, Place string
	Start            time.Time
	Helping          bool
}

// championHelpableEvents lists the next scheduled events, marking those
// the champion is already helping at.
func (s *Server) championHelpableEvents(r *http.Request, userID string) ([]championHelpEvent, error) {
	if userID == "" {
		return nil, nil
	}
	evs, err := s.store.Events(r.Context(), store.EventFilter{From: s.now(), Scheduled: true, Limit: 10})
	if err != nil {
		return nil, err
	}
	helping, err := s.store.HelpingAt(r.Context(), userID)
	if err != nil {
		return nil, err
	}
	lang := reqCtx(r).lang
	out := make([]championHelpEvent, 0, len(evs))
	for _, e := range evs {
		out = append(out, championHelpEvent{ID: e.ID, Title: e.Text(lang).Title, Place: e.VenueName, Start: e.Start, Helping: helping[e.ID]})
	}
	return out, nil
}

func (s *Server) handleChampionHelp(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	help := r.PostForm.Get("help") != "no"
	err := s.store.SetEventHelper(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), help)
	flash := "champions.help_saved"
	if !help {
		flash = "champions.help_removed"
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound)
		return
	case errors.Is(err, champion.ErrIllegalMove):
		flash = "champions.error.not_active"
	case errors.Is(err, event.ErrClosed):
		flash = "champions.help_closed"
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, flash)
	redirect(w, r, "/champion#events")
}

func championParseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
