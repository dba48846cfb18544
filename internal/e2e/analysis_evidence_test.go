package e2e

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

// smallCount is a published cell that shows a count of 1 to 7.
var smallCount = regexp.MustCompile(`^[1-7]$`)

// TestAnalystFindsWhereALanguageThemeComesFromAndTheICBSeesItSuppressed:
// the demo stories are coded (through the store: coding has its own
// journey), quotes marked where the person agreed. An analyst finds demo
// experiences by search in English and in Polish; on the breakdown, with
// JavaScript off, narrows to one pathway stage and reads which
// communities the "language and interpreters" theme comes from, then
// the census comparison (who is under-heard). A stakeholder of the ICB
// sees the same evidence with small numbers withheld, quotes only where
// the person agreed, is told plainly when asking for another
// organisation's view, and a withdrawn story leaves the page. Every page
// passes axe-core.
func TestAnalystFindsWhereALanguageThemeComesFromAndTheICBSeesItSuppressed(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	queue, _, err := s.App.Store.CodingQueue(bg, 100)
	if err != nil {
		t.Fatal(err)
	}
	exps, _ := demo.Experiences()
	if len(queue) != len(exps) {
		t.Fatalf("%d demo stories to code, %d in the demo file", len(queue), len(exps))
	}
	for i, it := range queue {
		for k, c := range exps[i].Codes {
			if _, err := s.App.Store.AddCoding(bg, "demo-coder", store.NewCoding{ExperienceID: it.ID, CodeID: c, Quote: k == 0 && exps[i].Quote,
				Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The first story (South Asian, getting diagnosed, coded whole with
	// family interpreting) gets a second passage of the language theme:
	// its first sentence, coded with letters in English only.
	first := analysis.Sentences(exps[0].WhatHappened)[0]
	if _, err := s.App.Store.AddCoding(bg, "demo-coder", store.NewCoding{ExperienceID: queue[0].ID, CodeID: demo.CodeID("language-written"),
		Passage: analysis.Passage{Field: "what_happened", Start: first.Start, End: first.End}}); err != nil {
		t.Fatal(err)
	}
	// One more story, coded and quotable, that its teller will withdraw.
	rc, err := s.App.Store.SubmitExperience(bg, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "carer",
		Stages: []string{"treatment"}, WhatHappened: "The ward found a Bengali interpreter for my father within the hour.",
		Equality: equality.Answers{Community: "south-asian"}, Consent: experience.Consent{Version: "t", Evidence: true, Quote: true},
		Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.App.Store.DecideExperience(bg, "test", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Store.AddCoding(bg, "demo-coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language"), Quote: true,
		Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
		t.Fatal(err)
	}
	analyst := &person{Name: "Priya Shah", Email: "priya.shah@example.org", Password: "amber lantern river 17"}
	s.newStaffMember(analyst, account.Analyst)
	prog, err := s.App.Store.Programme(bg)
	if err != nil {
		t.Fatal(err)
	}
	var icbID, otherSlug string
	for _, o := range prog.Organisations {
		if o.Kind == "icb" {
			icbID = o.ID
		} else if otherSlug == "" {
			otherSlug = o.Slug
		}
	}
	icb := &person{Name: "Dana Whitfield", Email: "dana.whitfield@example.org", Password: "granite orchard lily 44"}
	u := s.newStaffMember(icb, account.Stakeholder)
	if err := s.App.Store.ChangeRole(bg, "test", u.ID, account.Stakeholder, icbID); err != nil {
		t.Fatal(err)
	}

	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.signIn(s, analyst)

	// Search, in English and in Polish.
	b.open("/staff/analysis/search")
	axe.check(b, "en", "search")
	for _, q := range []struct{ words, want string }{{"interpreter", "interpreter"}, {"tłumacza", "tłumacza"}} {
		b.fill("#q", q.words)
		if st := follow(b, chromedp.CSS(`main form[action="/staff/analysis/search"] button.button:not(.secondary)`)); st != http.StatusOK {
			t.Fatalf("search %q: %d", q.words, st)
		}
		marks := b.texts(".search-results mark")
		if len(marks) == 0 || !strings.EqualFold(marks[0], q.want) {
			t.Fatalf("search %q: marked %q in %q", q.words, marks, b.text("main"))
		}
		axe.check(b, "en", "search results for "+q.words)
	}

	// The breakdown with JavaScript off: one pathway stage, by community.
	off := privateTab(t, ctx, s.URL)
	off.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	off.signIn(s, analyst)
	off.open("/staff/analysis")
	off.do("rows: themes; columns: community; stage: getting diagnosed",
		chromedp.SetValue(chromedp.CSS("#rows"), "theme"), chromedp.SetValue(chromedp.CSS("#cols"), "community"),
		chromedp.SetValue(chromedp.CSS("#stage"), "getting-diagnosed"))
	if st := follow(off, chromedp.CSS(`form.breakdown-form button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("breakdown: %d", st)
	}
	if !strings.Contains(off.location(), "stage=getting-diagnosed") {
		t.Fatalf("the stage was not sent: %s", off.location())
	}
	// Getting diagnosed: stories 0, 22 (South Asian), 36 (Black African)
	// and 28 (South Asian, written information) name the language theme.
	row := eval[[]string](off, `Array.from(document.querySelectorAll("table.breakdown:not([data-census]):not([data-pairs]) tbody tr")).filter(r => r.querySelector("th").textContent === "Language and interpreters").map(r => Array.from(r.querySelectorAll("td")).map(td => td.textContent.trim().split(" ")[0]).join("|"))`)
	cols := off.texts("table.breakdown:not([data-census]):not([data-pairs]) thead th")
	if len(row) != 1 {
		t.Fatalf("no language row: %v", off.text("main"))
	}
	got := map[string]string{}
	for i, v := range strings.Split(row[0], "|") {
		if i+1 < len(cols) {
			got[cols[i+1]] = v
		}
	}
	if got["South Asian"] != "3" || got["Black African"] != "1" || got["All"] != "4" {
		t.Errorf("language and interpreters at diagnosis by community: %v", got)
	}
	// The same, counting coded passages: the first story's two.
	off.do("count: coded passages", chromedp.SetValue(chromedp.CSS("#measure"), "passages"))
	if st := follow(off, chromedp.CSS(`form.breakdown-form button[type=submit]`)); st != http.StatusOK {
		t.Fatalf("breakdown of passages: %d", st)
	}
	if !strings.Contains(off.location(), "measure=passages") {
		t.Fatalf("the measure was not sent: %s", off.location())
	}
	row = eval[[]string](off, `Array.from(document.querySelectorAll("table.breakdown:not([data-census]):not([data-pairs]) tbody tr")).filter(r => r.querySelector("th").textContent === "Language and interpreters").map(r => Array.from(r.querySelectorAll("td")).map(td => td.textContent.trim().split(" ")[0]).join("|"))`)
	cols = off.texts("table.breakdown:not([data-census]):not([data-pairs]) thead th")
	if len(row) != 1 {
		t.Fatalf("no language row of passages: %v", off.text("main"))
	}
	got = map[string]string{}
	for i, v := range strings.Split(row[0], "|") {
		if i+1 < len(cols) {
			got[cols[i+1]] = v
		}
	}
	if got["South Asian"] != "4" || got["Black African"] != "1" || got["All"] != "5" || slices.Contains(cols, "p (chi-square)") {
		t.Errorf("passages of language and interpreters at diagnosis by community: %v (columns %v)", got, cols)
	}
	// Back to every stage: the census comparison.
	off.open("/staff/analysis?rows=theme&cols=community")
	census := off.text(`table[data-census="ethnic_group"]`)
	for _, want := range []string{"Asian: Bangladeshi, Indian or Pakistani", "73,869", "Black: African", "Not compared"} {
		if !strings.Contains(census, want) {
			t.Errorf("census comparison lacks %q: %s", want, census)
		}
	}
	if !strings.Contains(off.text("main"), "Source: census table TS021") || !strings.Contains(off.text("main"), "census table TS024") {
		t.Error("the census figures are not cited")
	}
	if lang := off.text(`table[data-census="main_language"]`); !strings.Contains(lang, "Polish") || !strings.Contains(lang, "7,823") {
		t.Errorf("no main-language comparison with Luton's TS024 figures: %s", lang)
	}
	if len(off.texts("table[data-pairs] tbody tr")) == 0 {
		t.Error("no themes named together")
	}
	b.open("/staff/analysis?rows=theme&cols=community&stage=getting-diagnosed")
	axe.check(b, "en", "breakdown with census and co-occurrence")
	b.open("/staff/analysis?rows=code&cols=source&measure=passages")
	axe.check(b, "en", "breakdown of coded passages")
	b.open("/staff/analysis?rows=stage&measure=passages")
	if !strings.Contains(b.text(".error-summary"), "Coded passages are counted by theme or by code") {
		t.Errorf("passages by stage: %q", b.text(".error-summary"))
	}
	axe.check(b, "en", "breakdown of passages by stage refused")
	b.open("/staff/analysis?from=2026-13")
	if !strings.Contains(b.text(".error-summary"), "Enter a month") {
		t.Errorf("a month it cannot read: %q", b.text(".error-summary"))
	}
	axe.check(b, "en", "breakdown with an error")
	b.open("/staff/analysis?rows=theme&cols=community&lang=ur")
	axe.check(b, "ur", "breakdown in Urdu")

	// The ICB's stakeholder: the same evidence, suppressed.
	st := privateTab(t, ctx, s.URL)
	st.signIn(s, icb)
	if code := st.open("/staff/analysis"); code != http.StatusForbidden {
		t.Errorf("a stakeholder reached the analyst's breakdown: %d", code)
	}
	if code := st.open("/staff/evidence"); code != http.StatusOK {
		t.Fatalf("evidence: %d", code)
	}
	axe.check(st, "en", "evidence for a stakeholder")
	for _, lang := range []string{"pl", "ur"} {
		st.open("/staff/evidence?lang=" + lang)
		axe.check(st, lang, "evidence for a stakeholder")
	}
	st.open("/staff/evidence?lang=en")
	if strings.Contains(st.text("main"), "Every figure in this table is between 1 and 7") {
		t.Error("tables whose totals show figures are said to be all withheld")
	}
	for _, sel := range []string{`table[data-evidence="community"] td`, `table[data-evidence="stage"] td`, `table[data-census] td`} {
		for _, c := range st.texts(sel) {
			if smallCount.MatchString(c) {
				t.Errorf("an unsuppressed small count in %s: %q", sel, c)
			}
		}
	}
	page := st.text("main")
	if !strings.Contains(page, "Language and interpreters") || !strings.Contains(page, "Getting diagnosed") || !strings.Contains(page, "*") {
		t.Error("the themes by community and by stage, suppressed, are not shown")
	}
	// Quotes only where the person agreed: every quote shown is the words
	// of a story whose teller agreed; story 9's teller did not.
	quotes := st.texts("ul.quotes blockquote")
	if len(quotes) == 0 {
		t.Error("no quotes")
	}
	for _, q := range quotes {
		agreed := strings.Contains(q, "Bengali interpreter for my father")
		for _, e := range exps {
			if strings.TrimSpace(q) == strings.TrimSpace(e.WhatHappened) {
				agreed = e.Quote
			}
		}
		if !agreed {
			t.Errorf("words without quotation consent reached a stakeholder: %q", q)
		}
	}
	if strings.Contains(page, "Na wizycie u onkologa nie było tłumacza") {
		t.Error("words without quotation consent reached a stakeholder")
	}
	if !strings.Contains(page, "Bengali interpreter for my father") {
		t.Fatal("the quote that will be withdrawn is not shown yet")
	}
	before := st.text(`table[data-census] tbody tr`)
	if code := st.open("/staff/evidence?org=" + otherSlug); code != http.StatusForbidden || !strings.Contains(st.text("[data-refused]"), "another organisation") {
		t.Errorf("another organisation's view: %d %q", code, st.text("main"))
	}
	axe.check(st, "en", "evidence, another organisation's view refused")

	// The teller withdraws: the quote leaves the page at once.
	if err := s.App.Store.WithdrawExperience(bg, rc.Reference, rc.Secret); err != nil {
		t.Fatal(err)
	}
	st.open("/staff/evidence")
	if strings.Contains(st.text("main"), "Bengali interpreter for my father") {
		t.Error("a withdrawn quote is still shown")
	}
	if after := st.text(`table[data-census] tbody tr`); after == "" || before == "" {
		t.Errorf("census rows before %q after %q", before, after)
	}
	b.open("/staff/analysis/search")
	b.fill("#q", "Bengali interpreter")
	follow(b, chromedp.CSS(`main form[action="/staff/analysis/search"] button.button:not(.secondary)`))
	if strings.Contains(b.text("main"), "for my father") {
		t.Error("a withdrawn story is still found")
	}
}
