package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
)

// The first administrator of the tests.
func firstAdmin() *person {
	return &person{Name: "Aisha Rahman", Email: "aisha.rahman@example.org", Password: "marmalade lantern orchard 47"}
}

// TestAdministratorSignsInWithSecondFactor follows the first administrator
// from the one-time link to the staff area, through sign out and a sign in
// with password and security code, and then adds a connector.
func TestAdministratorSignsInWithSecondFactor(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	link := s.firstAdminLink()
	ctx := browser.Tab(t)
	b := newTab(t, ctx, s.URL)
	admin := firstAdmin()

	b.createFirstAdmin(link, admin)
	b.wantLang("en", "ltr")
	if ok := eval[bool](b, `(i => i !== null && i.complete && i.naturalWidth > 0)(document.querySelector("img.qr"))`); !ok {
		t.Errorf("the QR code of the security-code page did not load")
	}
	// Until the security code is set up, the staff area sends the
	// administrator back to set it up.
	b.open("/staff/users")
	if p := b.path(); p != "/staff/account/security-code" {
		t.Errorf("/staff/users before the security code is set up: on %s, want the security-code page", p)
	}
	if key := b.secretKey(); key != admin.secret {
		t.Errorf("the security-code page shows another key on reload: %s, first %s", key, admin.secret)
	}
	// A wrong code is refused and the key stays the same.
	b.fill("#code", wrongCode(t, admin.secret))
	if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusUnprocessableEntity {
		t.Errorf("wrong security code: status %d, want %d", st, http.StatusUnprocessableEntity)
	}
	if got := b.text(`[data-error-summary]`); got == "" {
		t.Errorf("wrong security code: no error summary")
	}
	codes := b.enrol(s, admin)
	if u, err := s.App.Store.UserByEmail(bg, admin.Email); err != nil || u.Role != account.Admin || !u.HasTOTP() {
		t.Fatalf("after set-up the store holds %+v, %v; want an administrator with a security code", u, err)
	}

	// Phone lost: a recovery code signs in once, and is refused the
	// second time with a clear message.
	for round := range 2 {
		b.signOut()
		b.open("/login")
		b.fill("#email", admin.Email)
		b.fill("#password", admin.Password)
		follow(b, chromedp.CSS(`form[action="/login"] button[type=submit]`))
		follow(b, chromedp.CSS(`main a[href="/login/recovery"]`))
		b.fill("#recovery_code", strings.ToLower(codes[0]))
		st := follow(b, chromedp.CSS(`form[action="/login/recovery"] button[type=submit]`))
		if round == 0 && (st != http.StatusOK || b.path() != "/staff") {
			t.Fatalf("recovery code: status %d on %s\n%s", st, b.path(), b.text("main"))
		}
		if round == 1 {
			if st != http.StatusUnauthorized || !strings.Contains(b.text(`[data-error-summary]`), "already been used") {
				t.Fatalf("recovery code used twice: status %d, summary %q", st, b.text(`[data-error-summary]`))
			}
			// Another code works (and leaves the authenticator's next
			// step for the sign-in below).
			b.fill("#recovery_code", codes[1])
			if st := follow(b, chromedp.CSS(`form[action="/login/recovery"] button[type=submit]`)); st != http.StatusOK || b.path() != "/staff" {
				t.Fatalf("second recovery code: status %d on %s", st, b.path())
			}
		}
	}

	b.signOut()
	if st := b.open("/staff"); st != http.StatusOK || b.path() != "/login" {
		t.Errorf("/staff after signing out: on %s (status %d), want /login", b.path(), st)
	}
	b.signIn(s, admin)
	if got := b.text("main"); !strings.Contains(got, admin.Name) {
		t.Errorf("/staff does not show the administrator's name %q:\n%s", admin.Name, got)
	}
	if got := b.text("h1"); got != "Staff area" {
		t.Errorf("/staff h1 = %q", got)
	}

	// Add a connector: the page shows a one-time set-up link for them.
	if st := follow(b, chromedp.CSS(`.staff-bar a[href="/staff/users"]`)); st != http.StatusOK {
		t.Fatalf("/staff/users: status %d", st)
	}
	if st := follow(b, chromedp.CSS(`main a[href="/staff/users/new"]`)); st != http.StatusOK {
		t.Fatalf("/staff/users/new: status %d", st)
	}
	const name, email = "Bartłomiej Żak", "bartek.zak@example.org"
	b.fill("#name", name)
	b.fill("#email", email)
	b.do("choose the connector role", chromedp.Click(chromedp.CSS(`label[for="role-connector"]`)))
	if got := eval[string](b, `(r => r ? r.value : "")(document.querySelector('input[name="role"]:checked'))`); got != "connector" {
		t.Fatalf("checked role = %q, want connector", got)
	}
	if st := follow(b, chromedp.CSS(`form[action="/staff/users"] button[type=submit]`)); st != http.StatusCreated {
		t.Errorf("create connector: status %d, want %d\n%s", st, http.StatusCreated, b.text("main"))
	}
	setup := b.text(`.panel code.link`)
	if !strings.HasPrefix(setup, s.URL+"/setup/") || len(setup) < len(s.URL+"/setup/")+20 {
		t.Fatalf("set-up link shown = %q, want %s/setup/<token>\n%s", setup, s.URL, b.text("main"))
	}
	if got := b.text(`.panel`); !strings.Contains(got, name) {
		t.Errorf("the set-up panel does not name %q: %q", name, got)
	}
	u, err := s.App.Store.UserByEmail(bg, email)
	if err != nil || u.Role != account.Connector || u.DisplayName != name || u.HasPassword() {
		t.Errorf("store holds %+v, %v; want connector %q without a password yet", u, err, name)
	}
	if st := b.open("/staff/users"); st != http.StatusOK {
		t.Fatalf("/staff/users: status %d", st)
	}
	if got := b.text("main table"); !strings.Contains(got, name) || !strings.Contains(got, email) {
		t.Errorf("the users list does not show the new connector:\n%s", got)
	}

	// The link works for the connector, in a browser of their own.
	c := privateTab(t, ctx, s.URL)
	if st := c.open(setup); st != http.StatusOK {
		t.Fatalf("the connector's set-up link: status %d", st)
	}
	if got := c.text("h1"); got != "Set your password" {
		t.Errorf("the connector's set-up link shows %q, want the set-password page", got)
	}
	if n := eval[int](c, `document.querySelectorAll("#name, #email").length`); n != 0 {
		t.Errorf("the connector's set-up page asks for name or email again")
	}
}
