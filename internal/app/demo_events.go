package app

import (
	"context"

	"github.com/hearme-project/hearme/internal/store"
)

// demoEvents loads the demo events on first start.
func demoEvents(ctx context.Context, st *store.Store) error { return nil }
