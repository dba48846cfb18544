package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/mail"
)

var tokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

func formToken(t *testing.T, body string) string {
	t.Helper()
	m := tokenRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no form token in\n%s", body)
	}
	return m[1]
}

var eventKeyRE = regexp.MustCompile(`\bevents\.[a-z_]+(\.[a-z_-]+)*\b`)

func assertEventTranslated(t *testing.T, what, body string) {
	t.Helper()
	assertTranslated(t, what, body)
	text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
	if m := eventKeyRE.FindString(text); m != "" {
		t.Errorf("%s shows an untranslated key %q", what, m)
	}
}

func (e *env) newEvent(capacity int, start time.Time, vis event.Visibility) *event.Event {
	e.t.Helper()
	ev := &event.Event{Kind: event.KindHearMe, Visibility: vis, Languages: []string{"en", "ro"}, Interpreters: []string{"pl"},
		Start: start, End: start.Add(2 * time.Hour), VenueName: "Example Community Centre", VenueAddress: "1 Example Road, Luton", VenuePostcode: "LU1 1AA",
		Capacity: capacity, Access: []string{event.AccessStepFree, event.AccessHearingLoop}, Community: "eastern-european",
		Texts:  map[string]event.Text{"en": {Title: "Hear me: Eastern European residents", Body: "Talk with us."}, "ro": {Title: "Ascultă-mă: locuitori din Europa de Est"}},
		Agenda: []event.AgendaItem{{At: "10:00", Activity: "Welcome", Speaker: "Example connector"}}}
	if err := e.store.CreateEvent(ctx, ev); err != nil {
		e.t.Fatal(err)
	}
	return ev
}

func registerForm(token string, fields ...string) url.Values {
	v := url.Values{"form_token": {token}, "places": {"1"}}
	for i := 0; i+1 < len(fields); i += 2 {
		v.Set(fields[i], fields[i+1])
	}
	return v
}

func TestEventRegistrationJourney(t *testing.T) {
	t.Parallel()
	eachEnv(t, testEventRegistrationJourney)
}

