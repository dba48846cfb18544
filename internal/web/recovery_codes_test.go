package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/auth"
)

var recoveryCodeRE = regexp.MustCompile(`<li><code>([0-9A-Z]{5}-[0-9A-Z]{5})</code></li>`)

func recoveryCodesIn(body string) []string {
	var out []string
	for _, m := range recoveryCodeRE.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// passwordStep signs in with the password only, leaving the client on
// the second-factor step.
func passwordStep(t *testing.T, c *client, s staff) {
	t.Helper()
	if r := c.post("/login", url.Values{"email": {s.Email}, "password": {testPassword}}); r.location != "/login/code" {
		t.Fatalf("password step: %d %s", r.status, r.location)
	}
}

// enrolFresh makes an account without a second factor and sets one up
// through the page, returning the account and the codes shown.
func enrolFresh(t *testing.T, e *env, email string, role account.Role) (staff, []string) {
	t.Helper()
	s := e.newStaff(email, role, "")
	if err := e.store.ResetSecondFactor(ctx, "test", s.ID); err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if r := c.post("/login", url.Values{"email": {email}, "password": {testPassword}}); r.location != "/staff/account/security-code" {
		t.Fatalf("sign in before enrolment: %d %s", r.status, r.location)
	}
	page := c.get("/staff/account/security-code")
	m := regexp.MustCompile(`<code class="secret"[^>]*>([A-Z2-7 ]+)</code>`).FindStringSubmatch(page.body)
	if m == nil {
		t.Fatal("no key shown")
	}
	s.secret = strings.ReplaceAll(m[1], " ", "")
	r := c.post("/staff/account/security-code", url.Values{"code": {code(t, s.secret, time.Now())}})
	codes := recoveryCodesIn(r.body)
	if r.status != http.StatusOK || len(codes) != auth.RecoveryCodeCount {
		t.Fatalf("enrolment: %d, %d codes\n%s", r.status, len(codes), r.body)
	}
	// Shown once: a reload of the answer (the browser posting again) sends
	// the person on, without codes.
	if again := c.post("/staff/account/security-code", url.Values{"code": {"123456"}}); again.location != "/staff" || len(recoveryCodesIn(again.body)) != 0 {
		t.Fatalf("codes shown twice: %d %s", again.status, again.location)
	}
	return s, codes
}

func TestRecoveryCodeSignsInOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, codes := enrolFresh(t, e, "lost.phone@example.org", account.Connector)
	// Stored hashed: no code appears in the database.
	var stored string
	if err := e.store.ReadDB().QueryRow("SELECT group_concat(code_hash) FROM recovery_codes").Scan(&stored); err != nil {
		t.Fatal(err)
	}
	for _, c := range codes {
		if strings.Contains(stored, strings.ReplaceAll(c, "-", "")) || strings.Contains(stored, c) {
			t.Fatal("a recovery code is stored as it is")
		}
	}

	c := e.client()
	passwordStep(t, c, s)
	if r := c.get("/login/code"); !strings.Contains(r.body, `href="/login/recovery"`) {
		t.Fatal("the security-code step does not offer a recovery code")
	}
	if r := c.get("/login/recovery"); r.status != http.StatusOK {
		t.Fatalf("recovery page: %d", r.status)
	}
	for _, bad := range []struct{ in, msg string }{{"", "Enter a recovery code"}, {"<script>", "10 letters and numbers"}, {"22222-22222", "not right"}} {
		r := c.post("/login/recovery", url.Values{"recovery_code": {bad.in}})
		if r.status < 400 || !strings.Contains(r.body, "There is a problem") || !strings.Contains(r.body, bad.msg) || !strings.Contains(r.body, `href="#recovery_code"`) {
			t.Fatalf("%q: %d\n%s", bad.in, r.status, r.body)
		}
	}
	// Lower case with spaces, as a person might type it.
	typed := " " + strings.ToLower(strings.ReplaceAll(codes[3], "-", " ")) + " "
	r := c.post("/login/recovery", url.Values{"recovery_code": {typed}})
	if r.status != http.StatusSeeOther || r.location != "/staff" {
		t.Fatalf("recovery sign-in: %d %s\n%s", r.status, r.location, r.body)
	}
	if home := c.get("/staff"); !strings.Contains(home.body, "signed in with a recovery code") {
		t.Fatal("no notice after signing in with a recovery code")
	}
	if a, _ := e.store.RecentAudit(ctx, 5); !hasAction(a, audit.RecoveryCodeUsed) {
		t.Fatal("use of a recovery code not audited")
	}

	// The same code again: refused, clearly.
	c2 := e.client()
	passwordStep(t, c2, s)
	r = c2.post("/login/recovery", url.Values{"recovery_code": {codes[3]}})
	if r.status != http.StatusUnauthorized || !strings.Contains(r.body, "already been used") {
		t.Fatalf("code used twice: %d\n%s", r.status, r.body)
	}
	if left, _ := e.store.RecoveryCodesLeft(ctx, s.ID); left != auth.RecoveryCodeCount-1 {
		t.Fatalf("codes left: %d", left)
	}
	// Without the password step first, the page sends the person to it.
	if r := e.client().post("/login/recovery", url.Values{"recovery_code": {codes[4]}}); r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/login") {
		t.Fatalf("recovery without a password: %d %s", r.status, r.location)
	}
}

