package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

var ctx = context.Background()

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// env is a running hearme on a real SQLite file, behind httptest.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	web   *web.Server
	store *store.Store
	keys  *sealed.Keyring
	logs  *syncBuffer
}

const testPassword = "correct horse battery staple"

func testConfig(t *testing.T) config.Config {
	return config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxBodyBytes: 1 << 20,
		SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour, LogLevel: "info", FormMinFill: time.Nanosecond}
}

func newEnv(t *testing.T) *env {
	return newEnvWith(t, testConfig(t))
}

func newEnvWith(t *testing.T, cfg config.Config) *env {
	t.Helper()
	return newEnvOn(t, storetest.SQLite(t), cfg)
}

// eachEnv runs fn twice, as parallel subtests: on SQLite and on
// PostgreSQL (the databases of storetest.Each), for the tests whose
// journeys write and read the store, so that every handler they go
// through is served by both dialects. The PostgreSQL run skips when
// HEARME_TEST_POSTGRES is not set (fails under CI).
func eachEnv(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, newEnv(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, newEnvOn(t, storetest.Postgres(t), testConfig(t)))
	})
}

// newEnvOn starts hearme on st, a fresh migrated store, with the demo
// programme.
func newEnvOn(t *testing.T, st *store.Store, cfg config.Config) *env {
	t.Helper()
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, srv: srv, web: w, store: st, keys: keys, logs: logs}
	// Whatever a test did, every email it queued links only to absolute
	// addresses on the configured public address.
	t.Cleanup(func() { e.assertMailLinksAbsolute(cfg.PublicURL()) })
	return e
}

// staff is a test account with its second-factor secret.
type staff struct {
	account.User
	secret   string
	password string // testPassword when empty
}

// testPasswordHash is testPassword hashed once for every account the tests
// make: argon2id at the production cost takes tens of milliseconds and
// 19 MiB each time (argon2 was a third of the CPU profile of the journey
// tests, hashing and signing in together). TestMain now lowers that cost
// for the whole package (auth.UseTestCost).
var testPasswordHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(testPassword) })

// newStaff creates an account that has finished setting up.
func (e *env) newStaff(email string, role account.Role, orgID string) staff {
	e.t.Helper()
	u, err := e.store.CreateUser(ctx, "test", account.NewUser{Email: email, DisplayName: "Test " + string(role), Role: role, OrganisationID: orgID})
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := testPasswordHash()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.SetPassword(ctx, u.ID, h); err != nil {
		e.t.Fatal(err)
	}
	secret, _, err := auth.NewTOTPSecret("test", email)
	if err != nil {
		e.t.Fatal(err)
	}
	sealedSecret, err := e.keys.Seal(secret)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.store.EnrolTOTP(ctx, u.ID, sealedSecret, 0); err != nil {
		e.t.Fatal(err)
	}
	if u, err = e.store.UserByID(ctx, u.ID); err != nil {
		e.t.Fatal(err)
	}
	return staff{User: u, secret: secret}
}

// client is a browser-like client with a cookie jar that does not follow
// redirects, so tests see each step.
type client struct {
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	status   int
	body     string
	header   http.Header
	location string
}

func (c *client) do(req *http.Request) resp {
	c.e.t.Helper()
	r, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	return resp{r.StatusCode, string(b), r.Header, r.Header.Get("Location")}
}

func (c *client) get(path string, hdr ...string) resp {
	c.e.t.Helper()
	req, _ := http.NewRequest("GET", c.e.srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return c.do(req)
}

func (c *client) post(path string, form url.Values) resp {
	c.e.t.Helper()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// code returns the current security code for a secret, stepping the
// clock a step on each call so two sign-ins never reuse one code.
func code(t *testing.T, secret string, at time.Time) string {
	c, err := totp.GenerateCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// signIn goes through the password and security-code pages.
func (c *client) signIn(s staff) {
	c.e.t.Helper()
	pw := s.password
	if pw == "" {
		pw = testPassword
	}
	r := c.post("/login", url.Values{"email": {s.Email}, "password": {pw}})
	if r.status != http.StatusSeeOther || r.location != "/login/code" {
		c.e.t.Fatalf("password step: %d %s\n%s", r.status, r.location, r.body)
	}
	u, _ := c.e.store.UserByID(ctx, s.ID)
	at := time.Now()
	if auth.TOTPStep(at) <= u.TOTPLastStep {
		at = time.Unix((u.TOTPLastStep+1)*30, 0)
	}
	r = c.post("/login/code", url.Values{"code": {code(c.e.t, s.secret, at)}})
	if r.status != http.StatusSeeOther || r.location != "/staff" {
		c.e.t.Fatalf("code step: %d %s\n%s", r.status, r.location, r.body)
	}
}

var untranslated = regexp.MustCompile(`\b(site|home|contact|privacy|accessibility|login|setup|staff|role|users|audit|error)\.[a-z_0-9]+\b`)

// assertTranslated fails when a page shows a message key instead of text.
func assertTranslated(t *testing.T, what, body string) {
	t.Helper()
	text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(body, " ")
	if m := untranslated.FindString(text); m != "" {
		t.Errorf("%s shows an untranslated key %q", what, m)
	}
}
