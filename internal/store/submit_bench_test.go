package store_test

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// BenchmarkSubmitExperience measures the final write of the submission
// form: one SubmitExperience (experience, stages, equality answers,
// consent, sealed contact) per op, in one durable transaction as the store
// is configured (SQLite WAL + synchronous=FULL, one writer; PostgreSQL
// synchronous_commit=on). Eight goroutines per GOMAXPROCS submit at once,
// as concurrent requests would. It reports submissions per second and the
// p50/p99 of each call's latency. The ceiling to compare it with is
// scripts/submitceiling; see docs/performance.md, "Submissions".
func BenchmarkSubmitExperience(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchSubmit(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchSubmit(b, storetest.Postgres(b)) })
}

func benchSubmit(b *testing.B, s *store.Store) {
	sub := submission()
	sub.Consent.Contact = true
	sealed := experience.Contact{Name: "v1:k:sealed-name", Email: "v1:k:sealed-email"}
	var (
		mu  sync.Mutex
		all []time.Duration
	)
	b.SetParallelism(8)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		for pb.Next() {
			t0 := time.Now()
			if _, err := s.SubmitExperience(ctx, sub, sealed); err != nil {
				b.Error(err)
				return
			}
			lat = append(lat, time.Since(t0))
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		i := int(p * float64(len(all)-1))
		return float64(all[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "subs/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(all[len(all)-1])/float64(time.Millisecond), "max-ms")
}