func hasAction(es []audit.Entry, action string) bool {
	for _, e := range es {
		if e.Action == action {
			return true
		}
	}
	return false
}

func TestRecoveryCodesRenewedFromTheAccountPage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, old := enrolFresh(t, e, "renew@example.org", account.Analyst)
	// Signed in with a recovery code, so the authenticator's next step is
	// still unused for the renewal below.
	c := e.client()
	passwordStep(t, c, s)
	if r := c.post("/login/recovery", url.Values{"recovery_code": {old[9]}}); r.location != "/staff" {
		t.Fatalf("recovery sign-in: %d %s", r.status, r.location)
	}
	if home := c.get("/staff"); !strings.Contains(home.body, `href="/staff/account/recovery-codes"`) {
		t.Fatal("staff home does not link to the recovery codes")
	}
	page := c.get("/staff/account/recovery-codes")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Unused recovery codes: 9") {
		t.Fatalf("account page: %d\n%s", page.status, page.body)
	}
	// A wrong authenticator code makes nothing.
	if r := c.post("/staff/account/recovery-codes", url.Values{"code": {"000000"}}); r.status != http.StatusUnprocessableEntity || len(recoveryCodesIn(r.body)) != 0 || !strings.Contains(r.body, `href="#code"`) {
		t.Fatalf("wrong code: %d", r.status)
	}
	u, _ := e.store.UserByID(ctx, s.ID)
	at := time.Unix((u.TOTPLastStep+1)*auth.TOTPPeriod, 0) // the step after enrolment's: within a step of now
	r := c.post("/staff/account/recovery-codes", url.Values{"code": {code(t, s.secret, at)}})
	fresh := recoveryCodesIn(r.body)
	if r.status != http.StatusOK || len(fresh) != auth.RecoveryCodeCount {
		t.Fatalf("renew: %d\n%s", r.status, r.body)
	}
	// Old codes stop working, new ones work.
	c2 := e.client()
	passwordStep(t, c2, s)
	if r := c2.post("/login/recovery", url.Values{"recovery_code": {old[0]}}); r.status != http.StatusUnauthorized {
		t.Fatalf("old code after renewal: %d", r.status)
	}
	if r := c2.post("/login/recovery", url.Values{"recovery_code": {fresh[0]}}); r.location != "/staff" {
		t.Fatalf("new code: %d %s", r.status, r.location)
	}
}

func TestAdministratorResetsSecondFactor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.newStaff("admin@example.org", account.Admin, "")
	s, codes := enrolFresh(t, e, "phone.gone@example.org", account.Connector)
	victim := e.client()
	victim.signIn(s)

	c := e.client()
	c.signIn(admin)
	page := c.get("/staff/users/" + s.ID)
	if !strings.Contains(page.body, `action="/staff/users/`+s.ID+`/reset-second-factor"`) {
		t.Fatal("the user page offers no second-factor reset")
	}
	r := c.post("/staff/users/"+s.ID+"/reset-second-factor", nil)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Security codes reset") {
		t.Fatalf("reset: %d\n%s", r.status, r.body)
	}
	u, _ := e.store.UserByID(ctx, s.ID)
	if u.HasTOTP() || u.PasswordHash == "" {
		t.Fatalf("after reset: second factor %v, password kept %v", u.HasTOTP(), u.PasswordHash != "")
	}
	es, _ := e.store.RecentAudit(ctx, 3)
	if len(es) == 0 || es[0].Action != audit.SecondFactorResetAdmin || es[0].ActorID != admin.ID || es[0].Subject != s.ID {
		t.Fatalf("reset not audited with who did it: %+v", es)
	}
	// Their session ended; codes are gone; the password leads to setting
	// up a new second factor.
	if r := victim.get("/staff"); r.location != "/login" {
		t.Fatalf("session after reset: %d %s", r.status, r.location)
	}
	if r := victim.post("/login", url.Values{"email": {s.Email}, "password": {testPassword}}); r.location != "/staff/account/security-code" {
		t.Fatalf("sign-in after reset: %d %s", r.status, r.location)
	}
	if n, _ := e.store.RecoveryCodesLeft(ctx, s.ID); n != 0 || len(codes) == 0 {
		t.Fatalf("codes left after reset: %d", n)
	}
	// Only administrators may reset.
	other := e.client()
	other.signIn(e.newStaff("dpo@example.org", account.DPO, ""))
	if r := other.post("/staff/users/"+admin.ID+"/reset-second-factor", nil); r.status != http.StatusForbidden {
		t.Fatalf("a DPO reset a second factor: %d", r.status)
	}
}
