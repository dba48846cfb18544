package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The connectors' pages: the list of events, a new event, an event's
// details (with its texts in each language and its agenda), cancelling
// or postponing it with a message to those registered, and the list of
// registrations (names opened from the seal, audited).

// eventForm is the staff form's answers as typed, kept on error.
type eventForm struct {
	Kind, Visibility, Community string
	Languages, Interpreters     []string
	Date, Time, Minutes         string
	VenueName, VenueAddress     string
	VenuePostcode, AccessNotes  string
	Access                      []string
	Capacity                    string
	Texts                       map[string]event.Text
	Agenda                      []event.AgendaItem
}

// EventLangText is one language's title and description fields.
type EventLangText struct {
	Code, Name, Dir string
	Text            event.Text
}

func (s *Server) formFromEvent(e *event.Event) eventForm {
	loc := s.site.Load().loc
	f := eventForm{Kind: string(e.Kind), Visibility: string(e.Visibility), Community: e.Community, Languages: e.Languages, Interpreters: e.Interpreters,
		VenueName: e.VenueName, VenueAddress: e.VenueAddress, VenuePostcode: e.VenuePostcode, AccessNotes: e.AccessNotes, Access: e.Access,
		Capacity: fmt.Sprint(e.Capacity), Texts: e.Texts, Agenda: e.Agenda}
	if !e.Start.IsZero() {
		f.Date, f.Time = e.Start.In(loc).Format("2006-01-02"), e.Start.In(loc).Format("15:04")
		f.Minutes = fmt.Sprint(int(e.Duration().Minutes()))
	}
	return f
}

type staffEventData struct {
	Existing                *EventView
	Kinds, Visibilities     []EventOption
	Communities             []EventOption
	Languages, Interpreters []EventOption
	Access                  []EventOption
	Texts                   []EventLangText
	Agenda                  []event.AgendaItem
	InviteURL               string
	Statuses                []EventOption
	StatusMessage           string
	Registrations           int
}

func (s *Server) staffEventPage(r *http.Request, f eventForm, existing *event.Event) *Page {
	p := s.newPage(r)
	st := s.site.Load()
	p.Form = f
	d := staffEventData{}
	for _, k := range event.Kinds {
		d.Kinds = append(d.Kinds, EventOption{string(k), p.T("events.kind." + string(k)), f.Kind == string(k)})
	}
	for _, v := range []event.Visibility{event.Public, event.Invitation} {
		d.Visibilities = append(d.Visibilities, EventOption{string(v), p.T("events.visibility." + string(v)), f.Visibility == string(v)})
	}
	d.Communities = append(d.Communities, EventOption{"", p.T("events.community_all"), f.Community == ""})
	for _, c := range st.prog.Communities {
		d.Communities = append(d.Communities, EventOption{c.Slug, c.Name(p.Lang), c.Slug == f.Community})
	}
	for _, l := range st.prog.Languages {
		d.Languages = append(d.Languages, EventOption{l.Code, l.NativeName, slices.Contains(f.Languages, l.Code)})
		d.Interpreters = append(d.Interpreters, EventOption{l.Code, l.NativeName, slices.Contains(f.Interpreters, l.Code)})
		d.Texts = append(d.Texts, EventLangText{l.Code, l.NativeName, l.Dir(), f.Texts[l.Code]})
	}
	for _, a := range event.AccessFeatures {
		d.Access = append(d.Access, EventOption{a, p.T("events.access." + a), slices.Contains(f.Access, a)})
	}
	d.Agenda = append(slices.Clone(f.Agenda), make([]event.AgendaItem, 3)...)
	if len(d.Agenda) > event.MaxAgenda {
		d.Agenda = d.Agenda[:event.MaxAgenda]
	}
	if existing != nil {
		v := s.eventView(p, existing)
		d.Existing = &v
		if existing.Visibility == event.Invitation {
			d.InviteURL = s.cfg.PublicURL() + v.URL
		}
		for _, st := range []event.Status{event.StatusScheduled, event.StatusPostponed, event.StatusCancelled} {
			d.Statuses = append(d.Statuses, EventOption{string(st), p.T("events.status." + string(st)), existing.Status == st})
		}
		d.StatusMessage = existing.StatusMessage
	}
	p.Data = d
	return p
}