func testEventRegistrationJourney(t *testing.T, e *env) {
	ev := e.newEvent(1, time.Now().Add(72*time.Hour), event.Public)
	c := e.client()

	list := c.get("/events?lang=ro")
	if list.status != 200 || !strings.Contains(list.body, "Ascultă-mă") || !strings.Contains(list.body, "/events/"+ev.ID) {
		t.Fatalf("list: %d\n%s", list.status, list.body)
	}
	assertEventTranslated(t, "events list", list.body)
	for _, q := range []string{"?community=south-asian", "?spoken=bn", "?from=" + time.Now().Add(96*time.Hour).Format("2006-01-02")} {
		if r := c.get("/events" + q); strings.Contains(r.body, "/events/"+ev.ID+`"`) {
			t.Errorf("filter %s still lists the event", q)
		}
	}
	if r := c.get("/events?from=not-a-date&community=%3Cscript%3E"); r.status != 200 || strings.Contains(r.body, "<script>") || !strings.Contains(r.body, "error-summary") {
		t.Fatalf("bad filter: %d", r.status)
	}

	page := c.get("/events/" + ev.ID)
	if page.status != 200 || !strings.Contains(page.body, "Ascultă-mă") || !strings.Contains(page.body, "Example connector") {
		t.Fatalf("event page: %d\n%s", page.status, page.body)
	}
	assertEventTranslated(t, "event page", page.body)

	// Mistakes come back in the person's language with the answers kept.
	bad := c.post("/events/"+ev.ID, registerForm(formToken(t, page.body), "name", "Ana <b>", "email", "not-an-email", "reminders", "yes",
		"access_needs", "Step-free entrance please", "places", "99"))
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "error-summary") || !strings.Contains(bad.body, "Step-free entrance please") ||
		!strings.Contains(bad.body, "not-an-email") || !strings.Contains(bad.body, `href="#places"`) || strings.Contains(bad.body, "<b>") {
		t.Fatalf("bad form: %d\n%s", bad.status, bad.body)
	}
	assertEventTranslated(t, "form with errors", bad.body)

	ok := c.post("/events/"+ev.ID, registerForm(formToken(t, bad.body), "name", "Ana", "email", "ana@example.org", "reminders", "yes",
		"access_needs", "Step-free entrance please", "interpreter", "ro", "heard_about", "radio"))
	if ok.status != http.StatusSeeOther || ok.location != "/events/"+ev.ID+"/registered" {
		t.Fatalf("register: %d %s\n%s", ok.status, ok.location, ok.body)
	}
	conf := c.get(ok.location)
	if conf.status != 200 || !strings.Contains(conf.body, "/events/"+ev.ID+"/cancel/") || !strings.Contains(conf.body, "calendar.ics") {
		t.Fatalf("confirmation: %d\n%s", conf.status, conf.body)
	}
	if strings.Contains(conf.body, "ana@example.org") {
		t.Fatal("the confirmation page repeats the email address")
	}
	cancelURL := regexp.MustCompile(`href="[^"]*(/events/[^"]+/cancel/[^"]+)"`).FindStringSubmatch(conf.body)[1]
	// Shown once: a second visit has no cancel link.
	if again := c.get(ok.location); strings.Contains(again.body, "/cancel/") {
		t.Fatal("the receipt was shown twice")
	}

	// The confirmation email is in the outbox, sealed, in the person's
	// language, with the cancellation link.
	payload := onePayload(t, e, "event_registered")
	if strings.Contains(payload, "ana@example.org") {
		t.Fatal("the outbox holds the address in the clear")
	}
	m, err := mail.Open(e.keys, payload)
	if err != nil || m.To != "ana@example.org" || !strings.Contains(m.Text, cancelURL) || !strings.Contains(m.Subject, "Ascultă-mă") || m.Lang != "ro" {
		t.Fatalf("email: %+v %v", m, err)
	}

	// The same email again is refused clearly.
	page = c.get("/events/" + ev.ID)
	dup := c.post("/events/"+ev.ID, registerForm(formToken(t, page.body), "name", "Ana again", "email", "ANA@example.org", "reminders", "yes"))
	if dup.status != http.StatusUnprocessableEntity || !strings.Contains(dup.body, `href="#email"`) {
		t.Fatalf("duplicate: %d\n%s", dup.status, dup.body)
	}
	// The one place is taken: the next person joins the waiting list.
	page = c.get("/events/" + ev.ID)
	full := c.post("/events/"+ev.ID, registerForm(formToken(t, page.body), "name", "Bogdan"))
	if full.status != http.StatusSeeOther {
		t.Fatalf("waiting list: %d\n%s", full.status, full.body)
	}
	if w := c.get(full.location + "?lang=en"); !strings.Contains(w.body, "You are on the waiting list") {
		t.Fatalf("waiting page:\n%s", w.body)
	}

	// The calendar file.
	ics := c.get("/events/" + ev.ID + "/calendar.ics")
	if ics.status != 200 || !strings.HasPrefix(ics.header.Get("Content-Type"), "text/calendar") || !strings.Contains(ics.body, "DTSTART;TZID=Europe/London:") ||
		!strings.Contains(ics.body, "LOCATION:Example Community Centre\\, 1 Example Road\\, Luton\\, LU1 1AA") {
		t.Fatalf("ics: %d %s\n%s", ics.status, ics.header.Get("Content-Type"), ics.body)
	}
	if pr := c.get("/events/" + ev.ID + "/print?lang=pl"); pr.status != 200 || !strings.Contains(pr.body, "Example Community Centre") {
		t.Fatalf("print: %d", pr.status)
	}

	// Cancelling: a page to confirm, then the cancellation; Bogdan is
	// promoted and told.
	cf := c.get(cancelURL)
	if cf.status != 200 || !strings.Contains(cf.body, `id="confirm-cancel"`) {
		t.Fatalf("cancel form: %d\n%s", cf.status, cf.body)
	}
	if done := c.post(cancelURL, url.Values{}); done.status != 200 {
		t.Fatalf("cancel: %d", done.status)
	}
	got, _ := e.store.Event(ctx, ev.ID)
	if got.Confirmed != 1 || got.Waiting != 0 {
		t.Fatalf("after cancelling: %d confirmed, %d waiting", got.Confirmed, got.Waiting)
	}
	if n := outboxCount(t, e, "event_cancelled_by_you"); n != 1 {
		t.Fatalf("cancellation emails: %d", n)
	}

	// Forged ids and tokens are a translated 404, never a 500.
	for _, p := range []string{"/events/nope", "/events/" + ev.ID + "x", "/events/00000000-0000-7000-8000-000000000000", "/events/" + ev.ID + "/cancel/forged-token-forged-token",
		"/events/00000000-0000-7000-8000-000000000000/calendar.ics", "/events/%27%3B--/print"} {
		if r := c.get(p + "?lang=ro"); r.status != 404 {
			t.Errorf("%s: %d", p, r.status)
		}
	}
	if r := c.post("/events/00000000-0000-7000-8000-000000000000", registerForm("x", "name", "A")); r.status != 404 {
		t.Errorf("post to a forged event: %d", r.status)
	}
}

func TestInvitationOnlyEventNeedsItsLink(t *testing.T) {
	t.Parallel()
	eachEnv(t, testInvitationOnlyEventNeedsItsLink)
}

