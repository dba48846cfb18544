// Package app is the composition root: it opens the store, loads the
// programme and translations, builds the web server and the jobs, and
// shuts everything down gracefully.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web"
)

// App is a running hearme.
type App struct {
	Config   config.Config
	Store    *store.Store
	Web      *web.Server
	Jobs     *jobs.Runner
	Log      *slog.Logger
	Registry *prometheus.Registry
	sessions *scs.SessionManager
	stopSess func()
	mail     *mail.Sender // the outbox's sender, run by Serve
	keys     *sealed.Keyring
}

// KeyringEvery is how often a running server looks at its keyring file.
const KeyringEvery = 2 * time.Second

// NewLogger makes the JSON logger every part shares.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level // info when level is empty or unknown (config.Validate refuses an unknown one)
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// OpenStore opens and migrates the database, and on first start loads
// the demo programme when configured to.
func OpenStore(ctx context.Context, cfg config.Config, log *slog.Logger) (*store.Store, error) {
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	if err := UseAuditTrust(ctx, cfg, st, log, true); err != nil {
		st.Close()
		return nil, err
	}
	// Experiences' text is sealed with keys of their own, themselves
	// sealed with the keyring; text stored before that is sealed now.
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		st.Close()
		return nil, err
	}
	st.UseKeys(keys)
	if n, err := st.SealExistingExperiences(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("seal existing experiences: %w", err)
	} else if n > 0 {
		log.Info("existing experiences sealed", "count", n)
	}
	// Contact details stored before the lookup hashes existed get them,
	// so FindPerson finds them by email or phone.
	if n, err := st.IndexLookupKeys(ctx, false); err != nil {
		st.Close()
		return nil, fmt.Errorf("lookup hashes: %w", err)
	} else if n > 0 {
		log.Info("lookup hashes written", "rows", n)
	}
	// Experiences approved before search existed get their search
	// documents (a no-op once each has one); the text is read with the
	// keys, so this comes after them.
	if n, err := st.IndexApproved(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("search index: %w", err)
	} else if n > 0 {
		log.Info("search documents written", "experiences", n)
	}
	// Likewise the breakdown counts of experiences approved before they
	// were kept.
	if n, err := st.CountUncounted(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("breakdown counts: %w", err)
	} else if n > 0 {
		log.Info("breakdown counts added", "experiences", n)
	}
	has, err := st.HasProgramme(ctx)
	if err != nil {
		st.Close()
		return nil, err
	}
	if !has && cfg.Demo {
		if err := st.ReplaceProgramme(ctx, "system", demo.Luton()); err != nil {
			st.Close()
			return nil, fmt.Errorf("load demo programme: %w", err)
		}
		// Each part loads its own demo records (support services,
		// awareness pages, events, training modules).
		for _, load := range []func(context.Context, *store.Store) error{demoSupport, demoAwareness, demoEvents, demoChampions, demoAnalysis, demoAccountability} {
			if err := load(ctx, st); err != nil {
				st.Close()
				return nil, fmt.Errorf("load demo data: %w", err)
			}
		}
		// Everything in the database now is the demo's: marked, so that
		// `hearme demo remove` takes it out before real use.
		if err := st.MarkDemo(ctx); err != nil {
			st.Close()
			return nil, fmt.Errorf("mark demo data: %w", err)
		}
		log.Info("demo programme loaded")
	}
	return st, nil
}

// New builds the application.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	st, err := OpenStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Store: st, Log: log, Registry: prometheus.NewRegistry()}
	a.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := privateDataDir(cfg.DataDir); err != nil {
		st.Close()
		return nil, err
	}
	// One keyring for the store, the web tier and the jobs, following its
	// file: `hearme keys rotate` adds a key there (Serve watches it).
	keys := st.Keys()
	a.keys = keys
	cat, err := web.Catalogue()
	if err != nil {
		st.Close()
		return nil, err
	}
	a.sessions = NewSessions(cfg, st)
	a.Web, err = web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: a.sessions, Logger: log, Registry: a.Registry})
	if err != nil {
		a.Close()
		return nil, err
	}
	host, _ := os.Hostname()
	a.Jobs = jobs.NewRunner(st, fmt.Sprintf("%s-%d-%s", host, os.Getpid(), auth.RandomToken(4)), log)
	jobRuns := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "hearme_job_runs_total", Help: "Background job runs by job and result."}, []string{"job", "result"})
	a.Registry.MustRegister(jobRuns)
	a.Jobs.OnRun = func(name string, err error, _ time.Duration) {
		result := "ok"
		if err != nil {
			result = "error"
		}
		jobRuns.WithLabelValues(name, result).Inc()
	}
	deps := JobDeps{Config: cfg, Store: st, Log: log, Rules: RetentionRules(cfg), Keys: keys, Catalog: cat}
	for _, j := range Jobs(deps) {
		a.Jobs.Add(j)
	}
	a.mail = newMailSenderLoop(deps, a.Registry)
	return a, nil
}

// privateDataDir makes an existing data directory 0700: it holds the
// keyring and, in development, the emails written instead of sent. (On
// SQLite the store has already tightened it with the database files; an
// older install left it 0755.)
func privateDataDir(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) || err == nil && (!fi.IsDir() || fi.Mode().Perm()&0o077 == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("make the data directory private: %w", err)
	}
	return nil
}

