package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
)

func inviteValues(token string) url.Values {
	return url.Values{"form_token": {token}, "kind": {"mini-event"}, "group": {"Bury Park Women's Coffee Morning"}, "community": {"south-asian"},
		"expected": {"25"}, "languages": {"ur", "en"}, "other_languages": {"Punjabi"}, "preferred_dates": {"Saturday mornings in March"},
		"venue": {"Community centre hall, 1 Example Road"}, "notes": {"Women-only, please."}, "contact_name": {"Amina Example"},
		"contact_email": {"amina@example.org"}, "contact_phone": {"07700 900123"}}
}

func outboxCount(t *testing.T, e *env, kind string) int {
	t.Helper()
	queued, err := e.store.OutboxMail(ctx, kind)
	if err != nil {
		t.Fatal(err)
	}
	return len(queued)
}

// onePayload is the sealed payload of the only outbox message of a kind.
func onePayload(t *testing.T, e *env, kind string) string {
	t.Helper()
	queued, err := e.store.OutboxMail(ctx, kind)
	if err != nil || len(queued) != 1 {
		t.Fatalf("outbox messages of kind %s: %d, %v; want one", kind, len(queued), err)
	}
	return queued[0].Payload
}

// A community group invites the connectors; a connector triages the
// request, schedules it (which creates the mini event), checks people in
// on the day and captures an experience linked to the event.
func TestInvitationToEventDay(t *testing.T) { t.Parallel(); eachEnv(t, testInvitationToEventDay) }

