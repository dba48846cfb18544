package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

// TestRecommendationPublishedAndReadInUrduAndPolish: the demo stories are
// coded (through the store: coding has its own journey), quotes marked
// where the person agreed; an analyst drafts a recommendation from that
// evidence with a Polish translation; an administrator publishes it; a
// resident with JavaScript off reads the report in Urdu (right to left,
// the English fallback marked) and in Polish. Every page passes axe-core.
func TestRecommendationPublishedAndReadInUrduAndPolish(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	queue, _, err := s.App.Store.CodingQueue(bg, 100)
	if err != nil {
		t.Fatal(err)
	}
	exps, _ := demo.Experiences()
	for i, it := range queue {
		for k, c := range exps[i].Codes {
			if _, err := s.App.Store.AddCoding(bg, "demo-coder", store.NewCoding{ExperienceID: it.ID, CodeID: c, Quote: k == 0 && exps[i].Quote,
				Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	analyst := &person{Name: "Priya Shah", Email: "priya.shah@example.org", Password: "amber lantern river 17"}
	s.newStaffMember(analyst, account.Analyst)
	admin := &person{Name: "Sam Adeyemi", Email: "sam.adeyemi@example.org", Password: "velvet harbour quartz 58"}
	s.newStaffMember(admin, account.Admin)

	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	b := newTab(t, ctx, s.URL)
	defer axe.summary()
	b.signIn(s, analyst)
	if st := follow(b, chromedp.CSS(`a[href="/staff/recommendations"]`)); st != http.StatusOK {
		t.Fatalf("the Recommendations link: %d", st)
	}
	axe.check(b, "en", "recommendations")
	follow(b, chromedp.CSS(`a[href="/staff/recommendations/new"]`))
	// An empty draft: the error summary, nothing saved.
	follow(b, chromedp.CSS(`#recommendation-save`))
	if !strings.Contains(b.text(".error-summary"), "Enter this") {
		t.Fatalf("empty draft: %q", b.text(".error-summary"))
	}
	axe.check(b, "en", "recommendation form with errors")
	b.fill("#title", "Offer a professional interpreter at every appointment")
	b.fill("#text", "Book an interpreter when the appointment is made; never ask family members to interpret.")
	b.fill("#title-pl", "Zapewnić tłumacza na każdej wizycie")
	b.fill("#text-pl", "Zamawiać tłumacza przy umawianiu wizyty; nigdy nie prosić rodziny o tłumaczenie.")
	b.clickLabel("#organisations")
	b.clickLabel("#themes")
	b.clickLabel("#quotes")
	if st := follow(b, chromedp.CSS(`#recommendation-save`)); st != http.StatusOK {
		t.Fatalf("save: %d", st)
	}
	if strings.Contains(b.text("main"), "There is a problem") {
		t.Fatalf("draft refused: %s", b.text(".error-summary"))
	}
	axe.check(b, "en", "recommendation draft")
	// The demo's example recommendation is published; the analyst's is
	// the one draft.
	list, err := s.App.Store.Recommendations(bg, false)
	var drafts []accountability.Recommendation
	for _, r := range list {
		if r.Status == accountability.Draft {
			drafts = append(drafts, r)
		}
	}
	if err != nil || len(drafts) != 1 {
		t.Fatalf("drafts: %v %v", list, err)
	}
	rec := drafts[0]

	a := privateTab(t, ctx, s.URL)
	a.signIn(s, admin)
	a.open("/staff/recommendations/" + rec.ID)
	if st := follow(a, chromedp.CSS(`#publish`)); st != http.StatusOK {
		t.Fatalf("publish: %d", st)
	}
	axe.check(a, "en", "published recommendation")
	if got, _ := s.App.Store.Recommendation(bg, rec.ID); got.Status != "published" {
		t.Fatalf("not published: %s", got.Status)
	}

	// A resident, JavaScript off, reads the report in Urdu and Polish.
	r := privateTab(t, ctx, s.URL)
	r.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	if st := r.open("/report?lang=ur"); st != http.StatusOK {
		t.Fatalf("/report in Urdu: %d", st)
	}
	if dir := eval[string](r, `document.documentElement.dir`); dir != "rtl" {
		t.Errorf("Urdu report dir=%q", dir)
	}
	if !strings.Contains(r.text("main"), "Offer a professional interpreter") || !eval[bool](r, `!!document.querySelector('main [lang="en"][dir="ltr"]')`) {
		t.Error("the untranslated recommendation is not shown in English, marked")
	}
	r.open("/report/" + rec.Reference + "?lang=pl")
	if !strings.Contains(r.text("h1"), "Zapewnić tłumacza") {
		t.Errorf("Polish title: %q", r.text("h1"))
	}
	if cells := r.texts("td.num"); len(cells) == 0 {
		t.Error("no figures on the recommendation's page")
	} else {
		for _, c := range cells {
			if len(c) == 1 && c >= "1" && c <= "7" {
				t.Errorf("an unsuppressed count on the report: %v", cells)
			}
		}
	}
	// axe-core needs JavaScript: the same pages in a tab with it on.
	u := privateTab(t, ctx, s.URL)
	for _, page := range []struct{ path, lang string }{{"/report?lang=ur", "ur"}, {"/report/" + rec.Reference + "?lang=ur", "ur"}, {"/report?lang=pl", "pl"}, {"/report/" + rec.Reference + "?lang=pl", "pl"},
		{"/report/print?lang=ur", "ur"}, {"/report/communities/south-asian?lang=ur", "ur"}, {"/report/communities/eastern-european?lang=pl", "pl"}} {
		if st := u.open(page.path); st != http.StatusOK {
			t.Fatalf("%s: %d", page.path, st)
		}
		axe.check(u, page.lang, page.path)
	}
}
