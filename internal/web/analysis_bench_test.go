package web_test

// BenchmarkCodingPOST measures applying a code (the coding page's POST)
// over loopback HTTP through the whole handler: session, role check, the
// form, the experience read to check the passage against its words, the
// code's state, the insert, the redirect. HEARME_BENCH_CONC coders
// (default 8), each signed in with their own session, code sentences of
// 300 approved experiences at once. HEARME_BENCH_DB=postgres runs it on
// PostgreSQL (HEARME_TEST_POSTGRES), else SQLite.
//
//	go test -run='^$' -bench=CodingPOST -benchtime=4000x ./internal/web/
//	HEARME_BENCH_DB=postgres go test -run='^$' -bench=CodingPOST -benchtime=4000x ./internal/web/

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

func BenchmarkCodingPOST(b *testing.B) {
	coders := 8
	if n, err := strconv.Atoi(os.Getenv("HEARME_BENCH_CONC")); err == nil && n > 0 {
		coders = n
	}
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), MaxBodyBytes: 1 << 20, SessionIdle: 30 * time.Minute,
		SessionLifetime: 12 * time.Hour, LogLevel: "info", FormMinFill: time.Nanosecond, BaseURL: "https://hearme.example"}
	var st *store.Store
	if os.Getenv("HEARME_BENCH_DB") == "postgres" {
		st = storetest.Postgres(b)
	} else {
		st = storetest.SQLite(b)
	}
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		b.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(b.TempDir(), "keys.txt"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	defer srv.Close()

	codes, _ := demo.Codebook()
	if _, _, err := st.ImportCodes(ctx, "bench", codes, true); err != nil {
		b.Fatal(err)
	}
	exps, _ := demo.Experiences()
	type target struct {
		id        string
		sentences []string
	}
	var targets []target
	for i := range 300 {
		d := exps[i%len(exps)]
		rc, err := st.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: d.Lang, Role: experience.Role(d.Role),
			Stages: d.Stages, WhatHappened: d.WhatHappened, CouldBeBetter: d.CouldBeBetter, Equality: equality.Answers{Community: d.Community},
			Consent: experience.Consent{Version: "b", Evidence: true, Quote: d.Quote}, Source: experience.Source(d.Source)}, experience.Contact{})
		if err != nil {
			b.Fatal(err)
		}
		if err := st.DecideExperience(ctx, "bench", rc.ID, experience.StatusApproved, ""); err != nil {
			b.Fatal(err)
		}
		var ss []string
		for _, sp := range analysis.Sentences(d.WhatHappened) {
			ss = append(ss, fmt.Sprintf("%d-%d", sp.Start, sp.End))
		}
		targets = append(targets, target{rc.ID, ss})
	}
	// One signed-in client per coder.
	clients := make([]*http.Client, coders)
	for i := range clients {
		email := fmt.Sprintf("coder%d@example.org", i)
		u, err := st.CreateUser(ctx, "bench", account.NewUser{Email: email, DisplayName: "Coder", Role: account.Connector})
		if err != nil {
			b.Fatal(err)
		}
		h, _ := auth.HashPassword(testPassword)
		st.SetPassword(ctx, u.ID, h)
		secret, _, _ := auth.NewTOTPSecret("bench", email)
		sealedSecret, _ := keys.Seal(secret)
		st.EnrolTOTP(ctx, u.ID, sealedSecret, 0)
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		r, err := c.PostForm(srv.URL+"/login", url.Values{"email": {email}, "password": {testPassword}})
		if err != nil {
			b.Fatal(err)
		}
		r.Body.Close()
		code, _ := totp.GenerateCode(secret, time.Now())
		r, err = c.PostForm(srv.URL+"/login/code", url.Values{"code": {code}})
		if err != nil || r.StatusCode != http.StatusSeeOther {
			b.Fatalf("sign in: %v %v", err, r.StatusCode)
		}
		r.Body.Close()
		clients[i] = c
	}
	var ids []string
	for _, c := range codes {
		ids = append(ids, c.ID)
	}

	var mu sync.Mutex
	latencies := make([]time.Duration, 0, b.N)
	jobs := make(chan int)
	var wg sync.WaitGroup
	var failed sync.Once
	b.ResetTimer()
	began := time.Now()
	for i := range coders {
		wg.Add(1)
		go func(c *http.Client) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for range jobs {
				t := targets[rng.IntN(len(targets))]
				form := url.Values{"field": {"what_happened"}, "code": {ids[rng.IntN(len(ids))]}, "sentence": {t.sentences[rng.IntN(len(t.sentences))]}}
				start := time.Now()
				r, err := c.Post(srv.URL+"/staff/analysis/code/"+t.id+"/apply", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
				d := time.Since(start)
				if err != nil || r.StatusCode != http.StatusSeeOther {
					failed.Do(func() { b.Errorf("apply: %v %v", err, r) })
				}
				if r != nil {
					io.Copy(io.Discard, r.Body)
					r.Body.Close()
				}
				mu.Lock()
				latencies = append(latencies, d)
				mu.Unlock()
			}
		}(clients[i])
	}
	for i := 0; i < b.N; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		return float64(latencies[min(len(latencies)-1, int(p*float64(len(latencies))))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "codings/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
