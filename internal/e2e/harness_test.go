package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/testenv"
)

var bg = context.Background()

// browser is the one Chromium that the package's tests share; each test
// opens tabs in browser contexts of its own.
var browser browsertest.Shared

func TestMain(m *testing.M) {
	flag.Parse()
	testenv.DefaultParallel(parallelTests)
	// Passwords hashed at a cheap argon2id cost, as in the web package's
	// tests: the cost is asserted by the auth package (TestProductionCost),
	// and at the production cost the hashes of these journeys were CPU
	// time taken from the browser.
	auth.UseTestCost()
	code := m.Run()
	browser.Close()
	fmt.Println(browsertest.Stats())
	os.Exit(code)
}

// parallelTests is how many of the package's tests run at once unless
// go test's -parallel says otherwise. Four were tried, on the belief that
// two left the CPUs idle: that came from the CPU time of the test
// process and its children, which misses most of Chromium's (its
// renderers are not the test's children by the time they exit). The
// machine's own count (/proc/stat) shows the CPUs busy the whole run:
// alone on 2 cores the package took 548 s at four and 540 s at two
// (1,013 s of CPU), so more at once only lengthened each step and made
// journeys run out of their step limits (docs/performance.md, "Suite
// time, 2026-12-06 night").
const parallelTests = 2

// site is a running hearme: built by app.New and served by App.Serve on
// a loopback port, as `hearme serve` does, on a fresh data directory with
// the demo (Luton) programme.
type site struct {
	t    *testing.T
	App  *app.App
	URL  string
	logs *syncBuffer
}

// startSite starts hearme and stops it when the test ends. Start it before
// the test's tab, so that the tab is closed (cleanups run last in, first
// out) when the server shuts down. The test fails when the server logs an error
// or a warning.
func startSite(t *testing.T) *site { t.Helper(); return startSiteWith(t, nil) }

// startSiteWith is startSite with a change to the configuration (a
// shorter staff session, for example).
func startSiteWith(t *testing.T, change func(*config.Config)) *site {
	t.Helper()
	testenv.ChromiumPath(t) // skip (or fail under CI) before starting anything
	cfg := config.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true, LogLevel: "info",
		MaxBodyBytes: 1 << 20, SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour,
		ShutdownTimeout: 5 * time.Second, Mail: config.Mail{From: "hearme <hearme@localhost>", TLS: "none"},
	}
	if change != nil {
		change(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	// Listen first, as `hearme serve` does, so that links in emails name
	// the address listened on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.BaseURL = config.ListenURL(ln.Addr().String())
	logs := &syncBuffer{}
	a, err := app.New(bg, cfg, app.NewLogger(logs, cfg.LogLevel))
	if err != nil {
		ln.Close()
		t.Fatalf("app.New: %v", err)
	}
	ctx, stop := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	s := &site{t: t, App: a, URL: "http://" + ln.Addr().String(), logs: logs}
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
		if bad := logs.problems(); len(bad) > 0 {
			t.Errorf("hearme logged %d error(s) or warning(s):\n%s", len(bad), strings.Join(bad, "\n"))
		}
		if t.Failed() {
			t.Logf("hearme log (tail):\n%s", logs.tail(30))
		}
	})
	return s
}

// languages returns the languages the programme offers.
func (s *site) languages() []programme.Language {
	s.t.Helper()
	p, err := s.App.Store.Programme(bg)
	if err != nil {
		s.t.Fatal(err)
	}
	if len(p.Languages) == 0 {
		s.t.Fatal("the demo programme offers no language")
	}
	return p.Languages
}

// firstAdminLink is the one-time link `hearme serve` prints on first start.
func (s *site) firstAdminLink() string {
	s.t.Helper()
	link, err := s.App.EnsureFirstAdmin(bg, s.URL)
	if err != nil || link == "" {
		s.t.Fatalf("EnsureFirstAdmin = %q, %v", link, err)
	}
	return link
}

// totpStep is the last security-code step the account used.
func (s *site) totpStep(email string) int64 {
	s.t.Helper()
	u, err := s.App.Store.UserByEmail(bg, email)
	if err != nil {
		s.t.Fatal(err)
	}
	return u.TOTPLastStep
}

// actionTimeout bounds one browser step, so a missing element fails the
// test quickly and not when the browser's own time runs out (15 s, times
// HEARME_TEST_TIMEOUT_SCALE on a loaded machine, see testenv.Scaled).
var actionTimeout = testenv.Scaled(15 * time.Second)

// tab is one browser tab on the site.
type tab struct {
	t    *testing.T
	ctx  context.Context
	base string
}

// newTab wraps a chromedp context. The tab asks for English, whatever the
// locale of the machine, unless a test picks another language.
func newTab(t *testing.T, ctx context.Context, base string) *tab {
	t.Helper()
	b := &tab{t: t, ctx: ctx, base: base}
	b.do("ask for English", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
			Headers: network.Headers{"Accept-Language": "en-GB,en;q=0.8"},
		})
		return err
	}))
	return b
}

