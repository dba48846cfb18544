package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestEventHelpers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ev := newTestEvent(t, s, 20, time.Now().Add(48*time.Hour))
		past := newTestEvent(t, s, 20, time.Now().Add(-48*time.Hour))
		id := apply(t, s, "helper")
		for _, st := range []champion.Stage{champion.Contacted, champion.Training} {
			s.MoveChampion(ctx, "c", id, st, "", nil)
		}
		if err := s.MoveChampion(ctx, "c", id, champion.Active, "", activation("helper@example.org")); err != nil {
			t.Fatal(err)
		}
		c, _ := s.ChampionByID(ctx, id)
		if err := s.SetEventHelper(ctx, c.UserID, "missing", true); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing event: %v", err)
		}
		if err := s.SetEventHelper(ctx, c.UserID, past.ID, true); !errors.Is(err, event.ErrClosed) {
			t.Fatalf("past event: %v", err)
		}
		if err := s.SetEventHelper(ctx, "not-a-champion", ev.ID, true); !errors.Is(err, champion.ErrIllegalMove) {
			t.Fatalf("not a champion: %v", err)
		}
		for range 2 { // twice is harmless
			if err := s.SetEventHelper(ctx, c.UserID, ev.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		if h, _ := s.HelpingAt(ctx, c.UserID); len(h) != 1 || !h[ev.ID] {
			t.Fatalf("helping at: %v", h)
		}
		if us, _ := s.EventHelpers(ctx, ev.ID); len(us) != 1 || us[0].ID != c.UserID {
			t.Fatalf("helpers: %+v", us)
		}
		if err := s.SetEventStatus(ctx, "c", ev.ID, event.StatusCancelled, "", nil); err != nil {
			t.Fatal(err)
		}
		if err := s.SetEventHelper(ctx, c.UserID, ev.ID, false); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.HelpingAt(ctx, c.UserID); len(h) != 0 {
			t.Fatalf("still helping: %v", h)
		}
	})
}
