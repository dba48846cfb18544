// Command digestload measures the report digest (issue 13, item 7) for
// -n confirmed subscribers, across two kills of the process doing it:
//
//  1. it seeds -n synthetic confirmed subscribers (a third following the
//     whole report, a third an organisation, a third a community, their
//     languages cycling through the programme's six) and publishes a
//     recommendation with a response and a reviewed progress update, so
//     every one of them has a digest due;
//  2. it starts a worker process (this program again) that does what a
//     server does: the digest job (app.RunDigest, batches of
//     app.DigestBatch) and the outbox's sender (mail.Sender, one SMTP
//     connection) at once, delivering to an SMTP sink in this process
//     (go-smtp) that counts every message by Message-ID;
//  3. it kills the worker with SIGKILL while the digest is being queued
//     (a third of the digests in the outbox), starts another, kills that
//     one the instant the sink has accepted two thirds of the digests
//     (the worst moment: between an SMTP server's 250 and the sender's
//     mark, docs/email.md), and starts a third, which finishes;
//  4. it reports the time and checks that every subscriber's digest was
//     queued exactly once (one outbox row each), delivered (none lost),
//     and delivered twice at most once per kill.
//
// The sender's lease is 5 s here (2 min in production) so the killed
// worker's claims come back quickly; nothing else differs from a server.
//
//	go run ./scripts/digestload -n 100000                 # SQLite
//	go run ./scripts/digestload -n 100000 -dsn 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
//
// docs/performance.md, "Report digest", has the figures.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	hmail "github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
	"github.com/hearme-project/hearme/internal/web"
)

