package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// /my-story: with the reference and secret from the done page, a person
// sees what is held, adds a correction, or withdraws it. The codes are
// kept (sealed) in their session while they look, never in a URL.

const sessMyStory = "my_story"

type storyCodes struct{ Reference, Secret string }

// storyAccess is what the session keeps while a person looks: the codes
// and when they last used them. The drafts session lives for hours (for
// a story typed slowly); a look at a story already shared ends after the
// staff idle time, so on a shared computer it does not stay open.
type storyAccess struct {
	storyCodes
	Seen time.Time
}

func (s *Server) keepStoryCodes(r *http.Request, c storyCodes) error {
	b, _ := json.Marshal(storyAccess{c, s.now()})
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		return err
	}
	s.drafts.Put(r.Context(), sessMyStory, sealed)
	return nil
}

func (s *Server) storyCodes(r *http.Request) (storyCodes, bool) {
	var a storyAccess
	sealed := s.drafts.GetString(r.Context(), sessMyStory)
	if sealed == "" {
		return a.storyCodes, false
	}
	plain, err := s.keys.Open(sealed)
	if err != nil || json.Unmarshal([]byte(plain), &a) != nil || s.now().Sub(a.Seen) > s.cfg.SessionIdle {
		s.drafts.Remove(r.Context(), sessMyStory)
		return storyCodes{}, false
	}
	if s.keepStoryCodes(r, a.storyCodes) != nil {
		return storyCodes{}, false
	}
	return a.storyCodes, true
}

func (s *Server) handleMyStoryForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Form = storyCodes{}
	s.render(w, r, http.StatusOK, "my_story", p)
}

// handleMyStoryLookup checks the codes. A wrong reference and a wrong
// secret get the same answer, and guesses are throttled.
func (s *Server) handleMyStoryLookup(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ref := experience.NormaliseCode(form.Value(r, "reference", 40))
	secret := form.Value(r, "secret", 60)
	if len(ref) == 10 && ref[:2] == "HM" {
		ref = "HM-" + ref[2:6] + "-" + ref[6:]
	}
	p := s.newPage(r)
	p.Form = storyCodes{Reference: form.Value(r, "reference", 40)}
	if ref == "" {
		p.Errors.Add("reference", "mystory.error.reference_required")
	}
	if secret == "" {
		p.Errors.Add("secret", "mystory.error.secret_required")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "my_story", p)
		return
	}
	ip := reqCtx(r).ip
	if ok, wait := s.throttle.Allow("story:"+ref, ip); !ok {
		s.throttled(p, "reference", wait)
		s.render(w, r, http.StatusTooManyRequests, "my_story", p)
		return
	}
	if _, err := s.store.ExperienceByReference(r.Context(), ref, secret); err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		s.throttle.Failure("story:"+ref, ip)
		p.Errors.Add("reference", "mystory.error.not_found")
		s.render(w, r, http.StatusUnprocessableEntity, "my_story", p)
		return
	}
	s.throttle.Success("story:"+ref, ip)
	if err := s.drafts.RenewToken(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.keepStoryCodes(r, storyCodes{ref, secret}); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/my-story/view")
}

// heldStory loads the experience for the codes in the session, or sends
// the person back to enter them.
func (s *Server) heldStory(w http.ResponseWriter, r *http.Request) (store.HeldExperience, storyCodes, bool) {
	c, ok := s.storyCodes(r)
	if !ok {
		redirect(w, r, "/my-story")
		return store.HeldExperience{}, c, false
	}
	h, err := s.store.ExperienceByReference(r.Context(), c.Reference, c.Secret)
	if errors.Is(err, store.ErrNotFound) {
		s.drafts.Remove(r.Context(), sessMyStory)
		redirect(w, r, "/my-story")
		return h, c, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return h, c, false
	}
	return h, c, true
}

