package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/auth"
)

func mustHash(t *testing.T) string {
	h, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

var publicPages = []string{"/", "/privacy", "/accessibility", "/contact", "/login", "/share", "/my-story", "/ideas"}

func TestPublicPagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	prog, _ := e.store.Programme(ctx)
	for _, l := range prog.Languages {
		for _, p := range publicPages {
			c := e.client()
			r := c.get(p + "?lang=" + l.Code)
			if r.status != http.StatusOK {
				t.Fatalf("%s in %s: %d", p, l.Code, r.status)
			}
			want := `<html lang="` + l.Code + `" dir="` + l.Dir() + `">`
			if !strings.Contains(r.body, want) {
				t.Errorf("%s in %s: want %s", p, l.Code, want)
			}
			assertTranslated(t, p+" in "+l.Code, r.body)
			if r.header.Get("Content-Language") != l.Code {
				t.Errorf("%s in %s: Content-Language %q", p, l.Code, r.header.Get("Content-Language"))
			}
		}
	}
}

func TestLanguageIsRemembered(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	r := c.get("/?lang=ur")
	if !strings.Contains(r.body, `dir="rtl"`) || !strings.Contains(r.body, `role="status"`) {
		t.Fatal("Urdu page is not right to left or does not confirm the change")
	}
	r = c.get("/privacy")
	if !strings.Contains(r.body, `<html lang="ur" dir="rtl">`) {
		t.Fatal("the cookie did not keep Urdu")
	}
	// Without a choice, Accept-Language decides; nonsense is ignored.
	c2 := e.client()
	if r := c2.get("/", "Accept-Language", "pl-PL,pl;q=0.9,en;q=0.5"); !strings.Contains(r.body, `lang="pl"`) || strings.Contains(r.body, "Niestety") {
		t.Error("Accept-Language pl not honoured")
	}
	if r := c2.get("/?lang=%3Cscript%3E", "Accept-Language", "pl"); r.status != http.StatusOK || !strings.Contains(r.body, `<html lang="pl"`) || strings.Contains(r.body, "<script>") ||
		!strings.Contains(r.body, "Niestety ten język nie jest tutaj dostępny.") {
		t.Errorf("bad lang value: %d, want the Polish page with a clear notice", r.status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	r := c.get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "script-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	} {
		if !strings.Contains(r.header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, r.header.Get(h), want)
		}
	}
	if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Error("CSP lacks frame-ancestors 'none'")
	}
	if r.header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS sent over plain http")
	}
	if got := c.get("/login").header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("login Cache-Control = %q", got)
	}
	// No page refers to another origin.
	for _, p := range publicPages {
		body := c.get(p).body
		for _, attr := range []string{`src="http`, `href="http`, `src="//`, `href="//`} {
			if strings.Contains(body, attr) {
				t.Errorf("%s refers to another origin (%s)", p, attr)
			}
		}
	}

	tls := testConfig(t)
	tls.BaseURL = "https://hearme.example.org"
	e2 := newEnvWith(t, tls)
	if got := e2.client().get("/").header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("HSTS on https = %q", got)
	}
}

func TestNotFoundAndHealth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	r := c.get("/no-such-page?lang=pl")
	if r.status != http.StatusNotFound || !strings.Contains(r.body, `lang="pl"`) {
		t.Errorf("404 page: %d", r.status)
	}
	assertTranslated(t, "404", r.body)
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		r := e.client().get("/no-such-page?lang=" + lang)
		assertTranslated(t, "404 in "+lang, r.body)
	}
	if r := c.get("/healthz"); r.status != http.StatusOK || !strings.Contains(r.body, `"ok"`) {
		t.Errorf("healthz: %d %s", r.status, r.body)
	}
	if r := c.get("/metrics"); r.status != http.StatusOK || !strings.Contains(r.body, `hearme_http_requests_total{route="GET /healthz",status="200"} 1`) {
		t.Errorf("metrics from loopback: %d", r.status)
	}
}
