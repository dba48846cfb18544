package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
)

// runDemo loads a programme configuration: the Luton demo, or another
// area's own file with --file.
func runDemo(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "remove" {
		return runDemoRemove(ctx, env, args[1:])
	}
	if len(args) == 0 || (args[0] != "load" && args[0] != "reset") {
		return fmt.Errorf("%w: hearme demo load [--file programme.json] | hearme demo reset | hearme demo remove [--dry-run]", errUsage)
	}
	var file string
	cfg, _, err := loadConfig(env, "demo "+args[0], args[1:], func(fs *flag.FlagSet) {
		fs.StringVar(&file, "file", "", "a programme configuration file (JSON) to load instead of the Luton demo")
	})
	if err != nil {
		return err
	}
	c := demo.Luton()
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if c, err = programme.Parse(b); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	// The change is audited: with the chain's key, like the server.
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), true); err != nil {
		return err
	}
	if err := st.ReplaceProgramme(ctx, "cli", c); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "programme %q loaded: %d languages, %d communities, %d pathway stages, %d organisations\n",
		c.Settings.Name, len(c.Languages), len(c.Communities), len(c.Stages), len(c.Organisations))
	return nil
}

// runDemoRemove takes every demo event, support service, awareness page
// and training module out of the database in one transaction (audited),
// or with --dry-run says how many there are. The programme's
// configuration stays: replace it with `hearme demo load --file`.
func runDemoRemove(ctx context.Context, env Env, args []string) error {
	var dry bool
	cfg, _, err := loadConfig(env, "demo remove", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "only count the demo content")
	})
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	// The removal is audited: with the chain's key, like the server.
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), true); err != nil {
		return err
	}
	var c store.DemoCounts
	verb := "removed"
	if dry {
		verb = "would remove"
		c, err = st.CountDemo(ctx)
	} else {
		c, err = st.RemoveDemo(ctx, "cli")
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "demo content %s: %d events, %d support services, %d awareness pages, %d training modules, %d experiences, %d recommendations\n",
		verb, c.Events, c.SupportServices, c.AwarenessPages, c.TrainingModules, c.Experiences, c.Recommendations)
	return nil
}
