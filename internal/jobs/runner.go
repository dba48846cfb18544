// Package jobs runs scheduled background work (retention, email and
// more, added by later features). Each run takes a lease in the database
// first, so several instances against one PostgreSQL never run the same
// job at the same time. Every job can also be run once from the CLI.
package jobs

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hearme-project/hearme/internal/store"
)

// Job is one piece of scheduled work.
type Job struct {
	Name      string
	Every     time.Duration
	Run       func(ctx context.Context) error
	MaxRunFor time.Duration // lease length; a crashed holder's lease lapses after this
}

// Runner schedules jobs.
type Runner struct {
	store  *store.Store
	holder string
	log    *slog.Logger
	jobs   []Job
	// running holds the jobs this instance is running now: the lease
	// lets its holder renew, so without this a slow run could be started
	// again by the next tick.
	mu      sync.Mutex
	running map[string]bool
	// OnRun, if set, is told of each finished run (metrics).
	OnRun func(name string, err error, d time.Duration)
	// AfterFirstRound, if set, is called once, when the jobs Start ran at
	// once (those due when the instance started) have all finished: the
	// end of start-up's work, when the server hands back the memory it
	// used (docs/performance.md, section 4).
	AfterFirstRound func()
}

// NewRunner makes a runner; holder identifies this instance.
func NewRunner(s *store.Store, holder string, log *slog.Logger) *Runner {
	return &Runner{store: s, holder: holder, log: log, running: map[string]bool{}}
}

// Add registers a job.
func (r *Runner) Add(j Job) {
	if j.MaxRunFor == 0 {
		j.MaxRunFor = 10 * time.Minute
	}
	r.jobs = append(r.jobs, j)
}

// Jobs lists the registered jobs.
func (r *Runner) Jobs() []Job { return r.jobs }

// RunOnce runs a job now if no other instance holds it; ran is false when
// another holder has the lease.
func (r *Runner) RunOnce(ctx context.Context, j Job) (ran bool, err error) {
	return r.run(ctx, j, false)
}

// run runs j unless this instance is running it already; with ifDue, only
// if it is still due once marked running.
func (r *Runner) run(ctx context.Context, j Job, ifDue bool) (ran bool, err error) {
	if !r.claim(j.Name) {
		return false, nil
	}
	defer r.unclaim(j.Name)
	return r.runClaimed(ctx, j, ifDue)
}

// claim marks j as running on this instance; false if it already is.
func (r *Runner) claim(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[name] {
		return false
	}
	r.running[name] = true
	return true
}

func (r *Runner) unclaim(name string) {
	r.mu.Lock()
	delete(r.running, name)
	r.mu.Unlock()
}

// runClaimed runs j, which the caller has claimed. Start looks at a job's
// last run before claiming it, and a run of it may end in between (its
// last run is written as it ends, and it is no longer marked running only
// after that): with ifDue, looking again here, where no run of it can
// end, keeps a job from running twice in a row.
func (r *Runner) runClaimed(ctx context.Context, j Job, ifDue bool) (ran bool, err error) {
	if ifDue && !r.due(ctx, j, time.Now()) {
		return false, nil
	}
	got, err := r.store.AcquireJobLock(ctx, j.Name, r.holder, j.MaxRunFor)
	if err != nil || !got {
		return false, err
	}
	defer func() {
		if rerr := r.store.ReleaseJobLock(context.WithoutCancel(ctx), j.Name, r.holder); rerr != nil {
			r.log.Error("release job lock", "job", j.Name, "err", rerr.Error())
		}
	}()
	start := time.Now()
	runCtx, cancel := context.WithTimeout(ctx, j.MaxRunFor)
	defer cancel()
	err = j.Run(runCtx)
	if r.OnRun != nil && ctx.Err() == nil { // a run cut short by shutdown is not a failure
		r.OnRun(j.Name, err, time.Since(start))
	}
	return true, err
}

// due reports whether the job's last run (by any instance) is old enough.
func (r *Runner) due(ctx context.Context, j Job, now time.Time) bool {
	last, err := r.store.JobLastRun(ctx, j.Name)
	if err != nil {
		r.log.Error("job last run", "job", j.Name, "err", err.Error())
		return false
	}
	return last.IsZero() || now.Sub(last) >= j.Every
}

// Start runs every job when due until ctx ends; tick is how often it looks.
// It returns when all runs in progress have finished.
func (r *Runner) Start(ctx context.Context, tick time.Duration) {
	var wg sync.WaitGroup
	t := time.NewTicker(tick)
	defer t.Stop()
	var first *sync.WaitGroup // the first round's runs
	if r.AfterFirstRound != nil {
		first = &sync.WaitGroup{}
	}
	for {
		for _, j := range r.jobs {
			if ctx.Err() != nil {
				break
			}
			if !r.due(ctx, j, time.Now()) {
				continue
			}
			// Claimed here, not in the goroutine: otherwise a later tick
			// could start the job again before this round's goroutine
			// has begun, that goroutine would find it running and end at
			// once, and the first round would seem over while its job
			// still ran.
			if !r.claim(j.Name) {
				continue
			}
			wg.Add(1)
			round := first
			if round != nil {
				round.Add(1)
			}
			go func(j Job) {
				defer wg.Done()
				if round != nil {
					defer round.Done()
				}
				defer r.unclaim(j.Name)
				ran, err := r.runClaimed(ctx, j, true)
				if err != nil && ctx.Err() != nil {
					r.log.Info("job stopped by shutdown", "job", j.Name)
				} else if err != nil {
					r.log.Error("job failed", "job", j.Name, "err", err.Error())
				} else if ran {
					r.log.Info("job ran", "job", j.Name)
				}
			}(j)
		}
		if first != nil {
			go func(round *sync.WaitGroup) {
				round.Wait()
				if ctx.Err() == nil {
					r.AfterFirstRound()
				}
			}(first)
			first = nil
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
		}
	}
}
