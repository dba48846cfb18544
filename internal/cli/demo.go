package cli

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
)

// runDemo loads a programme configuration: the Luton demo, or another
// area's own file with --file.
func runDemo(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || (args[0] != "load" && args[0] != "reset") {
		return fmt.Errorf("%w: hearme demo load [--file programme.json] | hearme demo reset", errUsage)
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
	if err := st.ReplaceProgramme(ctx, "cli", c); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "programme %q loaded: %d languages, %d communities, %d pathway stages, %d organisations\n",
		c.Settings.Name, len(c.Languages), len(c.Communities), len(c.Stages), len(c.Organisations))
	return nil
}
