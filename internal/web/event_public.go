package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// EventOption is one choice of a select or a set of boxes.
type EventOption struct {
	Value, Label string
	Selected     bool
}

// handleEvents lists the upcoming public events, filtered by community,
// language spoken (or interpreted) and a first date, with a plain GET
// form that works without JavaScript. "spoken" rather than "lang": lang
// chooses the page's own language.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	st := s.site.Load()
	q := r.URL.Query()
	community, spoken, from := form.Clean(q.Get("community"), 60), form.Clean(q.Get("spoken"), 10), form.Clean(q.Get("from"), 10)
	now := s.now()
	f := store.EventFilter{From: now, PublicOnly: true, Scheduled: false, Limit: 200}
	var communities, languages []EventOption
	for _, c := range st.prog.Communities {
		if c.Active {
			communities = append(communities, EventOption{c.Slug, c.Name(p.Lang), c.Slug == community})
		}
		if c.Slug == community {
			f.Community = community
		}
	}
	for _, l := range st.prog.Languages {
		languages = append(languages, EventOption{l.Code, l.NativeName, l.Code == spoken})
		if l.Code == spoken {
			f.Lang = spoken
		}
	}
	if from != "" {
		if d, err := time.ParseInLocation("2006-01-02", from, st.loc); err == nil {
			if d.After(now) {
				f.From = d
			}
		} else {
			p.Errors.Add("from", "events.error.date_invalid")
		}
	}
	evs, err := s.store.Events(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var views []EventView
	for i := range evs {
		// A cancelled event stays listed (people may look for it), marked.
		views = append(views, s.eventView(p, &evs[i]))
	}
	p.Form = struct{ Community, Spoken, From string }{community, spoken, from}
	p.Data = struct {
		Events                 []EventView
		Communities, Languages []EventOption
		Filtered               bool
	}{views, communities, languages, f.Community != "" || f.Lang != "" || !f.From.Equal(now)}
	s.render(w, r, http.StatusOK, "events", p)
}

// eventRegForm is the registration form's answers, kept on error.
type eventRegForm struct {
	event.Answers
}

// eventPageData is what the event page shows besides the event.
type eventPageData struct {
	Event        EventView
	Token        string
	Honeypot     string
	Key          string // the invitation key, carried by the form
	Interpreters []EventOption
	Heard        []EventOption
	CalendarURL  string
	PrintURL     string
	Action       string
}

func (s *Server) eventPage(r *http.Request, e *event.Event, key string, a event.Answers) *Page {
	p := s.newPage(r)
	p.Form = eventRegForm{a}
	st := s.site.Load()
	d := eventPageData{Event: s.eventView(p, e), Honeypot: abuse.HoneypotField, Key: key, Action: "/events/" + e.ID,
		CalendarURL: "/events/" + e.ID + "/calendar.ics", PrintURL: "/events/" + e.ID + "/print"}
	if key != "" {
		q := "?k=" + url.QueryEscape(key)
		d.Action += q
		d.CalendarURL += q
		d.PrintURL += q
	}
	if d.Event.Open {
		d.Token = s.forms.Signer().Issue("register")
	}
	d.Interpreters = append(d.Interpreters, EventOption{"", p.T("events.interpreter_none"), a.Interpreter == ""})
	for _, l := range st.prog.Languages {
		if l.Code == "en" {
			continue
		}
		label := l.NativeName
		if slices.Contains(e.Interpreters, l.Code) {
			label = p.T("events.interpreter_booked", "Language", l.NativeName)
		}
		d.Interpreters = append(d.Interpreters, EventOption{l.Code, label, a.Interpreter == l.Code})
	}
	d.Heard = append(d.Heard, EventOption{"", p.T("events.heard_none"), a.HeardAbout == ""})
	for _, h := range event.HeardAbout {
		d.Heard = append(d.Heard, EventOption{h, p.T("events.heard." + h), a.HeardAbout == h})
	}
	p.Data = d
	if e.Visibility == event.Public {
		p.Offer = s.supportOffer(r, OfferFilter{Lang: p.Lang, Place: "event", EventID: e.ID, Limit: 3})
	}
	return p
}

// handleEvent shows one event: what, when, where, the access
// information, the agenda and the registration form (or the waiting
// list when it is full).
func (s *Server) handleEvent(w http.ResponseWriter, r *http.Request) {
	key := form.Clean(r.URL.Query().Get("k"), 64)
	e, ok := s.loadPublicEvent(w, r, key)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the form carries a fresh time token
	s.render(w, r, http.StatusOK, "event_detail", s.eventPage(r, e, key, event.Answers{Places: "1"}))
}

// handleEventCalendar serves the "add to calendar" file.
func (s *Server) handleEventCalendar(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadPublicEventWith(w, r, form.Clean(r.URL.Query().Get("k"), 64), s.store.EventBrief)
	if !ok {
		return
	}
	st := s.site.Load()
	lang := reqCtx(r).lang
	t := e.Text(lang)
	base := s.cfg.PublicURL()
	host := "hearme"
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Hostname()
	}
	desc := t.Body
	if e.AccessNotes != "" {
		desc = strings.TrimSpace(desc + "\n\n" + e.AccessNotes)
	}
	if e.StatusMessage != "" && e.Status != event.StatusScheduled {
		desc = strings.TrimSpace(e.StatusMessage + "\n\n" + desc)
	}
	c := event.Calendar{UID: e.ID + "@" + host, Title: t.Title, Description: desc, Location: e.Venue(), Start: e.Start, End: e.End,
		Cancelled: e.Status == event.StatusCancelled, Postponed: e.Status == event.StatusPostponed, Stamp: e.UpdatedAt}
	if base != "" && e.Visibility == event.Public {
		c.URL = base + "/events/" + e.ID
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="event-`+e.Start.In(st.loc).Format("2006-01-02")+`.ics"`)
	w.Write(c.ICS(st.loc))
}

// handleEventPrint is the essentials on one page, to print and pin up
// or hand out.
func (s *Server) handleEventPrint(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadPublicEvent(w, r, form.Clean(r.URL.Query().Get("k"), 64))
	if !ok {
		return
	}
	p := s.newPage(r)
	v := s.eventView(p, e)
	base := s.cfg.PublicURL()
	p.Data = struct {
		Event   EventView
		FullURL string
	}{v, base + v.URL}
	s.render(w, r, http.StatusOK, "event_print", p)
}
