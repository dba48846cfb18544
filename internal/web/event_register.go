package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// receiptCookie carries the confirmation to the page that shows it:
// sealed (AES-256-GCM, so the browser cannot read or forge it), only for
// the events pages, for ten minutes, and cleared when shown. A cookie
// rather than the server-side session, so a registration makes no
// session write; never the URL.
const receiptCookie = "hearme_event_receipt"

// eventReceipt is what the confirmation page shows once.
type eventReceipt struct {
	EventID   string
	Token     string
	Status    event.RegStatus
	Ahead     int
	Places    int
	Emailed   bool
	InviteKey string
}

// handleEventRegister takes a registration. Mistakes come back with the
// answers kept; a full event puts the person on the waiting list; the
// place is taken (or the waiting list joined) under the event's lock, so
// concurrent registrations never over-book.
func (s *Server) handleEventRegister(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	key := form.Clean(r.URL.Query().Get("k"), 64)
	e, ok := s.loadPublicEventWith(w, r, key, s.store.EventBrief)
	if !ok {
		return
	}
	a := event.Answers{
		Name:        form.Value(r, "name", event.MaxName+1),
		Email:       form.Value(r, "email", 255),
		Phone:       form.Value(r, "phone", 41),
		Reminders:   r.PostForm.Get("reminders") == "yes",
		Places:      form.Value(r, "places", 5),
		AccessNeeds: form.Value(r, "access_needs", event.MaxAccessNeeds+1),
		Interpreter: form.Value(r, "interpreter", 10),
		HeardAbout:  form.Value(r, "heard_about", 40),
	}
	lang := reqCtx(r).lang
	req, errs := a.Validate(e, lang, s.site.Load().codes)
	reshow := func() *Page {
		if full, err := s.store.Event(r.Context(), e.ID); err == nil {
			e = full // the page shows the agenda too
		}
		return s.eventPage(r, e, key, a)
	}
	// The page is built only when it is shown again: a good post goes
	// straight on (it is the hot path under load).
	if !e.Open(s.now()) {
		errs = form.Errors{{Field: "name", Key: closedKey(e)}}
	}
	if len(errs) > 0 {
		p := reshow()
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "event_detail", p)
		return
	}
	if !s.guardRegistration(w, r, e, reshow) {
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
		p := reshow()
		field := "email"
		if req.Email == "" {
			field = "phone"
		}
		p.Errors.Add(field, "events.error.duplicate")
		s.render(w, r, http.StatusUnprocessableEntity, "event_detail", p)
		return
	case errors.Is(err, event.ErrClosed):
		p := reshow()
		p.Errors.Add("name", "events.error.closed")
		s.render(w, r, http.StatusUnprocessableEntity, "event_detail", p)
		return
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	rc := eventReceipt{EventID: e.ID, Token: event.CancelToken(s.keys.Derive("registration-cancel"), got.ID), Status: got.Status,
		Ahead: got.WaitingAhead, Places: got.Places, Emailed: req.Email != "" && req.Reminders, InviteKey: key}
	b, _ := json.Marshal(rc)
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: sealed, Path: "/events/", MaxAge: 600, HttpOnly: true,
		Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	redirect(w, r, "/events/"+e.ID+"/registered")
}

// guardRegistration applies the public forms' abuse checks to a
// registration. The address's limit is counted per event and, with a
// higher ceiling, across events, so a venue whose people share one Wi-Fi
// address can register them all. A refused post (over a limit, the
// honeypot filled in, or the form sent twice) is never answered with a
// confirmation: the form comes back, answers kept, saying plainly that no
// place was taken and how to get one (try again, or ask a connector),
// the same whatever the cause (limit or honeypot), so a script learns
// nothing; a form sent twice says the first copy may have registered
// them, and to check before registering again.
func (s *Server) guardRegistration(w http.ResponseWriter, r *http.Request, e *event.Event, reshow func() *Page) bool {
	v, replayed := s.forms.CheckInReplay("register", []string{"register-event/" + e.ID, "register"},
		r.PostForm.Get(abuse.TokenField), r.PostForm.Get(abuse.HoneypotField), reqCtx(r).ip)
	status, key := http.StatusUnprocessableEntity, ""
	switch {
	case v == abuse.Allow:
		return true
	case v == abuse.ReshowTooFast:
		key = "form.too_fast"
	case v == abuse.ReshowExpired:
		key = "form.expired"
	case replayed:
		// Sent twice (a double click): the first copy may have taken a
		// place, so "you have not been registered" could be false.
		status, key = http.StatusOK, "events.error.sent_twice"
	default:
		s.log.Info("registration refused", "verdict", v.String())
		status, key = http.StatusOK, "events.error.not_registered"
	}
	p := reshow()
	contact := s.programme().Settings.ContactPhone
	if contact == "" {
		contact = s.programme().Settings.ContactEmail
	}
	p.Errors.Add("send", key, "Contact", p.Isolate(contact))
	s.render(w, r, status, "event_detail", p)
	return false
}

func closedKey(e *event.Event) string {
	switch e.Status {
	case event.StatusCancelled:
		return "events.error.cancelled"
	case event.StatusPostponed:
		return "events.error.postponed"
	}
	return "events.error.closed"
}

