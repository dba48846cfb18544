package web

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/ui"
)

// Access says who may use a route.
type Access struct {
	Public bool           // anyone, signed in or not
	Roles  []account.Role // signed-in staff with one of these roles
}

var (
	public     = Access{Public: true}
	anyStaff   = Access{Roles: account.Roles}
	adminOnly  = Access{Roles: []account.Role{account.Admin}}
	moderators = Access{Roles: []account.Role{account.Admin, account.Connector}}
	capturers  = Access{Roles: []account.Role{account.Admin, account.Connector, account.Champion}}
)

// Route is one entry of the routing table.
type Route struct {
	Pattern string
	Access  Access
	Handler http.HandlerFunc
}

// Routes is the whole table. Every route declares who may use it; a test
// walks every route for every role, and for anonymous visitors.
func (s *Server) Routes() []Route {
	var parts []Route
	// Each part of the site lists its own routes in its own file.
	// One line a part, so parts added side by side do not collide.
	for _, part := range [][]Route{
		s.shareRoutes(),
		s.eventRoutes(),
		s.invitationRoutes(),
		s.championRoutes(),
		s.supportRoutes(),
		s.awarenessRoutes(),
		s.mailRoutes(),
		s.analysisRoutes(),
		s.consentRoutes(),
		s.breakdownRoutes(),
		s.recommendationRoutes(),
		s.commitmentRoutes(),
		s.reviewRoutes(),
		s.reportOutputRoutes(),
		s.translationRoutes(),
		s.subscriptionRoutes(),
		s.subscriptionManageRoutes(),
		s.rightsRoutes(),
		s.rightsPersonRoutes(),
		s.breachRoutes(),
		s.recoveryRoutes(),
		s.ropaRoutes(),
	} {
		parts = append(parts, part...)
	}
	return append(parts, []Route{
		{"GET /{$}", public, s.handleHome},
		{"GET /privacy", public, s.handlePrivacy},
		{"GET /accessibility", public, s.handleAccessibility},
		{"GET /contact", public, s.handleContact},
		{"GET /login", public, s.handleLoginForm},
		{"POST /login", public, s.handleLogin},
		{"GET /login/code", public, s.handleLoginCodeForm},
		{"POST /login/code", public, s.handleLoginCode},
		{"POST /logout", public, s.handleLogout},
		{"GET /setup/{token}", public, s.handleSetupForm},
		{"POST /setup/{token}", public, s.handleSetup},
		{"GET /ideas", public, s.handleIdeaForm},
		{"POST /ideas", public, s.handleIdeaSend},
		{"GET /my-story", public, s.handleMyStoryForm},
		{"POST /my-story", public, s.handleMyStoryLookup},
		{"GET /my-story/view", public, s.handleMyStoryView},
		{"GET /my-story/download", public, s.handleMyStoryDownload},
		{"POST /my-story/correction", public, s.handleMyStoryCorrection},
		{"GET /my-story/withdraw", public, s.handleMyStoryWithdrawForm},
		{"POST /my-story/withdraw", public, s.handleMyStoryWithdraw},
		{"GET /healthz", public, s.handleHealth},
		{"GET /metrics", public, s.handleMetrics},

		{"GET /staff", anyStaff, s.handleStaffHome},
		{"POST /staff/session", anyStaff, s.handleSessionKeepAlive},
		{"GET /staff/account/security-code", anyStaff, s.handleSecurityCodeForm},
		{"POST /staff/account/security-code", anyStaff, s.handleSecurityCode},
		{"GET /staff/account/security-code/qr.png", anyStaff, s.handleSecurityCodeQR},

		{"GET /staff/capture", capturers, s.handleCaptureForm},
		{"POST /staff/capture", capturers, s.handleCapture},
		{"POST /staff/capture/records", capturers, s.handleCaptureRecord},
		{"GET /staff/capture/shell", capturers, s.handleCaptureShell},
		{"GET /staff/capture/upload", capturers, s.handleCaptureUploadForm},
		{"POST /staff/capture/upload", capturers, s.handleCaptureUpload},
		{"GET /staff/sw.js", public, s.handleServiceWorker},
		{"GET /staff/capture/saved", capturers, s.handleCaptureSaved},
		{"GET /staff/moderation", moderators, s.handleModerationQueue},
		{"GET /staff/moderation/{id}", moderators, s.handleModerationView},
		{"POST /staff/moderation/{id}/redact", moderators, s.handleModerationRedact},
		{"POST /staff/moderation/{id}/approve", moderators, s.handleModerationApprove},
		{"POST /staff/moderation/{id}/reject", moderators, s.handleModerationReject},
		{"POST /staff/moderation/{id}/safeguarding", moderators, s.handleSafeguardingEscalate},

		{"GET /staff/users", adminOnly, s.handleUsers},
		{"GET /staff/users/new", adminOnly, s.handleUserNew},
		{"POST /staff/users", adminOnly, s.handleUserCreate},
		{"GET /staff/users/{id}", adminOnly, s.handleUserEdit},
		{"POST /staff/users/{id}", adminOnly, s.handleUserUpdate},
		{"POST /staff/users/{id}/disable", adminOnly, s.handleUserDisable},
		{"POST /staff/users/{id}/enable", adminOnly, s.handleUserEnable},
		{"POST /staff/users/{id}/reset", adminOnly, s.handleUserReset},
		{"GET /staff/audit", protectors, s.handleAudit},
		{"GET /staff/audit/export.csv", protectors, s.handleAuditCSV},
		{"GET /staff/programme", adminOnly, s.handleProgramme},
		{"POST /staff/programme", adminOnly, s.handleProgrammeSettings},
		{"GET /staff/programme/config.json", adminOnly, s.handleProgrammeExport},
		{"POST /staff/programme/import", adminOnly, s.handleProgrammeImport},
	}...)
}

