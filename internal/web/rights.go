package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/rights"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// People's rights requests (/staff/rights): administrators and the data
// protection officer log a request, record the identity check, extend a
// complex one and close it; the list shows what is due and overdue.

// protectors may use the data protection pages.
var protectors = Access{Roles: []account.Role{account.Admin, account.DPO}}

func (s *Server) rightsRoutes() []Route {
	return []Route{
		{"GET /staff/rights", protectors, s.handleRights},
		{"GET /staff/rights/new", protectors, s.handleRightsNew},
		{"POST /staff/rights/new", protectors, s.handleRightsLog},
		{"GET /staff/rights/{id}", protectors, s.handleRightsRequest},
		{"POST /staff/rights/{id}/identity", protectors, s.handleRightsIdentity},
		{"POST /staff/rights/{id}/extend", protectors, s.handleRightsExtend},
		{"POST /staff/rights/{id}/close", protectors, s.handleRightsClose},
	}
}

// rightsRow is a request in the list, with its clock on today.
type rightsRow struct {
	rights.Request
	Due      time.Time
	Overdue  bool
	DaysLeft int
	Late     int // days overdue
}

func (s *Server) handleRights(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.RightsRequests(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	today := s.today()
	var open, closed []rightsRow
	overdue := 0
	for _, q := range list {
		row := rightsRow{q, q.Due(), q.Overdue(today), q.DaysLeft(today), -q.DaysLeft(today)}
		if q.ClosedOn != nil {
			closed = append(closed, row)
			continue
		}
		if row.Overdue {
			overdue++
		}
		open = append(open, row)
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Open, Closed []rightsRow
		Overdue      int
	}{open, closed, overdue}
	s.render(w, r, http.StatusOK, "staff_rights", p)
}

// rightsForm is the new-request form as typed.
type rightsForm struct {
	Kind, Channel, Received, Reference, Contact, Notes, Identity string
	Duplicate                                                    string // an open request of the same kind for the same person
}

func (s *Server) rightsNewPage(r *http.Request, f rightsForm, errs field.Errors) *Page {
	p := s.newPage(r)
	p.Form = f
	p.Errors = errs
	p.Data = struct {
		Kinds     []rights.Kind
		Channels  []rights.Channel
		Duplicate string
	}{rights.Kinds, rights.Channels, f.Duplicate}
	return p
}

func (s *Server) handleRightsNew(w http.ResponseWriter, r *http.Request) {
	f := rightsForm{Received: s.today().Format(time.DateOnly)}
	s.render(w, r, http.StatusOK, "staff_rights_new", s.rightsNewPage(r, f, nil))
}

func (s *Server) handleRightsLog(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := rightsForm{Kind: form.Value(r, "kind", 40), Channel: form.Value(r, "channel", 40), Received: form.Value(r, "received", 20),
		Reference: form.Value(r, "reference", rights.MaxReference+20), Contact: form.Value(r, "contact", rights.MaxContact+50),
		Notes: form.Value(r, "notes", rights.MaxText+100), Identity: form.Value(r, "identity", 20)}
	n := rights.New{Kind: rights.Kind(f.Kind), Channel: rights.Channel(f.Channel), ReceivedOn: f.Received, Reference: f.Reference,
		Contact: f.Contact, Notes: f.Notes, IdentityOn: f.Identity}
	if errs := n.Validate(s.today()); len(errs) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "staff_rights_new", s.rightsNewPage(r, f, errs))
		return
	}
	// A request logged twice: say so, with the first one, and log it
	// only when the officer says it is a new request.
	if form.Value(r, "duplicate_ok", 5) != "yes" {
		dup, err := s.store.OpenDuplicate(r.Context(), n)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if dup != "" {
			f.Duplicate = dup
			errs := field.Errors{}
			errs.Add("reference", rights.ErrDuplicate.Error())
			s.render(w, r, http.StatusConflict, "staff_rights_new", s.rightsNewPage(r, f, errs))
			return
		}
	}
	var sealedContact string
	if n.Contact != "" {
		var err error
		if sealedContact, err = s.keys.Seal(n.Contact); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	id, err := s.store.LogRightsRequest(r.Context(), reqCtx(r).user.ID, n, sealedContact)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "rights.logged")
	redirect(w, r, "/staff/rights/"+id)
}

// rightsDetail is the request page: the facts, the contact detail
// opened (the view is audited), and the forms for the next steps.
type rightsDetail struct {
	Req       rights.Request
	Contact   string
	Due       time.Time
	Overdue   bool
	DaysLeft  int
	Late      int
	CanExtend bool
	FirstDue  time.Time
	Today     string
	Identity  string
	Reason    string
	ClosedOn  string
	Outcome   string
	Packs     []store.Pack
	SentOn    string
	SentHow   string
	SentHows  []string
	Duplicate string
}