func testInvitationToEventDay(t *testing.T, e *env) {
	anon := e.client()
	form := anon.get("/invite?lang=ur")
	if form.status != http.StatusOK || !strings.Contains(form.body, `dir="rtl"`) {
		t.Fatalf("invite form in Urdu: %d", form.status)
	}
	assertTranslated(t, "/invite", form.body)
	// Mistakes come back with every answer kept, hostile text escaped.
	bad := inviteValues(tokenOf(t, form.body))
	bad.Set("group", `<script>alert(1)</script>`)
	bad.Set("expected", "lots")
	bad.Set("contact_email", "not-an-email")
	bad.Del("languages")
	bad.Set("other_languages", "")
	r := anon.post("/invite", bad)
	if r.status != http.StatusUnprocessableEntity || strings.Contains(r.body, "<script>alert(1)") || !strings.Contains(r.body, "&lt;script&gt;alert(1)&lt;/script&gt;") ||
		!strings.Contains(r.body, `href="#expected"`) || !strings.Contains(r.body, `href="#contact_email"`) || !strings.Contains(r.body, `href="#languages"`) ||
		!strings.Contains(r.body, "Saturday mornings in March") || !strings.Contains(r.body, `value="lots"`) {
		t.Fatalf("bad invitation: %d\n%s", r.status, r.body)
	}
	// An over-long answer is reported, never cut silently or a 500.
	long := inviteValues(tokenOf(t, r.body))
	long.Set("notes", strings.Repeat("ab", invitation.MaxLong))
	if r := anon.post("/invite", long); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#notes"`) {
		t.Fatalf("long notes: %d", r.status)
	}
	r = anon.post("/invite", inviteValues(tokenOf(t, form.body)))
	if r.status != http.StatusSeeOther || r.location != "/invite/sent" {
		t.Fatalf("send: %d %s\n%s", r.status, r.location, r.body)
	}
	if sent := anon.get("/invite/sent"); sent.status != http.StatusOK {
		t.Fatalf("sent page: %d", sent.status)
	}
	list, _ := e.store.Invitations(ctx, "")
	if len(list) != 1 || list[0].Lang != "ur" || list[0].Group != "Bury Park Women's Coffee Morning" {
		t.Fatalf("stored: %+v", list)
	}
	v := list[0]
	if strings.Contains(v.Contact.Email, "amina") || strings.Contains(v.Contact.Name, "Amina") || v.Contact.Email == "" {
		t.Fatalf("contact details not sealed: %+v", v.Contact)
	}
	if outboxCount(t, e, "invitation_received") != 1 {
		t.Fatal("no acknowledgement queued")
	}

	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	if b := c.get("/staff/invitations"); b.status != http.StatusOK || !strings.Contains(b.body, "Bury Park Women&#39;s Coffee Morning") {
		t.Fatalf("board: %d", b.status)
	}
	d := c.get("/staff/invitations/" + v.ID)
	if d.status != http.StatusOK || !strings.Contains(d.body, "amina@example.org") || !strings.Contains(d.body, "07700 900123") {
		t.Fatalf("detail: %d", d.status)
	}
	for _, path := range []string{"/staff/invitations/" + store.NewID(), "/staff/invitations/%3Cscript%3E", "/staff/invitations/" + store.NewID() + "/schedule"} {
		if r := c.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
	}
	if r := c.post("/staff/invitations/"+store.NewID()+"/status", url.Values{"to": {"contacted"}}); r.status != http.StatusNotFound {
		t.Errorf("move a forged id: %d", r.status)
	}
	// No skipping steps; declining needs a reason (kept on error).
	if r := c.post("/staff/invitations/"+v.ID+"/status", url.Values{"to": {"done"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#move"`) {
		t.Fatalf("new -> done: %d", r.status)
	}
	if r := c.post("/staff/invitations/"+v.ID+"/schedule", url.Values{"title": {"x"}}); r.status != http.StatusSeeOther || !strings.HasSuffix(r.location, v.ID) {
		t.Fatalf("schedule a new request: %d %s", r.status, r.location)
	}
	if r := c.post("/staff/invitations/"+v.ID+"/status", url.Values{"to": {"declined"}, "reason": {"  "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#reason"`) {
		t.Fatalf("decline without reason: %d", r.status)
	}
	if r := c.post("/staff/invitations/"+v.ID+"/owner", url.Values{"owner": {conn.ID}}); r.status != http.StatusSeeOther {
		t.Fatalf("owner: %d", r.status)
	}
	if r := c.post("/staff/invitations/"+v.ID+"/notes", url.Values{"note": {"<b>Rang</b> them"}}); r.status != http.StatusSeeOther {
		t.Fatalf("note: %d", r.status)
	}
	if r := c.post("/staff/invitations/"+v.ID+"/status", url.Values{"to": {"contacted"}}); r.status != http.StatusSeeOther {
		t.Fatalf("contacted: %d %s", r.status, r.body)
	}
	d = c.get("/staff/invitations/" + v.ID)
	if !strings.Contains(d.body, "&lt;b&gt;Rang&lt;/b&gt; them") || !strings.Contains(d.body, "Test connector") || outboxCount(t, e, "invitation_contacted") != 1 {
		t.Fatalf("after contacting:\n%s", d.body)
	}
	// Scheduling: prefilled from the request; mistakes kept; then the event.
	sf := c.get("/staff/invitations/" + v.ID + "/schedule")
	if sf.status != http.StatusOK || !strings.Contains(sf.body, "Community centre hall, 1 Example Road") || !strings.Contains(sf.body, `value="25"`) {
		t.Fatalf("schedule form: %d", sf.status)
	}
	day := time.Now().AddDate(0, 0, 14).Format("2006-01-02")
	sched := url.Values{"title": {"Hear me at Bury Park"}, "kind": {"mini-hear-me"}, "visibility": {"public"}, "date": {day}, "start": {"10:00"}, "end": {"09:00"},
		"venue_name": {"Community centre hall"}, "capacity": {"30"}, "community": {"south-asian"}, "languages": {"ur", "en"}}
	if r := c.post("/staff/invitations/"+v.ID+"/schedule", sched); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#end"`) || !strings.Contains(r.body, "Hear me at Bury Park") {
		t.Fatalf("end before start: %d", r.status)
	}
	sched.Set("end", "12:00")
	if r := c.post("/staff/invitations/"+v.ID+"/schedule", sched); r.status != http.StatusSeeOther {
		t.Fatalf("schedule: %d\n%s", r.status, r.body)
	}
	v, _ = e.store.Invitation(ctx, v.ID)
	london, _ := time.LoadLocation("Europe/London")
	ev, err := e.store.Event(ctx, v.EventID)
	if err != nil || v.Status != invitation.StatusScheduled || ev.Kind != event.KindMiniHearMe || ev.Text("en").Title != "Hear me at Bury Park" ||
		ev.Community != "south-asian" || ev.Capacity != 30 || ev.Start.In(london).Format("2006-01-02 15:04") != day+" 10:00" || ev.End.Sub(ev.Start) != 2*time.Hour {
		t.Fatalf("event from the request: %+v %v", ev, err)
	}
	if outboxCount(t, e, "invitation_scheduled") != 1 {
		t.Fatal("no scheduling email")
	}
	// The email goes to the requester, in the language they wrote in,
	// with the event's date and link.
	m, err := mail.Open(e.keys, onePayload(t, e, "invitation_scheduled"))
	if err != nil || m.To != "amina@example.org" || m.Lang != "ur" || !strings.Contains(m.Text, "/events/"+ev.ID) ||
		!strings.Contains(m.Text, ev.Start.In(london).Format("02/01/2006")+", 10:00") {
		t.Fatalf("scheduling email: %v %s %s\n%s", err, m.To, m.Lang, m.Text)
	}
	if d := c.get("/staff/invitations/" + v.ID); !strings.Contains(d.body, "/staff/events/"+ev.ID+"/check-in") || !strings.Contains(d.body, "/staff/capture?event="+ev.ID) {
		t.Fatal("the request does not link to the event's day")
	}

	// On the day: check someone in, count walk-ins, capture linked experiences.
	sealedName, _ := e.keys.Seal("Amina Example")
	regd, err := e.store.Register(ctx, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 2, Lang: "ur", NameSealed: sealedName},
		CancelHash: event.Hash("cancel-amina")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ci := c.get("/staff/events/" + ev.ID + "/check-in")
	if ci.status != http.StatusOK || !strings.Contains(ci.body, "Amina Example") || !strings.Contains(ci.body, `value="yes"`) {
		t.Fatalf("check-in: %d", ci.status)
	}
	if r := c.post("/staff/events/"+ev.ID+"/check-in/"+regd.ID, url.Values{"attended": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("arrived: %d", r.status)
	}
	if r := c.post("/staff/events/"+store.NewID()+"/check-in/"+regd.ID, url.Values{"attended": {"yes"}}); r.status != http.StatusNotFound {
		t.Fatalf("arrived at a forged event: %d", r.status)
	}
	c.post("/staff/events/"+ev.ID+"/walk-ins", url.Values{"change": {"remove"}})
	c.post("/staff/events/"+ev.ID+"/walk-ins", url.Values{"change": {"add"}})
	c.post("/staff/events/"+ev.ID+"/walk-ins", url.Values{"change": {"add"}})
	// A count it cannot take comes back with an error summary, unchanged.
	if r := c.post("/staff/events/"+ev.ID+"/walk-ins", url.Values{"walk_ins": {"-4"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `href="#walk_ins"`) || !strings.Contains(r.body, "must be a whole number") || !strings.Contains(r.body, "walk-ins: 2") || !strings.Contains(r.body, `value="-4"`) {
		t.Fatalf("negative walk-ins: %d\n%s", r.status, r.body)
	}
	if ci := c.get("/staff/events/" + ev.ID + "/check-in"); !strings.Contains(ci.body, "2 of 2 places arrived") || !strings.Contains(ci.body, "walk-ins: 2") {
		t.Fatalf("after check-in:\n%s", ci.body)
	}
	if r := c.get("/staff/capture?event=" + store.NewID()); r.status != http.StatusNotFound {
		t.Fatalf("capture for a forged event: %d", r.status)
	}
	cp := c.get("/staff/capture?event=" + ev.ID)
	if cp.status != http.StatusOK || !strings.Contains(cp.body, "Hear me at Bury Park") || !strings.Contains(cp.body, `name="event_id" value="`+ev.ID+`"`) {
		t.Fatalf("capture page for the event: %d", cp.status)
	}
	story := url.Values{"event_id": {ev.ID}, "source": {"event"}, "lang": {"ur"}, "role": {"person-with-cancer"}, "stages": {"screening"},
		"what_happened": {"Nobody explained the screening letter in Urdu."}, "consent_evidence": {"yes"}, "equality_community": {"south-asian"}, "next": {"another"}}
	if r := c.post("/staff/capture", story); r.status != http.StatusSeeOther || r.location != "/staff/capture?event="+ev.ID {
		t.Fatalf("capture: %d %s\n%s", r.status, r.location, r.body)
	}
	story.Set("event_id", store.NewID())
	if r := c.post("/staff/capture", story); r.status != http.StatusNotFound {
		t.Fatalf("capture with a forged event: %d", r.status)
	}
	rep, _ := e.store.EventReport(ctx, ev.ID)
	if rep.Experiences != 1 || rep.AttendedPlaces != 2 || rep.WalkIns != 2 {
		t.Fatalf("report: %+v", rep)
	}
	if r := c.get("/staff/events/" + ev.ID + "/report"); r.status != http.StatusOK || !strings.Contains(r.body, "Everyone who came") {
		t.Fatalf("report page: %d", r.status)
	}
	if r := anon.get("/events/summary"); r.status != http.StatusOK {
		t.Fatalf("summary: %d", r.status)
	}
	// Champions capture but do not triage or check in.
	ch := e.client()
	ch.signIn(e.newStaff("champ@example.org", account.Champion, ""))
	for _, path := range []string{"/staff/invitations", "/staff/events/" + ev.ID + "/check-in", "/staff/events/" + ev.ID + "/report"} {
		if r := ch.get(path); r.status != http.StatusForbidden {
			t.Errorf("champion GET %s: %d", path, r.status)
		}
	}
}
