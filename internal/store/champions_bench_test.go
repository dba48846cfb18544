package store_test

import (
	"fmt"
	"testing"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// BenchmarkChampionTotals measures the staff totals page's two queries
// (by champion and by community) and the public counts, on a programme
// larger than any real one: 300 champions with 40 outreach sessions each
// (12,000 sessions), and 1,200 experiences they recorded.
func BenchmarkChampionTotals(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchTotals(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchTotals(b, storetest.Postgres(b)) })
}

func benchTotals(b *testing.B, s *store.Store) {
	communities := []string{"south-asian", "black-african", "eastern-european", "black-caribbean"}
	for i := range 300 {
		id, err := s.SubmitChampionApplication(ctx, store.NewChampionApplication{Lang: "en", NameSealed: "v1:k:n", ConsentVersion: "v"})
		if err != nil {
			b.Fatal(err)
		}
		for _, st := range []champion.Stage{champion.Contacted, champion.Training} {
			if err := s.MoveChampion(ctx, "c", id, st, "", nil); err != nil {
				b.Fatal(err)
			}
		}
		if err := s.MoveChampion(ctx, "c", id, champion.Active, "", activation(fmt.Sprintf("c%d@example.org", i))); err != nil {
			b.Fatal(err)
		}
		c, _ := s.ChampionByID(ctx, id)
		for range 4 {
			sub := submission()
			sub.Source, sub.RecordedBy = experience.SourceChampion, c.UserID
			if _, err := s.SubmitExperience(ctx, sub, experience.Contact{}); err != nil {
				b.Fatal(err)
			}
		}
		for j := range 40 {
			o := champion.Outreach{Date: "2026-01-10", Community: communities[j%len(communities)], Place: "Hall", PeopleReached: 5 + j, Minutes: 60}
			if _, err := s.LogOutreach(ctx, id, o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("by-champion", func(b *testing.B) {
		for b.Loop() {
			t, err := s.ChampionTotals(ctx)
			if err != nil || len(t) != 300 || t[0].Experiences != 4 {
				b.Fatalf("%d %v", len(t), err)
			}
		}
	})
	b.Run("by-community", func(b *testing.B) {
		for b.Loop() {
			if t, err := s.CommunityTotals(ctx); err != nil || len(t) != 5 { // four communities, and "not given" for the experiences
				b.Fatalf("%+v %v", t, err)
			}
		}
	})
	b.Run("public-counts", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.PublicChampionCounts(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
