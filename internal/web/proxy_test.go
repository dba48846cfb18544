package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
)

// serveFrom sends a request through the real router as if it came from
// peer (the connection's address), with the given headers.
func (e *env) serveFrom(peer, method, path string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, path, body)
	r.RemoteAddr = peer
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.web.Handler().ServeHTTP(w, r)
	return w
}

// Reached directly (not through a trusted proxy), a client that sends a
// new X-Forwarded-For with every attempt is still one address to the
// throttle; through the trusted proxy, each forwarded client is its own.
func TestRotatingForwardedForFromUntrustedPeerDoesNotBypassThrottle(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.TrustProxy = true
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	e := newEnvWith(t, cfg)
	attempt := func(peer string, i int) int {
		return e.serveFrom(peer, "POST", "/login", url.Values{"email": {fmt.Sprintf("nobody%d@example.org", i)}, "password": {"wrong password here"}},
			"X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1)).Code
	}
	throttled := false
	for i := 0; i < 25 && !throttled; i++ {
		throttled = attempt("203.0.113.7:40000", i) == http.StatusTooManyRequests
	}
	if !throttled {
		t.Fatal("25 sign-in attempts from one untrusted peer with rotating X-Forwarded-For were never throttled")
	}
	// Positive control: the same rotation through the trusted proxy is 25
	// different clients, none of them over its limit.
	for i := 0; i < 25; i++ {
		if code := attempt("192.0.2.1:40000", i); code == http.StatusTooManyRequests {
			t.Fatalf("attempt %d through the trusted proxy was throttled: forwarded clients share a bucket", i)
		}
	}
}

// X-Forwarded-For never opens /metrics: only the connection's own
// loopback address does, and a forwarded request is refused.
func TestForwardedForDoesNotOpenMetrics(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.TrustProxy = true
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24")}
	e := newEnvWith(t, cfg)
	for _, tc := range []struct {
		peer, xff string
		want      int
	}{
		{"198.51.100.4:5000", "127.0.0.1", http.StatusForbidden}, // untrusted peer claims loopback
		{"203.0.113.7:5000", "127.0.0.1", http.StatusForbidden},  // a trusted proxy forwards a claim of loopback
		{"127.0.0.1:5000", "198.51.100.4", http.StatusForbidden}, // a proxy on this machine forwards the world
		{"127.0.0.1:5000", "", http.StatusOK},                    // a scraper on this machine
	} {
		hdr := []string{}
		if tc.xff != "" {
			hdr = []string{"X-Forwarded-For", tc.xff}
		}
		if got := e.serveFrom(tc.peer, "GET", "/metrics", nil, hdr...).Code; got != tc.want {
			t.Errorf("/metrics from %s with X-Forwarded-For %q: %d, want %d", tc.peer, tc.xff, got, tc.want)
		}
	}
}
