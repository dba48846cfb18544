package e2e

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/programme"
)

// axeChecker runs axe-core on pages and fails the test on any violation of
// WCAG 2.0, 2.1 and 2.2 at levels A and AA (browsertest.AxeTags). It also
// keeps, for the summary at the end, which pages break each rule where.
// Subtests of its test may use it at once: a failure is reported to the
// test of the tab checked.
type axeChecker struct {
	t     *testing.T
	src   string
	mu    sync.Mutex
	pages int
	seen  map[string][]string // "rule-id target" -> pages
	order []string
}

func newAxeChecker(t *testing.T) *axeChecker {
	return &axeChecker{t: t, src: browsertest.AxeJS(t), seen: map[string][]string{}}
}

// check runs axe on the page of b. what names the page (and its state) for
// the failure message, lang the language it should be in.
func (c *axeChecker) check(b *tab, lang, what string) {
	b.t.Helper()
	vs, err := browsertest.RunAxe(b.ctx, c.src)
	if err != nil {
		b.t.Fatalf("%s [%s]: %v", what, lang, err)
	}
	c.mu.Lock()
	c.pages++
	c.mu.Unlock()
	if len(vs) == 0 {
		return
	}
	page := fmt.Sprintf("%s [%s] %s", what, lang, b.location())
	b.t.Errorf("%s:\n%s", page, browsertest.FormatViolations(vs))
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range vs {
		for _, n := range v.Nodes {
			key := v.ID + "  " + strings.Join(n.Target, " | ")
			if _, ok := c.seen[key]; !ok {
				c.order = append(c.order, key)
			}
			c.seen[key] = append(c.seen[key], page)
		}
	}
}

// summary logs each broken rule and element once, with the pages.
func (c *axeChecker) summary() {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t.Logf("axe-core checked %d page states", c.pages)
	if len(c.order) == 0 {
		return
	}
	var b strings.Builder
	for _, key := range c.order {
		fmt.Fprintf(&b, "- %s\n    on %d page(s): %s\n", key, len(c.seen[key]), strings.Join(c.seen[key], "; "))
	}
	c.t.Errorf("summary of accessibility violations (rule, element, pages):\n%s", b.String())
}