// RetentionRules returns the retention rules with the configured
// durations.
func RetentionRules(cfg config.Config) retention.Rules {
	return retention.WithSettings(cfg.RetainContactDetails, cfg.RetainExperiences, cfg.RetainRegistrations, cfg.RetainChampionApplications, cfg.RetainChampionsLeft)
}

// JobDeps are what the scheduled jobs need.
type JobDeps struct {
	Config  config.Config
	Store   *store.Store
	Log     *slog.Logger
	Rules   retention.Rules
	Keys    *sealed.Keyring
	Catalog *i18n.Catalogue
}

// Jobs lists the scheduled jobs, for the runner and for `hearme jobs run`:
// the foundation's here, each part's in its own file.
func Jobs(d JobDeps) []jobs.Job {
	st, log, rules := d.Store, d.Log, d.Rules
	all := []jobs.Job{
		{Name: "retention", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			res, err := rules.Apply(ctx, st, time.Now().UTC())
			for _, c := range res.Counts {
				if c.Records > 0 {
					log.Info("retention: records deleted", "rule", c.Rule, "count", c.Records)
				}
			}
			return err
		}},
		{Name: "purge-expired-setup-links", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := st.PurgeExpiredSetupTokens(ctx)
			if n > 0 {
				log.Info("expired set-up links deleted", "count", n)
			}
			return err
		}},
		{Name: "verify-audit-trail", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			brk, n, err := st.VerifyAudit(ctx)
			if err != nil {
				return err
			}
			if brk != nil {
				return fmt.Errorf("audit trail broken at entry %d: %s", brk.Seq, brk.Reason)
			}
			log.Info("audit trail verified", "entries", n)
			return nil
		}},
	}
	all = append(all, auditJobs(d)...)
	all = append(all, mailJobs(d)...)
	all = append(all, erasureJobs(d)...)
	all = append(all, rightsJobs(d)...)
	all = append(all, accountabilityJobs(d)...)
	all = append(all, digestJobs(d)...)
	all = append(all, backupJobs(d)...)
	return append(all, eventJobs(d)...)
}

// NewSessions builds the session manager over the database, so any
// instance can serve any request (on SQLite, in a sessions file of its
// own beside the main database).
func NewSessions(cfg config.Config, st *store.Store) *scs.SessionManager {
	sm := scs.New()
	sm.Lifetime = cfg.SessionLifetime
	sm.IdleTimeout = cfg.SessionIdle
	sm.Cookie.Name = "hearme_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	if cfg.Secure() {
		sm.Cookie.Name = "__Host-hearme_session"
		sm.Cookie.Secure = true
	}
	sm.Store = st.SessionStore()
	return sm
}

// EnsureFirstAdmin returns a one-time link for creating the first
// administrator when there is no account yet ("" otherwise).
func (a *App) EnsureFirstAdmin(ctx context.Context, base string) (string, error) {
	link, _, err := a.FirstAdminLink(ctx, base)
	return link, err
}

// FirstAdminLink issues the first administrator's one-time link when
// there is no account and no unexpired link yet; when a link is already
// waiting (printed by another instance starting at the same time, or by
// this one before a restart) it returns no link and when that one
// expires, so that a second instance never cancels the first's link.
func (a *App) FirstAdminLink(ctx context.Context, base string) (link string, pendingUntil time.Time, err error) {
	token := auth.RandomToken(32)
	issued, until, err := a.Store.CreateFirstAdminToken(ctx, auth.HashToken(token), web.SetupLinkTTL)
	if err != nil || !issued {
		return "", until, err
	}
	return base + "/setup/" + token, time.Time{}, nil
}

// Serve listens until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Web.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	// The jobs due at start (all of them on a new database) are the
	// last of start-up's work: once they are done, collect what they
	// left and hand the memory back, so that an idle server holds only
	// what it uses (docs/performance.md, section 4).
	a.Jobs.AfterFirstRound = func() {
		a.Store.ReleaseIdle()
		debug.FreeOSMemory()
	}
	jobsDone := make(chan struct{})
	go func() { a.Jobs.Start(jobsCtx, time.Minute); close(jobsDone) }()
	mailDone := make(chan struct{})
	go func() { a.mail.Run(jobsCtx, MailEvery); close(mailDone) }()
	// Another instance may change the programme configuration.
	go a.Web.WatchProgramme(jobsCtx, 30*time.Second)
	// `hearme keys rotate` adds a key to the keyring file: new values are
	// sealed with it within KeyringEvery (docs/keys.md).
	go a.keys.Watch(jobsCtx, KeyringEvery, func(changed bool, err error) {
		if err != nil {
			a.Log.Error("keyring reload", "err", err.Error())
			return
		}
		a.Log.Info("keyring reloaded", "active_key", a.keys.Active(), "keys", len(a.keys.IDs()))
	})

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stopJobs()
		<-jobsDone
		<-mailDone
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(shutCtx)
	// Signposting counts are batched in memory; write what is left.
	if ferr := a.Web.FlushSupportCounts(shutCtx); ferr != nil {
		a.Log.Error("flush signposting counts", "err", ferr.Error())
	}
	stopJobs()
	<-jobsDone
	<-mailDone
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }
