package app

import (
	"context"

	"github.com/hearme-project/hearme/internal/store"
)

// demoChampions loads the demo champion training modules on first start.
func demoChampions(ctx context.Context, st *store.Store) error { return nil }
