package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// On the day: the connectors' check-in list, made for a phone at the
// door (big targets, one form per row, works with JavaScript off), the
// count of walk-ins, and the way to capture what people say there.

type checkInRow struct {
	store.CheckIn
	Name string
}

func (s *Server) handleCheckIn(w http.ResponseWriter, r *http.Request) {
	ev, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	p, err := s.checkInPage(r, ev)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "event_checkin", p)
}

// checkInPage is the event's check-in list (searched with ?find=); the
// names are opened, so its viewing is audited.
func (s *Server) checkInPage(r *http.Request, ev *event.Event) (*Page, error) {
	list, err := s.store.CheckInList(r.Context(), ev.ID)
	if err != nil {
		return nil, err
	}
	if len(list) > 0 {
		if err := s.store.AuditRegistrationsViewed(r.Context(), reqCtx(r).user.ID, ev.ID); err != nil {
			return nil, err
		}
	}
	find := strings.ToLower(form.Clean(r.URL.Query().Get("find"), 100))
	var rows []checkInRow
	places, arrived := 0, 0
	for _, c := range list {
		name := ""
		if c.NameSealed != "" {
			plain, err := s.keys.Open(c.NameSealed)
			if err != nil {
				s.log.Error("registration name unreadable", "err", err.Error())
			}
			name = plain
		}
		if c.Status == "confirmed" {
			places += c.Places
		}
		if c.AttendedAt != nil {
			arrived += c.Places
		}
		if find != "" && !strings.Contains(strings.ToLower(name), find) {
			continue
		}
		rows = append(rows, checkInRow{c, name})
	}
	p := s.newPage(r)
	p.Data = struct {
		Event                  *event.Event
		Title                  string
		Rows                   []checkInRow
		Places, Arrived, Total int
		Find                   string
		Searched               bool
	}{ev, ev.Text(p.Lang).Title, rows, places, arrived, len(list), find, find != ""}
	return p, nil
}

// handleCheckInToggle marks one registration as arrived (or not).
func (s *Server) handleCheckInToggle(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	eventID, regID := r.PathValue("id"), r.PathValue("reg")
	err := s.store.SetAttended(r.Context(), reqCtx(r).user.ID, eventID, regID, r.PostForm.Get("attended") == "yes")
	if s.storeFailed(w, r, err) {
		return
	}
	back := "/staff/events/" + eventID + "/check-in"
	if find := form.Value(r, "find", 100); find != "" {
		back += "?find=" + urlQueryEscape(find)
	}
	redirect(w, r, back+"#reg-"+regID)
}

// handleWalkIns adds or removes one walk-in, or sets the count.
func (s *Server) handleWalkIns(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ev, ok := s.loadEvent(w, r)
	if !ok {
		return
	}
	var err error
	switch r.PostForm.Get("change") {
	case "add":
		_, err = s.store.AddWalkIns(r.Context(), ev.ID, 1)
	case "remove":
		_, err = s.store.AddWalkIns(r.Context(), ev.ID, -1)
	default:
		n, cerr := strconv.Atoi(form.Value(r, "walk_ins", 10))
		if cerr != nil || n < 0 || n > store.MaxWalkIns {
			p, err := s.checkInPage(r, ev)
			if err != nil {
				s.serverError(w, r, err)
				return
			}
			p.Form = form.Value(r, "walk_ins", 10) // shown again as typed
			p.Errors.Add("walk_ins", "invitations.checkin.walk_ins_invalid")
			s.render(w, r, http.StatusUnprocessableEntity, "event_checkin", p)
			return
		}
		_, err = s.store.SetWalkIns(r.Context(), ev.ID, n)
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/staff/events/"+ev.ID+"/check-in#walk-ins")
}
