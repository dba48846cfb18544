package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/netip"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/store"
)

type ctxKey struct{}

// requestCtx is what middleware learns about a request.
type requestCtx struct {
	id          string
	lang        string
	langChanged bool
	// langUnavailable: ?lang= named a language the programme does not offer.
	langUnavailable bool
	user            *account.User
	ip              string
	// route is the matched ServeMux pattern, for logs and metrics. The mux
	// sets r.Pattern on its own copy of the request, so routes copy it here.
	route string
}

func reqCtx(r *http.Request) *requestCtx {
	if rc, ok := r.Context().Value(ctxKey{}).(*requestCtx); ok {
		return rc
	}
	return &requestCtx{lang: i18n.Fallback}
}

// statusWriter remembers the status and size for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs every request as structured JSON and counts it. The log
// holds the route pattern, never the path (which may carry a token) nor
// the client address or any form value.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		b := make([]byte, 8)
		rand.Read(b)
		rc := &requestCtx{id: hex.EncodeToString(b), lang: i18n.Fallback, ip: s.clientIP(r)}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, rc))
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "request_id", rc.id, "route", rc.route, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.errorPage(sw, r, http.StatusInternalServerError)
				}
			}
			route := rc.route
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.metrics.observe(route, sw.status, d)
			s.log.Info("request", "request_id", rc.id, "method", r.Method, "route", route, "status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// clientIP is the address rate limits count against: the peer's, or,
// when the peer is a trusted proxy, the first address in
// X-Forwarded-For, walking from the right, that is not itself a trusted
// proxy (each proxy appends the address it was reached from, so entries
// to the left of an untrusted hop are whatever the client chose to send).
// It is never logged or stored.
func (s *Server) clientIP(r *http.Request) string {
	peer := peerAddr(r)
	trusted := s.cfg.Proxies()
	if !peer.IsValid() || !inPrefixes(peer, trusted) {
		return addrString(peer, r.RemoteAddr)
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				return client.String() // a garbled entry: stop at the last hop known
			}
			client = a.Unmap()
			if !inPrefixes(client, trusted) {
				return client.String()
			}
		}
	}
	return client.String()
}

// peerAddr is the address the connection came from, whatever any header
// says.
func peerAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		a, _ := netip.ParseAddr(r.RemoteAddr)
		return a.Unmap()
	}
	return ap.Addr().Unmap()
}

func addrString(a netip.Addr, raw string) string {
	if a.IsValid() {
		return a.String()
	}
	return raw
}

func inPrefixes(a netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// secure sets the security headers every response carries and caps the
// request body.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		csp := "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
		if strings.HasPrefix(r.URL.Path, offlineScope) {
			// The capture pages only: the capture pages' manifest and service
			// worker (offline.go); public pages have neither.
			csp += "; manifest-src 'self'; worker-src 'self'"
		}
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.cfg.Secure() {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if private(r) {
			h.Set("Cache-Control", "no-store")
		}
		limit := s.cfg.MaxBodyBytes
		if r.Method == http.MethodPost && (r.URL.Path == "/staff/support/import" || r.URL.Path == "/staff/capture/upload") {
			limit = 8 << 20 // a directory of several thousand services
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

// language picks the page language: ?lang=, then cookie, then
// Accept-Language. An explicit choice is remembered in a cookie.
func (s *Server) language(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := reqCtx(r)
		explicit := r.URL.Query().Get("lang")
		cookie := ""
		if c, err := r.Cookie("hearme_lang"); err == nil {
			cookie = c.Value
		}
		rc.lang = s.site.Load().chooser.Choose(explicit, cookie, r.Header.Get("Accept-Language"))
		rc.langUnavailable = explicit != "" && !strings.EqualFold(explicit, rc.lang)
		if explicit != "" && !rc.langUnavailable {
			rc.langChanged = explicit != cookie
			http.SetCookie(w, &http.Cookie{Name: "hearme_lang", Value: rc.lang, Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
		}
		w.Header().Add("Vary", "Accept-Language, Cookie")
		next.ServeHTTP(w, r)
	})
}

// Session keys.
const (
	sessUserID     = "uid"
	sessEpoch      = "epoch"
	sessPendingID  = "pending_uid"
	sessPendingAt  = "pending_at"
	sessTOTPSecret = "totp_pending"
	sessFlash      = "flash"
)

// loadUser finds the signed-in staff member, if any. A session whose
// account was disabled, or whose epoch has moved on (logout everywhere,
// password or role change), is destroyed.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		uid := s.sessions.GetString(r.Context(), sessUserID)
		if uid != "" {
			u, err := s.store.UserByID(r.Context(), uid)
			switch {
			case err == nil && !u.Disabled && u.SessionEpoch == s.sessions.GetInt64(r.Context(), sessEpoch):
				reqCtx(r).user = &u
			case err == nil || err == store.ErrNotFound:
				s.sessions.Destroy(r.Context())
			default:
				s.serverError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// needsTOTP reports whether the account must enrol a second factor
// before doing anything else.
func (s *Server) needsTOTP(u *account.User) bool {
	required := u.Role.RequiresTOTP() || s.cfg.TOTPForChampion
	return required && !u.HasTOTP()
}

// private reports whether a response may hold something about one
// person (a form's answers, a registration, a cancellation link, a
// staff page), which no cache may keep.
func private(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return true
	}
	p := r.URL.Path
	for _, prefix := range []string{"/staff", "/login", "/setup", "/share/", "/my-story", "/champion/", "/invite"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return p == "/ideas" || p == "/champion" || p == "/champions" ||
		strings.HasPrefix(p, "/events/") && (strings.HasSuffix(p, "/registered") || strings.Contains(p, "/cancel/"))
}
