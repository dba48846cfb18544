package web

import (
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Connector capture: one fast page for experiences heard at an event, on
// the phone or from a paper form, with "save and add another" for
// several people in a row. Champions record what they hear the same way.
// Everything captured goes through moderation.

type captureForm struct {
	Source string
	Lang   string // the person's language, as chosen
	Draft  shareDraft
	Event  *event.Event // the event the experiences are captured at, if any
	shell  bool         // the offline shell (offline.go): for no one in particular, and leaves the session as it is
}

var captureSources = []choice{{"event", "capture.source_event"}, {"phone", "capture.source_phone"}, {"paper", "capture.source_paper"}}

func (s *Server) capturePage(r *http.Request, f captureForm) *Page {
	p := s.newPage(r)
	p.Form = f
	p.CaptureApp = true
	var stages []programme.Item
	for _, st := range s.programme().Stages {
		if st.Active {
			stages = append(stages, st)
		}
	}
	d := captureData{Draft: f.Draft, Stages: stages, Roles: roleChoices, Sources: captureSources, Languages: s.programme().Languages,
		Questions: s.equalityQuestions(p, f.Draft.Equality), Champion: reqCtx(r).user.Role == account.Champion, Event: f.Event}
	if !f.shell && s.sessions.PopBool(r.Context(), sessCaptureJustSaved) {
		d.Saved = s.captureReceipt(r)
		if d.Saved != nil {
			p.Crisis = d.Saved.Crisis
		}
	}
	if f.Event != nil {
		d.EventName = f.Event.Text(p.Lang).Title
	} else {
		d.Events = s.captureEvents(r, p)
	}
	d.Queue = s.queueInfo(r)
	p.Data = d
	return p
}

type captureData struct {
	Draft     shareDraft
	Stages    []programme.Item
	Roles     []choice
	Sources   []choice
	Languages []programme.Language
	Questions []eqQuestion
	Champion  bool
	Saved     *captureReceipt // the one just saved
	Event     *event.Event    // the event captured at, if any
	EventName string
	Events    []eventChoice // the event picker: upcoming and recent events
	Queue     *queueInfo    // the key the phone's queue encrypts to (capture_queue.go); nil: online only
	Shell     bool          // the offline shell (offline.go): the form for no one in particular
}

// captureEvent reads the event the capture is for (?event= on the page,
// event_id in the post). No event is fine; an unknown or forged one
// answers 404 and returns false.
func (s *Server) captureEvent(w http.ResponseWriter, r *http.Request, id string) (*event.Event, bool) {
	if id == "" {
		return nil, true
	}
	ev, err := s.store.Event(r.Context(), id)
	if s.storeFailed(w, r, err) {
		return nil, false
	}
	return ev, true
}

func (s *Server) handleCaptureForm(w http.ResponseWriter, r *http.Request) {
	if kept, ok := s.popPendingPost(r, "/staff/capture"); ok {
		// Posted after the session ended: shown filled in, to check and save.
		posted := r.Clone(r.Context())
		posted.PostForm = kept
		ev, ok := s.captureEvent(w, r, form.Value(posted, "event_id", 60))
		if !ok {
			return
		}
		f := readCaptureForm(posted)
		f.Event = ev
		p := s.capturePage(r, f)
		p.Flash = "session.resumed"
		s.render(w, r, http.StatusOK, "capture", p)
		return
	}
	ev, ok := s.captureEvent(w, r, r.URL.Query().Get("event"))
	if !ok {
		return
	}
	p := s.capturePage(r, captureForm{Source: "event", Event: ev})
	s.render(w, r, http.StatusOK, "capture", p)
}

// readCaptureForm reads the capture page's answers from a post.
func readCaptureForm(r *http.Request) captureForm {
	f := captureForm{Source: form.Value(r, "source", 20), Lang: form.Value(r, "lang", 10)}
	for _, step := range []string{"who", "stages", "story", "about-you", "consent"} {
		readShareStep(r, step, &f.Draft)
	}
	return f
}

// checkCapture reads and checks a capture post (the page's form, or a
// record the phone's queue sends, web/capture_queue.go) by the form
// contract: the submission ready to store, or the errors in page order.
func (s *Server) checkCapture(r *http.Request, ev *event.Event) (captureForm, experience.Submission, form.Errors) {
	u := reqCtx(r).user
	f := readCaptureForm(r)
	f.Event = ev
	source := experience.Source(f.Source)
	if u.Role == account.Champion {
		source = experience.SourceChampion
	}
	sub, subErrs := s.validateSubmission(r, f.Draft)
	var errs form.Errors // the source comes first on the page
	if u.Role != account.Champion && source != experience.SourceEvent && source != experience.SourcePhone && source != experience.SourcePaper {
		errs.Add("source", "capture.error.source_required")
	}
	errs.Append(subErrs)
	sub.Lang = form.Value(r, "lang", 10)
	if !s.cat.Has(sub.Lang) {
		sub.Lang = reqCtx(r).lang
	}
	sub.Source, sub.RecordedBy = source, u.ID
	if ev != nil {
		sub.EventID = ev.ID
	}
	sub.Consent.Version = ConsentVersion
	sub.Consent.Verbal = source != experience.SourcePaper // heard and recorded by the member of staff
	return f, sub, errs
}

func (s *Server) handleCapture(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ev, ok := s.captureEvent(w, r, form.Value(r, "event_id", 60))
	if !ok {
		return
	}
	f, sub, errs := s.checkCapture(r, ev)
	if len(errs) > 0 {
		p := s.capturePage(r, f)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "capture", p)
		return
	}
	again := "/staff/capture"
	if ev != nil {
		again += "?event=" + ev.ID
	}
	sealed, err := s.sealContact(sub)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var rc experience.Receipt
	if id := form.Value(r, "record_id", 64); recordID.MatchString(id) {
		// The page's script gave the record an id (offline.js): a double
		// tap, a second tab or a retry after a lost answer stores it once.
		rc, _, err = s.store.SubmitCapture(r.Context(), store.CaptureRecord{ClientID: id, CapturedAt: s.now()}, sub, sealed)
	} else {
		rc, err = s.store.SubmitExperience(r.Context(), sub, sealed)
	}
	if errors.Is(err, store.ErrConflict) {
		s.errorPage(w, r, http.StatusConflict)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.keepCaptureReceipt(r, captureReceipt{Reference: rc.Reference, Secret: rc.Secret, Lang: sub.Lang, Again: again,
		// The connector sees crisis support to give the person now.
		Crisis: crisisFor(crisisCaptured, sub.WhatHappened, sub.WentWell, sub.CouldBeBetter)}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if r.PostForm.Get("next") == "another" {
		s.sessions.Put(r.Context(), sessCaptureJustSaved, true)
		redirect(w, r, again)
		return
	}
	redirect(w, r, "/staff/capture/saved")
}
