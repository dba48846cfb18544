package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/synthetic"
)

// runSynthetic loads an invented programme for measuring at scale
// (docs/performance.md): hearme synthetic seed --experiences N. Every
// row is marked synthetic; a database with real experiences or events
// is refused.
func runSynthetic(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && args[0] == "finish" {
		return runSyntheticFinish(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "seed" {
		return fmt.Errorf("%w: hearme synthetic seed [--experiences N] [--codings 3] [--events N] [--seed N] [--from YYYY-MM-DD] [--to YYYY-MM-DD] | hearme synthetic finish", errUsage)
	}
	var n, events, batch int
	var codings float64
	var seed uint64
	var from, to string
	cfg, _, err := loadConfig(env, "synthetic seed", args[1:], func(fs *flag.FlagSet) {
		fs.IntVar(&n, "experiences", 10000, "how many synthetic experiences to add")
		fs.Float64Var(&codings, "codings", 3, "codings per experience on average")
		fs.IntVar(&events, "events", 300, "how many synthetic events they were heard at")
		fs.Uint64Var(&seed, "seed", 1, "the same seed makes the same programme")
		fs.StringVar(&from, "from", "2024-01-01", "first day experiences were shared")
		fs.StringVar(&to, "to", "2026-12-01", "day after the last")
		fs.IntVar(&batch, "batch", 10000, "experiences per transaction")
	})
	if err != nil {
		return err
	}
	start, err1 := time.Parse(time.DateOnly, from)
	end, err2 := time.Parse(time.DateOnly, to)
	if err := errors.Join(err1, err2); err != nil || !end.After(start) || n < 1 || codings <= 0 {
		return fmt.Errorf("%w: --experiences at least 1, --codings above 0, --from and --to dates (YYYY-MM-DD), --to after --from", errUsage)
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		return err
	}
	// Refused before anything is written, programme and codebook included.
	if err := st.SyntheticAllowed(ctx); err != nil {
		return err
	}
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), true); err != nil {
		return err
	}
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		return err
	}
	st.UseKeys(keys)
	if has, err := st.HasProgramme(ctx); err != nil {
		return err
	} else if !has {
		if err := st.ReplaceProgramme(ctx, "synthetic", demo.Luton()); err != nil {
			return err
		}
	}
	if has, err := st.HasCodes(ctx); err != nil {
		return err
	} else if !has {
		codes, err := demo.Codebook()
		if err != nil {
			return err
		}
		if _, _, err := st.ImportCodes(ctx, "synthetic", codes, true); err != nil {
			return err
		}
	}
	prog, err := st.Programme(ctx)
	if err != nil {
		return err
	}
	stored, err := st.Codes(ctx)
	if err != nil {
		return err
	}
	var codes []analysis.Code
	for _, c := range stored {
		codes = append(codes, c.Code)
	}
	g, err := synthetic.New(synthetic.Options{Experiences: n, Codings: codings, Events: events, From: start, To: end, Seed: seed}, prog, codes)
	if err != nil {
		return err
	}
	t0 := time.Now()
	err = st.LoadSynthetic(ctx, g.Events(), g.Next, batch, func(done int) {
		el := time.Since(t0)
		fmt.Fprintf(env.Stdout, "%d of %d experiences written (%s, %.0f a second)\n", done, n, el.Round(time.Second), float64(done)/el.Seconds())
	})
	if err != nil {
		return err
	}
	exps, cods, err := st.CountSynthetic(ctx)
	if err != nil {
		return err
	}
	if err := st.AppendAudit(ctx, "cli", "synthetic.seeded", "", fmt.Sprintf(`{"experiences":%d,"seed":%d}`, n, seed)); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "synthetic programme: %d experiences with %d codings in the database (this run: %d in %s)\n", exps, cods, n, time.Since(t0).Round(time.Second))
	return nil
}

// runSyntheticFinish finishes a load that was stopped after its
// experiences were written: search indexes, breakdown counts, statistics.
func runSyntheticFinish(ctx context.Context, env Env, args []string) error {
	cfg, _, err := loadConfig(env, "synthetic finish", args, nil)
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
	if err := st.SyntheticAllowed(ctx); err != nil {
		return err
	}
	t0 := time.Now()
	if err := st.FinishSynthetic(ctx); err != nil {
		return err
	}
	exps, cods, err := st.CountSynthetic(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "synthetic programme: %d experiences with %d codings, counted in %s\n", exps, cods, time.Since(t0).Round(time.Second))
	return nil
}
