package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/web"
)

// runJobs lists the scheduled jobs or runs one now, taking the same
// database lease the server's runner takes.
func runJobs(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "run") {
		return fmt.Errorf("%w: hearme jobs list | hearme jobs run NAME", errUsage)
	}
	action, rest := args[0], args[1:]
	name := ""
	if action == "run" {
		if len(rest) == 0 {
			return fmt.Errorf("%w: hearme jobs run NAME", errUsage)
		}
		name, rest = rest[0], rest[1:]
	}
	cfg, _, err := loadConfig(env, "jobs", rest, nil)
	if err != nil {
		return err
	}
	log := logger(env, cfg)
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	host, _ := os.Hostname()
	r := jobs.NewRunner(st, fmt.Sprintf("cli-%s-%d", host, os.Getpid()), log)
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		return err
	}
	cat, err := web.Catalogue()
	if err != nil {
		return err
	}
	for _, j := range app.Jobs(app.JobDeps{Config: cfg, Store: st, Log: log, Rules: app.RetentionRules(cfg), Keys: keys, Catalog: cat}) {
		if action == "list" {
			fmt.Fprintf(env.Stdout, "%-28s every %s\n", j.Name, j.Every)
			continue
		}
		if j.Name == name {
			r.Add(j)
			ran, err := r.RunOnce(ctx, r.Jobs()[0])
			if err != nil {
				return err
			}
			if !ran {
				return fmt.Errorf("job %s is running on another instance", name)
			}
			fmt.Fprintf(env.Stdout, "job %s done\n", name)
			return nil
		}
	}
	if action == "run" {
		return fmt.Errorf("%w: no job named %q (see hearme jobs list)", errUsage, name)
	}
	return nil
}
