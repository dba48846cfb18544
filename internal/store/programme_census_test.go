package store_test

import (
	"reflect"
	"testing"

	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestCensusIsStoredWithTheProgramme: the census figures load with the
// configuration, come back whole, survive an edit of the settings, and
// go when a configuration without them replaces it.
func TestCensusIsStoredWithTheProgramme(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		want := demo.Luton()
		if want.Census == nil || len(want.Census.Tables) == 0 {
			t.Fatal("the demo has no census")
		}
		if err := s.ReplaceProgramme(ctx, "test", want); err != nil {
			t.Fatal(err)
		}
		got, err := s.Programme(ctx)
		if err != nil || !reflect.DeepEqual(got.Census, want.Census) {
			t.Fatalf("census %+v, want %+v (%v)", got.Census, want.Census, err)
		}
		set := got.Settings
		set.Name = "Renamed"
		if err := s.UpdateSettings(ctx, "admin", set); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Programme(ctx); !reflect.DeepEqual(got.Census, want.Census) {
			t.Fatalf("a settings edit lost the census: %+v", got.Census)
		}
		without := demo.Luton()
		without.Census = nil
		if err := s.ReplaceProgramme(ctx, "test", without); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Programme(ctx); got.Census != nil {
			t.Fatalf("a configuration without a census kept the old one: %+v", got.Census)
		}
	})
}
