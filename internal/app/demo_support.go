package app

import (
	"context"
	"fmt"

	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

// demoSupport loads the demo support services on first start: real
// national services (not marked as checked: see docs/support.md) and
// clearly marked example local ones.
func demoSupport(ctx context.Context, st *store.Store) error {
	svs, err := demo.SupportServices()
	if err != nil {
		return err
	}
	if _, _, err := st.ImportSupportServices(ctx, "system", svs); err != nil {
		return fmt.Errorf("demo support services: %w", err)
	}
	return nil
}
