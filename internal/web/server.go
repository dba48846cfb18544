// Package web serves hearme's HTML pages. Handlers live on Server, which
// holds their dependencies; routes.go lists every route with the roles
// allowed to use it.
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/hearme-project/hearme/internal/accountability"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
	"github.com/hearme-project/hearme/ui"
)

// Server holds what the handlers need.
type Server struct {
	cfg      config.Config
	store    *store.Store
	cat      *i18n.Catalogue
	keys     *sealed.Keyring
	sessions *scs.SessionManager // staff: idle timeout, sign-in
	drafts   *scs.SessionManager // residents' drafts: drafts.go
	pdfs     pdfCache            // the report's PDF by language: report_print.go
	throttle *auth.Throttle
	log      *slog.Logger
	metrics  *Metrics
	gatherer prometheus.Gatherer
	pages    *pageTemplates // parsed on first use: templates.go
	assets   map[string]string
	styles   []string // style sheets other than app.css, in name order
	site     atomic.Pointer[site]
	forms    *abuse.Guard // public forms: time tokens, honeypot, rate limits
	mail     *mail.Composer
	now      func() time.Time

	supportDir  supportCache          // the support directory in memory: support_directory.go
	signpostBuf signpostBuffer        // signposting counts waiting to be written: support_counts.go
	health      writeHealth           // the last database write probe (/healthz)
	suggest     *suggester            // the coding suggestion model: analysis.go
	policy      accountability.Policy // responses, commitments, updates: commitments.go
	reviewOpen  reviewOpenCache       // whether a draft is open for community review: report_review.go
}

// site is what pages read from the programme configuration, replaced as
// a whole when the configuration changes, with the caches built from it.
type site struct {
	prog    programme.Config
	codes   []string
	chooser *i18n.Chooser
	loc     *time.Location
	pages   sync.Map // cache key -> []byte: rendered anonymous pages
}

// formLimits are the per-address limits of the public forms. They are
// generous on purpose: at a drop-in session many residents share from
// one library or community-centre address, and a person refused by a
// limit loses their story. They stop floods, not people.
var formLimits = abuse.LimiterConfig{Forms: map[string]abuse.Limit{
	"share": {Every: 30 * time.Second, Burst: 30},
	"idea":  {Every: 30 * time.Second, Burst: 30},
	// Registrations: a mosque, community centre or library registers a
	// hall full of people from one Wi-Fi address, so the address has a
	// bucket per event (250 at once, then one every 2 s) and a higher
	// ceiling across all events (600 at once, then one a second); a
	// script registering thousands is still stopped, and nobody refused
	// is told they have a place (see handleEventRegister).
	"register-event": {Every: 2 * time.Second, Burst: 250},
	"register":       {Every: time.Second, Burst: 600},
	"invite":         {Every: time.Minute, Burst: 10},
	"champion":       {Every: time.Minute, Burst: 10},
	"signpost":       {Every: time.Second, Burst: 120},     // counting a click on a support service
	"review":         {Every: 30 * time.Second, Burst: 30}, // ranking the drafts open for community review (a venue's shared address)
	// Following the report: a hall of people at a feedback event may
	// subscribe from one address.
	"subscribe": {Every: 10 * time.Second, Burst: 60},
	// A subscriber changing their language or what they follow (a
	// digest's manage link).
	"subscribe-manage": {Every: 10 * time.Second, Burst: 60},
}}

// Deps are the parts the composition root hands the web layer.
type Deps struct {
	Config   config.Config
	Store    *store.Store
	Catalog  *i18n.Catalogue
	Keys     *sealed.Keyring
	Sessions *scs.SessionManager
	Logger   *slog.Logger
	Registry *prometheus.Registry
}

// New builds the server. Each page's template is parsed once, on the
// page's first use (templates.go), never per request.
func New(ctx context.Context, d Deps) (*Server, error) {
	s := &Server{cfg: d.Config, store: d.Store, cat: d.Catalog, keys: d.Keys, sessions: d.Sessions, log: d.Logger,
		gatherer: d.Registry, now: time.Now, suggest: &suggester{}}
	s.throttle = auth.NewThrottle(auth.ThrottleConfig{}, time.Now)
	// Form tokens are signed with a key derived from the shared keyring,
	// so any instance can check a token another issued.
	minFill := d.Config.FormMinFill
	if minFill == 0 {
		minFill = 3 * time.Second
	}
	limits := formLimits
	limits.Exempt = d.Config.FormLimitExempt
	s.forms = abuse.NewGuard(abuse.NewSigner(d.Keys.Derive("form-tokens"), time.Now, abuse.WithMinAge(minFill)),
		abuse.NewLimiter(limits, time.Now), abuse.NewSeen(0))
	// A session that cannot be loaded or saved (a full disk) gets the
	// translated page that keeps the answers, not scs's bare text/plain 500.
	d.Sessions.ErrorFunc = s.sessionFailed
	s.drafts = newDrafts(d.Sessions, s.forms.Signer().MaxAge(), d.Config.Secure())
	s.metrics = newMetrics(d.Registry)
	var err error
	if s.policy, err = accountability.PolicyFrom(d.Config.ResponseWorkingDays, d.Config.UpdateWorkingDays, d.Config.CommitmentStatuses); err != nil {
		return nil, err
	}
	if err := s.ReloadProgramme(ctx); err != nil {
		return nil, err
	}
	if s.mail, err = mail.NewComposer(d.Catalog, d.Keys, s.mailSite); err != nil {
		return nil, err
	}
	if s.pages, err = newPageTemplates(); err != nil {
		return nil, err
	}
	if err := s.hashAssets(); err != nil {
		return nil, err
	}
	return s, nil
}

