package cli

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
)

// runRetention shows (--dry-run) or enforces (--apply) the retention
// rules, printing how many records each rule would remove or removed.
// The daily "retention" job applies the same rules.
func runRetention(ctx context.Context, env Env, args []string) error {
	var dryRun, apply bool
	cfg, _, err := loadConfig(env, "retention", args, func(fs *flag.FlagSet) {
		fs.BoolVar(&dryRun, "dry-run", false, "print what each rule would remove and change nothing")
		fs.BoolVar(&apply, "apply", false, "remove what each rule says is due and print the counts")
	})
	if err != nil {
		return err
	}
	if dryRun == apply {
		return fmt.Errorf("%w: hearme retention --dry-run | --apply (exactly one)", errUsage)
	}
	rules := app.RetentionRules(cfg)
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	// Deletions are audited: with the chain's key, like the server.
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), true); err != nil {
		return err
	}
	now := time.Now().UTC()
	if dryRun {
		plan, err := rules.Plan(ctx, st, now)
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "retention dry run: nothing changed")
		printCounts(env, plan.Counts, "would be removed")
		return nil
	}
	res, err := rules.Apply(ctx, st, now)
	printCounts(env, res.Counts, "removed")
	return err
}

func printCounts(env Env, counts []retention.Count, verb string) {
	for _, c := range counts {
		line := fmt.Sprintf("%-22s %d %s (kept %s)", c.Rule+":", c.Records, verb, c.Keep)
		if c.Note != "" {
			line += "; " + c.Note
		}
		fmt.Fprintln(env.Stdout, line)
	}
}
