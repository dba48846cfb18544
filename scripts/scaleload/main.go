// Command scaleload measures breakdowns and search over a synthetic
// programme (`hearme synthetic seed`, docs/performance.md "Breakdowns
// and search at 1,000,000"): -n requests of each case from -c workers at
// once, each request a different one (another period, query or filter),
// and prints p50, p99 and the slowest per case.
//
// Breakdowns are what the page runs: the kept counts
// (store.BreakdownCounts) and the table with its tests
// (analysis.TabulateCounts). Pages are the whole breakdown page
// (/staff/analysis: the table, census comparison, co-occurrence, with
// the community and stage filters) and the stakeholders' evidence page,
// over loopback HTTP as a signed-in analyst (each run adds one analyst
// account, scaleload-<time>@example.org, to the synthetic database). Searches are what the search page runs
// (store.SearchExperiences: the query, newest first, a page of 20, and
// its audit entry, a durable write): two words taken from one sentence
// of the phrase bank (so that they meet in some stories, as a person's
// query would), in English or Polish, with one filter (a pathway stage,
// community, source, code, or a date range) drawn at random.
//
//	go run ./scripts/scaleload -data /work/data-1m-sqlite
//	go run ./scripts/scaleload -data /work/data-1m-pg -database 'postgres://postgres@127.0.0.1:5432/scale1m?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/synthetic"
	"github.com/hearme-project/hearme/internal/web"
)

func main() {
	data := flag.String("data", "", "the data directory (keys, audit key; and the SQLite database unless -database)")
	database := flag.String("database", "", "a postgres:// URL")
	n := flag.Int("n", 400, "requests per case")
	c := flag.Int("c", 4, "concurrent workers")
	only := flag.String("only", "", "run only cases whose name contains this")
	skip := flag.String("skip", "", "skip cases whose name contains this")
	slow := flag.Duration("slow", 0, "print each search slower than this, with its words and filter")
	profile := flag.String("cpuprofile", "", "write a CPU profile of the runs here")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	if *data == "" {
		fmt.Fprintln(os.Stderr, "scaleload: -data is required")
		os.Exit(2)
	}
	ctx := context.Background()
	// Opened as hearme opens it, without start-up's catching up
	// (search documents, counts): a run never starts a recount.
	cfg := config.Config{DataDir: *data, Database: *database}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	check(err)
	_, err = st.Migrate(ctx)
	check(err)
	check(app.UseAuditTrust(ctx, cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)), true))
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	check(err)
	st.UseKeys(keys)
	defer st.Close()
	exps, codings, err := st.CountSynthetic(ctx)
	check(err)
	prog, err := st.Programme(ctx)
	check(err)
	codes, err := st.Codes(ctx)
	check(err)
	var months []string
	for m := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); m.Before(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)); m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("2006-01"))
	}
	fmt.Printf("%s: %d synthetic experiences, %d codings; %d requests a case, %d at once\n", st.Dialect(), exps, codings, *n, *c)

	period := func(r *rand.Rand) (string, string) {
		i := r.IntN(len(months) - 12)
		return months[i], months[i+3+r.IntN(9)]
	}
	breakdown := func(rows, cols analysis.Dimension, withPeriod bool) func(r *rand.Rand) {
		return func(r *rand.Rand) {
			from, to := "", ""
			if withPeriod {
				from, to = period(r)
			}
			cs, err := st.BreakdownCounts(ctx, store.BreakdownQuery{Rows: rows, Cols: cols, Filter: analysis.Filter{From: from, To: to}})
			check(err)
			b := analysis.TabulateCounts(cs, cs.RowValues, cs.ColValues())
			if b.Total == 0 {
				panic("an empty breakdown: is the programme seeded?")
			}
		}
	}
	cases := []kase{
		{"breakdown theme x community, 3-12 months", breakdown(analysis.DimTheme, analysis.DimCommunity, true)},
		{"breakdown stage x community, 3-12 months", breakdown(analysis.DimStage, analysis.DimCommunity, true)},
		{"breakdown theme x community, all time", breakdown(analysis.DimTheme, analysis.DimCommunity, false)},
		{"breakdown code x source, 3-12 months", breakdown(analysis.DimCode, analysis.DimSource, true)},
		{"breakdown theme x language, all time", breakdown(analysis.DimTheme, analysis.DimLanguage, false)},
		{"breakdown theme x ethnic group, 3-12 months", breakdown(analysis.DimTheme, analysis.EqualityDimension("ethnic_group"), true)},
		{"breakdown code x period, all time", breakdown(analysis.DimCode, analysis.DimPeriod, false)},
	}
	for _, lang := range []string{"en", "pl"} {
		sentences, err := synthetic.Sentences(lang)
		check(err)
		var pairs [][2]string
		for _, s := range sentences {
			var words []string
			for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
				if len([]rune(w)) >= 4 && !slices.Contains(words, w) {
					words = append(words, w)
				}
			}
			for i := range words {
				for j := i + 1; j < len(words); j++ {
					pairs = append(pairs, [2]string{words[i], words[j]})
				}
			}
		}
		cases = append(cases, kase{"search " + lang + ": two words and a filter", func(r *rand.Rand) {
			p := pairs[r.IntN(len(pairs))]
			q, err := analysis.ParseQuery(p[0] + " " + p[1])
			check(err)
			var f store.SearchFilters
			switch r.IntN(5) {
			case 0:
				f.Stage = prog.Stages[r.IntN(len(prog.Stages))].Slug
			case 1:
				f.Community = prog.Communities[r.IntN(len(prog.Communities))].Slug
			case 2:
				f.Source = []experience.Source{experience.SourceOnline, experience.SourceEvent, experience.SourcePhone}[r.IntN(3)]
			case 3:
				f.CodeID = codes[r.IntN(len(codes))].ID
			case 4:
				from, to := period(r)
				f.From, _ = time.Parse("2006-01", from)
				f.To, _ = time.Parse("2006-01", to)
			}
			t0 := time.Now()
			_, _, err = st.SearchExperiences(ctx, "scaleload", q, f, 0)
			check(err)
			if *slow > 0 && time.Since(t0) > *slow {
				fmt.Printf("slow search (%s): %q %q %+v\n", time.Since(t0).Round(time.Millisecond), p[0], p[1], f)
			}
		}})
	}
	if *only == "" || strings.Contains("page", *only) || strings.Contains(*only, "page") {
		cases = append(cases, pageCases(ctx, st, config.Config{DataDir: *data, Database: *database}, prog.Communities, prog.Stages, period)...)
	}
	for _, k := range cases {
		if *only != "" && !strings.Contains(k.name, *only) || *skip != "" && strings.Contains(k.name, *skip) {
			continue
		}
		lat := make([]time.Duration, 0, *n)
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		t0 := time.Now()
		ru0, _ := rusage()
		for w := range *c {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(w), 99))
				for range next {
					s := time.Now()
					k.run(r)
					d := time.Since(s)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		for i := range *n {
			next <- i
		}
		close(next)
		wg.Wait()
		slices.Sort(lat)
		var cpu float64 // this process's CPU time per request (the database's own, for PostgreSQL, is not in it)
		if ru1, err := rusage(); err == nil {
			cpu = (ru1 - ru0).Seconds() * 1000 / float64(len(lat))
		}
		pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(100 * time.Microsecond) }
		fmt.Printf("%-46s p50 %8s  p99 %8s  max %8s  cpu/req %6.1f ms  (%d in %s)\n", k.name, pct(0.5), pct(0.99), lat[len(lat)-1].Round(100*time.Microsecond), cpu, len(lat), time.Since(t0).Round(time.Millisecond))
	}
}

