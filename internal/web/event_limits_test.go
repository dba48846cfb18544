package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
)

func registrationCount(t *testing.T, e *env, eventID string) int {
	t.Helper()
	var n int
	if err := e.store.ReadDB().QueryRow("SELECT COUNT(*) FROM registrations WHERE event_id = ?", eventID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A mosque or community centre registers a hall full of people from one
// Wi-Fi address: every one gets a place (the limit was 60 an address, and
// the rest were shown "Thank you" without one). Past the per-event
// ceiling, nobody is told they have a place: the form comes back with the
// answers and a plain "you have not been registered", and a connector can
// still register them from the staff event page.
func TestRegistrationsFromOneVenueAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ev := e.newEvent(400, time.Now().Add(72*time.Hour), event.Public)
	c := e.client()
	page := c.get("/events/" + ev.ID)
	const hall = 250 // the per-event burst of one address
	for i := range hall {
		page = c.get("/events/" + ev.ID) // a token is used once
		r := c.post("/events/"+ev.ID, registerForm(formToken(t, page.body), "name", "Person "+strings.Repeat("x", i%7)+string(rune('A'+i%26))))
		if r.status != http.StatusSeeOther {
			t.Fatalf("registration %d from the venue's address: %d\n%s", i+1, r.status, r.body)
		}
	}
	if n := registrationCount(t, e, ev.ID); n != hall {
		t.Fatalf("%d registrations from one address, want all %d", n, hall)
	}
	// The bucket refills slowly (one every 2 s) while the test runs: post
	// until the address is refused.
	accepted := hall
	var r resp
	for range 30 {
		page = c.get("/events/" + ev.ID)
		if r = c.post("/events/"+ev.ID, registerForm(formToken(t, page.body), "name", "Fatima over the limit")); r.status != http.StatusSeeOther {
			break
		}
		accepted++
	}
	if r.status == http.StatusSeeOther || strings.Contains(r.body, "Thank you") || !strings.Contains(r.body, "You have not been registered") ||
		!strings.Contains(r.body, `value="Fatima over the limit"`) || !strings.Contains(r.body, `href="#send"`) {
		t.Fatalf("over the limit: %d %s, want the form again saying no place was taken\n%s", r.status, r.location, r.body)
	}
	if n := registrationCount(t, e, ev.ID); n != accepted {
		t.Fatalf("a refused registration was stored: %d, want %d", n, accepted)
	}
	// The honeypot path shows the same page (nothing tells a script which
	// check fired), and stores nothing.
	hp := registerForm(formToken(t, c.get("/events/"+ev.ID).body), "name", "Bot")
	hp.Set("website", "http://spam.example")
	if r := e.client().post("/events/"+ev.ID, hp); r.status == http.StatusSeeOther || !strings.Contains(r.body, "You have not been registered") {
		t.Fatalf("honeypot: %d %s", r.status, r.location)
	}
	// A form sent twice (a double click) says the first copy may have
	// registered them, not that they have no place.
	twice := e.newEvent(10, time.Now().Add(80*time.Hour), event.Public)
	d := e.client()
	tp := d.get("/events/" + twice.ID)
	form := registerForm(formToken(t, tp.body), "name", "Double click")
	if r := d.post("/events/"+twice.ID, form); r.status != http.StatusSeeOther {
		t.Fatalf("first copy: %d", r.status)
	}
	if r := d.post("/events/"+twice.ID, form); r.status == http.StatusSeeOther || !strings.Contains(r.body, "This form was sent twice") ||
		strings.Contains(r.body, "You have not been registered") {
		t.Fatalf("second copy: %d\n%s", r.status, r.body)
	}
	if n := registrationCount(t, e, twice.ID); n != 1 {
		t.Fatalf("a double click registered %d times", n)
	}
	// Another event from the same address is not held back by this one.
	other := e.newEvent(10, time.Now().Add(96*time.Hour), event.Public)
	op := c.get("/events/" + other.ID)
	if r := c.post("/events/"+other.ID, registerForm(formToken(t, op.body), "name", "Someone")); r.status != http.StatusSeeOther {
		t.Fatalf("another event from the same address: %d", r.status)
	}

	// A connector registers Fatima on her behalf: no address limit, the
	// same rules, her confirmation email, an audit entry.
	conn := e.newStaff("connector@example.org", account.Connector, "")
	s := e.client()
	s.signIn(conn)
	list := s.get("/staff/events/" + ev.ID + "/registrations")
	if list.status != http.StatusOK || !strings.Contains(list.body, `action="/staff/events/`+ev.ID+`/registrations"`) {
		t.Fatalf("registrations page has no form to register someone: %d", list.status)
	}
	bad := s.post("/staff/events/"+ev.ID+"/registrations", url.Values{"name": {""}, "email": {"fatima@example.org"}, "lang": {"ur"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `href="#name"`) || !strings.Contains(bad.body, `value="fatima@example.org"`) {
		t.Fatalf("on behalf, with mistakes: %d\n%s", bad.status, bad.body)
	}
	ok := s.post("/staff/events/"+ev.ID+"/registrations", url.Values{"name": {"Fatima"}, "email": {"fatima@example.org"}, "reminders": {"yes"},
		"places": {"2"}, "lang": {"ur"}, "interpreter": {"pl"}})
	if ok.status != http.StatusSeeOther || ok.location != "/staff/events/"+ev.ID+"/registrations" {
		t.Fatalf("on behalf: %d %s\n%s", ok.status, ok.location, ok.body)
	}
	if after := s.get(ok.location); !strings.Contains(after.body, "Registered: they have a place.") || !strings.Contains(after.body, "Fatima") {
		t.Fatalf("after registering on behalf:\n%s", after.body)
	}
	if n := registrationCount(t, e, ev.ID); n != accepted+1 {
		t.Fatalf("on behalf: %d registrations, want %d", n, accepted+1)
	}
	var lang string
	if err := e.store.ReadDB().QueryRow("SELECT lang FROM registrations WHERE event_id = ? AND places = 2", ev.ID).Scan(&lang); err != nil || lang != "ur" {
		t.Fatalf("registered on behalf in %q, %v; want ur", lang, err)
	}
	var audited int
	if err := e.store.ReadDB().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'registration.added_by_staff' AND actor_id = ? AND subject = ?", conn.ID, ev.ID).Scan(&audited); err != nil {
		t.Fatal(err)
	}
	if audited != 1 {
		t.Errorf("registration on behalf audited %d times", audited)
	}
	if outboxCount(t, e, "event_registered") != 1 {
		t.Errorf("no confirmation email for the registration on behalf")
	}
}