// privateTab opens a tab in a new browser context of the same browser: it
// shares no cookies with the other tabs, like a second person.
func privateTab(t *testing.T, ctx context.Context, base string) *tab {
	t.Helper()
	pctx, cancel, err := browsertest.OpenTab(ctx)
	if err != nil {
		t.Fatalf("open a private tab: %v", err)
	}
	t.Cleanup(cancel)
	return newTab(t, pctx, base)
}

func (b *tab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s (on %s): %v", what, b.location(), err)
	}
}

// eval runs JavaScript in the page and decodes its value.
func eval[T any](b *tab, js string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// location is the path and query of the page, or the error reading it.
func (b *tab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname + location.search`))
	if err != nil {
		return fmt.Sprintf("<location: %v>", err)
	}
	return v
}

// path is the path of the page, without the query.
func (b *tab) path() string { return eval[string](b, `location.pathname`) }

// open loads a path of the site (or a whole URL) and returns the HTTP status.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	url := path
	if strings.HasPrefix(path, "/") {
		url = b.base + path
	}
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(url))
	if err != nil || resp == nil {
		b.t.Fatalf("open %s: response %v, %v", path, resp, err)
	}
	return resp.Status
}

// follow clicks a link or a submit button and waits for the page it leads to
// (after any redirects); it returns that page's HTTP status.
func follow[S chromedp.Selectable](b *tab, sel S) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel))
	if err != nil || resp == nil {
		b.t.Fatalf("click %v on %s: response %v, %v", sel, b.location(), resp, err)
	}
	return resp.Status
}

// fill empties a field, focuses it and types text into it, keeping every
// character (browsertest.InsertText).
func (b *tab) fill(css, text string) {
	b.t.Helper()
	// Not chromedp.SetValue(sel, ""): in chromedp v0.23 it fails with "could
	// not set value" for an empty string.
	if !eval[bool](b, fmt.Sprintf(`(e => e ? (e.value = "", true) : false)(document.querySelector(%s))`, jsString(css))) {
		b.t.Fatalf("fill: no %s on %s", css, b.location())
	}
	b.do("fill "+css, chromedp.Focus(chromedp.CSS(css)), browsertest.InsertText(text))
}

// value is the current value of a form field.
func (b *tab) value(css string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`(e => e ? e.value : "<no %[1]s>")(document.querySelector(%[1]q))`, css))
}

// text is the rendered text of the first element that matches css, with
// runs of white space made one space ("" when there is none).
func (b *tab) text(css string) string {
	b.t.Helper()
	s := eval[string](b, fmt.Sprintf(`(e => e ? e.innerText : "")(document.querySelector(%q))`, css))
	return strings.Join(strings.Fields(s), " ")
}

// texts is text for every element that matches css.
func (b *tab) texts(css string) []string {
	b.t.Helper()
	ss := eval[[]string](b, fmt.Sprintf(`Array.from(document.querySelectorAll(%q), e => e.innerText)`, css))
	for i, s := range ss {
		ss[i] = strings.Join(strings.Fields(s), " ")
	}
	return ss
}

// langDir is the lang and dir of the html element.
func (b *tab) langDir() (string, string) {
	b.t.Helper()
	v := eval[[]string](b, `[document.documentElement.getAttribute("lang"), document.documentElement.getAttribute("dir")]`)
	return v[0], v[1]
}

// wantLang fails the test unless the page is in lang with direction dir.
func (b *tab) wantLang(lang, dir string) {
	b.t.Helper()
	if l, d := b.langDir(); l != lang || d != dir {
		b.t.Errorf("%s: html lang=%q dir=%q, want lang=%q dir=%q", b.location(), l, d, lang, dir)
	}
}

// cookie returns the value of a cookie the browser holds for the site.
func (b *tab) cookie(name string) (string, bool) {
	b.t.Helper()
	var res network.GetCookiesResult
	b.do("read cookies", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) (err error) {
		res, err = chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{b.base + "/"}})
		return err
	}))
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value, true
		}
	}
	return "", false
}

// person is a staff member the tests create through the browser.
type person struct {
	Name, Email, Password string
	secret                string // base32, learnt when the security code is set up
}

// code is a valid security code that the server has not yet accepted: the
// code of the current step, or of the next one (which the server accepts
// for clock skew) when the current one was just used.
func code(t *testing.T, secret string, lastStep int64) string {
	t.Helper()
	at := time.Now()
	if auth.TOTPStep(at) <= lastStep {
		at = time.Unix((lastStep+1)*auth.TOTPPeriod, 0)
	}
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wrongCode is a six-digit code that is not valid for secret now, nor a
// step either side.
func wrongCode(t *testing.T, secret string) string {
	t.Helper()
	now := time.Now()
	valid := map[string]bool{}
	for _, d := range []time.Duration{-2 * auth.TOTPPeriod * time.Second, -auth.TOTPPeriod * time.Second, 0, auth.TOTPPeriod * time.Second, 2 * auth.TOTPPeriod * time.Second} {
		c, err := totp.GenerateCode(secret, now.Add(d))
		if err != nil {
			t.Fatal(err)
		}
		valid[c] = true
	}
	for _, c := range []string{"000000", "111111", "222222", "333333", "444444", "555555"} {
		if !valid[c] {
			return c
		}
	}
	t.Fatal("no wrong code found")
	return ""
}

// createFirstAdmin uses the one-time first-administrator link: it fills in
// name, email and password, and is then sent to set up a security code.
// It leaves the tab on the security-code page.
func (b *tab) createFirstAdmin(link string, a *person) {
	b.t.Helper()
	if st := b.open(link); st != http.StatusOK {
		b.t.Fatalf("first-administrator link: status %d", st)
	}
	b.fill("#name", a.Name)
	b.fill("#email", a.Email)
	b.fill("#password", a.Password)
	b.fill("#confirm", a.Password)
	if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusOK {
		b.t.Fatalf("set-up form: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	if p := b.path(); p != "/staff/account/security-code" {
		b.t.Fatalf("after set-up: on %s, want the security-code page\n%s", p, b.text("main"))
	}
	a.secret = b.secretKey()
}

// secretKey reads the key shown on the security-code page.
func (b *tab) secretKey() string {
	b.t.Helper()
	key := strings.ReplaceAll(b.text("code.secret"), " ", "")
	if !regexp.MustCompile(`^[A-Z2-7]{16,}$`).MatchString(key) {
		b.t.Fatalf("security-code page shows key %q, want base32", key)
	}
	return key
}

// enrol types the current code on the security-code page, checks that
// the answer shows the account's ten recovery codes (once), and follows
// its link to the staff area. It returns the codes.
func (b *tab) enrol(s *site, a *person) []string {
	b.t.Helper()
	b.fill("#code", code(b.t, a.secret, s.totpStep(a.Email)))
	if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusOK {
		b.t.Fatalf("security-code form: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	codes := b.texts(`ol.recovery-codes code`)
	if len(codes) != 10 {
		b.t.Fatalf("after setting up the security code: %d recovery codes shown, want 10\n%s", len(codes), b.text("main"))
	}
	follow(b, chromedp.CSS(`main a.button[href="/staff"]`))
	if p := b.path(); p != "/staff" {
		b.t.Fatalf("after keeping the recovery codes: on %s, want /staff\n%s", p, b.text("main"))
	}
	return codes
}

// signOut presses the sign-out button of the staff bar.
func (b *tab) signOut() {
	b.t.Helper()
	follow(b, chromedp.CSS(`form[action="/logout"] button`))
	if loc := b.location(); loc != "/login?m=out" {
		b.t.Fatalf("after signing out: on %s, want /login?m=out", loc)
	}
}

// signIn goes through /login and /login/code and checks it ends on /staff.
func (b *tab) signIn(s *site, a *person) {
	b.t.Helper()
	if st := b.open("/login"); st != http.StatusOK {
		b.t.Fatalf("/login: status %d", st)
	}
	b.fill("#email", a.Email)
	b.fill("#password", a.Password)
	follow(b, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	if p := b.path(); p != "/login/code" {
		b.t.Fatalf("after the password: on %s, want /login/code\n%s", p, b.text("main"))
	}
	b.fill("#code", code(b.t, a.secret, s.totpStep(a.Email)))
	follow(b, chromedp.CSS(`form[action="/login/code"] button[type=submit]`))
	if p := b.path(); p != "/staff" {
		b.t.Fatalf("after the security code: on %s, want /staff\n%s", p, b.text("main"))
	}
}

// repoRoot is the directory that holds go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal(errors.New("no go.mod above the working directory"))
		}
		dir = parent
	}
}

// syncBuffer collects the server's log from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Split(strings.TrimRight(s.b.String(), "\n"), "\n")
}

func (s *syncBuffer) linesMatching(expr string) []string {
	re := regexp.MustCompile(expr)
	var out []string
	for _, l := range s.lines() {
		if re.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// problems are the errors and warnings of the log, but for a job that the
// shutdown stopped ("job failed" with "context canceled"): hearme logs that
// as an error when the server stops while a job runs, which says nothing of
// what these tests check.
func (s *syncBuffer) problems() []string {
	var out []string
	for _, l := range s.linesMatching(`"level":"(ERROR|WARN)"`) {
		if strings.Contains(l, `"msg":"job failed"`) && strings.Contains(l, "context canceled") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func (s *syncBuffer) tail(n int) string {
	ls := s.lines()
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}
