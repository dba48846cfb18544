package store_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// approved submits and approves an experience.
func approved(t *testing.T, s *store.Store, sub experience.Submission) experience.Receipt {
	t.Helper()
	rc, err := s.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DecideExperience(ctx, "connector-1", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	return rc
}

func loadDemoCodebook(t *testing.T, s *store.Store) {
	t.Helper()
	codes, err := demo.Codebook()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.ImportCodes(ctx, "admin-1", codes, true); err != nil {
		t.Fatal(err)
	}
}

func TestCodebookEditsKeepEveryCoding(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		rc := approved(t, s, submission())
		waiting, language := demo.CodeID("waiting"), demo.CodeID("language")
		for _, code := range []string{waiting, language} {
			if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: code, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
				t.Fatal(err)
			}
		}
		// Merge into itself and into its own sub-code are refused.
		if _, err := s.MergeCode(ctx, "analyst-1", language, language); !errors.Is(err, analysis.ErrMergeIntoSelf) {
			t.Errorf("merge into itself: %v", err)
		}
		if _, err := s.MergeCode(ctx, "analyst-1", language, demo.CodeID("language-written")); !errors.Is(err, analysis.ErrMergeIntoDescendant) {
			t.Errorf("merge into a sub-code: %v", err)
		}
		// Merging waiting into language: the same passage already has
		// language, so the coding is not doubled; nothing is lost.
		if _, err := s.MergeCode(ctx, "analyst-1", waiting, language); err != nil {
			t.Fatal(err)
		}
		v, err := s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Codings) != 1 || v.Codings[0].CodeID != language {
			t.Fatalf("after merge: %+v", v.Codings)
		}
		w, _ := s.Code(ctx, waiting)
		if w.MergedInto != language {
			t.Errorf("merged code not marked: %+v", w)
		}
		// Coding with the merged code is refused with a clear error.
		if _, err := s.AddCoding(ctx, "coder-2", store.NewCoding{ExperienceID: rc.ID, CodeID: waiting, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); !errors.Is(err, analysis.ErrCodeInactive) {
			t.Errorf("coding with a merged code: %v", err)
		}
		// A code that does not exist, and an experience that does not.
		if _, err := s.AddCoding(ctx, "coder-2", store.NewCoding{ExperienceID: rc.ID, CodeID: "no-such-code", Passage: analysis.Passage{Field: "what_happened", Whole: true}}); !errors.Is(err, analysis.ErrCodeNotFound) {
			t.Errorf("coding with a code that does not exist: %v", err)
		}
		if _, err := s.AddCoding(ctx, "coder-2", store.NewCoding{ExperienceID: "no-such-experience", CodeID: language, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("coding an experience that does not exist: %v", err)
		}
		// Split: new codes beside it, codings stay where they were.
		ids, err := s.SplitCode(ctx, "analyst-1", language, []analysis.Code{{Name: "Interpreters", Definition: "d"}, {Name: "Translated letters", Definition: "d"}})
		if err != nil || len(ids) != 2 {
			t.Fatalf("split: %v %v", ids, err)
		}
		v, _ = s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
		if len(v.Codings) != 1 {
			t.Errorf("split lost a coding: %+v", v.Codings)
		}
		// Move under own sub-code refused; archive keeps codings.
		if err := s.MoveCode(ctx, "analyst-1", language, demo.CodeID("language-written")); !errors.Is(err, analysis.ErrMoveIntoDescendant) {
			t.Errorf("move under own sub-code: %v", err)
		}
		if err := s.ArchiveCode(ctx, "analyst-1", language, true); err != nil {
			t.Fatal(err)
		}
		v, _ = s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
		if len(v.Codings) != 1 {
			t.Errorf("archive lost a coding")
		}
		hist, err := s.CodeHistory(ctx, language)
		if err != nil || len(hist) < 4 {
			t.Fatalf("history: %d entries, %v", len(hist), err)
		}
		if hist[0].Action != "archived" || hist[0].ActorID != "analyst-1" {
			t.Errorf("latest history entry: %+v", hist[0])
		}
		// An edit on a stale version is refused.
		c, _ := s.Code(ctx, demo.CodeID("transport"))
		c.Definition = "Getting there."
		if err := s.UpdateCode(ctx, "a", c.Code, c.Version); err != nil {
			t.Fatal(err)
		}
		if err := s.UpdateCode(ctx, "b", c.Code, c.Version); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale edit: %v", err)
		}
	})
}

