package store_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// BenchmarkSearch measures a search of approved experiences as the
// search page makes it: a two-word query with a filter (a pathway
// stage), newest first, the first page of 20, the search audited (one
// durable write). It seeds HEARME_BENCH_N synthetic experiences (10,000
// unless set), half English and half Polish, made of sentences drawn at
// random, with their search documents written by the store's own
// indexing (IndexApproved). It reports p50 and p99 per search, in
// English and in Polish, and the p50 of the audit write alone. See
// docs/performance.md, "Search".
func BenchmarkSearch(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("HEARME_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	for _, db := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(db.name, func(b *testing.B) {
			s := db.open(b)
			seedSearch(b, s, n)
			for _, c := range []struct{ lang, query string }{{"en", "waited results"}, {"pl", "czekałam wyniki"}} {
				b.Run(c.lang, func(b *testing.B) {
					q, err := analysis.ParseQuery(c.query)
					if err != nil {
						b.Fatal(err)
					}
					f := store.SearchFilters{Stage: "diagnosis"}
					if res, _, err := s.SearchExperiences(ctx, "bench", q, f, 0); err != nil || len(res) == 0 {
						b.Fatalf("the query finds nothing: %v", err)
					}
					lat := make([]time.Duration, 0, b.N)
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						t0 := time.Now()
						if _, _, err := s.SearchExperiences(ctx, "bench", q, f, 0); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(t0))
					}
					b.StopTimer()
					sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
					pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))]) / float64(time.Millisecond) }
					b.ReportMetric(pct(0.50), "p50-ms")
					b.ReportMetric(pct(0.99), "p99-ms")
					b.ReportMetric(float64(n), "experiences")
					// The audit entry alone (one durable write), to tell
					// the query's share of the time from the write's.
					alat := make([]time.Duration, 0, 100)
					for i := 0; i < 100; i++ {
						t0 := time.Now()
						if err := s.AppendAudit(ctx, "bench", store.AuditSearched, "", "{}"); err != nil {
							b.Fatal(err)
						}
						alat = append(alat, time.Since(t0))
					}
					sort.Slice(alat, func(i, j int) bool { return alat[i] < alat[j] })
					b.ReportMetric(float64(alat[50])/float64(time.Millisecond), "audit-p50-ms")
				})
			}
		})
	}
}

// Sentences the synthetic stories are made of (invented; no real story).
var benchSentences = map[string][]string{
	"en": {
		"I waited six weeks for the results of my scan.", "The GP did not listen the first two times.",
		"My son had to translate for me at every appointment.", "The nurse explained everything clearly.",
		"Parking at the hospital cost more than I could afford.", "Nobody called back when I rang about my results.",
		"The interpreter did not come, so the appointment was moved.", "The letters came only in English.",
		"The support group helped me more than anything.", "I was frightened to go for screening.",
		"Treatment was every weekday and the bus took two hours.", "The consultant was kind and took time with us.",
	},
	"pl": {
		"Czekałam sześć tygodni na wyniki badania.", "Lekarz rodzinny nie słuchał mnie za pierwszym razem.",
		"Syn musiał tłumaczyć na każdej wizycie.", "Pielęgniarka wszystko dobrze wyjaśniła.",
		"Parking przy szpitalu był bardzo drogi.", "Nikt nie oddzwonił, kiedy pytałam o wyniki.",
		"Tłumacz nie przyszedł i wizytę przełożono.", "Listy przychodziły tylko po angielsku.",
		"Grupa wsparcia pomogła mi najbardziej.", "Bałam się iść na badania przesiewowe.",
		"Długa kolejka do onkologa trwała miesiącami.", "Konsultant był miły i miał dla nas czas.",
	},
}

// seedSearch writes n approved synthetic experiences in one transaction
// and indexes them through the store.
func seedSearch(b testing.TB, s *store.Store, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	stages := []string{"awareness", "screening", "diagnosis", "treatment", "living-with", "end-of-life"}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tx, err := s.WriteDB().Begin()
	if err != nil {
		b.Fatal(err)
	}
	insE := s.Rebind(`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, role, what_happened, could_be_better, source, created_at, updated_at)
		VALUES (?, ?, 'x', 'experience', 'approved', ?, 'patient', ?, ?, 'online', ?, ?)`)
	insS := s.Rebind("INSERT INTO experience_stages (experience_id, stage) VALUES (?, ?)")
	for i := 0; i < n; i++ {
		lang := "en"
		if i%2 == 1 {
			lang = "pl"
		}
		pool := benchSentences[lang]
		var what []string
		for k := 0; k < 4+rng.IntN(5); k++ {
			what = append(what, pool[rng.IntN(len(pool))])
		}
		id, at := store.NewID(), start.Add(time.Duration(i)*7*time.Minute)
		if _, err := tx.Exec(insE, id, fmt.Sprintf("HM-B%07d", i), lang, strings.Join(what, " "), pool[rng.IntN(len(pool))], at, at); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(insS, id, stages[rng.IntN(len(stages))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	if got, err := s.IndexApproved(ctx); err != nil || got != n {
		b.Fatalf("indexed %d of %d: %v", got, n, err)
	}
	b.Logf("%d experiences indexed in %s", n, time.Since(t0).Round(time.Millisecond))
	// The statistics a running database gathers by itself (autovacuum,
	// or SQLite's optimize), so the planner sees the real table sizes.
	if _, err := s.WriteDB().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
