package app

import (
	"context"
	"fmt"

	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/store"
)

// demoAwareness loads the demo awareness pages on first start: NHS
// screening programmes, symptoms to see a GP about and how to ask for an
// interpreter, in every demo language, published, each marked as demo content to be reviewed by the
// programme's clinical lead. It adds nothing when pages already exist.
func demoAwareness(ctx context.Context, st *store.Store) error {
	if has, err := st.HasAwarenessPages(ctx); err != nil || has {
		return err
	}
	pages, err := awareness.Demo()
	if err != nil {
		return err
	}
	for _, p := range pages {
		if _, err := st.CreateAwarenessPage(ctx, "system", p.Slug, p.Position); err != nil {
			return fmt.Errorf("awareness page %s: %w", p.Slug, err)
		}
		for _, t := range p.Texts {
			if err := st.SaveAwarenessText(ctx, "system", p.Slug, t); err != nil {
				return fmt.Errorf("awareness page %s [%s]: %w", p.Slug, t.Lang, err)
			}
		}
		if err := st.SetAwarenessPublished(ctx, "system", p.Slug, i18n.Fallback, true); err != nil {
			return fmt.Errorf("publish awareness page %s: %w", p.Slug, err)
		}
	}
	return nil
}