func TestCodingPassagesQuotesAndConcurrency(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.Lang = "ur"
		sub.WhatHappened = "ہمارے خاندان میں کینسر کا نام بھی نہیں لیا جاتا۔ مجھے شرم اور ڈر تھا۔"
		rc := approved(t, s, sub)
		noQuote := submission()
		noQuote.Consent.Quote = false
		rc2 := approved(t, s, noQuote)

		v, err := s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
		if err != nil {
			t.Fatal(err)
		}
		stigma := demo.CodeID("stigma")
		// "کینسر" is code points 17..22 of the Urdu answer.
		c, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: stigma, Stamp: v.Stamp, Quote: true,
			Passage: analysis.Passage{Field: "what_happened", Start: 17, End: 22}})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Passage.Text(sub.WhatHappened); got != "کینسر" {
			t.Errorf("passage reads %q", got)
		}
		for _, bad := range []analysis.Passage{{Field: "what_happened", Start: 0, End: 500}, {Field: "what_happened", Start: 5, End: 2}, {Field: "name", Whole: true}} {
			if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: stigma, Passage: bad}); err == nil {
				t.Errorf("passage %+v accepted", bad)
			}
		}
		if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc2.ID, CodeID: stigma, Quote: true, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); !errors.Is(err, analysis.ErrNoQuoteConsent) {
			t.Errorf("quote without consent: %v", err)
		}
		// Eight coders apply codes to the same experience at once: every
		// distinct coding is kept, the identical ones once.
		var wg sync.WaitGroup
		codes := []string{"waiting", "language", "culture", "support", "waiting", "language", "culture", "support"}
		errs := make([]error, len(codes))
		for i, slug := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.AddCoding(ctx, "coder-x", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID(slug), Passage: analysis.Passage{Field: "what_happened", Whole: true}})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("concurrent coding %d: %v", i, err)
			}
		}
		v, _ = s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
		if len(v.Codings) != 5 {
			t.Errorf("%d codings, want 5 (1 passage + 4 distinct whole-answer codes)", len(v.Codings))
		}
		// A coding made on an experience that changed since it was opened is refused.
		if err := s.RedactExperience(ctx, "connector-1", rc.ID, v.Experience.Submission, nil, "v1:k:o"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("diagnosis"), Stamp: v.Stamp, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); !errors.Is(err, analysis.ErrStoryChanged) {
			t.Errorf("coding a changed story: %v", err)
		}
		// Memos, translation, queue.
		if _, err := s.SaveMemo(ctx, "coder-1", "", rc.ID, "", "Talks about shame."); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveMemo(ctx, "coder-1", "", "", stigma, "Often with fatalism."); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveTranslation(ctx, "champion-1", rc.ID, "what_happened", "In our family nobody even says the word cancer."); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: stigma, Passage: analysis.Passage{Field: "translation.what_happened", Start: 3, End: 13}}); err != nil {
			t.Errorf("coding the translation: %v", err)
		}
		q, total, err := s.CodingQueue(ctx, 10)
		if err != nil || total != 2 || len(q) != 2 {
			t.Fatalf("queue: %d %+v %v", total, q, err)
		}
		if err := s.MarkCoded(ctx, "coder-1", rc.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, total, _ := s.CodingQueue(ctx, 10); total != 1 {
			t.Errorf("queue after marking coded: %d", total)
		}
		ex, err := s.TrainingExamples(ctx)
		if err != nil || len(ex) != 1 || len(ex[0].Codes) != 5 {
			t.Fatalf("training examples: %+v %v", ex, err)
		}
		if err := s.RecordSuggestion(ctx, "coder-1", rc.ID, stigma, "nb1-x", true); err != nil {
			t.Fatal(err)
		}
		if a, r, err := s.SuggestionCounts(ctx); err != nil || a != 1 || r != 0 {
			t.Errorf("suggestion counts %d %d %v", a, r, err)
		}

		// Withdrawal leaves no coding, memo, translation, decision behind.
		if err := s.WithdrawExperience(ctx, rc.Reference, rc.Secret); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"codings", "memos WHERE experience_id IS NOT NULL", "translations", "suggestion_decisions", "coding_done"} {
			var n int
			if err := s.ReadDB().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Errorf("%s: %d rows left after withdrawal", table, n)
			}
		}
		if ex, _ := s.TrainingExamples(ctx); len(ex) != 0 {
			t.Errorf("withdrawn experience still trains the model")
		}
		if memos, _ := s.CodeMemos(ctx, stigma); len(memos) != 1 {
			t.Errorf("the code's own memo should stay: %d", len(memos))
		}
	})
}