func (s *Server) renderRightsRequest(w http.ResponseWriter, r *http.Request, status int, q rights.Request, errs field.Errors, d rightsDetail) {
	if q.ContactSealed != "" {
		plain, err := s.keys.Open(q.ContactSealed)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.store.AuditRightsContactViewed(r.Context(), reqCtx(r).user.ID, q.ID); err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Contact = plain
	}
	today := s.today()
	d.Req, d.Due, d.Overdue, d.DaysLeft, d.Late = q, q.Due(), q.Overdue(today), q.DaysLeft(today), -q.DaysLeft(today)
	d.FirstDue = rights.DueDate(q.Start())
	d.CanExtend = q.ClosedOn == nil && !q.Extended && !today.After(d.FirstDue) || errs.Has("reason")
	d.Today = today.Format(time.DateOnly)
	if d.Identity == "" {
		d.Identity = d.Today
	}
	if d.ClosedOn == "" {
		d.ClosedOn = d.Today
	}
	if d.SentOn == "" {
		d.SentOn = d.Today
	}
	packs, err := s.store.Packs(r.Context(), q.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Packs, d.SentHows = packs, rights.SentHows
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Errors = errs
	p.Data = d
	s.render(w, r, status, "staff_rights_request", p)
}

func (s *Server) rightsRequestOf(w http.ResponseWriter, r *http.Request) (rights.Request, bool) {
	q, err := s.store.RightsRequest(r.Context(), r.PathValue("id"))
	return q, !s.storeFailed(w, r, err)
}

func (s *Server) handleRightsRequest(w http.ResponseWriter, r *http.Request) {
	q, ok := s.rightsRequestOf(w, r)
	if !ok {
		return
	}
	s.renderRightsRequest(w, r, http.StatusOK, q, nil, rightsDetail{})
}

// rightsStep runs one step on a request: parse the form, check it with
// the domain's rule, store it, or show the page again with the errors.
func (s *Server) rightsStep(w http.ResponseWriter, r *http.Request, check func(q rights.Request) (rightsDetail, field.Errors, func() error), flash string) {
	q, ok := s.rightsRequestOf(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	// A closed request takes no more steps: say so on its page.
	alreadyClosed := func() {
		s.sessions.Put(r.Context(), sessFlash, rights.ErrAlreadyClosed.Error())
		redirect(w, r, "/staff/rights/"+q.ID)
	}
	if q.ClosedOn != nil {
		alreadyClosed()
		return
	}
	d, errs, save := check(q)
	if len(errs) == 0 {
		err := save()
		switch {
		case errors.Is(err, rights.ErrAlreadyClosed):
			alreadyClosed()
			return
		case errors.Is(err, rights.ErrAlreadyExtended):
			errs.Add("reason", err.Error())
		case s.storeFailed(w, r, err):
			return
		}
	}
	if len(errs) > 0 {
		if fresh, err := s.store.RightsRequest(r.Context(), q.ID); err == nil {
			q = fresh
		}
		s.renderRightsRequest(w, r, http.StatusUnprocessableEntity, q, errs, d)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, flash)
	redirect(w, r, "/staff/rights/"+q.ID)
}

func (s *Server) handleRightsIdentity(w http.ResponseWriter, r *http.Request) {
	s.rightsStep(w, r, func(q rights.Request) (rightsDetail, field.Errors, func() error) {
		in := form.Value(r, "identity", 20)
		on, errs := rights.CheckIdentity(q, in, s.today())
		return rightsDetail{Identity: in}, errs, func() error {
			return s.store.RecordRightsIdentity(r.Context(), reqCtx(r).user.ID, q.ID, on)
		}
	}, "rights.identity_recorded")
}

func (s *Server) handleRightsExtend(w http.ResponseWriter, r *http.Request) {
	s.rightsStep(w, r, func(q rights.Request) (rightsDetail, field.Errors, func() error) {
		reason := form.Value(r, "reason", rights.MaxText+100)
		errs := rights.CheckExtension(q, reason, s.today())
		return rightsDetail{Reason: reason}, errs, func() error {
			return s.store.ExtendRightsRequest(r.Context(), reqCtx(r).user.ID, q.ID, strings.TrimSpace(reason), s.today())
		}
	}, "rights.extended")
}

func (s *Server) handleRightsClose(w http.ResponseWriter, r *http.Request) {
	s.rightsStep(w, r, func(q rights.Request) (rightsDetail, field.Errors, func() error) {
		in, outcome := form.Value(r, "closed", 20), form.Value(r, "outcome", rights.MaxText+100)
		on, errs := rights.CheckClose(q, in, outcome, s.today())
		return rightsDetail{ClosedOn: in, Outcome: outcome}, errs, func() error {
			return s.store.CloseRightsRequest(r.Context(), reqCtx(r).user.ID, q.ID, on, strings.TrimSpace(outcome))
		}
	}, "rights.closed")
}
