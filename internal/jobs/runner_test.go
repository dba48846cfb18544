package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Two instances against one database never run the same job at once.
func TestOnlyOneInstanceRunsAJob(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		var running, maxRunning, runs int32
		job := Job{Name: "slow", Every: time.Hour, Run: func(ctx context.Context) error {
			n := atomic.AddInt32(&running, 1)
			for {
				m := atomic.LoadInt32(&maxRunning)
				if n <= m || atomic.CompareAndSwapInt32(&maxRunning, m, n) {
					break
				}
			}
			atomic.AddInt32(&runs, 1)
			time.Sleep(200 * time.Millisecond)
			atomic.AddInt32(&running, -1)
			return nil
		}}
		var wg sync.WaitGroup
		ranCount := int32(0)
		for i := 0; i < 4; i++ {
			r := NewRunner(s, "instance-"+string(rune('a'+i)), log)
			r.Add(job)
			wg.Add(1)
			go func() {
				defer wg.Done()
				ran, err := r.RunOnce(context.Background(), r.Jobs()[0])
				if err != nil {
					t.Error(err)
				}
				if ran {
					atomic.AddInt32(&ranCount, 1)
				}
			}()
		}
		wg.Wait()
		if maxRunning != 1 {
			t.Fatalf("%d instances ran the job at once", maxRunning)
		}
		if ranCount != runs || runs < 1 {
			t.Fatalf("ran reported %d, job ran %d", ranCount, runs)
		}
		last, err := s.JobLastRun(context.Background(), "slow")
		if err != nil || last.IsZero() {
			t.Fatalf("last run not recorded: %v %v", last, err)
		}
	})
}

func TestStartRunsDueJobsAndStops(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	r := NewRunner(s, "x", slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{}, 10)
	failing := errors.New("boom")
	var results []error
	var mu sync.Mutex
	r.OnRun = func(name string, err error, _ time.Duration) { mu.Lock(); results = append(results, err); mu.Unlock() }
	r.Add(Job{Name: "ok", Every: time.Hour, Run: func(context.Context) error { done <- struct{}{}; return nil }})
	r.Add(Job{Name: "bad", Every: time.Hour, Run: func(context.Context) error { done <- struct{}{}; return failing }})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { r.Start(ctx, 20*time.Millisecond); close(stopped) }()
	for i := 0; i < 2; i++ {
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("jobs did not run")
		}
	}
	time.Sleep(100 * time.Millisecond) // several ticks: an hourly job must not run again
	cancel()
	<-stopped
	mu.Lock()
	defer mu.Unlock()
	if len(results) != 2 {
		t.Fatalf("%d runs, want 2 (each job once)", len(results))
	}
}

// A run slower than the tick is not started again by the same instance.
func TestSlowRunIsNotStartedTwice(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	r := NewRunner(s, "x", slog.New(slog.NewTextHandler(io.Discard, nil)))
	var runs int32
	r.Add(Job{Name: "slow", Every: time.Hour, Run: func(context.Context) error {
		atomic.AddInt32(&runs, 1)
		time.Sleep(150 * time.Millisecond)
		return nil
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	r.Start(ctx, 10*time.Millisecond)
	if n := atomic.LoadInt32(&runs); n != 1 {
		t.Fatalf("the job ran %d times, want 1", n)
	}
}
