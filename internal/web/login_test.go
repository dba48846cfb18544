package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/store"
)

func TestLoginErrorsKeepTheEmailNeverThePassword(t *testing.T) {
	t.Parallel()
	eachEnv(t, testLoginErrorsKeepTheEmailNeverThePassword)
}

func testLoginErrorsKeepTheEmailNeverThePassword(t *testing.T, e *env) {
	e.newStaff("amina@example.org", account.Connector, "")
	c := e.client()
	r := c.post("/login?lang=pl", url.Values{"email": {""}, "password": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#email"`) || !strings.Contains(r.body, `href="#password"`) {
		t.Fatalf("empty form: %d\n%s", r.status, r.body)
	}
	if !strings.Contains(r.body, "<title>") || !regexp.MustCompile(`<title>[^<]+:`).MatchString(r.body) {
		t.Error("title does not start with the error prefix")
	}
	assertTranslated(t, "Polish login errors", r.body)
	r = c.post("/login", url.Values{"email": {"amina@example.org"}, "password": {"wrong password here"}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, `value="amina@example.org"`) {
		t.Fatalf("wrong password: %d, email kept? %v", r.status, strings.Contains(r.body, "amina@example.org"))
	}
	if strings.Contains(r.body, "wrong password here") {
		t.Fatal("the password was echoed back")
	}
	// Unknown account: the same answer.
	r2 := c.post("/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password here"}})
	if r2.status != r.status {
		t.Errorf("unknown account answers %d, known %d", r2.status, r.status)
	}
	// No personal data in the logs.
	if logs := e.logs.String(); strings.Contains(logs, "amina") || strings.Contains(logs, "nobody@") || strings.Contains(logs, "127.0.0.1") {
		t.Errorf("logs hold personal data:\n%s", logs)
	}
	// Failed logins are audited, without the address typed.
	entries, _ := e.store.RecentAudit(ctx, 10)
	failed := 0
	for _, en := range entries {
		if en.Action == "login.failed" {
			failed++
			if strings.Contains(en.Subject+en.Detail, "@") {
				t.Errorf("audit entry holds an email: %+v", en)
			}
		}
	}
	if failed != 2 {
		t.Errorf("%d failed logins audited, want 2", failed)
	}
}

func TestLoginIsThrottledButNotLockedOut(t *testing.T) {
	t.Parallel()
	eachEnv(t, testLoginIsThrottledButNotLockedOut)
}

func testLoginIsThrottledButNotLockedOut(t *testing.T, e *env) {
	s := e.newStaff("amina@example.org", account.Connector, "")
	c := e.client()
	var last resp
	for i := 0; i < 8; i++ {
		last = c.post("/login", url.Values{"email": {s.Email}, "password": {"not the password!"}})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, `value="amina@example.org"`) {
		t.Fatalf("after 8 failures: %d", last.status)
	}
	// Other accounts from elsewhere are unaffected.
	other := e.newStaff("bola@example.org", account.Analyst, "")
	c2 := e.client()
	c2.signIn(other)
}

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader("email=a%40b.org&password=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	if r := c.do(req); r.status != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d", r.status)
	}
}

func TestOversizedAndMalformedBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	big := strings.Repeat("a", 2<<20)
	r := c.post("/login", url.Values{"email": {big}, "password": {"x"}})
	if r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB body: %d", r.status)
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/login", strings.NewReader("%zz=%%%&&=="))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := c.do(req); r.status >= 500 {
		t.Errorf("malformed body: %d", r.status)
	}
	for _, v := range []string{"\x00\xff\xfe", "<script>alert(1)</script>@example.org", strings.Repeat("é", 300)} {
		r := c.post("/login", url.Values{"email": {v}, "password": {v}})
		if r.status >= 500 || strings.Contains(r.body, "<script>alert") {
			t.Errorf("hostile email %q: %d", v, r.status)
		}
	}
}

// The administrator's whole first day: the one-time link, a password, a
// second factor, a new connector who sets up their own account, and the
// connector's sessions ending when the account is disabled.
func TestFirstAdministratorJourney(t *testing.T) {
	t.Parallel()
	eachEnv(t, testFirstAdministratorJourney)
}

