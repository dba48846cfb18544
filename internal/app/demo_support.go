package app

import (
	"context"

	"github.com/hearme-project/hearme/internal/store"
)

// demoSupport loads the demo support services on first start.
func demoSupport(ctx context.Context, st *store.Store) error { return nil }
