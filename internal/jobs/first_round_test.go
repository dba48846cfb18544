package jobs

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// AfterFirstRound is called once, only when every job of the first round
// has finished (start-up's work done: the server then hands back the
// memory it used), and not again on later rounds.
func TestAfterFirstRoundWaitsForTheFirstRound(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		release := make(chan struct{})
		var runs atomic.Int32
		r := NewRunner(s, "instance", slog.New(slog.NewTextHandler(os.Stderr, nil)))
		r.Add(Job{Name: "quick", Every: time.Hour, Run: func(ctx context.Context) error { runs.Add(1); return nil }})
		heldStarted := make(chan struct{})
		var heldOnce sync.Once
		r.Add(Job{Name: "held", Every: time.Hour, Run: func(ctx context.Context) error {
			runs.Add(1)
			heldOnce.Do(func() { close(heldStarted) })
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}})
		called := make(chan struct{}, 4)
		r.AfterFirstRound = func() { called <- struct{}{} }
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Start(ctx, 20*time.Millisecond); close(done) }()
		defer func() { cancel(); <-done }()
		// Wait for "held" itself: on a loaded machine "quick" can run
		// twice before "held" starts (its last run not yet recorded at
		// the next tick), so a count of runs does not say that "held" is
		// running.
		<-heldStarted
		select {
		case <-called:
			t.Fatal("called while a first-round job was still running")
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		select {
		case <-called:
		case <-time.After(10 * time.Second):
			t.Fatal("not called after the first round finished")
		}
		time.Sleep(100 * time.Millisecond) // several more ticks
		if len(called) != 0 {
			t.Error("called again after a later round")
		}
	})
}