func (s *Server) handleStaffEvents(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	// Upcoming events and those of the last 60 days (for check-in and
	// the report), invitation-only and cancelled included.
	evs, err := s.store.Events(r.Context(), store.EventFilter{From: s.now().Add(-60 * 24 * time.Hour), Limit: 500})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var views []EventView
	for i := range evs {
		views = append(views, s.eventView(p, &evs[i]))
	}
	p.Data = struct{ Events []EventView }{views}
	s.render(w, r, http.StatusOK, "event_staff_list", p)
}

func (s *Server) handleStaffEventNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "event_staff_form", s.staffEventPage(r, eventForm{Kind: string(event.KindHearMe), Visibility: string(event.Public),
		Minutes: "120", Capacity: "30", Languages: []string{"en"}, Time: "10:00"}, nil))
}

// parseEventForm reads the staff form into an event, with errors.
// newStart says whether the form's start is new or moved (and so may not
// be in the past).
func (s *Server) parseEventForm(r *http.Request, e *event.Event, confirmed int, newStart func(eventForm) bool) (eventForm, form.Errors) {
	st := s.site.Load()
	list := func(name string) []string {
		var out []string
		for _, v := range r.PostForm[name] {
			if v = form.Clean(v, 40); v != "" && !slices.Contains(out, v) && len(out) < 50 {
				out = append(out, v)
			}
		}
		return out
	}
	f := eventForm{Kind: form.Value(r, "kind", 40), Visibility: form.Value(r, "visibility", 20), Community: form.Value(r, "community", 60),
		Languages: list("languages"), Interpreters: list("interpreters"), Date: form.Value(r, "date", 10), Time: form.Value(r, "time", 5),
		Minutes: form.Value(r, "minutes", 5), VenueName: form.Value(r, "venue_name", event.MaxVenue+1),
		VenueAddress: form.Value(r, "venue_address", event.MaxAddress+1), VenuePostcode: form.Value(r, "venue_postcode", 11),
		AccessNotes: form.Value(r, "access_notes", event.MaxNotes+1), Access: list("access"), Capacity: form.Value(r, "capacity", 6),
		Texts: map[string]event.Text{}}
	for _, l := range st.prog.Languages {
		t := event.Text{Title: form.Value(r, "title_"+l.Code, event.MaxTitle+1), Body: form.Value(r, "body_"+l.Code, event.MaxBody+1)}
		if t.Title != "" || t.Body != "" {
			f.Texts[l.Code] = t
		}
	}
	for i := 0; i < event.MaxAgenda; i++ {
		a := event.AgendaItem{At: form.Value(r, fmt.Sprintf("agenda_at_%d", i), 5), Activity: form.Value(r, fmt.Sprintf("agenda_activity_%d", i), event.MaxTitle+1),
			Speaker: form.Value(r, fmt.Sprintf("agenda_speaker_%d", i), event.MaxTitle+1)}
		if a.Activity != "" || a.Speaker != "" {
			if a.Activity == "" {
				a.Activity = a.Speaker
			}
			f.Agenda = append(f.Agenda, a)
		}
	}
	e.Kind, e.Visibility, e.Community = event.Kind(f.Kind), event.Visibility(f.Visibility), f.Community
	e.Languages, e.Interpreters, e.Access = f.Languages, f.Interpreters, f.Access
	e.VenueName, e.VenueAddress, e.VenuePostcode, e.AccessNotes = f.VenueName, f.VenueAddress, strings.ToUpper(f.VenuePostcode), f.AccessNotes
	e.Texts, e.Agenda = f.Texts, f.Agenda
	start, okStart := event.ParseLocal(f.Date, f.Time, st.loc)
	dur, okDur := event.ParseDuration(f.Minutes)
	e.Start, e.End = time.Time{}, time.Time{}
	if okStart {
		e.Start = start
	}
	if okDur {
		e.End = e.Start.Add(dur)
	}
	e.Capacity, _ = strconv.Atoi(f.Capacity) // not a number: 0, out of range
	errs := e.Validate(s.now(), st.codes, communitySlugs(st), confirmed, newStart(f))
	return f, errs
}

