package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
)

// Events: public pages to find an event and register (events_public.go,
// event_register.go), the connectors' pages to run them (event_staff.go),
// and the event on the day: check-in and walk-ins (event_checkin.go), the
// event's report (event_report.go) and the public summary
// (event_summary.go). Invitations are built on the same tables in their
// own part (invitations.go).

// eventRoutes lists this part's routes (see routes.go).
func (s *Server) eventRoutes() []Route {
	return []Route{
		{"GET /events", public, s.handleEvents},
		{"GET /events/summary", public, s.handleEventsSummary},
		{"GET /events/{id}", public, s.handleEvent},
		{"POST /events/{id}", public, s.handleEventRegister},
		{"GET /events/{id}/registered", public, s.handleEventRegistered},
		{"GET /events/{id}/calendar.ics", public, s.handleEventCalendar},
		{"GET /events/{id}/print", public, s.handleEventPrint},
		{"GET /events/{id}/cancel/{token}", public, s.handleEventCancelForm},
		{"POST /events/{id}/cancel/{token}", public, s.handleEventCancel},

		{"GET /staff/events", moderators, s.handleStaffEvents},
		{"GET /staff/events/new", moderators, s.handleStaffEventNew},
		{"POST /staff/events", moderators, s.handleStaffEventCreate},
		{"GET /staff/events/{id}", moderators, s.handleStaffEventEdit},
		{"POST /staff/events/{id}", moderators, s.handleStaffEventUpdate},
		{"POST /staff/events/{id}/status", moderators, s.handleStaffEventStatus},
		{"GET /staff/events/{id}/registrations", moderators, s.handleStaffEventRegistrations},
		{"POST /staff/events/{id}/registrations", moderators, s.handleStaffEventRegister},
		{"GET /staff/events/{id}/check-in", moderators, s.handleCheckIn},
		{"POST /staff/events/{id}/check-in/{reg}", moderators, s.handleCheckInToggle},
		{"POST /staff/events/{id}/walk-ins", moderators, s.handleWalkIns},
		{"GET /staff/events/{id}/report", moderators, s.handleEventReport},
	}
}

// eventMailer is what composes the emails about registrations.
func (s *Server) eventMailer() event.Mailer {
	return event.Mailer{Compose: s.mail.Compose, Keys: s.keys, CancelKey: s.keys.Derive("registration-cancel"),
		BaseURL: s.cfg.PublicURL(), Loc: s.site.Load().loc, T: s.translate}
}

func (s *Server) translate(lang, key string, pairs ...any) string {
	return s.cat.Localizer(lang).T(key, pairs...)
}

// loadPublicEvent reads the event named in the path for a public page:
// a forged or unknown id, and an invitation-only event without its
// invitation key (k), are all "not found" (so nobody learns an
// invitation-only event exists).
func (s *Server) loadPublicEvent(w http.ResponseWriter, r *http.Request, key string) (*event.Event, bool) {
	return s.loadPublicEventWith(w, r, key, s.store.Event)
}

// loadPublicEventWith is loadPublicEvent with the store's read to use
// (EventBrief, without the agenda, where the page does not show it).
func (s *Server) loadPublicEventWith(w http.ResponseWriter, r *http.Request, key string, read func(context.Context, string) (*event.Event, error)) (*event.Event, bool) {
	e, err := read(r.Context(), r.PathValue("id"))
	if err == store.ErrNotFound || err == nil && e.Visibility == event.Invitation && !e.CheckInviteKey(key) {
		s.errorPage(w, r, http.StatusNotFound)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return e, true
}

// EventView is an event as a page shows it, in the page's language.
type EventView struct {
	P                          *Page // the page, for the templates' translations
	ID, Title, Body, TitleLang string
	Kind                       event.Kind
	Status                     event.Status
	StatusMessage              string
	Invitation                 bool
	When, Duration             string
	Date                       string // YYYY-MM-DD, local
	VenueName, VenueAddress    string
	VenuePostcode, AccessNotes string
	Access                     []string
	Community                  string
	Languages, Interpreters    []string // names
	Agenda                     []event.AgendaItem
	Capacity, Free             int
	Full, Open                 bool
	Confirmed, Waiting         int
	InviteKey                  string // only for staff pages
	URL                        string // the public page (with the invitation key if needed)
}

func (s *Server) eventView(p *Page, e *event.Event) EventView {
	st := s.site.Load()
	t := e.Text(p.Lang)
	v := EventView{P: p, ID: e.ID, Title: t.Title, Body: t.Body, Kind: e.Kind, Status: e.Status, StatusMessage: e.StatusMessage,
		Invitation: e.Visibility == event.Invitation, When: event.When(e.Start, e.End, st.loc, p.Lang, s.translate),
		Date: e.Start.In(st.loc).Format("2006-01-02"), VenueName: e.VenueName, VenueAddress: e.VenueAddress, VenuePostcode: e.VenuePostcode,
		AccessNotes: e.AccessNotes, Agenda: e.Agenda, Capacity: e.Capacity, Free: e.Free(), Full: e.Full(), Open: e.Open(s.now()),
		Confirmed: e.Confirmed, Waiting: e.Waiting, URL: "/events/" + e.ID}
	if !e.HasText(p.Lang) {
		v.TitleLang = "en"
		for lang := range e.Texts {
			if e.Texts[lang].Title == t.Title {
				v.TitleLang = lang
				break
			}
		}
	}
	if v.Invitation {
		v.URL += "?k=" + e.InviteKey
	}
	d := e.Duration()
	h, m := int(d.Hours()), int(d.Minutes())%60
	switch {
	case m == 0:
		v.Duration = p.T("events.duration_h", "Hours", h)
	case h == 0:
		v.Duration = p.T("events.duration_m", "Minutes", m)
	default:
		v.Duration = p.T("events.duration_hm", "Hours", h, "Minutes", m)
	}
	for _, a := range event.AccessFeatures {
		if e.HasAccess(a) {
			v.Access = append(v.Access, a)
		}
	}
	for _, c := range st.prog.Communities {
		if c.Slug == e.Community {
			v.Community = c.Name(p.Lang)
		}
	}
	for _, l := range st.prog.Languages {
		if slices.Contains(e.Languages, l.Code) {
			v.Languages = append(v.Languages, l.NativeName)
		}
		if slices.Contains(e.Interpreters, l.Code) {
			v.Interpreters = append(v.Interpreters, l.NativeName)
		}
	}
	return v
}

// loadEvent reads the event named in the path; an unknown or forged id
// answers 404.
func (s *Server) loadEvent(w http.ResponseWriter, r *http.Request) (*event.Event, bool) {
	ev, err := s.store.Event(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return nil, false
	}
	return ev, true
}
