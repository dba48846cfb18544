package app

import (
	"context"

	"github.com/hearme-project/hearme/internal/store"
)

// demoAwareness loads the demo awareness pages on first start.
func demoAwareness(ctx context.Context, st *store.Store) error { return nil }
