package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// shareAndGetCodes walks the journey and returns the codes shown.
func shareAndGetCodes(t *testing.T, c *client) (ref, secret string) {
	t.Helper()
	check := shareAll(t, c, "en", url.Values{"consent_evidence": {"yes"}})
	if r := c.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}}); r.location != "/share/done" {
		t.Fatalf("send: %d", r.status)
	}
	done := c.get("/share/done")
	ref = regexp.MustCompile(`HM-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	secret = regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	if ref == "" || secret == "" || !strings.Contains(done.body, `href="/my-story"`) {
		t.Fatal("no codes or no link to /my-story on the done page")
	}
	return ref, secret
}

func TestMyStorySeeCorrectWithdraw(t *testing.T) {
	t.Parallel()
	eachEnv(t, testMyStorySeeCorrectWithdraw)
}

func testMyStorySeeCorrectWithdraw(t *testing.T, e *env) {
	ref, secret := shareAndGetCodes(t, e.client())

	c := e.client() // later, on another device
	if r := c.get("/my-story/view"); r.location != "/my-story" {
		t.Fatalf("view without codes: %s", r.location)
	}
	r := c.post("/my-story", url.Values{"reference": {ref}, "secret": {"AAAA-BBBB-CCCC-DDDD"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#reference"`) || strings.Contains(r.body, "AAAA-BBBB") {
		t.Fatalf("wrong secret: %d (secret echoed? %v)", r.status, strings.Contains(r.body, "AAAA-BBBB"))
	}
	// Codes typed loosely still work: lower case, spaces for dashes.
	r = c.post("/my-story", url.Values{"reference": {strings.ToLower(strings.ReplaceAll(ref, "-", " "))}, "secret": {strings.ToLower(secret)}})
	if r.location != "/my-story/view" {
		t.Fatalf("lookup: %d %s\n%s", r.status, r.location, r.body)
	}
	view := c.get("/my-story/view")
	if !strings.Contains(view.body, "Czekaliśmy sześć tygodni") || !strings.Contains(view.body, ref) {
		t.Fatal("the view does not show what was shared")
	}
	if r := c.post("/my-story/correction", url.Values{"correction": {"  "}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty correction: %d", r.status)
	}
	if r := c.post("/my-story/correction", url.Values{"correction": {"It was seven weeks."}}); r.location != "/my-story/view" {
		t.Fatalf("correction: %d", r.status)
	}
	if v := c.get("/my-story/view"); !strings.Contains(v.body, "It was seven weeks.") {
		t.Fatal("correction not shown")
	}
	if r := c.get("/my-story/withdraw"); r.status != http.StatusOK {
		t.Fatalf("withdraw page: %d", r.status)
	}
	r = c.post("/my-story/withdraw", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "116 123") {
		t.Fatalf("withdraw: %d", r.status)
	}
	if n, err := e.store.Held(ctx, "experiences"); err != nil || n != 0 {
		t.Fatalf("the experience is still stored: %d, %v", n, err)
	}
	if r := c.get("/my-story/view"); r.location != "/my-story" {
		t.Fatal("still viewing after withdrawal")
	}
	if strings.Contains(e.logs.String(), secret) || strings.Contains(e.logs.String(), ref) {
		t.Fatal("codes in the logs")
	}
}