func main() {
	if os.Getenv("DIGESTLOAD_WORKER") != "" {
		worker()
		return
	}
	n := flag.Int("n", 100000, "confirmed subscribers")
	dsn := flag.String("dsn", "", "a postgres:// URL on a loopback host (a schema of its own is made and dropped); empty: SQLite in a temporary directory")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the last worker (the one that finishes: sending only) to this file")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "digestload-")
	check(err)
	defer os.RemoveAll(dir)
	cfg := config.Config{DataDir: dir, BaseURL: "https://hearme.example"}
	if *dsn != "" {
		base, err := url.Parse(*dsn)
		check(err)
		schema := fmt.Sprintf("digestload_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", *dsn)
		check(err)
		defer admin.Close()
		_, err = admin.ExecContext(ctx, "CREATE SCHEMA "+schema)
		check(err)
		defer admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		q := base.Query()
		q.Set("search_path", schema)
		base.RawQuery = q.Encode()
		cfg.Database = base.String()
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := app.OpenStore(ctx, cfg, quiet)
	check(err)
	defer st.Close()
	keys := st.Keys()

	// 1. The programme, something to tell, and the subscribers.
	check(st.ReplaceProgramme(ctx, "digestload", demo.Luton()))
	rec, err := st.SaveRecommendation(ctx, "digestload", accountability.Recommendation{Title: "Interpreters at every appointment", Text: "Book one.",
		Organisations: []string{"blmk-icb"}})
	check(err)
	check(st.PublishRecommendation(ctx, "digestload", rec.ID, rec.Version, []accountability.Figure{{ThemeID: "t", ThemeName: "Language", Value: "15"},
		{ThemeID: "t", ThemeName: "Language", Community: "eastern-european", Value: "*"}}, nil, func(string) string { return "Language" }))
	_, err = st.SaveResponse(ctx, "digestload", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.Accepted})
	check(err)
	today := accountability.Day(time.Now(), time.UTC)
	c, err := st.AddCommitment(ctx, "digestload", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: "We will book interpreters.",
		OwnerRole: "Patient experience", Due: today.AddDate(0, 3, 0), Weight: 1}, "planned")
	check(err)
	u, err := st.AddUpdate(ctx, "digestload", "blmk-icb", accountability.Update{CommitmentID: c.ID, On: today, Status: "done", Kind: accountability.KindDone,
		Progress: 100, Text: "Booked.", Claim: accountability.ClaimMade, WhatChanged: "The form asks.", Review: accountability.ReviewPending})
	check(err)
	check(st.ReviewUpdate(ctx, "digestload", u.ID, true, ""))

	langs := []string{"en", "pl", "ro", "ur", "bn", "so"}
	follows := []string{"all", "organisation/blmk-icb", "community/eastern-european"}
	seedStart := time.Now()
	subs := make([]store.NewSubscription, 0, *n)
	for i := range *n {
		email := fmt.Sprintf("resident%06d@example.org", i)
		sealedEmail, err := keys.Seal(email)
		check(err)
		f, _ := subscription.ParseFollow(follows[i%3])
		subs = append(subs, store.NewSubscription{ID: store.NewID(), Email: email, EmailSealed: sealedEmail, Lang: langs[(i/3)%len(langs)], Follow: f})
	}
	check(st.SeedSubscriptions(ctx, subs, time.Now().Add(-time.Hour)))
	fmt.Printf("%s: %d confirmed subscribers seeded in %s\n", st.Dialect(), *n, time.Since(seedStart).Round(time.Millisecond))

	// 2. The sink.
	sink := newSink()
	addr := sink.start()
	defer sink.stop()
	exe, err := os.Executable()
	check(err)
	startWorker := func(name string, env ...string) *exec.Cmd {
		cmd := exec.Command(exe)
		cmd.Env = append(append(os.Environ(), "DIGESTLOAD_WORKER="+name, "W_DATA="+dir, "W_DB="+cfg.Database, "W_SMTP="+addr), env...)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		check(cmd.Start())
		return cmd
	}
	queued := func() int {
		var q int
		_ = st.ReadDB().QueryRowContext(ctx, "SELECT COALESCE(SUM(queued), 0) FROM digest_runs").Scan(&q)
		return q
	}
	start := time.Now()

	// 3a. Killed while the digest is being queued.
	a := startWorker("A")
	for queued() < *n/3 {
		time.Sleep(20 * time.Millisecond)
	}
	check(a.Process.Kill())
	_ = a.Wait()
	atKillA, deliveredA := queued(), sink.distinct()
	// 3b. Killed the instant the sink accepts two thirds.
	sink.killAt(2**n/3, nil)
	b := startWorker("B")
	sink.killAt(2**n/3, b.Process)
	<-sink.killed
	_ = b.Wait()
	atKillB, deliveredB := queued(), sink.distinct()
	// 3c. Restarted: finishes.
	var cw *exec.Cmd
	if *cpuProfile != "" {
		cw = startWorker("C", "W_CPUPROFILE="+*cpuProfile)
	} else {
		cw = startWorker("C")
	}
	for sink.distinct() < *n {
		time.Sleep(50 * time.Millisecond)
		if time.Since(start) > 30*time.Minute {
			fmt.Printf("gave up after 30 minutes: %d of %d delivered\n", sink.distinct(), *n)
			break
		}
	}
	elapsed := time.Since(start)
	if *cpuProfile != "" {
		// The worker writes its profile when interrupted.
		_ = cw.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cw.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cw.Process.Kill()
			<-done
		}
	} else {
		_ = cw.Process.Kill()
		_ = cw.Wait()
	}

	// 4. Counts.
	var rows, runs int
	var runStart, runEnd time.Time
	check(st.ReadDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM outbox WHERE kind = 'subscription_digest'").Scan(&rows))
	check(st.ReadDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM digest_runs").Scan(&runs))
	dr, err := st.DigestRuns(ctx)
	check(err)
	if len(dr) > 0 {
		runStart = dr[0].Start
	}
	_ = st.ReadDB().QueryRowContext(ctx, "SELECT finished_at FROM digest_runs").Scan(&runEnd)
	distinct, dups := sink.distinct(), sink.duplicates()
	fmt.Printf("%s: %d digests delivered in %s (%.0f/s) with a SIGKILL while queueing (after %d queued, %d delivered) and one at a delivery (after %d queued, %d delivered)\n",
		st.Dialect(), distinct, elapsed.Round(time.Millisecond), float64(distinct)/elapsed.Seconds(), atKillA, deliveredA, atKillB, deliveredB)
	fmt.Printf("  queued: %d outbox rows for %d subscribers in %d digest run(s); the run took %s to queue everything (both kills and restarts included)\n",
		rows, *n, runs, runEnd.Sub(runStart).Round(time.Millisecond))
	fmt.Printf("  delivered twice: %d (at most 2 allowed: one per kill)\n", dups)
	ok := distinct == *n && rows == *n && runs == 1 && dups <= 2
	if !ok {
		fmt.Println("FAIL")
		os.Exit(1)
	}
	fmt.Println("ok: none lost, each queued once")
}

// worker is one server's share of the digest: the job and the sender.
func worker() {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	cfg := config.Config{DataDir: os.Getenv("W_DATA"), Database: os.Getenv("W_DB"), BaseURL: "https://hearme.example"}
	st, err := app.OpenStore(ctx, cfg, log)
	check(err)
	cat, err := web.Catalogue()
	check(err)
	host, port, err := net.SplitHostPort(os.Getenv("W_SMTP"))
	check(err)
	p, _ := strconv.Atoi(port)
	snd := hmail.NewSender(hmail.SenderConfig{Host: host, Port: p, TLS: "none", From: "hearme <hello@hearme.example>",
		Holder: "worker-" + os.Getenv("DIGESTLOAD_WORKER") + "-" + strconv.Itoa(os.Getpid()), Lease: 5 * time.Second, Timeout: time.Second},
		st, st.Keys(), log, nil)
	if f := os.Getenv("W_CPUPROFILE"); f != "" {
		out, err := os.Create(f)
		check(err)
		check(pprof.StartCPUProfile(out))
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, os.Interrupt)
		go func() {
			<-sig
			pprof.StopCPUProfile()
			check(out.Close())
			os.Exit(0)
		}()
	}
	go snd.Run(ctx, 10*time.Millisecond)
	d := app.JobDeps{Config: cfg, Store: st, Keys: st.Keys(), Catalog: cat, Log: log}
	for {
		res, err := app.RunDigest(ctx, d, time.Now(), app.DigestBatch)
		check(err)
		if res.Run == "" || res.Finished {
			break
		}
	}
	select {} // the sender goes on until this process is killed
}

