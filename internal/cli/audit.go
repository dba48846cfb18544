package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/store"
)

// runAudit verifies the audit trail's hash chain (keyed with the audit
// key) against its last checkpoint and reports the first broken link
// (exit code 1 when broken).
func runAudit(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "verify" {
		return fmt.Errorf("%w: hearme audit verify", errUsage)
	}
	cfg, _, err := loadConfig(env, "audit verify", args[1:], nil)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	// The key and the checkpoint come from the data directory, never the
	// database: a rewritten or cut-short trail does not verify.
	if err := app.UseAuditTrust(ctx, cfg, st, logger(env, cfg), false); err != nil {
		return err
	}
	brk, n, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if brk != nil {
		return fmt.Errorf("audit trail broken at entry %d: %s (%d entries before it are intact)", brk.Seq, brk.Reason, n)
	}
	fmt.Fprintf(env.Stdout, "audit trail intact: %d entries verified\n", n)
	// A restored copy says so: its trail goes on from the backup's.
	r, restored, err := st.LastRestore(ctx)
	if err != nil {
		return err
	}
	if restored {
		fmt.Fprintf(env.Stdout, "restored on %s from a backup taken at %s\n", r.RestoredAt.UTC().Format(time.RFC3339), r.TakenAt.UTC().Format(time.RFC3339))
	}
	return nil
}
