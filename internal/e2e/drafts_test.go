package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/config"
)

// TestDraftClearedOnASharedPhone: on a 360x640 phone a resident's share
// journey says how long answers are kept and offers to clear them (for a
// shared computer); clearing forgets them and says so. Zero axe violations.
func TestDraftClearedOnASharedPhone(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	ctx := browser.Tab(t, browsertest.WithTimeout(2*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.do("phone-sized viewport", chromedp.EmulateViewport(360, 640))
	for _, lang := range []string{"en", "ur"} {
		if st := b.open("/share/who?lang=" + lang); st != http.StatusOK {
			t.Fatalf("/share/who: %d", st)
		}
		if b.text(".draft-note") == "" || eval[int](b, `document.querySelectorAll('.draft-note form[action="/share/clear"] button').length`) != 1 {
			t.Fatalf("[%s] the journey does not say how long answers are kept, or offer to clear them", lang)
		}
		b.noHorizontalScroll("share step with the draft note [" + lang + "]")
		axe.check(b, lang, "share step with the draft note")
	}
	b.open("/share/who?lang=en")
	b.clickLabel(`input[name=role][value="friend"]`)
	follow(b, chromedp.CSS(`main form[method=post] button.button:not(.secondary)`))
	if p := b.path(); p != "/share/stages" {
		t.Fatalf("after the first question: on %s", p)
	}
	follow(b, chromedp.CSS(`.draft-note button`))
	if p := b.path(); p != "/share" || !strings.Contains(b.text(".notice"), "Your answers have been cleared") {
		t.Fatalf("after clearing: on %s, notice %q", p, b.text(".notice"))
	}
	axe.check(b, "en", "share start, answers cleared")
	b.open("/share/who")
	if eval[bool](b, `!!document.querySelector("input[name=role]:checked")`) {
		t.Error("the answer is still there after clearing")
	}
}

// TestStaffTimeoutWarningAndKeptCapture: on a 375x667 phone, a connector
// typing on the capture page is warned before the session ends (a dialog
// with "Stay signed in", which renews it); when the session ends anyway
// and they press Save, they sign in again and find their text filled in.
func TestStaffTimeoutWarningAndKeptCapture(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	const idle = 12 * time.Second // the dialog opens 6 s before the end
	s := startSiteWith(t, func(c *config.Config) { c.SessionIdle = idle })
	conn := &person{Name: "Joy Okafor", Email: "joy.okafor@example.org", Password: "copper kettle meadow 93"}
	s.newConnector(conn)
	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	b.signIn(s, conn)
	b.open("/staff/capture")
	if !strings.Contains(b.text(".session-note"), "you will be signed out at") {
		t.Errorf("no notice with the time: %q", b.text(".session-note"))
	}
	const story = "Mum waited three hours for transport home after chemotherapy."
	b.clickLabel(`input[name=role][value="family-or-carer"]`)
	b.clickLabel(`input[name=stages][value="treatment"]`)
	b.fill("#what_happened", story)
	b.clickLabel(`#consent_evidence`)

	waitUntil := func(what, js string, within time.Duration) {
		t.Helper()
		for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if eval[bool](b, js) {
				return
			}
		}
		t.Fatalf("waited %s for %s", within, what)
	}
	waitUntil("the timeout warning", `document.querySelector(".timeout-dialog").open`, idle)
	axe.check(b, "en", "capture, timeout warning open")
	b.do("stay signed in", chromedp.Click(chromedp.CSS("[data-timeout-stay]")))
	waitUntil("the dialog to close", `!document.querySelector(".timeout-dialog").open`, 5*time.Second)
	// Do nothing: the warning comes again, then says the session ended.
	waitUntil("the end of the session", `!document.querySelector("[data-timeout-ended]").hidden`, 2*idle)
	axe.check(b, "en", "capture, signed out")
	b.do("close the dialog", chromedp.Click(chromedp.CSS("[data-timeout-close]")))
	if b.value("#what_happened") != story {
		t.Fatalf("the text on the page changed: %q", b.value("#what_happened"))
	}
	follow(b, chromedp.CSS(`button[name=next][value=done]`))
	if loc := b.location(); loc != "/login?m=resume" || !strings.Contains(b.text("main"), "What you wrote has been kept") {
		t.Fatalf("Save after the session ended: on %s\n%s", loc, b.text("main"))
	}
	axe.check(b, "en", "sign in, text kept")
	b.fill("#email", conn.Email)
	b.fill("#password", conn.Password)
	follow(b, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	b.fill("#code", code(t, conn.secret, s.totpStep(conn.Email)))
	follow(b, chromedp.CSS(`form[action="/login/code"] button[type=submit]`))
	if p := b.path(); p != "/staff/capture" || b.value("#what_happened") != story ||
		!eval[bool](b, `document.querySelector('input[name=role][value="family-or-carer"]').checked`) {
		t.Fatalf("after signing in again: on %s, text %q", p, b.value("#what_happened"))
	}
	axe.check(b, "en", "capture, text restored")
	follow(b, chromedp.CSS(`button[name=next][value=done]`))
	if p := b.path(); p != "/staff/capture/saved" {
		t.Fatalf("save after signing in again: on %s\n%s", p, b.text("main"))
	}
}
