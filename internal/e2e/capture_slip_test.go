package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/event"
)

// TestCaptureSlipOnAPhone: on a 375x667 phone a connector picks the event
// from the capture page's list, records what a Polish-speaking resident
// said, presses Save and is shown the reference and secret code to read
// out, with a slip in Polish; printing shows the slip alone. The codes
// open /my-story for the resident. Zero axe violations.
func TestCaptureSlipOnAPhone(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	ev := &event.Event{Kind: event.KindHearMe, Visibility: event.Public, Languages: []string{"en", "pl"}, Start: time.Now().Add(-2 * time.Hour),
		End: time.Now().Add(time.Hour), VenueName: "Example Hall", VenueAddress: "1 Example Street, Luton", Capacity: 30,
		Texts: map[string]event.Text{"en": {Title: "Hear me: Polish Saturday school"}}}
	if err := s.App.Store.CreateEvent(bg, ev); err != nil {
		t.Fatal(err)
	}
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newConnector(conn)
	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	b.signIn(s, conn)

	if st := b.open("/staff/capture"); st != http.StatusOK {
		t.Fatalf("/staff/capture: status %d", st)
	}
	if w := eval[int](b, `window.innerWidth`); w != 375 {
		t.Fatalf("window.innerWidth = %d, want 375", w)
	}
	if !strings.Contains(b.text("#event_id"), "Hear me: Polish Saturday school") {
		t.Fatalf("the event picker does not offer today's event: %q", b.text("#event_id"))
	}
	b.noHorizontalScroll("capture with the event picker")
	axe.check(b, "en", "capture with the event picker")
	b.do("pick the event", chromedp.SetValue(chromedp.CSS("#event_id"), ev.ID))
	b.do("the person's language", chromedp.SetValue(chromedp.CSS("#lang"), "pl"))
	b.clickLabel(`input[name=role][value="family-or-carer"]`)
	b.clickLabel(`input[name=stages][value="screening"]`)
	b.fill("#what_happened", "Mama nie rozumiała listu o badaniu przesiewowym.")
	b.clickLabel(`#consent_evidence`)
	if st := follow(b, chromedp.CSS(`button[name=next][value=done]`)); st != http.StatusOK || b.path() != "/staff/capture/saved" {
		t.Fatalf("Save: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	ref := savedRefRe.FindString(b.text(".capture-codes"))
	secret := eval[string](b, `(document.querySelectorAll(".capture-codes code")[1] || {}).textContent || ""`)
	if ref == "" || len(secret) != 19 {
		t.Fatalf("the codes to read out: %q %q", ref, secret)
	}
	if lang := eval[string](b, `document.querySelector(".capture-slip").lang`); lang != "pl" || !strings.Contains(b.text(".capture-slip"), "kod tajny") ||
		!strings.Contains(b.text(".capture-slip"), secret) {
		t.Errorf("the slip is not in Polish with the codes: lang %q\n%s", lang, b.text(".capture-slip"))
	}
	if !eval[bool](b, `!document.querySelector("[data-print]").hidden`) {
		t.Error("with JavaScript the Print button is hidden")
	}
	b.noHorizontalScroll("saved, with the slip")
	axe.check(b, "en", "saved, with the slip")
	b.do("print media", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	shown := eval[[]bool](b, `[".site-header", ".no-print", ".capture-slip"].map(s => getComputedStyle(document.querySelector(s)).display !== "none")`)
	if shown[0] || shown[1] || !shown[2] {
		t.Errorf("printed: header %v, page text %v, slip %v; want the slip alone", shown[0], shown[1], shown[2])
	}
	b.do("screen media", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
		return err
	}))
	if rep, err := s.App.Store.EventReport(bg, ev.ID); err != nil || rep.Experiences != 1 {
		t.Errorf("event report: %+v %v; want the experience at the event", rep, err)
	}

	// The resident, on their own phone, opens what they said with the codes.
	r := privateTab(t, ctx, s.URL)
	r.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	r.open("/my-story?lang=pl")
	r.fill("#reference", ref)
	r.fill("#secret", secret)
	follow(r, chromedp.CSS(`main form button[type=submit]`))
	if p := r.path(); p != "/my-story/view" || !strings.Contains(r.text("main"), "Mama nie rozumiała") {
		t.Fatalf("the codes on the slip do not open the story: on %s\n%s", p, r.text("main"))
	}
}