type kase struct {
	name string
	run  func(r *rand.Rand)
}

// pageCases serve the site over loopback and sign an analyst in.
func pageCases(ctx context.Context, st *store.Store, cfg config.Config, communities, stages []programme.Item, period func(*rand.Rand) (string, string)) []kase {
	cfg.Addr, cfg.MaxBodyBytes, cfg.SessionIdle, cfg.SessionLifetime = "127.0.0.1:0", 1<<20, time.Hour, 12*time.Hour
	cfg.LogLevel, cfg.FormMinFill, cfg.BaseURL = "error", time.Nanosecond, "http://127.0.0.1"
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	check(err)
	cat, err := web.Catalogue()
	check(err)
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	check(err)
	srv := httptest.NewServer(w.Handler())
	email := fmt.Sprintf("scaleload-%d@example.org", time.Now().UnixNano())
	password := "a long scaleload passphrase " + fmt.Sprint(time.Now().UnixNano())
	u, err := st.CreateUser(ctx, "scaleload", account.NewUser{Email: email, DisplayName: "Scaleload", Role: account.Analyst})
	check(err)
	h, err := auth.HashPassword(password)
	check(err)
	check(st.SetPassword(ctx, u.ID, h))
	secret, _, err := auth.NewTOTPSecret("scaleload", email)
	check(err)
	sealedSecret, err := keys.Seal(secret)
	check(err)
	check(st.EnrolTOTP(ctx, u.ID, sealedSecret, 0))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {password}})
	check(err)
	r.Body.Close()
	code, err := totp.GenerateCode(secret, time.Now())
	check(err)
	r, err = client.PostForm(srv.URL+"/login/code", url.Values{"code": {code}})
	check(err)
	r.Body.Close()
	if r.StatusCode != http.StatusSeeOther {
		panic(fmt.Sprintf("sign in: %d", r.StatusCode))
	}
	get := func(path string) {
		r, err := client.Get(srv.URL + path)
		check(err)
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		check(err)
		if r.StatusCode != http.StatusOK {
			panic(fmt.Sprintf("%s: %d\n%.2000s", path, r.StatusCode, body))
		}
	}
	page := func(rows, cols string, withPeriod, filters bool, measure ...string) func(r *rand.Rand) {
		return func(r *rand.Rand) {
			q := url.Values{"rows": {rows}, "cols": {cols}}
			if len(measure) > 0 {
				q.Set("measure", measure[0])
			}
			if withPeriod {
				from, to := period(r)
				q.Set("from", from)
				q.Set("to", to)
			}
			if filters {
				switch r.IntN(3) {
				case 0:
					q.Set("community", communities[r.IntN(len(communities))].Slug)
				case 1:
					q.Set("stage", stages[r.IntN(len(stages))].Slug)
				default:
					q.Set("community", communities[r.IntN(len(communities))].Slug)
					q.Set("stage", stages[r.IntN(len(stages))].Slug)
				}
			}
			get("/staff/analysis?" + q.Encode())
		}
	}
	return []kase{
		{"page theme x community, 3-12 months", page("theme", "community", true, false)},
		{"page theme x community, all time", page("theme", "community", false, false)},
		{"page passages, theme x community, 3-12 months", page("theme", "community", true, false, "passages")},
		{"page passages, code x source, a community or stage, all time", page("code", "source", false, true, "passages")},
		{"page theme x source, a community or stage, 3-12 months", page("theme", "source", true, true)},
		{"page code x ethnic group, a community or stage, all time", page("code", "equality.ethnic_group", false, true)},
		{"page stage x event, all time", page("stage", "event", false, false)},
		{"page evidence (stakeholders)", func(*rand.Rand) { get("/staff/evidence") }},
	}
}

// rusage is the CPU time (user and system) this process has used.
func rusage() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
