package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// TestWordsTranslations: a commitment, a public update and an answer's
// reasons are translated (who and when kept, each in the audit trail);
// the report, a commitment's updates and the public updates carry them;
// an update still waiting for review cannot be translated; a translation
// made from words the organisation has since changed is refused, and one
// saved before the change is kept but stale (not shown as the words).
func TestWordsTranslations(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loadDemoCodebook(t, s)
		rec := publishedRecommendation(t, s, "icb")
		resp, err := s.SaveResponse(ctx, "sh-1", accountability.Response{RecommendationID: rec.ID, Organisation: "icb", Decision: accountability.PartlyAccepted, Reasons: "Longer appointments later."})
		if err != nil {
			t.Fatal(err)
		}
		today := accountability.Day(time.Now(), time.UTC)
		c, err := s.AddCommitment(ctx, "sh-1", accountability.Commitment{RecommendationID: rec.ID, Organisation: "icb", Text: "We will book interpreters.", OwnerRole: "Lead",
			Due: today.AddDate(0, 2, 0), Weight: 1, CreatedOn: today}, "planned")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.AddCommitment(ctx, "sh-1", accountability.Commitment{RecommendationID: rec.ID, Organisation: "icb", Text: "We will translate letters.", OwnerRole: "Lead",
			Due: today.AddDate(0, 2, 0), Weight: 1, CreatedOn: today}, "planned")
		if err != nil {
			t.Fatal(err)
		}
		up, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 20,
			Text: "Half the clinics book them.", Review: accountability.ReviewNone})
		if err != nil {
			t.Fatal(err)
		}
		pending, err := s.AddUpdate(ctx, "sh-1", "icb", accountability.Update{CommitmentID: c.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 30,
			Text: "x", Claim: accountability.ClaimMade, WhatChanged: "The form asks.", Review: accountability.ReviewPending})
		if err != nil {
			t.Fatal(err)
		}

		ur := func(w accountability.Words, english accountability.Words) accountability.TextTranslation {
			return accountability.TextTranslation{Lang: "ur", Words: w, Source: english.Source()}
		}
		if err := s.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectCommitment, c.ID, ur(accountability.Words{Text: "ہم مترجم بک کریں گے۔"}, c.Words())); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectUpdate, up.ID, ur(accountability.Words{Text: "آدھے کلینک بک کرتے ہیں۔"}, up.Words())); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectResponse, resp.ID, ur(accountability.Words{Text: "لمبی ملاقاتیں بعد میں۔"}, resp.Words())); err != nil {
			t.Fatal(err)
		}
		// Not public yet: not on offer.
		if err := s.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectUpdate, pending.ID, ur(accountability.Words{Text: "x"}, pending.Words())); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("translated an update waiting for review: %v", err)
		}
		// Made from other English: refused.
		if err := s.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectCommitment, other.ID, ur(accountability.Words{Text: "x"}, accountability.Words{Text: "We will."})); !errors.Is(err, store.ErrConflict) {
			t.Errorf("a translation of words the commitment does not say: %v", err)
		}

		rep, err := s.Report(ctx, "ur")
		if err != nil {
			t.Fatal(err)
		}
		var got, untranslated accountability.Commitment
		for _, x := range rep.Commitments {
			if x.ID == c.ID {
				got = x
			}
			if x.ID == other.ID {
				untranslated = x
			}
		}
		w, tr, fallback := accountability.Translated(got.Words(), got.Translations, "ur")
		if w.Text != "ہم مترجم بک کریں گے۔" || fallback || tr == nil || tr.By != "connector-1" || tr.At.IsZero() {
			t.Errorf("the report's commitment in Urdu: %q fallback %v %+v", w.Text, fallback, tr)
		}
		if w, _, fallback := accountability.Translated(untranslated.Words(), untranslated.Translations, "ur"); w.Text != "We will translate letters." || !fallback {
			t.Errorf("an untranslated commitment: %q fallback %v", w.Text, fallback)
		}
		if len(rep.Responses) != 1 || len(rep.Responses[0].Translations) != 1 || rep.Responses[0].Translations[0].Text != "لمبی ملاقاتیں بعد میں۔" {
			t.Errorf("the report's answer: %+v", rep.Responses)
		}
		ups, err := s.Updates(ctx, c.ID, true)
		if err != nil || len(ups) != 1 || len(ups[0].Translations) != 1 || ups[0].Translations[0].Text != "آدھے کلینک بک کرتے ہیں۔" {
			t.Fatalf("the commitment's public updates: %+v %v", ups, err)
		}
		feed, err := s.PublicUpdates(ctx, 50)
		if err != nil || len(feed) != 1 || len(feed[0].Translations) != 1 {
			t.Fatalf("the public updates: %+v %v", feed, err)
		}
		byRef, err := s.CommitmentByReference(ctx, c.Reference)
		if err != nil || len(byRef.Translations) != 1 {
			t.Fatalf("the commitment by reference: %+v %v", byRef, err)
		}

		// Each one audited, with the commitment (or the recommendation)
		// as subject.
		trail, err := s.FilterAudit(ctx, store.AuditFilter{Subject: c.ID, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range trail {
			if e.Action == store.AuditTranslated && e.ActorID == "connector-1" && strings.Contains(e.Detail, `"lang":"ur"`) {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d translation entries on the commitment, want 2 (it and its update)", n)
		}
		trail, _ = s.FilterAudit(ctx, store.AuditFilter{Subject: rec.ID, Limit: 100})
		found := false
		for _, e := range trail {
			found = found || (e.Action == store.AuditTranslated && strings.Contains(e.Detail, resp.ID))
		}
		if !found {
			t.Error("the answer's translation is not in the audit trail")
		}

		// The organisation changes its words: the translation is kept,
		// stale, and the words shown are the new English.
		c.Text = "We will book a professional interpreter."
		if _, err := s.EditCommitment(ctx, "sh-1", c); err != nil {
			t.Fatal(err)
		}
		target, err := s.TranslationTarget(ctx, accountability.SubjectCommitment, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		ex := accountability.Of(target.Translations, "ur")
		if ex == nil || !ex.Stale(target.English) || target.English.Text != c.Text {
			t.Fatalf("after the change: %+v", target)
		}
		if w, _, fallback := accountability.Translated(target.English, target.Translations, "ur"); w.Text != c.Text || !fallback {
			t.Errorf("a stale translation shown: %q", w.Text)
		}
		work, err := s.TranslationWork(ctx, "ur")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, it := range work {
			switch {
			case it.Translation == nil:
				states[it.ID] = "missing"
			case it.Stale():
				states[it.ID] = "stale"
			default:
				states[it.ID] = "done"
			}
		}
		if states[c.ID] != "stale" || states[other.ID] != "missing" || states[up.ID] != "done" || states[resp.ID] != "done" || len(work) != 4 {
			t.Errorf("the work list: %v (%d items: two commitments, one public update, one answer)", states, len(work))
		}
		// Translated again from the new words: up to date.
		if err := s.SaveWordsTranslation(ctx, "connector-2", accountability.SubjectCommitment, c.ID, ur(accountability.Words{Text: "ہم پیشہ ور مترجم بک کریں گے۔"}, target.English)); err != nil {
			t.Fatal(err)
		}
		target, _ = s.TranslationTarget(ctx, accountability.SubjectCommitment, c.ID)
		if ex := accountability.Of(target.Translations, "ur"); ex == nil || ex.Stale(target.English) || ex.By != "connector-2" || len(target.Translations) != 1 {
			t.Errorf("translated again: %+v", target.Translations)
		}
	})
}
