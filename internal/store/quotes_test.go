package store_test

import (
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// passageOf is the passage of field that holds words, in code points.
func passageOf(t *testing.T, field, text, words string) analysis.Passage {
	t.Helper()
	i := strings.Index(text, words)
	if i < 0 {
		t.Fatalf("%q is not in %q", words, text)
	}
	start := len([]rune(text[:i]))
	return analysis.Passage{Field: field, Start: start, End: start + len([]rune(words))}
}

// quoteOf adds a quote on a passage of an approved experience.
func quoteOf(t *testing.T, s *store.Store, experienceID, slug string, p analysis.Passage) store.Coding {
	t.Helper()
	c, err := s.AddCoding(ctx, "coder-1", store.NewCoding{ExperienceID: experienceID, CodeID: demo.CodeID(slug), Quote: true, Passage: p})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// redactWhatHappened has a moderator redact an experience's first answer
// to text.
func redactWhatHappened(t *testing.T, s *store.Store, id, text string) {
	t.Helper()
	v, err := s.ExperienceForCoding(ctx, id, "moderator", "")
	if err != nil {
		t.Fatal(err)
	}
	texts := v.Experience.Submission
	texts.WhatHappened = text
	if err := s.RedactExperience(ctx, "moderator", id, texts, nil, "v1:k:o"); err != nil {
		t.Fatal(err)
	}
}

func consentedQuotes(t *testing.T, s *store.Store) map[string]store.Quote {
	t.Helper()
	qs, err := s.ConsentedQuotes(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Quote{}
	for _, q := range qs {
		out[q.CodingID] = q
	}
	return out
}

// TestQuoteShowsTheRenderingOfItsOwnWordsOnly: a quote of one sentence of
// a Polish answer is shown without the English rendering of the whole
// answer (which says more than the quote); a quote of the whole answer
// has the rendering beside it; the matching passage of the rendering,
// quoted itself, is an English quote of its own.
func TestQuoteShowsTheRenderingOfItsOwnWordsOnly(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Czekaliśmy trzy miesiące. Lekarz powiedział, że to nic."
		sub.CouldBeBetter = "Tłumacz na każdej wizycie."
		rc := approved(t, s, sub)
		rendering := "We waited three months. The doctor said it was nothing."
		for field, text := range map[string]string{"what_happened": rendering, "could_be_better": "An interpreter at every appointment."} {
			if err := s.SaveTranslation(ctx, "translator-1", rc.ID, field, text); err != nil {
				t.Fatal(err)
			}
		}
		sentence := quoteOf(t, s, rc.ID, "waiting", passageOf(t, "what_happened", sub.WhatHappened, "Czekaliśmy trzy miesiące."))
		whole := quoteOf(t, s, rc.ID, "language", analysis.Passage{Field: "could_be_better", Whole: true})
		english := quoteOf(t, s, rc.ID, "waiting", passageOf(t, "translation.what_happened", rendering, "We waited three months."))

		qs := consentedQuotes(t, s)
		if q := qs[sentence.ID]; q.Words != "Czekaliśmy trzy miesiące." || q.Lang != "pl" || q.Translation != "" {
			t.Errorf("a one-sentence quote came with words beyond it: %+v", q)
		}
		for _, q := range qs {
			if strings.Contains(q.Words+q.Translation, "The doctor said") {
				t.Errorf("the rendering of an unquoted sentence is shown: %+v", q)
			}
		}
		if q := qs[whole.ID]; q.Words != sub.CouldBeBetter || q.Translation != "An interpreter at every appointment." {
			t.Errorf("the whole answer quoted lost its rendering: %+v", q)
		}
		if q := qs[english.ID]; q.Words != "We waited three months." || q.Lang != "en" || q.Translation != "" {
			t.Errorf("the quoted passage of the rendering: %+v", q)
		}
	})
}

// TestRedactionTakesQuotesOnRenderingsAway: a quote on the English
// rendering of an answer that is then redacted is sent back to a coder
// and shown nowhere (not even as already published), because the
// rendering still says what the moderator took out; a quote of words the
// redaction left as they were stays everywhere. Redoing the rendering does
// not bring the quote back until a coder has coded it again.
func TestRedactionTakesQuotesOnRenderingsAway(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Dr Nowak był niemiły. Syn musiał tłumaczyć."
		rc := approved(t, s, sub)
		rendering := "Dr Nowak was rude. My son had to translate."
		if err := s.SaveTranslation(ctx, "translator-1", rc.ID, "what_happened", rendering); err != nil {
			t.Fatal(err)
		}
		onRendering := quoteOf(t, s, rc.ID, "communication", passageOf(t, "translation.what_happened", rendering, "Dr Nowak was rude."))
		onAnswer := quoteOf(t, s, rc.ID, "language-family-interpreting", passageOf(t, "what_happened", sub.WhatHappened, "Syn musiał tłumaczyć."))
		qs := consentedQuotes(t, s)
		if len(qs) != 2 {
			t.Fatalf("before the redaction: %+v", qs)
		}
		r := publishQuotes(t, s, qs[onRendering.ID], qs[onAnswer.ID])
		if err := s.MarkCoded(ctx, "coder-1", rc.ID, true); err != nil {
			t.Fatal(err)
		}

		redactWhatHappened(t, s, rc.ID, "Dr [name] był niemiły. Syn musiał tłumaczyć.")
		gone := func(when string) {
			t.Helper()
			qs := consentedQuotes(t, s)
			if q, ok := qs[onRendering.ID]; ok {
				t.Errorf("%s: a quote on an out-of-date rendering is shown: %+v", when, q)
			}
			if q := qs[onAnswer.ID]; q.Words != "Syn musiał tłumaczyć." {
				t.Errorf("%s: a quote the redaction left alone went: %+v", when, q)
			}
			v, _ := s.ExperienceForCoding(ctx, rc.ID, "coder-1", "")
			for _, c := range v.Codings {
				if c.ID == onRendering.ID && !c.NeedsReview {
					t.Errorf("%s: the quote on the rendering was not sent back to a coder", when)
				}
			}
		}
		gone("after the redaction")
		if _, total, _ := s.CodingQueue(ctx, 10); total != 1 {
			t.Errorf("the redacted experience is not back in the coding queue: %d", total)
		}
		ev, err := s.RecommendationEvidence(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Quotes) != 2 || !ev.Quotes[0].Withdrawn || ev.Quotes[0].Words != "" || ev.Quotes[1].Words != "Syn musiał tłumaczyć." {
			t.Errorf("published evidence after the redaction: %+v", ev.Quotes)
		}

		if err := s.SaveTranslation(ctx, "translator-1", rc.ID, "what_happened", "Dr [name] was rude. My son had to translate."); err != nil {
			t.Fatal(err)
		}
		gone("after the rendering was redone")
	})
}

