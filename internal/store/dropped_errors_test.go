package store_test

import (
	"testing"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// A service whose stored summaries cannot be read is an error, not a
// service shown without its translations.
func TestSupportServiceUnreadableSummariesIsAnError(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		sv := service("Somali circle", []string{"so", "en"}, []string{"emotional"}, "local")
		sv.Summaries = map[string]string{"so": "Taageero shucuureed"}
		id, err := s.CreateSupportService(ctx, "staff-1", sv)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SupportService(ctx, id); err != nil {
			t.Fatalf("readable service: %v", err)
		}
		if _, err := s.WriteDB().ExecContext(ctx, rebind(s, "UPDATE support_services SET summaries = 'not json' WHERE id = ?"), id); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SupportService(ctx, id); err == nil {
			t.Fatal("a service with unreadable summaries was read without an error")
		}
	})
}
