package e2e

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/store"
)

// A resident finds a "hear me" event in Romanian, registers, sees the
// confirmation (and the email reaches the outbox), downloads the
// calendar file and cancels through the link; axe-core checks every
// event page (list, event, the form with errors, the printable page) in
// every language, and the confirmation and cancellation pages.
func TestEventsJourneyAndAccessibility(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	b := newTab(t, ctx, s.URL)
	axe := newAxeChecker(t)
	defer axe.summary()
	cat := newCatalogueCheck(t)

	evs, err := s.App.Store.Events(bg, store.EventFilter{From: time.Now(), PublicOnly: true})
	if err != nil || len(evs) == 0 {
		t.Fatalf("demo events: %d, %v", len(evs), err)
	}
	var id string
	for _, e := range evs {
		if strings.HasPrefix(e.Text("ro").Title, "Ascultă-mă") {
			id = e.ID
		}
	}
	if id == "" {
		t.Fatal("no demo hear me event in Romanian")
	}

	// Every language: the list, the event, the form with errors, the
	// printable page.
	for _, l := range s.languages() {
		if st := b.open("/events?lang=" + l.Code); st != http.StatusOK {
			t.Fatalf("/events [%s]: %d", l.Code, st)
		}
		b.wantLang(l.Code, l.Dir())
		axe.check(b, l.Code, "events list")
		cat.check(b, l.Code, "events list")
		if st := b.open("/events/" + id); st != http.StatusOK {
			t.Fatalf("event [%s]: %d", l.Code, st)
		}
		axe.check(b, l.Code, "event page")
		cat.check(b, l.Code, "event page")
		b.fill("#email", "not an email")
		if st := follow(b, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
			t.Fatalf("form with errors [%s]: %d", l.Code, st)
		}
		if n := len(b.texts(`[data-error-summary] li`)); n < 2 {
			t.Errorf("[%s] the error summary lists %d problems, want the name and the email", l.Code, n)
		}
		if got := b.value("#email"); got != "not an email" {
			t.Errorf("[%s] the answer was not kept: %q", l.Code, got)
		}
		axe.check(b, l.Code, "event form with errors")
		cat.check(b, l.Code, "event form with errors")
		if st := b.open("/events/" + id + "/print"); st != http.StatusOK {
			t.Fatalf("print [%s]: %d", l.Code, st)
		}
		axe.check(b, l.Code, "printable event")
		cat.check(b, l.Code, "printable event")
	}

	// The journey, in Romanian, in a fresh browser context.
	r := privateTab(t, ctx, s.URL)
	if st := r.open("/events?lang=ro"); st != http.StatusOK {
		t.Fatalf("/events: %d", st)
	}
	if st := follow(r, chromedp.CSS(`main a[href="/events/`+id+`"]`)); st != http.StatusOK {
		t.Fatalf("open the event: %d", st)
	}
	if h := r.text("h1"); !strings.HasPrefix(h, "Ascultă-mă") {
		t.Fatalf("event heading %q", h)
	}
	shown := time.Now()
	r.fill("#name", "Ana")
	r.fill("#email", "ana.e2e@example.org")
	r.do("tick reminders", chromedp.Click(chromedp.CSS(`#reminders`)))
	r.fill("#access_needs", "Intrare fără trepte, vă rog")
	time.Sleep(tokenAge - time.Since(shown))
	if st := follow(r, chromedp.CSS(`#send`)); st != http.StatusOK {
		t.Fatalf("register: %d on %s\n%s", st, r.location(), r.text("main"))
	}
	if p := r.path(); p != "/events/"+id+"/registered" {
		t.Fatalf("after registering: %s\n%s", p, r.text("main"))
	}
	r.wantLang("ro", "ltr")
	if txt := r.text(".confirmation"); !strings.Contains(txt, "Sunteți înscris") {
		t.Errorf("confirmation: %q", txt)
	}
	axe.check(r, "ro", "registration confirmation")
	cat.check(r, "ro", "registration confirmation")
	cancelURL := eval[string](r, `document.querySelector("#cancel-link").href`)
	if !strings.Contains(cancelURL, "/events/"+id+"/cancel/") || strings.Contains(r.location(), "ana") {
		t.Fatalf("cancel link %q on %s", cancelURL, r.location())
	}

	// The confirmation email went through the outbox (the development
	// sender writes it to a file, in Romanian, with the cancellation link).
	if queued, err := s.App.Store.OutboxMail(bg, "event_registered"); err != nil || len(queued) != 1 {
		t.Fatalf("outbox: %d rows, %v", len(queued), err)
	}
	var eml string
	for deadline := time.Now().Add(10 * time.Second); eml == "" && time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		files, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "outbox-dev", "*event_registered*.eml"))
		if len(files) == 1 {
			b, _ := os.ReadFile(files[0])
			eml = string(b)
		}
	}
	if !strings.Contains(eml, "ana.e2e@example.org") {
		t.Errorf("no confirmation email was written for the resident:\n%.600s", eml)
	}

	// The calendar file.
	resp, err := http.Get(s.URL + "/events/" + id + "/calendar.ics?lang=ro")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ics := string(body)
	if resp.StatusCode != 200 || !strings.Contains(ics, "BEGIN:VCALENDAR\r\n") || !strings.Contains(ics, "TZID:Europe/London") ||
		!strings.Contains(ics, "DTSTART;TZID=Europe/London:") || !strings.Contains(ics, "LOCATION:Example Community Hall") ||
		!strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), "SUMMARY:Ascultă-mă") {
		t.Fatalf("calendar file %d:\n%s", resp.StatusCode, ics)
	}

	// Cancelling through the link, without an account.
	if st := r.open(cancelURL); st != http.StatusOK {
		t.Fatalf("cancel page: %d", st)
	}
	axe.check(r, "ro", "cancel registration")
	cat.check(r, "ro", "cancel registration")
	if st := follow(r, chromedp.CSS(`#confirm-cancel`)); st != http.StatusOK {
		t.Fatalf("cancel: %d", st)
	}
	if txt := r.text(".confirmation"); !strings.Contains(txt, "anulată") {
		t.Errorf("after cancelling: %q", txt)
	}
	axe.check(r, "ro", "registration cancelled")
	e, err := s.App.Store.Event(bg, id)
	if err != nil || e.Confirmed != 0 {
		t.Fatalf("after cancelling, %d places confirmed (%v)", e.Confirmed, err)
	}
}