// TestQuoteOnStaleRenderingHiddenWithoutReviewFlag: a quote on a
// rendering made out of date by a redaction is not shown, even with no
// coder asked to look at it again (as for a redaction made before codings
// on renderings were sent back).
func TestQuoteOnStaleRenderingHiddenWithoutReviewFlag(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Dr Nowak był niemiły."
		rc := approved(t, s, sub)
		if err := s.SaveTranslation(ctx, "translator-1", rc.ID, "what_happened", "Dr Nowak was rude."); err != nil {
			t.Fatal(err)
		}
		c := quoteOf(t, s, rc.ID, "communication", analysis.Passage{Field: "translation.what_happened", Whole: true})
		redactWhatHappened(t, s, rc.ID, "Dr [name] był niemiły.")
		if _, err := s.WriteDB().ExecContext(ctx, "UPDATE codings SET needs_review = FALSE"); err != nil {
			t.Fatal(err)
		}
		if q, ok := consentedQuotes(t, s)[c.ID]; ok {
			t.Errorf("a quote on an out-of-date rendering is shown: %+v", q)
		}
	})
}

// TestPublishReadsTheQuotesWordsAgain: the words a publish was handed
// (read by the page before a redaction) are not what is frozen; the
// publish reads each quote again in its own transaction, so a redaction
// between the page and the publish is not undone in the public record.
func TestPublishReadsTheQuotesWordsAgain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Dr Nowak told me to stop fussing."
		rc := approved(t, s, sub)
		whole := quoteOf(t, s, rc.ID, "communication", analysis.Passage{Field: "what_happened", Whole: true})
		stale := consentedQuotes(t, s)[whole.ID] // what the publish page read
		if stale.Words != sub.WhatHappened {
			t.Fatalf("the quote before the redaction: %+v", stale)
		}
		r := saveWithQuotes(t, s, whole.ID)
		redactWhatHappened(t, s, rc.ID, "Dr [name] told me to stop fussing.")
		if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version, nil, []store.Quote{stale}, func(string) string { return "Communication" }); err != nil {
			t.Fatal(err)
		}
		ev, err := s.RecommendationEvidence(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Quotes) != 1 || ev.Quotes[0].Words != "Dr [name] told me to stop fussing." {
			t.Errorf("published after a redaction the page had not seen: %+v", ev.Quotes)
		}
	})
}

// TestRedactionTakesPublishedWordsOutOfTheirOwnAnswer: a published quote
// goes when the answer it was quoted from is redacted, even though the
// same words are still in another answer of the story.
func TestRedactionTakesPublishedWordsOutOfTheirOwnAnswer(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		sub := submission()
		sub.WhatHappened = "Dr Nowak told me to stop fussing."
		sub.CouldBeBetter = "Nobody should be told me to stop fussing, as I was."
		rc := approved(t, s, sub)
		c := quoteOf(t, s, rc.ID, "communication", passageOf(t, "what_happened", sub.WhatHappened, "told me to stop fussing"))
		r := publishQuotes(t, s, consentedQuotes(t, s)[c.ID])
		redactWhatHappened(t, s, rc.ID, "Dr [name] told me to [removed].")
		ev, err := s.RecommendationEvidence(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ev.Quotes) != 1 || !ev.Quotes[0].Withdrawn || ev.Quotes[0].Words != "" {
			t.Errorf("the public record keeps words redacted from the answer they were quoted from: %+v", ev.Quotes)
		}
	})
}

// saveWithQuotes saves a draft recommendation to the ICB quoting the
// codings given.
func saveWithQuotes(t *testing.T, s *store.Store, codingIDs ...string) accountability.Recommendation {
	t.Helper()
	r, err := s.SaveRecommendation(ctx, "analyst-1", accountability.Recommendation{Title: "Kindness", Text: "Train staff.", Organisations: []string{"icb"},
		Quotes: codingIDs})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// publishQuotes saves and publishes a recommendation with the quotes
// given, as the publish page read them.
func publishQuotes(t *testing.T, s *store.Store, quotes ...store.Quote) accountability.Recommendation {
	t.Helper()
	var ids []string
	for _, q := range quotes {
		ids = append(ids, q.CodingID)
	}
	r := saveWithQuotes(t, s, ids...)
	if err := s.PublishRecommendation(ctx, "admin-1", r.ID, r.Version, nil, quotes, func(string) string { return "Communication" }); err != nil {
		t.Fatal(err)
	}
	return r
}
