package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The staff triage board: every request by status, each with its owner,
// notes and history; moving a request along tells the requester by email.

type boardColumn struct {
	Status invitation.Status
	Count  int
	Items  []invitation.Invitation
}

func (s *Server) handleInvitationBoard(w http.ResponseWriter, r *http.Request) {
	show := invitation.Status(r.URL.Query().Get("status"))
	if show != "" && !show.Valid() {
		show = ""
	}
	all, err := s.store.Invitations(r.Context(), "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var cols []boardColumn
	for _, st := range invitation.Statuses {
		c := boardColumn{Status: st}
		for _, v := range all {
			if v.Status == st {
				c.Count++
				// The board shows the open requests; closed ones on asking.
				if (show == "" && !st.Closed()) || show == st {
					c.Items = append(c.Items, v)
				}
			}
		}
		cols = append(cols, c)
	}
	p := s.newPage(r)
	p.Data = struct {
		Columns []boardColumn
		Show    invitation.Status
	}{cols, show}
	s.render(w, r, http.StatusOK, "staff_invitations", p)
}

// invitationView is a request as staff see it: contact details opened.
type invitationView struct {
	invitation.Invitation
	Name, Email, Phone string
	Owners             []account.User
	Next               []invitation.Status
	Reason, Note       string // typed and kept on error
	Event              *event.Event
	CommunityName      string
	LanguageNames      []string
}

// loadInvitation reads the request named in the path; an unknown or
// forged id answers 404 and returns false.
func (s *Server) loadInvitation(w http.ResponseWriter, r *http.Request, audit bool) (invitation.Invitation, bool) {
	var v invitation.Invitation
	var err error
	if audit {
		v, err = s.store.InvitationForStaff(r.Context(), reqCtx(r).user.ID, r.PathValue("id"))
	} else {
		v, err = s.store.Invitation(r.Context(), r.PathValue("id"))
	}
	if s.storeFailed(w, r, err) {
		return v, false
	}
	return v, true
}

func (s *Server) invitationDetail(r *http.Request, v invitation.Invitation) (*Page, error) {
	view := invitationView{Invitation: v, Next: v.Status.Next()}
	open := func(sealed string) string {
		if sealed == "" {
			return ""
		}
		plain, err := s.keys.Open(sealed)
		if err != nil {
			return "" // a key no longer held: shown as not given
		}
		return plain
	}
	view.Name, view.Email, view.Phone = open(v.Contact.Name), open(v.Contact.Email), open(v.Contact.Phone)
	p := s.newPage(r)
	view.CommunityName = s.invCommunityName(v.Community, p.Lang)
	for _, code := range v.Languages {
		for _, l := range s.programme().Languages {
			if l.Code == code {
				view.LanguageNames = append(view.LanguageNames, l.EnglishName)
			}
		}
	}
	var err error
	if view.Owners, err = s.store.InvitationOwners(r.Context()); err != nil {
		return nil, err
	}
	if v.EventID != "" {
		if ev, err := s.store.Event(r.Context(), v.EventID); err == nil {
			view.Event = ev
		}
	}
	p.Data = &view
	return p, nil
}

func (s *Server) renderInvitation(w http.ResponseWriter, r *http.Request, status int, v invitation.Invitation, errs form.Errors, reason, note string) {
	p, err := s.invitationDetail(r, v)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Errors = errs
	p.Data.(*invitationView).Reason, p.Data.(*invitationView).Note = reason, note
	if status == http.StatusOK {
		p.Flash = s.sessions.PopString(r.Context(), "invitation_flash")
	}
	s.render(w, r, status, "staff_invitation", p)
}

func (s *Server) handleInvitationView(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInvitation(w, r, true)
	if !ok {
		return
	}
	s.renderInvitation(w, r, http.StatusOK, v, nil, "", "")
}

// handleInvitationMove moves a request to contacted, done or declined
// (with a reason), emailing the requester.
func (s *Server) handleInvitationMove(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	v, ok := s.loadInvitation(w, r, false)
	if !ok {
		return
	}
	to := invitation.Status(form.Value(r, "to", 20))
	reason := form.Value(r, "reason", invitation.MaxReason+1)
	if to == invitation.StatusScheduled {
		redirect(w, r, "/staff/invitations/"+v.ID+"/schedule")
		return
	}
	if key := invitation.CheckMove(v.Status, to, reason); key != "" {
		var errs form.Errors
		field := "reason"
		if key == "invitations.error.illegal_move" {
			field = "move"
		}
		errs.Add(field, key, "Max", invitation.MaxReason)
		s.renderInvitation(w, r, http.StatusUnprocessableEntity, v, errs, reason, "")
		return
	}
	v.DeclineReason = reason
	ms, err := s.invitationMail(v, to, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.MoveInvitation(r.Context(), reqCtx(r).user.ID, v.ID, to, reason, ms...)
	if errors.Is(err, invitation.ErrIllegalMove) { // moved by someone else meanwhile
		var errs form.Errors
		errs.Add("move", "invitations.error.illegal_move")
		// Show the request as it now is, so the refusal makes sense.
		v, err = s.store.Invitation(r.Context(), v.ID)
		if s.storeFailed(w, r, err) {
			return
		}
		s.renderInvitation(w, r, http.StatusConflict, v, errs, reason, "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash."+string(to))
	redirect(w, r, "/staff/invitations/"+v.ID)
}

func (s *Server) handleInvitationOwner(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	v, ok := s.loadInvitation(w, r, false)
	if !ok {
		return
	}
	owner := form.Value(r, "owner", 60)
	err := s.store.SetInvitationOwner(r.Context(), reqCtx(r).user.ID, v.ID, owner)
	if errors.Is(err, store.ErrNotFound) {
		var errs form.Errors
		errs.Add("owner", "invitations.error.owner_invalid")
		s.renderInvitation(w, r, http.StatusUnprocessableEntity, v, errs, "", "")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.owner")
	redirect(w, r, "/staff/invitations/"+v.ID)
}

func (s *Server) handleInvitationNote(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	v, ok := s.loadInvitation(w, r, false)
	if !ok {
		return
	}
	note := form.Value(r, "note", invitation.MaxReason+1)
	var errs form.Errors
	switch {
	case note == "":
		errs.Add("note", "invitations.error.note_required")
	case len([]rune(note)) > invitation.MaxReason:
		errs.Add("note", "invitations.error.too_long", "Max", invitation.MaxReason)
	}
	if len(errs) > 0 {
		s.renderInvitation(w, r, http.StatusUnprocessableEntity, v, errs, "", note)
		return
	}
	if err := s.store.AddInvitationNote(r.Context(), reqCtx(r).user.ID, v.ID, note); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.note")
	redirect(w, r, "/staff/invitations/"+v.ID+"#history")
}

// scheduleForm is the event agreed with the group, prefilled from the
// request.
type scheduleForm struct {
	Title, Kind, Visibility, Date, Start, End string
	VenueName, VenueAddress, Community        string
	Capacity                                  string
	Languages                                 []string
}

func (s *Server) schedulePage(r *http.Request, v invitation.Invitation, f scheduleForm) *Page {
	p := s.newPage(r)
	p.Form = f
	p.Data = struct {
		Invitation  invitation.Invitation
		Kinds       []event.Kind
		Communities []programme.Item
		Languages   []programme.Language
	}{v, []event.Kind{event.KindMiniHearMe, event.KindGathering}, s.programme().Communities, s.programme().Languages}
	return p
}

func (s *Server) handleScheduleForm(w http.ResponseWriter, r *http.Request) {
	v, ok := s.loadInvitation(w, r, false)
	if !ok {
		return
	}
	if !invitation.CanMove(v.Status, invitation.StatusScheduled) {
		s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.cannot_schedule")
		redirect(w, r, "/staff/invitations/"+v.ID)
		return
	}
	f := scheduleForm{Kind: string(event.KindMiniHearMe), Visibility: string(event.Public), Start: "10:00", End: "12:00",
		VenueName: v.Venue, Community: v.Community, Capacity: "", Languages: v.Languages}
	if v.Kind == invitation.KindGathering {
		f.Kind, f.Visibility = string(event.KindGathering), string(event.Invitation)
	}
	if v.Expected > 0 {
		f.Capacity = strconv.Itoa(v.Expected)
	}
	p := s.newPage(r)
	f.Title = p.T("invitations.schedule.default_title", "Group", v.Group)
	s.render(w, r, http.StatusOK, "staff_invitation_schedule", s.schedulePage(r, v, f))
}

func (s *Server) handleSchedule(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	v, ok := s.loadInvitation(w, r, false)
	if !ok {
		return
	}
	if !invitation.CanMove(v.Status, invitation.StatusScheduled) {
		s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.cannot_schedule")
		redirect(w, r, "/staff/invitations/"+v.ID)
		return
	}
	f := scheduleForm{Title: form.Value(r, "title", 201), Kind: form.Value(r, "kind", 30), Visibility: form.Value(r, "visibility", 20),
		Date: form.Value(r, "date", 20), Start: form.Value(r, "start", 10), End: form.Value(r, "end", 10),
		VenueName: form.Value(r, "venue_name", 201), VenueAddress: form.Value(r, "venue_address", 301), Community: form.Value(r, "community", 60),
		Capacity: form.Value(r, "capacity", 10)}
	prog := s.programme()
	for _, l := range prog.Languages {
		for _, chosen := range r.PostForm["languages"] {
			if chosen == l.Code {
				f.Languages = append(f.Languages, l.Code)
			}
		}
	}
	var errs form.Errors
	if f.Title == "" || len([]rune(f.Title)) > 200 {
		errs.Add("title", "invitations.error.title_required")
	}
	kind := event.Kind(f.Kind)
	if kind != event.KindMiniHearMe && kind != event.KindGathering {
		errs.Add("kind", "invitations.error.event_kind_required")
	}
	vis := event.Visibility(f.Visibility)
	if vis != event.Public && vis != event.Invitation {
		errs.Add("visibility", "invitations.error.visibility_required")
	}
	loc := s.site.Load().loc
	day, derr := time.ParseInLocation("2006-01-02", f.Date, loc)
	if derr != nil {
		errs.Add("date", "invitations.error.date_invalid")
	}
	start, serr := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Start, loc)
	end, eerr := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.End, loc)
	if derr == nil && serr != nil {
		errs.Add("start", "invitations.error.time_invalid")
	}
	if derr == nil && serr == nil && (eerr != nil || !end.After(start)) {
		errs.Add("end", "invitations.error.end_invalid")
	}
	if derr == nil && day.Before(s.now().In(loc).Truncate(24*time.Hour).Add(-24*time.Hour)) {
		errs.Add("date", "invitations.error.date_past")
	}
	if f.VenueName == "" || len([]rune(f.VenueName)) > 200 {
		errs.Add("venue_name", "invitations.error.venue_name_required")
	}
	if len([]rune(f.VenueAddress)) > 300 {
		errs.Add("venue_address", "invitations.error.too_long", "Max", 300)
	}
	community := ""
	for _, c := range prog.Communities {
		if c.Slug == f.Community {
			community = c.Slug
		}
	}
	capacity, cerr := strconv.Atoi(f.Capacity)
	if cerr != nil || capacity < 1 || capacity > invitation.MaxExpected {
		errs.Add("capacity", "invitations.error.capacity_invalid", "Max", invitation.MaxExpected)
	}
	if len(errs) > 0 {
		p := s.schedulePage(r, v, f)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_invitation_schedule", p)
		return
	}
	ev := &event.Event{ID: store.NewID(), Kind: kind, Visibility: vis, Community: community, Languages: f.Languages,
		Start: start.UTC(), End: end.UTC(), VenueName: f.VenueName, VenueAddress: f.VenueAddress, Capacity: capacity,
		Texts: map[string]event.Text{"en": {Title: f.Title}}}
	if vis == event.Invitation {
		ev.InviteKey = event.NewInviteKey()
	}
	ms, err := s.invitationMail(v, invitation.StatusScheduled, ev)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.ScheduleInvitation(r.Context(), reqCtx(r).user.ID, v.ID, ev, ms...)
	if errors.Is(err, invitation.ErrIllegalMove) {
		s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.cannot_schedule")
		redirect(w, r, "/staff/invitations/"+v.ID)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), "invitation_flash", "invitations.flash.scheduled")
	redirect(w, r, "/staff/invitations/"+v.ID)
}
