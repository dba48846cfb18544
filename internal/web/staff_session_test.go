package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
)

// A connector's capture posted after the staff session ended keeps its
// text: they are asked to sign in, then shown it filled in to save.
func TestCapturePostedAfterSessionEndedIsKept(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.SessionIdle, cfg.SessionLifetime = 3*time.Second, 3*time.Second
	e := newEnvWith(t, cfg)
	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	time.Sleep(3500 * time.Millisecond) // the session ends while they type
	story := url.Values{"source": {"phone"}, "lang": {"bn"}, "role": {"family-or-carer"}, "stages": {"treatment"},
		"what_happened": {"My mother waited three hours for transport home after chemotherapy."}, "consent_evidence": {"yes"}, "next": {"done"}}
	r := c.post("/staff/capture", story)
	if r.status != http.StatusSeeOther || r.location != "/login?m=resume" {
		t.Fatalf("capture after the session ended: %d %s, want a redirect to sign in", r.status, r.location)
	}
	if strings.Contains(r.location, "chemotherapy") {
		t.Fatal("the text went into a URL")
	}
	if login := c.get("/login?m=resume"); !strings.Contains(login.body, "What you wrote has been kept") {
		t.Fatalf("the sign-in page does not say the text was kept:\n%s", login.body)
	}
	if r := c.post("/login", url.Values{"email": {conn.Email}, "password": {testPassword}}); r.location != "/login/code" {
		t.Fatalf("password: %d %s", r.status, r.location)
	}
	u, _ := e.store.UserByID(ctx, conn.ID)
	at := time.Now()
	if auth.TOTPStep(at) <= u.TOTPLastStep {
		at = time.Unix((u.TOTPLastStep+1)*30, 0)
	}
	if r := c.post("/login/code", url.Values{"code": {code(t, conn.secret, at)}}); r.status != http.StatusSeeOther || r.location != "/staff/capture" {
		t.Fatalf("after signing in again: %d %s, want /staff/capture", r.status, r.location)
	}
	page := c.get("/staff/capture")
	if page.status != http.StatusOK || !strings.Contains(page.body, "My mother waited three hours for transport home after chemotherapy.") ||
		!strings.Contains(page.body, "Check it, then save it") || !regexpChecked(page.body, "family-or-carer") || !strings.Contains(page.body, `<option value="bn" selected>`) {
		t.Fatalf("the kept text is not shown filled in:\n%s", page.body)
	}
	if again := c.get("/staff/capture"); strings.Contains(again.body, "chemotherapy") {
		t.Fatal("the kept text is shown twice")
	}
	if r := c.post("/staff/capture", story); r.location != "/staff/capture/saved" {
		t.Fatalf("save: %d %s", r.status, r.location)
	}
}

// Staff pages carry the timeout warning: a notice with the time (no
// JavaScript needed) and the dialog's data; "Stay signed in" renews.
func TestStaffTimeoutWarning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	c.signIn(e.newStaff("kofi@example.org", account.Connector, ""))
	home := c.get("/staff")
	if !strings.Contains(home.body, "data-session-timeout") || !strings.Contains(home.body, `data-seconds-left="1800"`) && !strings.Contains(home.body, `data-seconds-left="1799"`) ||
		!strings.Contains(home.body, "you will be signed out at ") || !strings.Contains(home.body, "Stay signed in") {
		t.Fatalf("no timeout warning on a staff page:\n%s", home.body)
	}
	r := c.post("/staff/session", nil)
	var left struct {
		SecondsLeft int `json:"secondsLeft"`
	}
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &left) != nil || left.SecondsLeft < 1790 || left.SecondsLeft > 1800 {
		t.Fatalf("keep alive: %d %s", r.status, r.body)
	}
	if pub := e.client().get("/share"); strings.Contains(pub.body, "data-session-timeout") {
		t.Fatal("a public page carries the staff timeout warning")
	}
}
