package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/synthetic"
	"github.com/hearme-project/hearme/internal/testenv"
)

func syntheticGenerator(t *testing.T, s *store.Store, n int) *synthetic.Generator {
	t.Helper()
	codes, err := demo.Codebook()
	if err != nil {
		t.Fatal(err)
	}
	g, err := synthetic.New(synthetic.Options{Experiences: n, Codings: 3, Events: 5, Seed: 7,
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, demo.Luton(), codes)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestSyntheticProgrammeLoadsMarkedAndRefusesRealData loads a small
// synthetic programme and checks it is marked, readable, searchable and
// counted; and that a database with one real experience is refused
// before anything is written.
func TestSyntheticProgrammeLoadsMarkedAndRefusesRealData(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		g := syntheticGenerator(t, s, 300)
		if err := s.LoadSynthetic(ctx, g.Events(), g.Next, 120, nil); err != nil {
			t.Fatal(err)
		}
		exps, codings, err := s.CountSynthetic(ctx)
		if err != nil || exps != 300 || codings < 600 || codings > 1200 {
			t.Fatalf("%d synthetic experiences with %d codings (%v); want 300 with about 900", exps, codings, err)
		}
		var unmarked int
		if err := s.ReadDB().QueryRow("SELECT COUNT(*) FROM experiences WHERE NOT synthetic").Scan(&unmarked); err != nil || unmarked != 0 {
			t.Fatalf("%d experiences not marked synthetic (%v)", unmarked, err)
		}
		checkAgainstRecount(t, s, "after the load")
		// Some passages are marked as quotes, and those whose person agreed
		// are what the evidence page lists.
		quotes, err := s.ConsentedQuotes(ctx, 100)
		if err != nil || len(quotes) == 0 || len(quotes) > 30 {
			t.Fatalf("%d consented quotes among 300 synthetic stories (%v); want about 10", len(quotes), err)
		}
		// Their text is sealed as every story's is, and searchable.
		q, _ := analysis.ParseQuery("czekałam wyniki")
		res, _, err := s.SearchExperiences(ctx, "analyst-1", q, store.SearchFilters{}, 0)
		if err != nil || len(res) == 0 {
			t.Fatalf("the Polish stories are not found: %d %v", len(res), err)
		}
		v, err := s.ExperienceForCoding(ctx, res[0].ID, "analyst-1", "")
		if err != nil || !strings.Contains(v.Experience.Submission.WhatHappened, "czekałam") {
			t.Fatalf("a synthetic story does not open: %v", err)
		}
		var plain int
		if err := s.ReadDB().QueryRow("SELECT COUNT(*) FROM experiences WHERE what_happened LIKE '%czekałam%'").Scan(&plain); err != nil || plain != 0 {
			t.Fatalf("%d stories stored unsealed (%v)", plain, err)
		}
		// Loading more into a synthetic database is allowed...
		g2 := syntheticGenerator(t, s, 10)
		if err := s.LoadSynthetic(ctx, nil, g2.Next, 100, nil); err != nil {
			t.Fatal(err)
		}
		// ...and refused once a real experience is there.
		if _, err := s.SubmitExperience(ctx, searchStory("en", "A real story."), experience.Contact{}); err != nil {
			t.Fatal(err)
		}
		g3 := syntheticGenerator(t, s, 10)
		if err := s.LoadSynthetic(ctx, g3.Events(), g3.Next, 100, nil); !errors.Is(err, store.ErrRealData) {
			t.Fatalf("loading into a database with a real experience: %v, want ErrRealData", err)
		}
		if exps, _, _ := s.CountSynthetic(ctx); exps != 310 {
			t.Fatalf("%d synthetic experiences after the refusal, want 310", exps)
		}
	})
}

// TestMigrationNeedsTrigrams: on a PostgreSQL database without pg_trgm,
// migration 0022 stops with a message naming the extension and what to
// run, rather than an unknown operator class.
func TestMigrationNeedsTrigrams(t *testing.T) {
	t.Parallel()
	base := testenv.PostgresDSN(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("no_trgm_%d", time.Now().UnixNano())
	// template0 is PostgreSQL's pristine template: no extension added.
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" TEMPLATE template0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	s, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Migrate(ctx)
	if err == nil || !strings.Contains(err.Error(), "CREATE EXTENSION pg_trgm") || !strings.Contains(err.Error(), "0022") {
		t.Fatalf("migrating without pg_trgm: %v", err)
	}
}