// Handler returns the whole application: middleware around the router.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		h := s.guard(rt.Access, rt.Handler)
		if usesDrafts(rt.Pattern) {
			h = guardSession(s.drafts.LoadAndSave(h))
		}
		mux.Handle(rt.Pattern, named(h))
	}
	static, _ := fs.Sub(ui.Static, "static")
	files := http.FileServerFS(static)
	mux.Handle("GET /static/", named(http.StripPrefix("/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		files.ServeHTTP(w, r)
	}))))
	// Unknown paths get the translated not-found page (and wrong methods
	// on known paths get a translated 405).
	mux.Handle("/", named(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.errorPage(w, r, http.StatusNotFound) })))

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.errorPage(w, r, http.StatusForbidden) }))

	var h http.Handler = mux
	h = s.loadUser(h)
	h = guardSession(s.sessions.LoadAndSave(h))
	h = cop.Handler(h)
	h = s.language(h)
	h = s.secure(h)
	h = s.observe(h)
	return h
}

// wantsJSON reports whether the request is the page's script asking for
// a JSON answer.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Accept"), "application/json")
}

// named records the matched pattern for the request log and metrics.
func named(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqCtx(r).route = r.Pattern
		h.ServeHTTP(w, r)
	})
}

// guard enforces a route's access rule. Anonymous visitors to a staff
// page are sent to sign in; signed-in staff without the role get 403;
// staff who must enrol a second factor are sent to do that first.
func (s *Server) guard(a Access, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a.Public {
			next(w, r)
			return
		}
		u := reqCtx(r).user
		if u == nil {
			if r.Method == http.MethodGet {
				redirect(w, r, "/login")
				return
			}
			if wantsJSON(r) { // the capture page's queue: sign in again, then send
				s.queueAnswer(w, http.StatusUnauthorized, map[string]string{"status": "signed_out"})
				return
			}
			if s.keepPendingPost(w, r) {
				return
			}
			s.errorPage(w, r, http.StatusForbidden)
			return
		}
		allowed := false
		for _, role := range a.Roles {
			allowed = allowed || u.Role == role
		}
		if !allowed {
			s.errorPage(w, r, http.StatusForbidden)
			return
		}
		if s.needsTOTP(u) && r.URL.Path != "/staff/account/security-code" && r.URL.Path != "/staff/account/security-code/qr.png" {
			redirect(w, r, "/staff/account/security-code")
			return
		}
		next(w, r)
	})
}