// sink is an SMTP server that counts messages by Message-ID.
type sink struct {
	srv      *smtp.Server
	mu       sync.Mutex
	seen     map[string]int
	dups     int
	n        atomic.Int64
	killAtN  int64
	victim   *os.Process
	killed   chan struct{}
	killOnce sync.Once
}

func newSink() *sink { return &sink{seen: map[string]int{}, killed: make(chan struct{})} }

func (s *sink) start() string {
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "sink.example"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxRecipients = 1
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	go s.srv.Serve(ln)
	return ln.Addr().String()
}

func (s *sink) stop() { s.srv.Close() }

func (s *sink) killAt(n int, p *os.Process) {
	s.mu.Lock()
	s.killAtN, s.victim = int64(n), p
	s.mu.Unlock()
}

func (s *sink) distinct() int { s.mu.Lock(); defer s.mu.Unlock(); return len(s.seen) }

func (s *sink) duplicates() int { s.mu.Lock(); defer s.mu.Unlock(); return s.dups }

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct{ s *sink }

func (*session) AuthPlain(string, string) error       { return nil }
func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }

func (ss *session) Data(r io.Reader) error {
	m, err := mail.ReadMessage(bufio.NewReader(r))
	if err != nil {
		return err
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	id := m.Header.Get("Message-ID")
	if id == "" || m.Header.Get("List-Unsubscribe") == "" || m.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		return errors.New("a digest without its Message-ID or one-click unsubscribe headers")
	}
	s := ss.s
	s.mu.Lock()
	s.seen[id]++
	if s.seen[id] == 2 {
		s.dups++
	}
	kill := s.victim != nil && int64(len(s.seen)) >= s.killAtN
	victim := s.victim
	s.mu.Unlock()
	if kill {
		// The worker is between this 250 and its mark: the window.
		s.killOnce.Do(func() {
			_ = victim.Kill()
			close(s.killed)
		})
	}
	return nil
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "digestload:", err)
		os.Exit(1)
	}
}
