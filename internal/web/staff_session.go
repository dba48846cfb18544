package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/hearme-project/hearme/internal/web/form"
)

// Staff sessions end after --session-idle without use. Staff are warned
// before that happens (the GOV.UK timeout warning: a notice with the time
// on every staff page, and with JavaScript a dialog shortly before, with a
// way to stay signed in), and a form posted after the session ended is
// not lost: its answers are kept, sealed and for a short while, while the
// person signs in again, then shown filled in to check and save.

const (
	sessPendingPost = "pending_post"
	// pendingPostLife is how long a form posted after the session ended
	// waits for its author to sign in again.
	pendingPostLife = 2 * time.Hour
)

// resumablePosts are the staff forms whose answers survive the end of
// the session: those where a person types at length (an experience heard
// at an event).
var resumablePosts = map[string]bool{"/staff/capture": true}

// pendingPost is a form posted after the session ended.
type pendingPost struct {
	Path string
	Form url.Values
	At   time.Time
}

// keepPendingPost seals a staff form posted without a session, and sends
// the person to sign in. It reports whether it answered the request.
func (s *Server) keepPendingPost(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || !resumablePosts[r.URL.Path] {
		return false
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return true
	}
	b, err := json.Marshal(pendingPost{Path: r.URL.Path, Form: r.PostForm, At: s.now()})
	if err != nil {
		s.serverError(w, r, err)
		return true
	}
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		s.serverError(w, r, err)
		return true
	}
	s.sessions.Put(r.Context(), sessPendingPost, sealed)
	redirect(w, r, "/login?m=resume")
	return true
}

// pendingPost returns the kept form for path (and forgets it), if any
// is waiting and young enough.
func (s *Server) popPendingPost(r *http.Request, path string) (url.Values, bool) {
	sealed := s.sessions.GetString(r.Context(), sessPendingPost)
	if sealed == "" {
		return nil, false
	}
	var p pendingPost
	plain, err := s.keys.Open(sealed)
	if err != nil || json.Unmarshal([]byte(plain), &p) != nil || s.now().Sub(p.At) > pendingPostLife {
		s.sessions.Remove(r.Context(), sessPendingPost)
		return nil, false
	}
	if p.Path != path {
		return nil, false
	}
	s.sessions.Remove(r.Context(), sessPendingPost)
	return p.Form, true
}

// pendingPath is where a kept form waits to be finished, "" when none.
func (s *Server) pendingPath(r *http.Request) string {
	sealed := s.sessions.GetString(r.Context(), sessPendingPost)
	if sealed == "" {
		return ""
	}
	var p pendingPost
	plain, err := s.keys.Open(sealed)
	if err != nil || json.Unmarshal([]byte(plain), &p) != nil || s.now().Sub(p.At) > pendingPostLife || !resumablePosts[p.Path] {
		return ""
	}
	return p.Path
}

// sessionLeft is how long the staff session has before it ends if the
// person does nothing: the idle time, or less near the session's end.
func (s *Server) sessionLeft(r *http.Request) time.Duration {
	left := s.cfg.SessionIdle
	if d := time.Until(s.sessions.Deadline(r.Context())); d < left {
		left = d
	}
	return max(left, 0)
}

// SessionTimeout is the timeout warning's data on a staff page.
type SessionTimeout struct {
	Ends        time.Time // when the session ends if nothing is done
	SecondsLeft int
	WarnSeconds int // how long before the end the dialog opens
}

// handleSessionKeepAlive is the dialog's "Stay signed in": a request
// renews the idle time; the answer says how long is left now.
func (s *Server) handleSessionKeepAlive(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(struct {
		SecondsLeft int `json:"secondsLeft"`
	}{int(s.sessionLeft(r).Seconds())})
}

// warnBefore is how long before the end the dialog opens: two minutes
// (GOV.UK), or half the idle time when that is shorter.
func (s *Server) warnBefore() time.Duration {
	return min(2*time.Minute, s.cfg.SessionIdle/2)
}

// Clock shows a time of day in the programme's time zone ("14:05").
func (p *Page) Clock(t time.Time) string { return t.In(p.loc).Format("15:04") }
