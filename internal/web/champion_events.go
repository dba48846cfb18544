package web

import (
	"net/http"
	"time"
)

// championHelpEvent is an upcoming event a champion can help at.
type championHelpEvent struct {
	ID, Title, Place string
	Start            time.Time
	Helping          bool
}

// championHelpableEvents lists the upcoming events a champion can sign up to
// help at (filled in once the events part is in).
func (s *Server) championHelpableEvents(r *http.Request, userID string) ([]championHelpEvent, error) {
	return nil, nil
}

func championParseDay(s string) (time.Time, error) { return time.Parse("2006-01-02", s) }
