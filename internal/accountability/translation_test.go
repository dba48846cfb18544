package accountability

import (
	"strings"
	"testing"
)

func TestTranslatedFallsBackAndGoesStale(t *testing.T) {
	english := Words{Text: "We will book interpreters."}
	ts := []TextTranslation{{Lang: "ur", Words: Words{Text: "ہم مترجم بک کریں گے۔"}, Source: english.Source(), By: "u1"}}
	if w, tr, fb := Translated(english, ts, "ur"); w.Text != ts[0].Text || fb || tr == nil || tr.By != "u1" {
		t.Errorf("Urdu: %q %v %v", w.Text, tr, fb)
	}
	if w, tr, fb := Translated(english, ts, "pl"); w != english || !fb || tr != nil {
		t.Errorf("Polish (none): %q %v %v", w.Text, tr, fb)
	}
	if w, _, fb := Translated(english, ts, "en"); w != english || fb {
		t.Errorf("English: %q fallback %v", w.Text, fb)
	}
	changed := Words{Text: "We will book professional interpreters."}
	if !ts[0].Stale(changed) || ts[0].Stale(english) {
		t.Error("stale is not told from up to date")
	}
	if w, tr, fb := Translated(changed, ts, "ur"); w != changed || !fb || tr != nil {
		t.Errorf("a stale translation was shown: %q", w.Text)
	}
	// A change to the reason alone makes an update's translation stale.
	u := Words{Text: "Stopped.", Reason: "No money."}
	tu := TextTranslation{Lang: "ur", Source: u.Source()}
	if u2 := (Words{Text: "Stopped.", Reason: "No staff."}); !tu.Stale(u2) {
		t.Error("a changed reason left the translation up to date")
	}
}

func TestValidateTranslationInPageOrder(t *testing.T) {
	english := Words{Text: "Stopped.", Reason: "No money.", WhatChanged: ""}
	w := Words{Text: " ", Reason: "", WhatChanged: "kept?"}
	errs := w.ValidateTranslation(SubjectUpdate, english)
	if len(errs) != 2 || errs[0].Field != "text" || errs[1].Field != "reason" {
		t.Fatalf("errors: %+v", errs)
	}
	if w.WhatChanged != "" {
		t.Error("a translation of a part the English lacks was kept")
	}
	over := Words{Text: strings.Repeat("ب", MaxCommitment+1)}
	if errs := over.ValidateTranslation(SubjectCommitment, Words{Text: "We will."}); len(errs) != 1 || errs[0].Key != "accountability.error_too_long" {
		t.Errorf("an overlong translation: %+v", errs)
	}
}
