package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hearme-project/hearme/internal/abuse"
)

// Residents' drafts (the share journey, an idea, the codes they typed at
// /my-story) live in a session of their own, apart from the staff
// session: a person typing a painful story slowly, on an old phone, in
// their second language, must not lose it to the staff idle timeout.
// The draft lives at least as long as the form token its check page
// issues, and the draft itself is sealed before it is stored.

// draftLifetime bounds a draft however busy it is: long enough for a
// person who comes back to it later in the day.
const draftLifetime = 24 * time.Hour

// newDrafts builds the residents' session manager over the staff
// sessions' store (one table, one clean-up), with its own cookie.
// Its idle time is the form token's whole life, so a draft never ends
// before the token of the page that sends it.
func newDrafts(staff *scs.SessionManager, tokenLife time.Duration, secure bool) *scs.SessionManager {
	sm := scs.New()
	sm.Store = staff.Store
	sm.Codec = staff.Codec
	sm.Lifetime = draftLifetime
	sm.IdleTimeout = tokenLife
	sm.Cookie.Name = "hearme_draft"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	// Not persisted: closing the browser (the end of a session at a
	// library computer) ends the draft too.
	sm.Cookie.Persist = false
	if secure {
		sm.Cookie.Name = "__Host-hearme_draft"
		sm.Cookie.Secure = true
	}
	sm.ErrorFunc = staff.ErrorFunc
	return sm
}

// draftPaths are the residents' journeys that keep a draft session.
// Other pages never load it, so browsing the site costs no session write.
var draftPaths = []string{"/share", "/ideas", "/my-story"}

func usesDrafts(pattern string) bool {
	_, path, _ := strings.Cut(pattern, " ")
	for _, p := range draftPaths {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// handleShareClear forgets the draft (for a shared computer, or to start
// again) and says so.
func (s *Server) handleShareClear(w http.ResponseWriter, r *http.Request) {
	if err := s.drafts.Destroy(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	// A fresh draft session carries only the message.
	s.drafts.Put(r.Context(), sessFlash, "drafts.cleared")
	redirect(w, r, "/share")
}

// DraftHours is how long a resident's draft is kept without use, for
// the note on the journey's pages.
func (p *Page) DraftHours() int { return int(abuse.DefaultMaxAge.Hours()) }
