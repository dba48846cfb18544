package store_test

// BenchmarkBreakdown measures what a breakdown page costs in the store
// and the rules: reading the facts of every approved experience (its
// community, stages, codes) and counting theme x community, over
// HEARME_BENCH_N experiences (default 10,000) with three codings each,
// seeded straight into the tables. HEARME_BENCH_DB=postgres for
// PostgreSQL. Not run in CI.
//
//	go test -run='^$' -bench=Breakdown -benchtime=20x ./internal/store/

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func BenchmarkBreakdown(b *testing.B) {
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("HEARME_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	var s *store.Store
	if os.Getenv("HEARME_BENCH_DB") == "postgres" {
		s = storetest.Postgres(b)
	} else {
		s = storetest.SQLite(b)
	}
	codes, _ := demo.Codebook()
	if _, _, err := s.ImportCodes(ctx, "bench", codes, true); err != nil {
		b.Fatal(err)
	}
	communities := []string{"black-african", "black-caribbean", "eastern-european", "south-asian", "another-community"}
	stages := []string{"awareness-prevention", "screening", "getting-diagnosed", "treatment", "living-with-after", "end-of-life"}
	db := s.WriteDB()
	q := func(query string) string {
		if s.Dialect() == "postgres" {
			out, k := []byte{}, 1
			for i := 0; i < len(query); i++ {
				if query[i] == '?' {
					out = append(out, fmt.Sprintf("$%d", k)...)
					k++
					continue
				}
				out = append(out, query[i])
			}
			return string(out)
		}
		return query
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		id := fmt.Sprintf("00000000-0000-7000-8000-%012d", i)
		if _, err := tx.Exec(q(`INSERT INTO experiences (id, reference, secret_hash, kind, status, lang, source, created_at, updated_at)
			VALUES (?, ?, 'x', 'experience', 'approved', 'en', 'online', ?, ?)`), id, fmt.Sprintf("HM-B%07d", i), at.Add(time.Duration(i)*time.Hour), at); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(q(`INSERT INTO equality_answers (experience_id, community) VALUES (?, ?)`), id, communities[i%len(communities)]); err != nil {
			b.Fatal(err)
		}
		if _, err := tx.Exec(q(`INSERT INTO experience_stages (experience_id, stage) VALUES (?, ?)`), id, stages[i%len(stages)]); err != nil {
			b.Fatal(err)
		}
		for k := range 3 {
			c := codes[(i*7+k*5)%len(codes)]
			if _, err := tx.Exec(q(`INSERT INTO codings (id, experience_id, code_id, field, start_pos, end_pos, whole, sample_id, coder_id, created_at)
				VALUES (?, ?, ?, 'what_happened', 0, 10, TRUE, '', 'bench', ?) ON CONFLICT DO NOTHING`), fmt.Sprintf("%s-%d", id, k), id, c.ID, at); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	plain := make([]analysis.Code, len(codes))
	copy(plain, codes)
	book := analysis.NewCodebook(plain)
	var themes []string
	for _, nd := range book.Walk(false) {
		if nd.Depth == 0 {
			themes = append(themes, nd.ID)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		facts, err := s.AnalysisFacts(ctx, book)
		if err != nil || len(facts) != n {
			b.Fatalf("%d facts, %v", len(facts), err)
		}
		analysis.Tabulate(facts, analysis.DimTheme, analysis.DimCommunity, themes, communities)
	}
}
