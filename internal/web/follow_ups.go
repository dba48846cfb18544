package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Consents lead somewhere. Connectors follow up the people who agreed to
// be contacted: /staff/follow-ups is the only page that shows their
// contact details (opened from the sealed values, each opening audited),
// with a state per person (to do, contacted, done, could not reach).
// /staff/speakers lists who agreed to be named or to tell their story at
// an event. At /my-story a person withdraws one consent alone.

func (s *Server) consentRoutes() []Route {
	return []Route{
		{"GET /staff/follow-ups", moderators, s.handleFollowUps},
		{"POST /staff/follow-ups/{id}", moderators, s.handleFollowUpState},
		{"GET /staff/speakers", moderators, s.handleSpeakers},
		{"POST /my-story/consent", public, s.handleMyStoryConsent},
	}
}

// followUpRow is one person on the follow-ups list, details opened.
type followUpRow struct {
	store.FollowUp
	Name, Email, Phone string
	LangName           string
}

func (s *Server) languageNames() map[string]string {
	names := map[string]string{}
	for _, l := range s.programme().Languages {
		names[l.Code] = l.NativeName
	}
	return names
}

func (s *Server) handleFollowUps(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.FollowUps(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Audited before anything is shown: a view that cannot be recorded
	// is not shown.
	if err := s.store.AuditFollowUpsViewed(r.Context(), reqCtx(r).user.ID, len(list)); err != nil {
		s.serverError(w, r, err)
		return
	}
	open := func(v string) string {
		if v == "" {
			return ""
		}
		plain, err := s.keys.Open(v)
		if err != nil {
			return "?"
		}
		return plain
	}
	names := s.languageNames()
	rows := make([]followUpRow, 0, len(list))
	for _, f := range list {
		rows = append(rows, followUpRow{FollowUp: f, Name: open(f.NameSealed), Email: open(f.EmailSealed), Phone: open(f.PhoneSealed), LangName: names[f.Lang]})
	}
	w.Header().Set("Cache-Control", "no-store")
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Rows   []followUpRow
		States []string
	}{rows, store.FollowUpStates}
	s.render(w, r, http.StatusOK, "staff_follow_ups", p)
}

func (s *Server) handleFollowUpState(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	state := form.Value(r, "state", 20)
	if !slices.Contains(store.FollowUpStates, state) {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	err := s.store.SetFollowUp(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), state)
	if errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "followups.saved")
	redirect(w, r, "/staff/follow-ups")
}

// speakerRow is one person on the speakers' list.
type speakerRow struct {
	store.Speaker
	LangName string
}

func (s *Server) handleSpeakers(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Speakers(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	names := s.languageNames()
	rows := make([]speakerRow, 0, len(list))
	for _, sp := range list {
		rows = append(rows, speakerRow{Speaker: sp, LangName: names[sp.Lang]})
	}
	p := s.newPage(r)
	p.Data = struct{ Rows []speakerRow }{rows}
	s.render(w, r, http.StatusOK, "staff_speakers", p)
}

// handleMyStoryConsent withdraws one consent (quotation, contact, being
// named), leaving the rest as it was.
func (s *Server) handleMyStoryConsent(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	_, c, ok := s.heldStory(w, r)
	if !ok {
		return
	}
	which := form.Value(r, "consent", 20)
	err := s.store.WithdrawConsent(r.Context(), c.Reference, c.Secret, which)
	switch {
	case errors.Is(err, store.ErrUnknownConsent):
		s.errorPage(w, r, http.StatusBadRequest)
		return
	case errors.Is(err, store.ErrNotFound):
		redirect(w, r, "/my-story")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.drafts.Put(r.Context(), sessFlash, "mystory.consent_withdrawn_"+which)
	redirect(w, r, "/my-story/view#consents")
}