func communitySlugs(st *site) []string {
	var out []string
	for _, c := range st.prog.Communities {
		out = append(out, c.Slug)
	}
	return out
}

func (s *Server) handleStaffEventCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	e := &event.Event{Status: event.StatusScheduled, CreatedBy: reqCtx(r).user.ID}
	f, errs := s.parseEventForm(r, e, 0, func(eventForm) bool { return true })
	if len(errs) > 0 {
		p := s.staffEventPage(r, f, nil)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "event_staff_form", p)
		return
	}
	if err := s.store.CreateEvent(r.Context(), e); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/staff/events/"+e.ID+"?saved=1")
}

func (s *Server) handleStaffEventEdit(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	p := s.staffEventPage(r, s.formFromEvent(e), e)
	switch r.URL.Query().Get("saved") {
	case "1":
		p.Flash = "events.saved"
	case "status":
		p.Flash = "events.status_saved"
	}
	s.render(w, r, http.StatusOK, "event_staff_form", p)
}

func (s *Server) handleStaffEventUpdate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	orig := *e
	startUnchanged := func(f eventForm) bool {
		loc := s.site.Load().loc
		return f.Date == orig.Start.In(loc).Format("2006-01-02") && f.Time == orig.Start.In(loc).Format("15:04")
	}
	// An event that has already started may be corrected (a typo in the
	// venue) without moving it; only a new start must be in the future.
	f, errs := s.parseEventForm(r, e, orig.Confirmed, func(f eventForm) bool { return !startUnchanged(f) })
	if len(errs) > 0 {
		p := s.staffEventPage(r, f, &orig)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "event_staff_form", p)
		return
	}
	_, err := s.store.UpdateEvent(r.Context(), reqCtx(r).user.ID, e, s.eventMailer().For(e))
	if errors.Is(err, event.ErrCapacityBelow) {
		// Someone registered while the form was open.
		p := s.staffEventPage(r, f, &orig)
		p.Errors.Add("capacity", "events.error.capacity_below")
		s.render(w, r, http.StatusUnprocessableEntity, "event_staff_form", p)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/staff/events/"+e.ID+"?saved=1")
}

// handleStaffEventStatus cancels, postpones or reinstates an event. A
// cancellation or postponement needs a message, which is emailed to
// everyone registered.
func (s *Server) handleStaffEventStatus(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	status := event.Status(form.Value(r, "status", 20))
	message := form.Value(r, "status_message", event.MaxMessage+1)
	var errs form.Errors
	switch {
	case status != event.StatusScheduled && status != event.StatusPostponed && status != event.StatusCancelled:
		errs.Add("status", "events.error.choose")
	case status != event.StatusScheduled && message == "":
		errs.Add("status_message", "events.error.message_required")
	case len([]rune(message)) > event.MaxMessage:
		errs.Add("status_message", "events.error.too_long")
	}
	if len(errs) > 0 {
		p := s.staffEventPage(r, s.formFromEvent(e), e)
		p.Errors = errs
		d := p.Data.(staffEventData)
		d.StatusMessage = message
		p.Data = d
		s.render(w, r, http.StatusUnprocessableEntity, "event_staff_form", p)
		return
	}
	if status == event.StatusScheduled {
		message = ""
	}
	e.Status, e.StatusMessage = status, message
	if err := s.store.SetEventStatus(r.Context(), reqCtx(r).user.ID, e.ID, status, message, s.eventMailer().For(e)); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/staff/events/"+e.ID+"?saved=status")
}

// EventRegRow is one registration as a connector sees it.
type EventRegRow struct {
	Position                 int
	Name, Email, Phone       string
	AccessNeeds, Interpreter string
	HeardAbout               string
	Status                   event.RegStatus
	Places                   int
	Reminders, Removed       bool
	Created                  time.Time
}

// handleStaffEventRegistrations lists who registered, opening the
// sealed names and contact details for the connector; every view is
// audited.
func (s *Server) handleStaffEventRegistrations(w http.ResponseWriter, r *http.Request) {
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.renderRegistrations(w, r, p, e, http.StatusOK)
}

