package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"github.com/hearme-project/hearme/internal/config"
)

// The client address is read from X-Forwarded-For only when the peer is
// a trusted proxy, walking from the right past trusted hops.
func TestClientIPWalksForwardedForFromTrustedProxiesOnly(t *testing.T) {
	t.Parallel()
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, tc := range []struct {
		name, peer string
		xff        []string
		cfg        config.Config
		want       string
	}{
		{"no proxy configured", "203.0.113.9:1", []string{"198.51.100.1"}, config.Config{}, "203.0.113.9"},
		{"untrusted peer", "203.0.113.9:1", []string{"127.0.0.1"}, config.Config{TrustedProxies: trusted}, "203.0.113.9"},
		{"trusted peer", "10.0.0.1:1", []string{"198.51.100.1"}, config.Config{TrustedProxies: trusted}, "198.51.100.1"},
		{"spoofed left entries", "10.0.0.1:1", []string{"127.0.0.1, 198.51.100.1"}, config.Config{TrustedProxies: trusted}, "198.51.100.1"},
		{"two trusted hops", "10.0.0.1:1", []string{"192.0.2.5, 198.51.100.1, 10.0.0.2"}, config.Config{TrustedProxies: trusted}, "198.51.100.1"},
		{"several headers", "10.0.0.1:1", []string{"192.0.2.5", "198.51.100.1, 10.0.0.2"}, config.Config{TrustedProxies: trusted}, "198.51.100.1"},
		{"garbled entry", "10.0.0.1:1", []string{"nonsense, 10.0.0.2"}, config.Config{TrustedProxies: trusted}, "10.0.0.2"},
		{"all trusted", "10.0.0.1:1", []string{"10.0.0.3"}, config.Config{TrustedProxies: trusted}, "10.0.0.3"},
		{"trust-proxy alone trusts loopback", "127.0.0.1:1", []string{"198.51.100.1"}, config.Config{TrustProxy: true}, "198.51.100.1"},
		{"trust-proxy alone ignores others", "203.0.113.9:1", []string{"198.51.100.1"}, config.Config{TrustProxy: true}, "203.0.113.9"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for _, v := range tc.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		s := &Server{cfg: tc.cfg}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("%s: clientIP = %s, want %s", tc.name, got, tc.want)
		}
	}
}