// TestAccessibilityOfEveryPublicPage runs axe-core on every public page in
// every language of the programme, in the states people see (errors shown,
// language just changed), and on the staff pages in English and Urdu.
func TestAccessibilityOfEveryPublicPage(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	cat := newCatalogueCheck(t)
	s := startSite(t)
	langs := s.languages()
	firstLink := s.firstAdminLink()
	defer axe.summary()

	invalidLink := "/setup/" + strings.Repeat("x", 43)
	pages := []struct {
		path   string
		status int64
		what   string
	}{
		{"/", http.StatusOK, "home"},
		{"/privacy", http.StatusOK, "privacy"},
		{"/accessibility", http.StatusOK, "accessibility statement"},
		{"/contact", http.StatusOK, "contact"},
		{"/login", http.StatusOK, "sign in"},
		{"/login?m=out", http.StatusOK, "sign in, just signed out"},
		{"/no-such-page", http.StatusNotFound, "not found"},
		{invalidLink, http.StatusNotFound, "set-up link that does not work"},
	}
	// The public pages in every language at once, each language in a tab
	// (a browser context) of its own: they run before the staff part below
	// uses the first-administrator link.
	atOnce(t, langs, func(t *testing.T, l programme.Language) {
		anon := newTab(t, browser.Tab(t, browsertest.WithTimeout(3*time.Minute)), s.URL)
		if st := anon.open("/?lang=" + l.Code); st != http.StatusOK {
			t.Fatalf("/?lang=%s: status %d", l.Code, st)
		}
		anon.wantLang(l.Code, l.Dir())
		axe.check(anon, l.Code, "home, language just chosen")
		for _, p := range pages {
			if st := anon.open(p.path); st != p.status {
				t.Errorf("%s [%s]: status %d, want %d", p.path, l.Code, st, p.status)
			}
			anon.wantLang(l.Code, l.Dir())
			cat.check(anon, l.Code, p.what)
			axe.check(anon, l.Code, p.what)
		}

		anon.open("/login")
		if st := follow(anon, chromedp.CSS(`form[action="/login"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("empty sign-in form [%s]: status %d, want %d", l.Code, st, http.StatusUnprocessableEntity)
		}
		if n := len(anon.texts(`[data-error-summary] li`)); n != 2 {
			t.Errorf("empty sign-in form [%s]: %d errors listed, want 2", l.Code, n)
		}
		axe.check(anon, l.Code, "sign in, empty form sent")

		if st := anon.open(firstLink); st != http.StatusOK {
			t.Fatalf("first-administrator link [%s]: status %d", l.Code, st)
		}
		anon.wantLang(l.Code, l.Dir())
		axe.check(anon, l.Code, "set-up, first administrator")
		if st := follow(anon, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("empty first-administrator form [%s]: status %d, want %d", l.Code, st, http.StatusUnprocessableEntity)
		}
		axe.check(anon, l.Code, "set-up, first administrator, empty form sent")
	})

	// 6 minutes: about 70 page states, while other tests share the CPU.
	ctx := browser.Tab(t, browsertest.WithTimeout(6*time.Minute))
	anon := newTab(t, ctx, s.URL)

	// The staff pages, as the first administrator, in English and Urdu.
	b := privateTab(t, ctx, s.URL)
	admin := firstAdmin()
	b.createFirstAdmin(firstLink, admin)
	staffLangs := []string{"en", "ur"}
	dir := map[string]string{}
	for _, l := range langs {
		dir[l.Code] = l.Dir()
	}
	for _, lang := range staffLangs {
		if _, ok := dir[lang]; !ok {
			t.Fatalf("the programme does not offer %q", lang)
		}
		b.open("/staff/account/security-code?lang=" + lang)
		b.wantLang(lang, dir[lang])
		axe.check(b, lang, "security code")
		b.fill("#code", wrongCode(t, admin.secret))
		if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("wrong security code [%s]: status %d, want %d", lang, st, http.StatusUnprocessableEntity)
		}
		axe.check(b, lang, "security code, wrong code sent")
	}
	b.open("/staff/account/security-code?lang=en")
	b.fill("#code", code(t, admin.secret, s.totpStep(admin.Email)))
	if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("security code: status %d", st)
	}
	axe.check(b, "en", "recovery codes shown once")
	follow(b, chromedp.CSS(`main a.button[href="/staff"]`))
	axe.check(b, "en", "staff home, security code just set up")
	b.open("/staff/account/recovery-codes?lang=en")
	axe.check(b, "en", "recovery codes, account page")
	for _, p := range []struct{ path, what string }{
		{"/staff/ropa?lang=en", "record of processing"},
		{"/staff/ropa/print?lang=en", "record of processing, print view"},
		{"/staff/dpia?lang=en", "DPIA"},
		{"/staff/ropa?lang=ur", "record of processing (Urdu)"},
	} {
		if st := b.open(p.path); st != http.StatusOK {
			t.Errorf("%s: status %d", p.path, st)
		}
		axe.check(b, p.path[len(p.path)-2:], p.what)
	}
	if st := follow(b, chromedp.CSS(`form[action="/staff/ropa"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
		t.Errorf("empty record form: status %d, want 422", st)
	}
	axe.check(b, "ur", "record of processing, empty form sent")

	var setupLinks []string
	newUsers := map[string][2]string{"en": {"Rosa Ionescu", "rosa.ionescu@example.org"}, "ur": {"Imran Qureshi", "imran.qureshi@example.org"}}
	for _, lang := range staffLangs {
		b.open("/staff?lang=" + lang)
		b.wantLang(lang, dir[lang])
		for _, p := range []struct{ path, what string }{
			{"/staff", "staff home"},
			{"/staff/users", "users"},
			{"/staff/users/new", "add user"},
			{"/staff/audit", "audit trail"},
			{"/staff/rights", "rights requests"},
			{"/staff/rights/new", "log a rights request"},
			{"/staff/breaches", "breach register"},
			{"/staff/breaches/new", "record a breach"},
			{"/staff/programme", "programme settings"},
		} {
			if st := b.open(p.path); st != http.StatusOK || b.path() != p.path {
				t.Errorf("%s [%s]: status %d on %s", p.path, lang, st, b.path())
			}
			b.wantLang(lang, dir[lang])
			axe.check(b, lang, p.what)
		}

		// Send the add-user form empty, then add a connector.
		b.open("/staff/users/new")
		if st := follow(b, chromedp.CSS(`form[action="/staff/users"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("empty add-user form [%s]: status %d, want %d", lang, st, http.StatusUnprocessableEntity)
		}
		axe.check(b, lang, "add user, empty form sent")
		u := newUsers[lang]
		b.fill("#name", u[0])
		b.fill("#email", u[1])
		b.do("choose the connector role", chromedp.Click(chromedp.CSS(`label[for="role-connector"]`)))
		if st := follow(b, chromedp.CSS(`form[action="/staff/users"] button[type=submit]`)); st != http.StatusCreated {
			t.Fatalf("add connector [%s]: status %d, want %d\n%s", lang, st, http.StatusCreated, b.text("main"))
		}
		axe.check(b, lang, "add user, set-up link shown")
		link := b.text(".panel code.link")
		if !strings.HasPrefix(link, s.URL+"/setup/") {
			t.Fatalf("add connector [%s]: set-up link %q", lang, link)
		}
		setupLinks = append(setupLinks, link)
		edit := eval[string](b, `(f => f ? f.getAttribute("action") : "")(document.querySelector('main form[action^="/staff/users/"]'))`)
		if st := b.open(edit); st != http.StatusOK {
			t.Fatalf("%s [%s]: status %d", edit, lang, st)
		}
		axe.check(b, lang, "change user")

		// The programme settings form with mistakes, and a refused file.
		b.open("/staff/programme")
		b.fill("#contact_email", "not an email")
		if st := follow(b, chromedp.CSS(`form[action="/staff/programme"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("bad programme settings [%s]: status %d, want %d", lang, st, http.StatusUnprocessableEntity)
		}
		axe.check(b, lang, "programme settings with errors")
		b.open("/staff/programme")
		if st := follow(b, chromedp.CSS(`form[action="/staff/programme/import"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("import without a file [%s]: status %d, want %d", lang, st, http.StatusUnprocessableEntity)
		}
		axe.check(b, lang, "programme import refused")
	}

	// The set-up page of an ordinary one-time link, in every language.
	for _, l := range langs {
		if st := anon.open(setupLinks[0] + "?lang=" + l.Code); st != http.StatusOK {
			t.Fatalf("set-up link [%s]: status %d", l.Code, st)
		}
		anon.wantLang(l.Code, l.Dir())
		axe.check(anon, l.Code, "set-up")
		if st := follow(anon, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("empty set-up form [%s]: status %d, want %d", l.Code, st, http.StatusUnprocessableEntity)
		}
		axe.check(anon, l.Code, "set-up, empty form sent")
	}

	// The security-code step of signing in, in every language (wrong codes
	// in two only: a sixth failure would be throttled).
	anon.open("/login")
	anon.fill("#email", admin.Email)
	anon.fill("#password", admin.Password)
	follow(anon, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	if p := anon.path(); p != "/login/code" {
		t.Fatalf("after the password: on %s, want /login/code", p)
	}
	for _, l := range langs {
		if st := anon.open("/login/code?lang=" + l.Code); st != http.StatusOK || anon.path() != "/login/code" {
			t.Fatalf("/login/code [%s]: status %d on %s", l.Code, st, anon.path())
		}
		anon.wantLang(l.Code, l.Dir())
		axe.check(anon, l.Code, "sign in, security code")
		if l.Code == "en" || l.Code == "ur" {
			anon.fill("#code", wrongCode(t, admin.secret))
			if st := follow(anon, chromedp.CSS(`form[action="/login/code"] button[type=submit]`)); st != http.StatusUnauthorized {
				t.Errorf("wrong code at sign in [%s]: status %d, want %d", l.Code, st, http.StatusUnauthorized)
			}
			axe.check(anon, l.Code, "sign in, security code, wrong code sent")
		}
		if st := anon.open("/login/recovery?lang=" + l.Code); st != http.StatusOK || anon.path() != "/login/recovery" {
			t.Fatalf("/login/recovery [%s]: status %d on %s", l.Code, st, anon.path())
		}
		anon.wantLang(l.Code, l.Dir())
		axe.check(anon, l.Code, "sign in, recovery code")
		if l.Code == "en" || l.Code == "ur" {
			anon.fill("#recovery_code", "nonsense")
			if st := follow(anon, chromedp.CSS(`form[action="/login/recovery"] button[type=submit]`)); st != http.StatusUnprocessableEntity {
				t.Errorf("malformed recovery code [%s]: status %d, want %d", l.Code, st, http.StatusUnprocessableEntity)
			}
			axe.check(anon, l.Code, "sign in, recovery code, malformed code sent")
		}
	}

	// The checker itself: axe must see a problem put into one of these pages,
	// or the checks above prove nothing.
	anon.open("/")
	eval[bool](anon, `(document.querySelector("main").insertAdjacentHTML("beforeend", '<img src="/static/app.css" width="10" height="10">'), true)`)
	vs, err := browsertest.RunAxe(anon.ctx, axe.src)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(browsertest.ViolationIDs(vs), "image-alt") {
		t.Errorf("axe-core did not report an image without alt text put into the home page: %s", browsertest.FormatViolations(vs))
	}

	if !slices.ContainsFunc(langs, func(l programme.Language) bool { return l.Dir() == "rtl" }) {
		t.Errorf("the demo programme has no right-to-left language: the checks miss that layout")
	}
}

// TestAccessibilityOfTheShareJourney runs axe-core on every page of the
// share journey in every language of the programme, with the error states
// of the who, stages, story, consent and check pages, and checks that each
// page is translated. Each language is a subtest with its own private tab
// (its own draft), and the languages run at once: each waits for its own
// check page's time token, so the test waits for the token about once,
// not once per language.
func TestAccessibilityOfTheShareJourney(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	cat := newCatalogueCheck(t)
	// A long least time to fill the form, so that "sent at once" is
	// refused however slow a busy machine makes the click (with the
	// default 3 s, a loaded CI machine could take longer than that
	// between showing the page and the click, and the send was taken).
	const minFill = 15 * time.Second
	s := startSiteWith(t, func(c *config.Config) { c.FormMinFill = minFill })
	langs := s.languages()
	defer axe.summary()

	atOnce(t, langs, func(t *testing.T, l programme.Language) {
		b := newTab(t, browser.Tab(t, browsertest.WithTimeout(3*time.Minute)), s.URL)
		shareJourneyAccessible(t, b, axe, cat, l.Code, l.Dir(), minFill, l.Code == langs[0].Code)
	})
}

// atOnce runs fn for every language as a subtest named for the language,
// all at the same time, and returns when they have all ended. The
// subtests are not t.Parallel ones: those would wait for a free slot
// behind every test of the package not yet started, and the longest test
// would end last. They run within their test's own slot, each in a tab
// of its own.
func atOnce(t *testing.T, langs []programme.Language, fn func(t *testing.T, l programme.Language)) {
	t.Helper()
	var wg sync.WaitGroup
	for _, l := range langs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(l.Code, func(t *testing.T) { fn(t, l) })
		}()
	}
	wg.Wait()
}

// shareJourneyAccessible is TestAccessibilityOfTheShareJourney in one
// language, in the tab b of its own. checkTheCheck also puts message keys
// into the last page, to see that the translation check finds them.
func shareJourneyAccessible(t *testing.T, b *tab, axe *axeChecker, cat *catalogueCheck, lang, dir string, minFill time.Duration, checkTheCheck bool) {
	look := func(what, wantPath string) {
		t.Helper()
		if p := b.path(); p != wantPath {
			t.Fatalf("%s [%s]: on %s, want %s\n%s", what, lang, b.location(), wantPath, b.text("main"))
		}
		b.wantLang(lang, dir)
		cat.check(b, lang, what)
		axe.check(b, lang, what)
	}
	send := func(what string, wantStatus int64, wantPath string) {
		t.Helper()
		if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != wantStatus {
			t.Errorf("%s [%s]: status %d, want %d", what, lang, st, wantStatus)
		}
		look(what, wantPath)
	}
	wantErrors := func(what string, n int) {
		t.Helper()
		if got := len(b.texts(`[data-error-summary] li`)); got != n {
			t.Errorf("%s [%s]: %d errors listed, want %d", what, lang, got, n)
		}
	}
	choose := func(css string) { b.do("choose "+css, chromedp.Click(chromedp.CSS(css))) }

	if st := b.open("/share?lang=" + lang); st != http.StatusOK {
		t.Fatalf("/share?lang=%s: status %d", lang, st)
	}
	look("share: start, language just chosen", "/share")
	if st := follow(b, chromedp.CSS(`main a.button[href="/share/who"]`)); st != http.StatusOK {
		t.Fatalf("start button [%s]: status %d", lang, st)
	}
	look("share: who", "/share/who")
	send("share: who, nothing chosen", http.StatusUnprocessableEntity, "/share/who")
	wantErrors("share: who, nothing chosen", 1)
	choose(`input[name=role][value="friend"]`)
	send("share: stages", http.StatusOK, "/share/stages")
	send("share: stages, nothing chosen", http.StatusUnprocessableEntity, "/share/stages")
	wantErrors("share: stages, nothing chosen", 1)
	choose(`input[name=stages][value="screening"]`)
	choose(`input[name=stages][value="treatment"]`)
	send("share: story", http.StatusOK, "/share/story")
	send("share: story, nothing written", http.StatusUnprocessableEntity, "/share/story")
	wantErrors("share: story, nothing written", 1)
	b.fill("#went_well", "OK "+lang)
	send("share: details", http.StatusOK, "/share/details")
	send("share: about you", http.StatusOK, "/share/about-you")
	send("share: consent", http.StatusOK, "/share/consent")
	// Contact allowed but no way given, and the needed box left empty.
	choose(`#consent_contact`)
	send("share: consent, with errors", http.StatusUnprocessableEntity, "/share/consent")
	wantErrors("share: consent, with errors", 2)
	choose(`#consent_contact`)
	choose(`#consent_evidence`)
	send("share: check answers", http.StatusOK, "/share/check")
	// Sent at once: the time token is too young, the page comes back
	// with an error (and a new token).
	if st := follow(b, chromedp.CSS(`#send`)); st != http.StatusUnprocessableEntity {
		t.Errorf("share: check answers, sent at once [%s]: status %d, want %d", lang, st, http.StatusUnprocessableEntity)
	}
	shown := time.Now()
	look("share: check answers, sent too soon", "/share/check")
	wantErrors("share: check answers, sent too soon", 1)

	time.Sleep(minFill + 150*time.Millisecond - time.Since(shown))
	if st := follow(b, chromedp.CSS(`#send`)); st != http.StatusOK {
		t.Fatalf("share: send [%s]: status %d on %s\n%s", lang, st, b.location(), b.text("main"))
	}
	if path := b.path(); path != "/share/done" {
		t.Fatalf("share: send [%s]: on %s, want /share/done\n%s", lang, b.location(), b.text("main"))
	}
	b.wantLang(lang, dir)
	b.receipt()
	cat.check(b, lang, "share: done")
	axe.check(b, lang, "share: done")
	// Opened again, the page no longer shows the codes.
	b.open("/share/done")
	cat.check(b, lang, "share: done, codes already shown")
	axe.check(b, lang, "share: done, codes already shown")

	if !checkTheCheck {
		return
	}
	// The translation check itself: it must see a message key shown as
	// it is, or the checks above prove nothing.
	eval[bool](b, `(document.querySelector("main").insertAdjacentHTML("beforeend", '<p>share.no_such_message</p><p>share.done_title</p>'), true)`)
	if got := cat.problems(b, lang); len(got) != 2 {
		t.Errorf("the translation check found %q in a page with two message keys put into it", got)
	}
}
