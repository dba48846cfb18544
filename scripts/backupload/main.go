// Command backupload measures hearme backup under load: it fills an
// SQLite data directory with submissions to -size MB (sealed text, as the
// server stores it), then submits at -rate per second (open loop: a
// submission starts on schedule whether or not the last one finished)
// while app.TakeBackup (what `hearme backup` runs) copies and encrypts
// the database. It prints the backup's duration and size, the longest
// time a submission took while the backup ran (the pause a submitter
// saw) and before it, and then restores the backup and counts the
// submissions acknowledged before it began that are missing (must be 0).
//
//	go run ./scripts/backupload -size 300 -rate 200
//
// docs/performance.md, "Backup", has the figures.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // "sqlite"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

func main() {
	sizeMB := flag.Int("size", 300, "fill the database to this many MB first")
	rate := flag.Int("rate", 200, "submissions per second while the backup runs")
	fillKB := flag.Int("fill-kb", 20, "free text per submission while filling, in KB (large, to reach -size quickly; the timed submissions carry about 3 KB)")
	dir := flag.String("dir", "", "data directory to use (kept; default a temporary one, removed)")
	flag.Parse()
	ctx := context.Background()
	data := *dir
	if data == "" {
		tmp, err := os.MkdirTemp("", "backupload-")
		check(err)
		defer os.RemoveAll(tmp)
		data = filepath.Join(tmp, "data")
	}
	cfg := config.Config{DataDir: data}
	st, err := app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	check(err)
	defer st.Close()

	text := strings.Repeat("We waited six weeks for the results and nobody rang us back. ", 40) // ~2.5 KB
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "patient", Stages: []string{"screening", "treatment"},
		WhatHappened: text, CouldBeBetter: text[:800], Services: []string{"hospital"}, Year: 2025,
		Equality: equality.Answers{AgeBand: "55-64", PostcodeDistrict: "LU4"},
		Consent:  experience.Consent{Version: "2026-11", Evidence: true}, Source: experience.SourceOnline}

	big := sub
	big.WhatHappened = strings.Repeat(text, max(1, *fillKB*1024/len(text)))
	fill := time.Now()
	for dbSize(cfg) < int64(*sizeMB)<<20 {
		var wg sync.WaitGroup
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 100; i++ {
					_, err := st.SubmitExperience(ctx, big, experience.Contact{})
					check(err)
				}
			}()
		}
		wg.Wait()
	}
	fmt.Printf("filled to %d MB in %s\n", dbSize(cfg)>>20, time.Since(fill).Round(time.Second))

	type result struct {
		ref          string
		start, acked time.Time
		took         time.Duration
	}
	var (
		mu   sync.Mutex
		done []result
		wg   sync.WaitGroup
	)
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(time.Second / time.Duration(*rate))
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				rc, err := st.SubmitExperience(ctx, sub, experience.Contact{})
				check(err)
				now := time.Now()
				mu.Lock()
				done = append(done, result{rc.Reference, t0, now, now.Sub(t0)})
				mu.Unlock()
			}()
		}
	}()
	time.Sleep(3 * time.Second)
	to, _, err := app.BackupIdentityRecipient(cfg)
	check(err)
	file := filepath.Join(filepath.Dir(data), "load.backup")
	began := time.Now()
	_, err = app.TakeBackup(ctx, st, file, to)
	check(err)
	ended := time.Now()
	time.Sleep(3 * time.Second)
	close(stop)
	wg.Wait()
	fi, err := os.Stat(file)
	check(err)

	var during, before []time.Duration
	var nDuring int
	for _, r := range done {
		if r.acked.After(began) && r.start.Before(ended) {
			during = append(during, r.took)
			nDuring++
		} else if r.acked.Before(began) {
			before = append(before, r.took)
		}
	}
	slices.Sort(during)
	slices.Sort(before)
	pct := func(d []time.Duration, p float64) time.Duration {
		if len(d) == 0 {
			return 0
		}
		return d[int(p*float64(len(d)-1))]
	}
	fmt.Printf("backup: %s for a %d MB database, file %d MB\n", ended.Sub(began).Round(time.Millisecond), dbSize(cfg)>>20, fi.Size()>>20)
	fmt.Printf("submissions while it ran: %d (%.0f/s offered), p50 %s, p99 %s, longest %s\n", nDuring, float64(*rate),
		pct(during, 0.5).Round(time.Millisecond), pct(during, 0.99).Round(time.Millisecond), pct(during, 1).Round(time.Millisecond))
	fmt.Printf("submissions in the 3 s before: %d, p50 %s, p99 %s, longest %s\n", len(before),
		pct(before, 0.5).Round(time.Millisecond), pct(before, 0.99).Round(time.Millisecond), pct(before, 1).Round(time.Millisecond))

	// Restore check: every submission acknowledged before the backup began is in it.
	id, err := backup.LoadIdentity(app.BackupIdentityPath(cfg))
	check(err)
	h, plain, err := backup.Open(file, filepath.Dir(data), id)
	check(err)
	defer os.Remove(plain)
	defer os.Remove(file)
	check(store.CheckSQLiteFile(ctx, plain))
	db, err := sql.Open("sqlite", (&url.URL{Scheme: "file", Opaque: plain}).String()+"?mode=ro")
	check(err)
	defer db.Close()
	missing := 0
	for _, r := range done {
		if !r.acked.Before(began) {
			continue
		}
		var n int
		check(db.QueryRowContext(ctx, "SELECT COUNT(*) FROM experiences WHERE reference = ?", r.ref).Scan(&n))
		if n != 1 {
			missing++
		}
	}
	fmt.Printf("restore check: backup taken at %s; %d acknowledged before it began are missing\n", h.TakenAt.Format(time.RFC3339Nano), missing)
}

func dbSize(cfg config.Config) int64 {
	var n int64
	for _, suffix := range []string{"", "-wal"} {
		if fi, err := os.Stat(cfg.DatabaseDSN() + suffix); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "backupload:", err)
		os.Exit(1)
	}
}