func TestDoubleCodingAgreement(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "We waited seven weeks. Nobody called. My son translated."
		rc := approved(t, s, sub)
		first := map[string][2]int{"waiting": {0, 22}, "communication": {23, 37}, "language": {38, 56}}
		for slug, p := range first {
			if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID(slug), Passage: analysis.Passage{Field: "what_happened", Start: p[0], End: p[1]}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkCoded(ctx, "coder-1", rc.ID, true); err != nil {
			t.Fatal(err)
		}
		id, n, err := s.CreateSample(ctx, "analyst-1", "November", "coder-2", 5)
		if err != nil || n != 1 {
			t.Fatalf("sample: %d %v", n, err)
		}
		// The second coder agrees on waiting and language, not on communication.
		for slug, p := range map[string][2]int{"waiting": {0, 22}, "language": {38, 56}} {
			if _, err := s.AddCoding(ctx, "coder-2", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID(slug), SampleID: id, Passage: analysis.Passage{Field: "what_happened", Start: p[0], End: p[1]}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MarkSampleItemDone(ctx, id, rc.ID, true); err != nil {
			t.Fatal(err)
		}
		ag, err := s.SampleAgreement(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ag.Units != 3 {
			t.Fatalf("units = %d, want 3 sentences", ag.Units)
		}
		for _, c := range ag.Codes {
			switch c.Code {
			case demo.CodeID("waiting"), demo.CodeID("language"):
				if c.Kappa != 1 {
					t.Errorf("agreed code kappa %v", c.Kappa)
				}
			case demo.CodeID("communication"):
				if c.OnlyA != 1 || c.Both != 0 {
					t.Errorf("communication table %+v", c)
				}
			}
		}
		// The sample's codings are apart from the programme's.
		v, _ := s.ExperienceForCoding(ctx, rc.ID, "x", "")
		if len(v.Codings) != 3 {
			t.Errorf("programme codings = %d, want 3", len(v.Codings))
		}
	})
}

func TestRedactionReanchorsOrSendsBackCodings(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Dr Nowak was rude. My son had to translate. Nobody asked."
		rc := approved(t, s, sub)
		add := func(slug string, start, end int) {
			t.Helper()
			if _, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID(slug), Passage: analysis.Passage{Field: "what_happened", Start: start, End: end}}); err != nil {
				t.Fatal(err)
			}
		}
		add("communication", 0, 18)                 // "Dr Nowak was rude."
		add("language-family-interpreting", 19, 43) // "My son had to translate."
		add("waiting", 0, 57)                       // the whole text as a passage
		if err := s.SaveTranslation(ctx, "c", rc.ID, "what_happened", "Dr Nowak was rude..."); err != nil {
			t.Fatal(err)
		}
		v, _ := s.ExperienceForCoding(ctx, rc.ID, "c", "")
		texts := v.Experience.Submission
		texts.WhatHappened = "Dr [name] was rude. My son had to translate. Nobody asked."
		if err := s.RedactExperience(ctx, "moderator", rc.ID, texts, nil, "v1:k:o"); err != nil {
			t.Fatal(err)
		}
		v, _ = s.ExperienceForCoding(ctx, rc.ID, "c", "")
		got := map[string]store.Coding{}
		for _, c := range v.Codings {
			got[c.CodeID] = c
		}
		if c := got[demo.CodeID("language-family-interpreting")]; c.NeedsReview || c.Passage.Text(texts.WhatHappened) != "My son had to translate." {
			t.Errorf("a passage after the redaction did not move with its words: %+v", c)
		}
		for _, slug := range []string{"communication", "waiting"} {
			if c := got[demo.CodeID(slug)]; !c.NeedsReview {
				t.Errorf("%s: a passage whose words changed was not sent back to a coder", slug)
			}
		}
		if !v.Translations["what_happened"].OutOfDate {
			t.Error("the rendering of a redacted answer is not marked out of date")
		}
		// A second redaction elsewhere leaves the passage in place: it is
		// still for a coder to look at again.
		texts.WhatHappened = "Dr [name] was rude. My son had to translate. Nobody [...]."
		if err := s.RedactExperience(ctx, "moderator", rc.ID, texts, nil, "v1:k:o"); err != nil {
			t.Fatal(err)
		}
		v, _ = s.ExperienceForCoding(ctx, rc.ID, "c", "")
		for _, c := range v.Codings {
			if c.CodeID == demo.CodeID("communication") && !c.NeedsReview {
				t.Error("a later redaction took back a coding's call for review")
			}
		}
	})
}
