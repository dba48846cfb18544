package cli

import (
	"context"
	"fmt"

	"github.com/hearme-project/hearme/internal/store"
)

// runAudit verifies the audit trail's hash chain and reports the first
// broken link (exit code 1 when broken).
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
	brk, n, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if brk != nil {
		return fmt.Errorf("audit trail broken at entry %d: %s (%d entries before it are intact)", brk.Seq, brk.Reason, n)
	}
	fmt.Fprintf(env.Stdout, "audit trail intact: %d entries verified\n", n)
	return nil
}
