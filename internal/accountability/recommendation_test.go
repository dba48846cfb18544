package accountability

import (
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/analysis"
)

func TestValidateInPageOrder(t *testing.T) {
	r := Recommendation{Title: " ", Text: strings.Repeat("x", MaxText+1), Organisations: []string{"nowhere"},
		Translations: []Translation{{Lang: "pl", Title: "Tytuł"}, {Lang: "xx", Title: "ignored"}}, Quotes: []string{"gone"}}
	errs := r.Validate(Choices{Languages: []string{"pl"}, Organisations: []string{"icb"}, Quotes: []string{"q1"}})
	var got []string
	for _, e := range errs {
		got = append(got, e.Field+":"+e.Key)
	}
	want := "title:accountability.error_required text:accountability.error_too_long text-pl:accountability.error_required organisations:accountability.error_choice quotes:accountability.error_quote_gone"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if len(r.Translations) != 1 {
		t.Errorf("a translation in a language not offered was kept: %v", r.Translations)
	}
}

func TestNoEvidenceCannotBePublished(t *testing.T) {
	r := Recommendation{Status: Draft, Title: "t", Text: "x"}
	if errs := r.CanPublish(); errs.Key("themes") != "accountability.error_no_evidence" {
		t.Errorf("published without evidence: %v", errs)
	}
	r.Quotes = []string{"q"}
	if errs := r.CanPublish(); len(errs) != 0 {
		t.Errorf("a quote is evidence: %v", errs)
	}
}

func TestFallbackToEnglish(t *testing.T) {
	r := Recommendation{Title: "Interpreters", Text: "Book them.", Translations: []Translation{{"pl", "Tłumacze", "Zamawiajcie."}}}
	if title, _, fb := r.In("pl"); title != "Tłumacze" || fb {
		t.Errorf("pl: %s %v", title, fb)
	}
	if title, _, fb := r.In("ur"); title != "Interpreters" || !fb {
		t.Errorf("ur: %s %v", title, fb)
	}
	if _, _, fb := r.In("en"); fb {
		t.Error("English is no fallback")
	}
}

func TestReference(t *testing.T) {
	if Reference(2026, 1) != "R-2026-001" || !ValidReference("R-2026-001") || !ValidReference("R-2026-1234") {
		t.Error("reference form")
	}
	for _, bad := range []string{"", "R-2026-1", "r-2026-001", "R-2026-001x", "../etc", "R-20x6-001"} {
		if ValidReference(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Freeze publishes only the rule's strings: 12 -> 10, 3 -> *, 15 -> 15.
func TestFreezeKeepsOnlySuppressedFigures(t *testing.T) {
	var facts []analysis.Fact
	for range 12 {
		facts = append(facts, analysis.Fact{Community: "south-asian", Themes: []string{"lang"}})
	}
	for range 3 {
		facts = append(facts, analysis.Fact{Community: "polish", Themes: []string{"lang"}})
	}
	figs, err := Freeze(facts, []string{"lang", "wait"}, []string{"south-asian", "polish"}, []string{"lang"}, func(s string) string { return "Theme " + s })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range figs {
		got = append(got, f.Community+"="+f.Value)
	}
	if strings.Join(got, " ") != "=15 south-asian=10 polish=*" {
		t.Errorf("frozen: %v", got)
	}
	by := Evidence{Figures: figs}.ByTheme()
	if len(by) != 1 || by[0].Total != "15" || len(by[0].ByCommunity) != 2 || by[0].ThemeName != "Theme lang" {
		t.Errorf("by theme: %+v", by)
	}
}
