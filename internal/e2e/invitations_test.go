package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/invitation"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// A community group invites the connectors (in Polish, from the public
// form); a connector triages and schedules it, which creates the mini
// event; on the day, on a 375x667 phone, the connector checks a resident
// in, counts a walk-in and captures an experience linked to the event.
// axe-core checks /invite (empty and with errors) and /events/summary in
// every language, and each staff page on the way.
func TestInvitationBecomesAMiniEventRunOnAPhone(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	cat := newCatalogueCheck(t)
	s := startSite(t)
	langs := s.languages()
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newConnector(conn)
	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()

	// The public form and the summary, in every language, with errors.
	anon := newTab(t, ctx, s.URL)
	for _, l := range langs {
		if st := anon.open("/invite?lang=" + l.Code); st != http.StatusOK {
			t.Fatalf("/invite?lang=%s: status %d", l.Code, st)
		}
		anon.wantLang(l.Code, l.Dir())
		cat.check(anon, l.Code, "invite")
		axe.check(anon, l.Code, "invite")
		if st := follow(anon, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("empty invitation [%s]: status %d", l.Code, st)
		}
		if n := len(anon.texts(".error-summary li")); n < 6 {
			t.Errorf("empty invitation [%s]: %d errors listed, want every required question", l.Code, n)
		}
		cat.check(anon, l.Code, "invite, with errors")
		axe.check(anon, l.Code, "invite, with errors")
		if st := anon.open("/events/summary"); st != http.StatusOK {
			t.Fatalf("/events/summary [%s]: status %d", l.Code, st)
		}
		cat.check(anon, l.Code, "events summary")
		axe.check(anon, l.Code, "events summary")
	}

	// A group sends its invitation in Polish.
	group := privateTab(t, ctx, s.URL)
	group.open("/invite?lang=pl")
	shown := time.Now()
	group.clickLabel(`input[name=kind][value="mini-event"]`)
	group.fill("#group", "Polska Sobotnia Szkoła, Luton")
	group.clickLabel(`input[name=community][value="eastern-european"]`)
	group.fill("#expected", "abc") // a mistake, kept and reported
	group.clickLabel(`input[name=languages][value="pl"]`)
	group.fill("#preferred_dates", "soboty rano w marcu")
	group.fill("#venue", "Sala parafialna, 1 Example Road")
	group.fill("#contact_name", "Ewa Przykład")
	group.fill("#contact_email", "ewa@example.org")
	if st := follow(group, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
		t.Fatalf("invitation with a wrong number: status %d", st)
	}
	if group.value("#group") != "Polska Sobotnia Szkoła, Luton" || group.value("#expected") != "abc" ||
		!eval[bool](group, `document.querySelector('input[name=languages][value=pl]').checked`) {
		t.Fatalf("answers not kept after an error")
	}
	group.fill("#expected", "40")
	shown = time.Now()
	time.Sleep(time.Until(shown.Add(3100 * time.Millisecond))) // the form's minimum filling time
	if st := follow(group, chromedp.CSS(`#send`)); st != http.StatusOK || group.path() != "/invite/sent" {
		t.Fatalf("send the invitation: status %d on %s\n%s", st, group.location(), group.text("main"))
	}
	group.wantLang("pl", "ltr")
	cat.check(group, "pl", "invitation sent")
	axe.check(group, "pl", "invitation sent")
	list, err := s.App.Store.Invitations(bg, invitation.StatusNew)
	if err != nil || len(list) != 1 || list[0].Lang != "pl" || strings.Contains(list[0].Contact.Email, "ewa@") {
		t.Fatalf("stored invitation: %+v %v", list, err)
	}
	inv := list[0]

	// The connector, on a phone, triages and schedules it.
	b := privateTab(t, ctx, s.URL)
	b.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	b.signIn(s, conn)
	if st := b.open("/staff/invitations"); st != http.StatusOK {
		t.Fatalf("/staff/invitations: status %d", st)
	}
	b.noHorizontalScroll("invitations board")
	axe.check(b, "en", "invitations board")
	if st := follow(b, chromedp.CSS(`main a[href="/staff/invitations/`+inv.ID+`"]`)); st != http.StatusOK {
		t.Fatalf("open the invitation: status %d", st)
	}
	if txt := b.text("main"); !strings.Contains(txt, "ewa@example.org") || !strings.Contains(txt, "soboty rano w marcu") {
		t.Fatalf("the request page lacks the request:\n%s", txt)
	}
	b.noHorizontalScroll("invitation")
	axe.check(b, "en", "invitation")
	follow(b, chromedp.CSS(`form[action$="/status"] input[value=contacted] ~ button`))
	if got := b.text(".inv-status"); got != "Contacted" {
		t.Fatalf("after contacting, status %q", got)
	}
	follow(b, chromedp.CSS(`a[href="/staff/invitations/`+inv.ID+`/schedule"]`))
	if b.value("#venue_name") != "Sala parafialna, 1 Example Road" || b.value("#capacity") != "40" {
		t.Errorf("the schedule form is not filled in from the request: venue %q, places %q", b.value("#venue_name"), b.value("#capacity"))
	}
	b.noHorizontalScroll("schedule")
	axe.check(b, "en", "schedule")
	day := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
	eval[bool](b, fmt.Sprintf(`(document.querySelector('#date').value = %q, true)`, day))
	if st := follow(b, chromedp.CSS(`form[action$="/schedule"] button[type=submit]`)); st != http.StatusOK || b.path() != "/staff/invitations/"+inv.ID {
		t.Fatalf("schedule: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	if got := b.text(".inv-status"); got != "Scheduled" {
		t.Fatalf("after scheduling, status %q", got)
	}
	axe.check(b, "en", "invitation, scheduled")
	inv, _ = s.App.Store.Invitation(bg, inv.ID)
	ev, err := s.App.Store.Event(bg, inv.EventID)
	if err != nil || ev.Kind != event.KindMiniHearMe || ev.Community != "eastern-european" || ev.Capacity != 40 || !strings.Contains(ev.Text("en").Title, "Polska Sobotnia Szkoła") {
		t.Fatalf("the mini event: %+v %v", ev, err)
	}

	// On the day: a resident registered; the connector checks her in.
	keys, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	name, _ := keys.Seal("Maria Nowak")
	reg, err := s.App.Store.Register(bg, store.NewRegistration{Registration: event.Registration{EventID: ev.ID, Places: 1, Lang: "pl", NameSealed: name},
		CancelHash: event.Hash("e2e-maria")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st := follow(b, chromedp.CSS(`a[href="/staff/events/`+ev.ID+`/check-in"]`)); st != http.StatusOK {
		t.Fatalf("check-in: status %d", st)
	}
	if w := eval[int](b, `window.innerWidth`); w != 375 {
		t.Fatalf("window.innerWidth = %d, want 375", w)
	}
	b.noHorizontalScroll("check-in")
	axe.check(b, "en", "check-in")
	// Buttons in the closed session-timeout dialog are not shown (0 x 0)
	// until it opens; every target shown must be 44 px.
	small := eval[[]string](b, `Array.from(document.querySelectorAll('main button, main a.button')).filter(e => !e.closest('dialog:not([open])')).map(e => e.getBoundingClientRect()).filter(r => r.height < 44 || r.width < 44).map(r => r.width + "x" + r.height)`)
	if len(small) > 0 {
		t.Errorf("check-in targets smaller than 44px: %v", small)
	}
	follow(b, chromedp.CSS(`#reg-`+reg.ID+` button[type=submit]`))
	if !strings.Contains(b.text(`#reg-`+reg.ID), "Arrived ") {
		t.Errorf("after checking in, the row says %q", b.text(`#reg-`+reg.ID))
	}
	follow(b, chromedp.CSS(`form[action$="/walk-ins"] input[value=add] ~ button`))
	if got := b.text(".inv-tally"); !strings.Contains(got, "1 of 1 places arrived") || !strings.Contains(got, "walk-ins: 1") {
		t.Errorf("tally %q, want 1 of 1 arrived and 1 walk-in", got)
	}
	b.noHorizontalScroll("check-in, one arrived")
	axe.check(b, "en", "check-in, one arrived")

	// Straight from the event to capturing what people say there.
	if st := follow(b, chromedp.CSS(`a.inv-capture`)); st != http.StatusOK || b.location() != "/staff/capture?event="+ev.ID {
		t.Fatalf("capture from the event: status %d on %s", st, b.location())
	}
	if !strings.Contains(b.text(".inv-capture-event"), "Polska Sobotnia Szkoła") {
		t.Errorf("the capture page does not say which event: %q", b.text(".inv-capture-event"))
	}
	b.noHorizontalScroll("capture at the event")
	axe.check(b, "en", "capture at the event")
	b.clickLabel(`input[name=role][value="family-or-carer"]`)
	b.clickLabel(`input[name=stages][value="screening"]`)
	b.fill("#what_happened", "Mama nie rozumiała listu o badaniu przesiewowym.")
	b.clickLabel(`#consent_evidence`)
	if st := follow(b, chromedp.CSS(`button[name=next][value=another]`)); st != http.StatusOK || b.location() != "/staff/capture?event="+ev.ID {
		t.Fatalf("capture: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	rep, err := s.App.Store.EventReport(bg, ev.ID)
	if err != nil || rep.Experiences != 1 || rep.AttendedPlaces != 1 || rep.WalkIns != 1 {
		t.Fatalf("event report: %+v %v", rep, err)
	}
	mails, err := s.App.Store.OutboxMail(bg, "invitation_received", "invitation_contacted", "invitation_scheduled")
	if err != nil || len(mails) != 3 {
		t.Errorf("%d emails to the group in the outbox (%v), want received, contacted and scheduled", len(mails), err)
	}
	if st := b.open("/staff/events/" + ev.ID + "/report"); st != http.StatusOK {
		t.Fatalf("report: status %d", st)
	}
	b.noHorizontalScroll("event report")
	axe.check(b, "en", "event report")
}
