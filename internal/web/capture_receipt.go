package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
)

// What a connector hands over after capturing someone's experience: the
// reference and the secret code that let the person see, correct or
// withdraw it at /my-story, read out at once and on a slip printed in the
// person's language. The codes are kept sealed in the connector's session
// until the next capture (never in a URL), so the slip can be printed.

const (
	sessCaptureReceipt   = "capture_receipt"
	sessCaptureJustSaved = "capture_saved"
)

// captureReceipt is the last experience the connector saved.
type captureReceipt struct {
	Reference, Secret string
	Lang              string // the person's language: the slip's
	Again             string // the capture page to record the next one (with the event)
	Crisis            string // crisis support to give the person (web/safeguarding.go)
}

func (s *Server) keepCaptureReceipt(r *http.Request, rc captureReceipt) error {
	b, err := json.Marshal(rc)
	if err != nil {
		return err
	}
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessCaptureReceipt, sealed)
	return nil
}

// captureReceipt is the last saved capture's receipt, nil when none.
func (s *Server) captureReceipt(r *http.Request) *captureReceipt {
	sealed := s.sessions.GetString(r.Context(), sessCaptureReceipt)
	if sealed == "" {
		return nil
	}
	plain, err := s.keys.Open(sealed)
	if err != nil {
		return nil
	}
	var rc captureReceipt
	if json.Unmarshal([]byte(plain), &rc) != nil || rc.Reference == "" {
		return nil
	}
	return &rc
}

// slip is the slip's text, in the person's language.
type slip struct {
	Lang, Dir                                    string
	Title, Thanks, Reference, Secret, Keep, Lost string
	Where, URL                                   string
}

// handleCaptureSaved shows the codes of the experience just saved, to
// read out, with the slip to print in the person's language.
func (s *Server) handleCaptureSaved(w http.ResponseWriter, r *http.Request) {
	rc := s.captureReceipt(r)
	if rc == nil {
		redirect(w, r, "/staff/capture")
		return
	}
	lang := rc.Lang
	if !s.cat.Has(lang) {
		lang = reqCtx(r).lang
	}
	l := s.cat.Localizer(lang)
	sl := slip{Lang: lang, Dir: "ltr", Title: l.T("capture.slip.title", "Programme", s.programme().Settings.Name), Thanks: l.T("capture.slip.thanks"),
		Reference: l.T("capture.slip.reference"), Secret: l.T("capture.slip.secret"), Keep: l.T("capture.slip.keep"),
		Lost: l.T("capture.slip.lost"), Where: l.T("capture.slip.where"), URL: s.cfg.PublicURL() + "/my-story"}
	for _, pl := range s.programme().Languages {
		if pl.Code == lang {
			sl.Dir = pl.Dir()
		}
	}
	p := s.newPage(r)
	p.Crisis = rc.Crisis
	p.Data = struct {
		Receipt captureReceipt
		Slip    slip
	}{*rc, sl}
	s.render(w, r, http.StatusOK, "capture_saved", p)
}

// eventChoice is one event in the capture page's picker.
type eventChoice struct{ ID, Label string }

// captureEvents are the events offered on the capture page: those of
// the last 30 days and the next 30 (not cancelled), in time order.
func (s *Server) captureEvents(r *http.Request, p *Page) []eventChoice {
	now := s.now()
	evs, err := s.store.Events(r.Context(), store.EventFilter{From: now.Add(-30 * 24 * time.Hour), To: now.Add(30 * 24 * time.Hour), Limit: 100})
	if err != nil {
		s.log.Error("capture: list events", "err", err.Error())
		return nil
	}
	var out []eventChoice
	for _, e := range evs {
		if e.Status == event.StatusCancelled {
			continue
		}
		out = append(out, eventChoice{e.ID, e.Text(p.Lang).Title + " – " + p.DateTime(e.Start)})
	}
	return out
}