// sealRegistration seals the personal answers and derives the keys the
// store needs: the duplicate-check hashes and the cancellation token's
// hash. Contact details exist only with consent (Validate asks for it).
func (s *Server) sealRegistration(e *event.Event, req event.Request) (store.NewRegistration, error) {
	nr := store.NewRegistration{Registration: event.Registration{ID: store.NewID(), EventID: e.ID, Places: req.Places, Lang: req.Lang,
		Reminders: req.Reminders, Interpreter: req.Interpreter, HeardAbout: req.HeardAbout}}
	for _, f := range []struct{ in, out *string }{{&req.Name, &nr.NameSealed}, {&req.Email, &nr.EmailSealed}, {&req.Phone, &nr.PhoneSealed},
		{&req.AccessNeeds, &nr.AccessNeedsSealed}} {
		if *f.in == "" {
			continue
		}
		var err error
		if *f.out, err = s.keys.Seal(*f.in); err != nil {
			return nr, err
		}
	}
	nr.EmailKey, nr.PhoneKey = event.DedupeKeys(s.keys.Derive("registration-dedupe"), req.Email, req.Phone)
	nr.CancelHash = event.Hash(event.CancelToken(s.keys.Derive("registration-cancel"), nr.ID))
	return nr, nil
}

// handleEventRegistered is the confirmation page: the place (or the
// place on the waiting list), the calendar file and the cancellation
// link. It is shown once; without a receipt it says what to do next.
func (s *Server) handleEventRegistered(w http.ResponseWriter, r *http.Request) {
	var rc eventReceipt
	if c, err := r.Cookie(receiptCookie); err == nil && c.Value != "" {
		s.openSealedJSON(r, "event receipt", c.Value, &rc)
		// Shown once: a shared computer's next user sees no link.
		http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: "", Path: "/events/", MaxAge: -1, HttpOnly: true,
			Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
	}
	if rc.EventID != r.PathValue("id") {
		rc = eventReceipt{}
	}
	key := rc.InviteKey
	if key == "" {
		key = form.Clean(r.URL.Query().Get("k"), 64)
	}
	e, ok := s.loadPublicEvent(w, r, key)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	p := s.newPage(r)
	v := s.eventView(p, e)
	base := s.cfg.PublicURL()
	d := struct {
		Event                            EventView
		Receipt                          eventReceipt
		CancelURL, CalendarURL, PrintURL string
	}{Event: v, Receipt: rc, CalendarURL: "/events/" + e.ID + "/calendar.ics", PrintURL: "/events/" + e.ID + "/print"}
	if key != "" {
		d.CalendarURL += "?k=" + key
		d.PrintURL += "?k=" + key
	}
	if rc.Token != "" {
		d.CancelURL = base + event.CancelPath(e.ID, rc.Token)
	}
	p.Data = d
	p.Offer = s.supportOffer(r, OfferFilter{Lang: p.Lang, Place: "event", EventID: e.ID, Limit: 3})
	s.render(w, r, http.StatusOK, "event_registered", p)
}

// cancelTarget reads the registration a cancellation link names; a
// forged token, or one for another event, is not found.
func (s *Server) cancelTarget(w http.ResponseWriter, r *http.Request) (*event.Event, event.Registration, bool) {
	token := r.PathValue("token")
	if !event.ValidToken(token) || !event.ValidID(r.PathValue("id")) {
		s.errorPage(w, r, http.StatusNotFound)
		return nil, event.Registration{}, false
	}
	reg, err := s.store.RegistrationByCancelHash(r.Context(), event.Hash(token))
	if err == nil && reg.EventID != r.PathValue("id") {
		err = store.ErrNotFound
	}
	var e *event.Event
	if err == nil {
		e, err = s.store.Event(r.Context(), reg.EventID)
	}
	if s.storeFailed(w, r, err) {
		return nil, reg, false
	}
	return e, reg, true
}

func (s *Server) cancelPage(r *http.Request, e *event.Event, reg event.Registration, done bool) *Page {
	p := s.newPage(r)
	p.Data = struct {
		Event   EventView
		Status  event.RegStatus
		Places  int
		Done    bool
		Action  string
		Removed bool
	}{s.eventView(p, e), reg.Status, reg.Places, done, r.URL.Path, reg.DetailsRemovedAt != nil}
	return p
}

// handleEventCancelForm asks the person to confirm (a link opened by a
// mail scanner must not cancel anything by itself).
func (s *Server) handleEventCancelForm(w http.ResponseWriter, r *http.Request) {
	e, reg, ok := s.cancelTarget(w, r)
	if !ok {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "event_cancel", s.cancelPage(r, e, reg, false))
}

// handleEventCancel cancels the registration; the freed places go to the
// waiting list in order, each promoted person told by email.
func (s *Server) handleEventCancel(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	e, _, ok := s.cancelTarget(w, r)
	if !ok {
		return
	}
	reg, _, err := s.store.CancelRegistration(r.Context(), event.Hash(r.PathValue("token")), s.eventMailer().For(e))
	if s.storeFailed(w, r, err) {
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "event_cancel", s.cancelPage(r, e, reg, true))
}

// precomposed composes the confirmation email before the registration's
// transaction, for the outcome the event's counts predict (confirmed, or
// waiting behind the places already waiting), so that rendering and
// sealing it do not hold the database's write lock. Inside the
// transaction the store asks for the true outcome: when it is the one
// predicted, the message made earlier is used; otherwise (someone else
// registered in between) it is composed then.
func precomposed(mailer func(string, event.Registration) ([]mail.Queued, error), e *event.Event, r event.Registration) store.RegMailer {
	kind, ahead := "event_registered", 0
	if e.Waiting > 0 || e.Confirmed+r.Places > e.Capacity {
		kind, ahead = "event_waitlisted", e.Waiting
	}
	r.Status, r.WaitingAhead = event.RegConfirmed, ahead
	if kind == "event_waitlisted" {
		r.Status = event.RegWaiting
	}
	early, err := mailer(kind, r)
	return func(k string, got event.Registration) ([]mail.Queued, error) {
		if err == nil && k == kind && got.WaitingAhead == ahead && got.ID == r.ID {
			return early, nil
		}
		return mailer(k, got)
	}
}