// renderRegistrations shows an event's registrations (each opening
// audited) and the form to register someone on their behalf.
func (s *Server) renderRegistrations(w http.ResponseWriter, r *http.Request, p *Page, e *event.Event, status int) {
	regs, err := s.store.Registrations(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.store.AuditRegistrationsViewed(r.Context(), reqCtx(r).user.ID, e.ID); err != nil {
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
	langName := map[string]string{}
	for _, l := range s.site.Load().prog.Languages {
		langName[l.Code] = l.NativeName
	}
	var rows []EventRegRow
	for _, g := range regs {
		rows = append(rows, EventRegRow{Position: g.Position, Name: open(g.NameSealed), Email: open(g.EmailSealed), Phone: open(g.PhoneSealed),
			AccessNeeds: open(g.AccessNeedsSealed), Interpreter: langName[g.Interpreter], HeardAbout: g.HeardAbout, Status: g.Status, Places: g.Places,
			Reminders: g.Reminders, Removed: g.DetailsRemovedAt != nil, Created: g.CreatedAt})
	}
	if p.Form == nil {
		p.Form = onBehalfForm{Lang: p.Lang}
	}
	p.Data = struct {
		Event     EventView
		Rows      []EventRegRow
		Languages []programme.Language
		Open      bool
	}{s.eventView(p, e), rows, s.programme().Languages, e.Open(s.now())}
	s.render(w, r, status, "event_staff_registrations", p)
}

// onBehalfForm is a registration a connector makes for someone (by
// phone, at a community group, for a person without email), as typed.
type onBehalfForm struct {
	event.Answers
	Lang string // the person's language, for their emails
}

// handleStaffEventRegister registers someone on their behalf: the same
// rules and capacity as the public form (a full event puts them on the
// waiting list), without the public form's per-address limit, recorded
// in the audit log with the connector who did it.
func (s *Server) handleStaffEventRegister(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	e, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	f := onBehalfForm{Answers: event.Answers{
		Name: form.Value(r, "name", event.MaxName+1), Email: form.Value(r, "email", 255), Phone: form.Value(r, "phone", 41),
		Reminders: r.PostForm.Get("reminders") == "yes", Places: form.Value(r, "places", 5),
		AccessNeeds: form.Value(r, "access_needs", event.MaxAccessNeeds+1), Interpreter: form.Value(r, "interpreter", 10),
	}, Lang: form.Value(r, "lang", 10)}
	codes := s.site.Load().codes
	p := s.newPage(r)
	if !slices.Contains(codes, f.Lang) {
		f.Lang = p.Lang
	}
	p.Form = f
	req, errs := f.Validate(e, f.Lang, codes)
	if !e.Open(s.now()) {
		errs = form.Errors{{Field: "name", Key: closedKey(e)}}
	}
	if len(errs) > 0 {
		p.Errors = errs
		s.renderRegistrations(w, r, p, e, http.StatusUnprocessableEntity)
		return
	}
	reg, err := s.sealRegistration(e, req)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	got, err := s.store.Register(r.Context(), reg, precomposed(s.eventMailer().For(e), e, reg.Registration))
	switch {
	case errors.Is(err, event.ErrDuplicateRegistration):
		field := "email"
		if req.Email == "" {
			field = "phone"
		}
		p.Errors.Add(field, "events.error.duplicate")
		s.renderRegistrations(w, r, p, e, http.StatusUnprocessableEntity)
		return
	case errors.Is(err, event.ErrClosed):
		p.Errors.Add("name", "events.error.closed")
		s.renderRegistrations(w, r, p, e, http.StatusUnprocessableEntity)
		return
	case s.storeFailed(w, r, err):
		return
	}
	if err := s.store.AppendAudit(r.Context(), reqCtx(r).user.ID, "registration.added_by_staff", e.ID,
		`{"registration":"`+got.ID+`","status":"`+string(got.Status)+`"}`); err != nil {
		s.log.Error("audit registration on behalf", "err", err.Error())
	}
	flash := "events.staff_registered_for"
	if got.Status == event.RegWaiting {
		flash = "events.staff_waitlisted_for"
	}
	s.sessions.Put(r.Context(), sessFlash, flash)
	redirect(w, r, "/staff/events/"+e.ID+"/registrations")
}
