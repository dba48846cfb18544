package cli

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/hearme-project/hearme/internal/app"
)

func runServe(ctx context.Context, env Env, args []string) error {
	start := time.Now()
	cfg, _, err := loadConfig(env, "serve", args, nil)
	if err != nil {
		return err
	}
	log := logger(env, cfg)
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	link, err := a.EnsureFirstAdmin(ctx, base)
	if err != nil {
		return err
	}
	log.Info("hearme listening", "addr", ln.Addr().String(), "database", string(a.Store.Dialect()), "startup_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(env.Stdout, "hearme is running at %s\n", base)
	if link != "" {
		fmt.Fprintf(env.Stdout, "\nNo accounts yet. Create the first administrator with this one-time link (valid 72 hours):\n\n  %s\n\n", link)
	}
	return a.Serve(ctx, ln)
}