func (s *Server) storyPage(r *http.Request, h store.HeldExperience) *Page {
	p := s.newPage(r)
	var stages []string
	for _, st := range s.programme().Stages {
		for _, chosen := range h.Submission.Stages {
			if chosen == st.Slug {
				stages = append(stages, st.Name(p.Lang))
			}
		}
	}
	role := ""
	for _, c := range roleChoices {
		if c.Code == string(h.Submission.Role) {
			role = p.T(c.LabelKey)
		}
	}
	type consent struct {
		Code  string
		Given bool
	}
	c := h.Submission.Consent
	p.Data = struct {
		Held     store.HeldExperience
		Stages   []string
		Role     string
		Consents []consent // those a person can withdraw alone
	}{h, stages, role, []consent{{store.ConsentQuote, c.Quote}, {store.ConsentContact, c.Contact}, {store.ConsentNamed, c.Named}}}
	p.Form = struct{ Correction string }{}
	return p
}

func (s *Server) handleMyStoryView(w http.ResponseWriter, r *http.Request) {
	h, _, ok := s.heldStory(w, r)
	if !ok {
		return
	}
	p := s.storyPage(r, h)
	p.Flash = s.drafts.PopString(r.Context(), sessFlash)
	p.Crisis = s.drafts.PopString(r.Context(), sessCrisis)
	s.render(w, r, http.StatusOK, "my_story_view", p)
}

func (s *Server) handleMyStoryCorrection(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	h, c, ok := s.heldStory(w, r)
	if !ok {
		return
	}
	text := form.Value(r, "correction", textLimit)
	p := s.storyPage(r, h)
	p.Form = struct{ Correction string }{text}
	switch {
	case text == "":
		p.Errors.Add("correction", "mystory.error.correction_required")
	case utf8.RuneCountInString(text) > experience.MaxTextRunes:
		p.Errors.Add("correction", "share.error.too_long")
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "my_story_view", p)
		return
	}
	if err := s.store.AddCorrection(r.Context(), c.Reference, c.Secret, text); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.drafts.Put(r.Context(), sessFlash, "mystory.correction_added")
	if c := crisisFor(crisisPerson, text); c != "" {
		s.drafts.Put(r.Context(), sessCrisis, c)
	}
	redirect(w, r, "/my-story/view")
}

func (s *Server) handleMyStoryWithdrawForm(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := s.heldStory(w, r); ok {
		s.render(w, r, http.StatusOK, "my_story_withdraw", s.newPage(r))
	}
}

// handleMyStoryWithdraw removes the experience and everything about it,
// keeping only a count; the person is offered support.
func (s *Server) handleMyStoryWithdraw(w http.ResponseWriter, r *http.Request) {
	_, c, ok := s.heldStory(w, r)
	if !ok {
		return
	}
	if err := s.store.WithdrawExperience(r.Context(), c.Reference, c.Secret); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	s.drafts.Remove(r.Context(), sessMyStory)
	p := s.newPage(r)
	p.Data = struct{ Support []supportService }{builtInSupport}
	s.render(w, r, http.StatusOK, "my_story_withdrawn", p)
}

// handleMyStoryDownload gives the person, signed in with their codes, a
// copy of everything held about their story (what they shared and
// everything made from it), as a page to save or a data file, in the
// page's language. The download is audited by id only.
func (s *Server) handleMyStoryDownload(w http.ResponseWriter, r *http.Request) {
	h, _, ok := s.heldStory(w, r)
	if !ok {
		return
	}
	format := r.URL.Query().Get("format")
	if format != "json" {
		format = "html"
	}
	person, err := s.store.FindPerson(r.Context(), store.PersonQuery{Reference: h.Reference})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var story store.Person
	for _, rec := range person.Records {
		if groupOf(rec.Table) == "experiences" {
			story.Records = append(story.Records, rec)
		}
	}
	if err := s.store.AppendAudit(r.Context(), "anonymous", AuditStoryDownloaded, h.ID, `{"format":"`+format+`"}`); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.writePack(w, r, story, reqCtx(r).lang, format, "my-story", nil)
}

// AuditStoryDownloaded is a person's download of what is held about
// their story.
const AuditStoryDownloaded = "experience.downloaded"