func testInvitationOnlyEventNeedsItsLink(t *testing.T, e *env) {
	ev := e.newEvent(10, time.Now().Add(72*time.Hour), event.Invitation)
	c := e.client()
	if r := c.get("/events"); strings.Contains(r.body, ev.ID) {
		t.Fatal("an invitation-only event is listed")
	}
	if r := c.get("/events/" + ev.ID); r.status != 404 {
		t.Fatalf("without the key: %d", r.status)
	}
	r := c.get("/events/" + ev.ID + "?k=" + ev.InviteKey)
	if r.status != 200 {
		t.Fatalf("with the key: %d", r.status)
	}
	if p := c.post("/events/"+ev.ID, registerForm(formToken(t, r.body), "name", "A")); p.status != 404 {
		t.Fatalf("posting without the key: %d", p.status)
	}
	if p := c.post("/events/"+ev.ID+"?k="+ev.InviteKey, registerForm(formToken(t, r.body), "name", "A", "email", "a@example.org", "reminders", "yes")); p.status != http.StatusSeeOther {
		t.Fatalf("posting with the key: %d\n%s", p.status, p.body)
	}
	// The email's links carry the key, or they would lead to "not found".
	if m, err := mail.Open(e.keys, onePayload(t, e, "event_registered")); err != nil || !strings.Contains(m.Text, "/events/"+ev.ID+"?k="+ev.InviteKey) {
		t.Fatalf("invitation email: %v\n%s", err, m.Text)
	}
}

func TestStaffEvents(t *testing.T) { t.Parallel(); eachEnv(t, testStaffEvents) }

func testStaffEvents(t *testing.T, e *env) {
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	if r := c.get("/staff/events/new"); r.status != 200 {
		t.Fatalf("new: %d", r.status)
	}
	loc, _ := time.LoadLocation("Europe/London")
	day := time.Now().In(loc).Add(10 * 24 * time.Hour).Format("2006-01-02")
	past := time.Now().In(loc).Add(-48 * time.Hour).Format("2006-01-02")
	form := func(fields ...string) url.Values {
		v := url.Values{"kind": {"listening"}, "visibility": {"public"}, "title_en": {"Listening session"}, "title_ro": {"Sesiune de ascultare"},
			"languages": {"en", "ro"}, "date": {day}, "time": {"18:30"}, "minutes": {"90"}, "venue_name": {"Example Library"},
			"venue_address": {"2 Example Street, Luton"}, "capacity": {"2"}, "access": {"step-free", "prayer-space"},
			"agenda_at_0": {"18:30"}, "agenda_activity_0": {"Welcome"}}
		for i := 0; i+1 < len(fields); i += 2 {
			v.Set(fields[i], fields[i+1])
		}
		return v
	}
	for _, bad := range [][]string{{"date", past}, {"minutes", "-5"}, {"capacity", "0"}, {"title_en", ""}, {"kind", "party"}, {"date", "2027-02-30"},
		{"time", "25:00"}, {"community", "forged"}, {"access", "<script>"}, {"agenda_at_0", "6pm"}} {
		r := c.post("/staff/events", form(bad...))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "error-summary") || !strings.Contains(r.body, "Example Library") {
			t.Errorf("%v: %d", bad, r.status)
		}
	}
	r := c.post("/staff/events", form())
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", r.status, r.body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(r.location, "/staff/events/"), "?saved=1")
	ev, err := e.store.Event(ctx, id)
	if err != nil || ev.Start.In(loc).Format("15:04") != "18:30" || ev.Duration() != 90*time.Minute || ev.Text("ro").Title != "Sesiune de ascultare" {
		t.Fatalf("created: %+v %v", ev, err)
	}
	// Two registrations, then capacity 1 is refused with the answers kept.
	pc := e.client()
	for _, name := range []string{"A", "B"} {
		p := pc.get("/events/" + id)
		if res := pc.post("/events/"+id, registerForm(formToken(t, p.body), "name", name)); res.status != http.StatusSeeOther {
			t.Fatalf("register %s: %d", name, res.status)
		}
	}
	if res := c.post("/staff/events/"+id, form("capacity", "1", "venue_name", "Renamed Library")); res.status != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "Renamed Library") || !strings.Contains(res.body, `href="#capacity"`) {
		t.Fatalf("capacity below: %d\n%s", res.status, res.body)
	}
	// Cancelling needs a message; with it, the status changes.
	if res := c.post("/staff/events/"+id+"/status", url.Values{"status": {"cancelled"}}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("cancel without message: %d", res.status)
	}
	if res := c.post("/staff/events/"+id+"/status", url.Values{"status": {"cancelled"}, "status_message": {"The library is closed."}}); res.status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", res.status)
	}
	if pg := pc.get("/events/" + id); !strings.Contains(pg.body, "The library is closed.") || strings.Contains(pg.body, `name="form_token"`) {
		t.Fatal("a cancelled event's page should show the message and no form")
	}
	regs := c.get("/staff/events/" + id + "/registrations")
	if regs.status != 200 || !strings.Contains(regs.body, "<bdi>A</bdi>") {
		t.Fatalf("registrations: %d\n%s", regs.status, regs.body)
	}
	if l := c.get("/staff/events"); l.status != 200 || !strings.Contains(l.body, "Listening session") || !strings.Contains(l.body, "/staff/events/"+id+"/check-in") {
		t.Fatalf("list: %d", l.status)
	}
}