func testFirstAdministratorJourney(t *testing.T, e *env) {
	token := auth.RandomToken(32)
	if err := e.store.CreateSetupToken(ctx, auth.HashToken(token), "", store.PurposeFirstAdmin, time.Hour); err != nil {
		t.Fatal(err)
	}
	admin := e.client()
	if r := admin.get("/setup/" + token); r.status != http.StatusOK || !strings.Contains(r.body, `name="email"`) {
		t.Fatalf("setup page: %d", r.status)
	}
	// A mistake keeps the answers.
	r := admin.post("/setup/"+token, url.Values{"name": {"Ada Admin"}, "email": {"ada@example.org"}, "password": {"short"}, "confirm": {"short"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="Ada Admin"`) || !strings.Contains(r.body, `href="#password"`) {
		t.Fatalf("weak password: %d", r.status)
	}
	pw := "plum orchard lantern 42"
	r = admin.post("/setup/"+token, url.Values{"name": {"Ada Admin"}, "email": {"ada@example.org"}, "password": {pw}, "confirm": {pw}})
	if r.status != http.StatusSeeOther || r.location != "/staff/account/security-code" {
		t.Fatalf("setup: %d %s\n%s", r.status, r.location, r.body)
	}
	if r := admin.get("/setup/" + token); r.status != http.StatusNotFound {
		t.Fatalf("the one-time link worked twice: %d", r.status)
	}
	// Enrol the second factor.
	r = admin.get("/staff/account/security-code")
	m := regexp.MustCompile(`<code class="secret"[^>]*>([A-Z2-7 ]+)</code>`).FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no key shown:\n%s", r.body)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	if qr := admin.get("/staff/account/security-code/qr.png"); qr.status != 200 || !strings.HasPrefix(qr.body, "\x89PNG") {
		t.Fatalf("QR code: %d", qr.status)
	}
	if r := admin.post("/staff/account/security-code", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong code accepted: %d", r.status)
	}
	r = admin.post("/staff/account/security-code", url.Values{"code": {code(t, secret, time.Now())}})
	if r.status != http.StatusOK || len(recoveryCodesIn(r.body)) != 10 {
		t.Fatalf("enrol: %d %s: want the ten recovery codes\n%s", r.status, r.location, r.body)
	}
	// Create a connector.
	r = admin.post("/staff/users", url.Values{"name": {"Kofi Connector"}, "email": {"not-an-email"}, "role": {"connector"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="Kofi Connector"`) {
		t.Fatalf("bad email: %d", r.status)
	}
	r = admin.post("/staff/users", url.Values{"name": {"Kofi Connector"}, "email": {"Kofi@Example.org"}, "role": {"connector"}})
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d\n%s", r.status, r.body)
	}
	link := regexp.MustCompile(`/setup/([A-Za-z0-9_-]+)`).FindStringSubmatch(r.body)
	if link == nil {
		t.Fatal("no set-up link shown")
	}
	if r := admin.post("/staff/users", url.Values{"name": {"Again"}, "email": {"kofi@example.org"}, "role": {"analyst"}}); !strings.Contains(r.body, `href="#email"`) {
		t.Fatalf("duplicate email not reported: %d", r.status)
	}
	// The connector sets a password and is asked for a second factor.
	kofi := e.client()
	r = kofi.post("/setup/"+link[1], url.Values{"password": {pw}, "confirm": {pw}})
	if r.location != "/staff/account/security-code" {
		t.Fatalf("connector setup: %d %s", r.status, r.location)
	}
	if r := kofi.get("/staff/users"); r.status != http.StatusForbidden && r.location != "/staff/account/security-code" {
		t.Fatalf("connector reached user admin: %d", r.status)
	}
	u, _ := e.store.UserByEmail(ctx, "kofi@example.org")
	// Disabling ends the connector's session at once.
	if r := admin.post("/staff/users/"+u.ID+"/disable", nil); r.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.status)
	}
	if r := kofi.get("/staff/account/security-code"); r.location != "/login" {
		t.Fatalf("disabled connector still signed in: %d %s", r.status, r.location)
	}
	if r := kofi.post("/login", url.Values{"email": {"kofi@example.org"}, "password": {pw}}); r.status != http.StatusUnauthorized {
		t.Fatalf("disabled connector signed in: %d", r.status)
	}
	// The administrator cannot disable themselves, nor demote the last admin.
	me, _ := e.store.UserByEmail(ctx, "ada@example.org")
	if r := admin.post("/staff/users/"+me.ID+"/disable", nil); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("self-disable: %d", r.status)
	}
	if r := admin.post("/staff/users/"+me.ID, url.Values{"role": {"analyst"}}); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("demoting the last admin: %d", r.status)
	}
	// The audit trail holds it all and is intact.
	r = admin.get("/staff/audit")
	for _, a := range []string{"user.created", "user.second_factor_enrolled", "user.disabled", "login.succeeded", "login.failed"} {
		if !strings.Contains(r.body, a) {
			t.Errorf("audit page lacks %s", a)
		}
	}
	// Signing in on a second device takes the next security code; signing
	// out on one device signs out the other too.
	other := e.client()
	other.signIn(staff{me, secret, pw})
	if r := admin.post("/logout", nil); r.location != "/login?m=out" {
		t.Fatalf("logout: %s", r.location)
	}
	if r := admin.get("/staff"); r.location != "/login" {
		t.Fatal("still signed in after logout")
	}
	if r := other.get("/staff"); r.location != "/login" {
		t.Fatal("the other device is still signed in after logout")
	}
	if entries, _ := e.store.RecentAudit(ctx, 1); len(entries) != 1 || entries[0].Action != "logout" {
		t.Errorf("logout not audited: %+v", entries)
	}
	if brk, _, _ := e.store.VerifyAudit(ctx); brk != nil {
		t.Errorf("audit broken: %+v", brk)
	}
}

func TestSecurityCodeReplayRefused(t *testing.T) {
	t.Parallel()
	eachEnv(t, testSecurityCodeReplayRefused)
}

func testSecurityCodeReplayRefused(t *testing.T, e *env) {
	s := e.newStaff("amina@example.org", account.Connector, "")
	c := e.client()
	c.signIn(s)
	// A second sign-in with the code just used is refused.
	u, _ := e.store.UserByID(ctx, s.ID)
	used := code(t, s.secret, time.Unix(u.TOTPLastStep*30, 0))
	c2 := e.client()
	c2.post("/login", url.Values{"email": {s.Email}, "password": {testPassword}})
	if r := c2.post("/login/code", url.Values{"code": {used}}); r.status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d", r.status)
	}
}
