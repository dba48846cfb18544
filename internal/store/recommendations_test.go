package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// quoted submits, approves and codes an experience whose person agreed
// to be quoted, marking the whole answer as a quote.
func quoted(t *testing.T, s *store.Store, words string) experience.Receipt {
	t.Helper()
	sub := submission()
	sub.WhatHappened = words
	rc := approved(t, s, sub)
	if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language"), Quote: true,
		Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
		t.Fatal(err)
	}
	return rc
}

func quoteFor(t *testing.T, s *store.Store, experienceID string) store.Quote {
	t.Helper()
	qs, err := s.ConsentedQuotes(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.ExperienceID == experienceID {
			return q
		}
	}
	t.Fatalf("no consented quote of %s", experienceID)
	return store.Quote{}
}

// TestPublishedSnapshotLosesWithdrawnQuotes: publishing freezes the
// figures as published strings and the quotes' words; a withdrawal, a
// withdrawn consent to quotation and the experiences' retention rule each
// remove the words from the snapshot in their own transaction, keeping
// the quote's place (withdrawn) and the figures as they were.
func TestPublishedSnapshotLosesWithdrawnQuotes(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		a := quoted(t, s, "My daughter had to translate for me.")
		b := quoted(t, s, "Nobody spoke Polish at reception.")
		c := quoted(t, s, "The letter came only in English.")
		qa, qb, qc := quoteFor(t, s, a.ID), quoteFor(t, s, b.ID), quoteFor(t, s, c.ID)
		theme := demo.CodeID("language")
		r, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "Interpreters", Text: "Book one for every appointment.",
			Translations: []accountability.Translation{{Lang: "pl", Title: "Tłumacze", Text: "Na każdą wizytę."}}, Organisations: []string{"icb"},
			Themes: []string{theme}, Quotes: []string{qa.CodingID, qb.CodingID, qc.CodingID}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Reference != accountability.Reference(time.Now().Year(), 1) {
			t.Errorf("reference %s", r.Reference)
		}
		// An edit names its version; an old version is refused.
		r.Title = "Interpreters at every appointment"
		if r, err = s.SaveRecommendation(ctx, "analyst-1", r); err != nil {
			t.Fatal(err)
		}
		stale := r
		stale.Version--
		if _, err := s.SaveRecommendation(ctx, "analyst-2", stale); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a stale edit: %v", err)
		}
		got, err := s.Recommendation(ctx, r.ID)
		if err != nil || got.Title != "Interpreters at every appointment" || len(got.Translations) != 1 || len(got.Quotes) != 3 || got.Organisations[0] != "icb" {
			t.Fatalf("read back: %+v %v", got, err)
		}
		figures := []accountability.Figure{{ThemeID: theme, ThemeName: "Language", Value: "*"}, {ThemeID: theme, ThemeName: "Language", Community: "polish", Value: "*"}}
		name := func(string) string { return "Language" }
		if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version-1, figures, []store.Quote{qa, qb, qc}, name); !errors.Is(err, store.ErrConflict) {
			t.Errorf("publishing a version the admin did not see: %v", err)
		}
		if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version, figures, []store.Quote{qa, qb, qc}, name); err != nil {
			t.Fatal(err)
		}
		if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version+1, figures, nil, name); !errors.Is(err, store.ErrNotDraft) {
			t.Errorf("published twice: %v", err)
		}
		pub, _ := s.Recommendation(ctx, r.ID)
		if _, err := s.SaveRecommendation(ctx, "analyst-1", pub); !errors.Is(err, store.ErrNotDraft) {
			t.Errorf("a published recommendation was edited: %v", err)
		}
		if _, err := s.PublishedRecommendation(ctx, r.Reference); err != nil {
			t.Fatal(err)
		}

		// Withdrawal of a, consent to quotation of b withdrawn, c goes
		// with the programme's retention rule.
		if err := s.WithdrawExperience(ctx, a.Reference, a.Secret); err != nil {
			t.Fatal(err)
		}
		if err := s.WithdrawConsent(ctx, b.Reference, b.Secret, store.ConsentQuote); err != nil {
			t.Fatal(err)
		}
		ev, err := s.RecommendationEvidence(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Quotes) != 3 || !ev.Quotes[0].Withdrawn || ev.Quotes[0].Words != "" || !ev.Quotes[1].Withdrawn || ev.Quotes[1].Words != "" ||
			ev.Quotes[2].Withdrawn || ev.Quotes[2].Words != "The letter came only in English." {
			t.Fatalf("after withdrawals: %+v", ev.Quotes)
		}
		prog := demo.Luton()
		prog.Settings.EndDate = "2000-01-01"
		if err := s.ReplaceProgramme(ctx, "test", prog); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RetentionPurge(ctx, "experiences-after-programme-end", time.Now(), 100); err != nil {
			t.Fatal(err)
		}
		ev, _ = s.RecommendationEvidence(ctx, r.ID)
		if len(ev.Quotes) != 3 || !ev.Quotes[2].Withdrawn || ev.Quotes[2].Words != "" {
			t.Fatalf("after retention: %+v", ev.Quotes)
		}
		// The figures stay as they were published.
		if len(ev.Figures) != 2 || ev.Figures[0].Value != "*" || ev.Figures[1].Community != "polish" {
			t.Errorf("figures changed: %+v", ev.Figures)
		}
	})
}

// TestUnconsentedQuoteCannotBeChosen: a coding the person did not agree
// to have quoted is refused as evidence, and so is one withdrawn before
// publication.
func TestUnconsentedQuoteCannotBeChosen(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.Consent.Quote = false
		rc := approved(t, s, sub)
		id, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language"), Passage: analysis.Passage{Field: "what_happened", Whole: true}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "t", Text: "x", Organisations: []string{"icb"}, Quotes: []string{id.ID}}); !errors.Is(err, store.ErrQuoteNotConsented) {
			t.Errorf("an unconsented quote was attached: %v", err)
		}
		a := quoted(t, s, "Words to be withdrawn.")
		qa := quoteFor(t, s, a.ID)
		r, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "t", Text: "x", Organisations: []string{"icb"}, Quotes: []string{qa.CodingID}})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.WithdrawExperience(ctx, a.Reference, a.Secret); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Recommendation(ctx, r.ID); len(got.Quotes) != 0 {
			t.Errorf("a withdrawn quote stayed on a draft: %v", got.Quotes)
		}
		if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version, nil, []store.Quote{qa}, func(string) string { return "" }); !errors.Is(err, store.ErrQuoteNotConsented) {
			t.Errorf("a withdrawn quote was published: %v", err)
		}
	})
}
