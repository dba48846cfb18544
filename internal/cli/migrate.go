package cli

import (
	"context"
	"fmt"

	"github.com/hearme-project/hearme/internal/store"
)

func runMigrate(ctx context.Context, env Env, args []string) error {
	cfg, _, err := loadConfig(env, "migrate", args, nil)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(env.Stdout, "applied", m)
	}
	return nil
}
