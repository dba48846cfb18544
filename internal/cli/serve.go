package cli

import (
	"context"
	"fmt"
	"net"
	"runtime/debug"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
)

func runServe(ctx context.Context, env Env, args []string) error {
	start := time.Now()
	cfg, _, err := loadConfig(env, "serve", args, nil)
	if err != nil {
		return err
	}
	log := logger(env, cfg)
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	if cfg.BaseURL == "" {
		// Development: links in emails and set-up links name the
		// address actually listened on (the port may have been 0).
		cfg.BaseURL = config.ListenURL(ln.Addr().String())
		if !config.LoopbackAddr(ln.Addr().String()) {
			log.Warn("no --base-url: links in emails name the listening address, which other people may not reach; set --base-url to the site's public address",
				"addr", ln.Addr().String(), "base_url", cfg.BaseURL)
		}
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()
	base := cfg.PublicURL()
	link, pending, err := a.FirstAdminLink(ctx, base)
	if err != nil {
		return err
	}
	// Start-up leaves garbage behind (parsing templates and catalogues,
	// migrations, demo data) that an idle server would otherwise hold
	// until its first collection under traffic: collect it, beside the
	// first requests rather than before them, and hand the memory back
	// (docs/performance.md, section 4).
	go debug.FreeOSMemory()
	log.Info("hearme listening", "addr", ln.Addr().String(), "database", string(a.Store.Dialect()), "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(env.Stdout, "hearme is running at %s\n", base)
	if link != "" {
		fmt.Fprintf(env.Stdout, "\nNo accounts yet. Create the first administrator with this one-time link (valid 72 hours):\n\n  %s\n\n", link)
	} else if !pending.IsZero() {
		fmt.Fprintf(env.Stdout, "\nNo accounts yet. A one-time link for the first administrator was already printed (by this instance before a restart, or by another instance) and works until %s UTC.\nIf it is lost: hearme admin create --email you@example.org --name \"Your name\" --role admin\n\n",
			pending.Format("2006-01-02 15:04"))
	}
	return a.Serve(ctx, ln)
}
