package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/breach"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The breach register (/staff/breaches): administrators and the data
// protection officer record a breach, see the 72-hour clock from
// awareness, and update the entry as facts emerge; every version stays.

func (s *Server) breachRoutes() []Route {
	return []Route{
		{"GET /staff/breaches", protectors, s.handleBreaches},
		{"GET /staff/breaches/new", protectors, s.handleBreachNew},
		{"POST /staff/breaches/new", protectors, s.handleBreachRecord},
		{"GET /staff/breaches/{id}", protectors, s.handleBreach},
		{"POST /staff/breaches/{id}", protectors, s.handleBreachUpdate},
	}
}

// breachClock is the 72-hour clock as the page shows it.
type breachClock struct {
	breach.Clock
	Deadline       time.Time
	Hours, Minutes int
}

func clockOf(b breach.Breach, now time.Time) breachClock {
	c := breachClock{Clock: b.ClockAt(now), Deadline: b.Deadline()}
	d := c.Left
	if c.Overdue {
		d = c.Over
	}
	c.Hours, c.Minutes = breach.HoursMinutes(d)
	return c
}

type breachRow struct {
	breach.Breach
	Clock breachClock
}

func (s *Server) handleBreaches(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Breaches(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.now()
	rows := make([]breachRow, 0, len(list))
	for _, b := range list {
		rows = append(rows, breachRow{b, clockOf(b, now)})
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct{ Breaches []breachRow }{rows}
	s.render(w, r, http.StatusOK, "staff_breaches", p)
}

// breachPage is the form page: new (no ID) or an entry with its clock
// and history.
type breachPage struct {
	ID      string
	Version int
	Clock   *breachClock
	History []breach.Breach
	Names   map[string]store.StaffName // user id: name, for the history
}

func (s *Server) renderBreach(w http.ResponseWriter, r *http.Request, status int, f breach.Form, errs field.Errors, d breachPage) {
	if d.ID != "" {
		hist, err := s.store.BreachHistory(r.Context(), d.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		names, err := s.store.StaffNames(r.Context())
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.History, d.Names = hist, names
		if len(hist) > 0 {
			c := clockOf(hist[0], s.now())
			d.Clock = &c
		}
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Form, p.Errors, p.Data = f, errs, d
	s.render(w, r, status, "staff_breach", p)
}

func (s *Server) handleBreachNew(w http.ResponseWriter, r *http.Request) {
	f := breach.Form{Aware: s.now().In(s.site.Load().loc).Format("2006-01-02T15:04")}
	s.renderBreach(w, r, http.StatusOK, f, nil, breachPage{})
}

func breachFormOf(r *http.Request) breach.Form {
	long := breach.MaxText + 100
	return breach.Form{Summary: form.Value(r, "summary", breach.MaxSummary+50), Occurred: form.Value(r, "occurred", 30), Aware: form.Value(r, "aware", 30),
		DataAffected: form.Value(r, "data", long), Records: form.Value(r, "records", 30), People: form.Value(r, "people", 30),
		Consequences: form.Value(r, "consequences", long), Actions: form.Value(r, "actions", long),
		Reported: form.Value(r, "reported", 10), ReportReason: form.Value(r, "report-reason", long), ICOReference: form.Value(r, "ico-reference", breach.MaxReference+20),
		PeopleTold: form.Value(r, "told", 10), PeopleToldWhy: form.Value(r, "told-why", long)}
}

func (s *Server) handleBreachRecord(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := breachFormOf(r)
	b, errs := f.Parse(s.now(), s.site.Load().loc)
	if len(errs) > 0 {
		s.renderBreach(w, r, http.StatusUnprocessableEntity, f, errs, breachPage{})
		return
	}
	id, err := s.store.RecordBreach(r.Context(), reqCtx(r).user.ID, b)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "breaches.recorded")
	redirect(w, r, "/staff/breaches/"+id)
}

func (s *Server) handleBreach(w http.ResponseWriter, r *http.Request) {
	b, err := s.store.Breach(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	s.renderBreach(w, r, http.StatusOK, breach.FormOf(b, s.site.Load().loc), nil, breachPage{ID: b.ID, Version: b.Version})
}

func (s *Server) handleBreachUpdate(w http.ResponseWriter, r *http.Request) {
	cur, err := s.store.Breach(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := breachFormOf(r)
	version, _ := strconv.Atoi(form.Value(r, "version", 12))
	b, errs := f.Parse(s.now(), s.site.Load().loc)
	if len(errs) == 0 {
		err := s.store.UpdateBreach(r.Context(), reqCtx(r).user.ID, cur.ID, version, b)
		switch {
		case errors.Is(err, store.ErrConflict):
			// Someone changed the entry since this form was opened: show
			// their version beside what was typed, nothing saved or lost.
			errs.Add("summary", "breaches.error.changed_meanwhile")
			version = cur.Version
		case errors.Is(err, store.ErrBreachUnchanged):
			errs.Add("summary", "breaches.error.unchanged")
		case s.storeFailed(w, r, err):
			return
		}
	}
	if len(errs) > 0 {
		if version < 1 || version > cur.Version {
			version = cur.Version
		}
		s.renderBreach(w, r, http.StatusUnprocessableEntity, f, errs, breachPage{ID: cur.ID, Version: version})
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "breaches.updated")
	redirect(w, r, "/staff/breaches/"+cur.ID)
}

// BreachClock pairs the page with a clock for the "breach-clock"
// template.
func (p *Page) BreachClock(c breachClock) struct {
	P *Page
	C breachClock
} {
	return struct {
		P *Page
		C breachClock
	}{p, c}
}

// Answer describes a yes / no / not decided question for the
// "breach-answer" template.
func (p *Page) Answer(name, labelKey, value string) struct {
	Page               *Page
	Name, Label, Value string
} {
	return struct {
		Page               *Page
		Name, Label, Value string
	}{p, name, labelKey, value}
}