// ReloadProgramme re-reads the programme configuration (after an admin
// changes it, and every half minute so that all instances see a change);
// pages read it from memory. An unchanged configuration keeps its caches.
func (s *Server) ReloadProgramme(ctx context.Context) error {
	p, err := s.store.Programme(ctx)
	if err != nil {
		return fmt.Errorf("load programme: %w", err)
	}
	if len(p.Languages) == 0 {
		p.Languages = []programme.Language{{Code: "en", NativeName: "English", EnglishName: "English"}}
	}
	for _, l := range p.Languages {
		if !s.cat.Has(l.Code) {
			return fmt.Errorf("language %q is configured but has no translation catalogue", l.Code)
		}
	}
	if old := s.site.Load(); old != nil && reflect.DeepEqual(old.prog, p) {
		return nil
	}
	loc, err := time.LoadLocation(p.Settings.TimeZone)
	if err != nil || p.Settings.TimeZone == "" {
		loc = time.UTC
	}
	codes := make([]string, len(p.Languages))
	for i, l := range p.Languages {
		codes[i] = l.Code
	}
	s.site.Store(&site{prog: p, codes: codes, chooser: i18n.NewChooser(codes), loc: loc})
	return nil
}

// WatchProgramme reloads the configuration every interval until ctx
// ends, so a change made on one instance reaches the others.
func (s *Server) WatchProgramme(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.ReloadProgramme(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("reload programme", "err", err.Error())
			}
		}
	}
}

func (s *Server) programme() *programme.Config { return &s.site.Load().prog }

// mailSite is what emails say of the programme.
func (s *Server) mailSite() mail.Site {
	p := s.programme()
	site := mail.Site{Name: p.Settings.Name, BaseURL: s.cfg.PublicURL()}
	for _, l := range p.Languages {
		if l.RTL {
			site.RTL = append(site.RTL, l.Code)
		}
	}
	return site
}

func (s *Server) hashAssets() error {
	s.assets = map[string]string{}
	return fs.WalkDir(ui.Static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(ui.Static, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := p[len("static/"):]
		s.assets[name] = "/" + p + "?v=" + hex.EncodeToString(sum[:6])
		if path.Ext(name) == ".css" && name != "app.css" && !strings.Contains(name, "/") {
			s.styles = append(s.styles, name) // WalkDir walks in name order
		}
		return nil
	})
}

// render writes a page. Rendering goes to a buffer first so a template
// error becomes a clean error page, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	b, err := s.execute(name, p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.write(w, status, p.Lang, b)
}

func (s *Server) execute(name string, p *Page) ([]byte, error) {
	t, err := s.pages.page(name)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

func (s *Server) write(w http.ResponseWriter, status int, lang string, b []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.WriteHeader(status)
	w.Write(b)
}

// renderStatic serves a page whose content depends only on the programme
// configuration and the language: the public information pages seen by
// someone not signed in. It is rendered once per language and kept until
// the configuration changes, so these pages cost no template work.
func (s *Server) renderStatic(w http.ResponseWriter, r *http.Request, name string, build func(p *Page)) {
	rc := reqCtx(r)
	st := s.site.Load()
	if rc.user != nil {
		p := s.newPage(r)
		build(p)
		s.render(w, r, http.StatusOK, name, p)
		return
	}
	key := fmt.Sprintf("%s|%s|%s|%t|%t", name, rc.lang, r.URL.Path, rc.langChanged, rc.langUnavailable)
	if b, ok := st.pages.Load(key); ok {
		s.write(w, http.StatusOK, rc.lang, b.([]byte))
		return
	}
	p := s.newPage(r)
	build(p)
	b, err := s.execute(name, p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	st.pages.Store(key, b)
	s.write(w, http.StatusOK, rc.lang, b)
}

type errorPage struct{ Title, Text string }

// errorPage renders a plain, translated error page with no internal detail.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int) {
	e := errorPage{"error.server_title", "error.server_text"}
	switch status {
	case http.StatusNotFound:
		e = errorPage{"error.not_found_title", "error.not_found_text"}
	case http.StatusForbidden:
		e = errorPage{"error.forbidden_title", "error.forbidden_text"}
	case http.StatusRequestEntityTooLarge:
		e = errorPage{"error.too_large_title", "error.too_large_text"}
	case http.StatusMethodNotAllowed:
		e = errorPage{"error.method_title", "error.method_text"}
	case http.StatusBadRequest:
		e = errorPage{"error.form_expired", "error.method_text"}
	}
	p := s.newPage(r)
	p.Data = e
	var buf bytes.Buffer
	t, err := s.pages.page("error")
	if err == nil {
		err = t.ExecuteTemplate(&buf, "layout", p)
	}
	if err != nil {
		s.log.Error("render error page", "err", err)
		http.Error(w, http.StatusText(status), status)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// serverError logs the internal error and shows a generic page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "route", reqCtx(r).route, "err", err.Error())
	s.errorPage(w, r, http.StatusInternalServerError)
}

// formError answers a form that could not be read at all.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, form.ErrTooLarge) {
		s.errorPage(w, r, http.StatusRequestEntityTooLarge)
		return
	}
	s.errorPage(w, r, http.StatusBadRequest)
}

// redirect sends a See Other, so a refreshed page never re-posts.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// storeFailed answers a request whose store call failed: the translated
// not-found page for ErrNotFound (an unknown or forged id), the generic
// error page otherwise. It reports whether it answered.
func (s *Server) storeFailed(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound)
	default:
		s.serverError(w, r, err)
	}
	return true
}
