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

// TestResidentsRankDraftsAndTheReportSaysHow: two drafts drawn from the
// demo evidence are opened for community review by an analyst; on a
// phone, with JavaScript off, a resident ranks them in Polish (an
// improper ranking first: the error summary, answers kept) and another
// in Somali; a connector records a listening event's votes; the reviews
// close, an administrator publishes one, and the public report says in
// Polish how the community ranked it, with the small online count
// withheld. axe-core passes on every new page, at phone width too.
func TestResidentsRankDraftsAndTheReportSaysHow(t *testing.T) {
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
	quotes, err := s.App.Store.ConsentedQuotes(bg, 10)
	if err != nil || len(quotes) == 0 {
		t.Fatalf("no consented quote in the demo evidence: %v", err)
	}
	a, err := s.App.Store.SaveRecommendation(bg, "analyst", accountability.Recommendation{Title: "Offer an interpreter at every appointment",
		Text: "Book a professional interpreter when the appointment is made.", Organisations: []string{"blmk-icb"},
		Themes: []string{demo.CodeID("language")}, Quotes: []string{quotes[0].CodingID},
		Translations: []accountability.Translation{{Lang: "pl", Title: "Tłumacz na każdej wizycie", Text: "Zamawiać tłumacza przy umawianiu wizyty."}}})
	if err != nil {
		t.Fatal(err)
	}
	b2, err := s.App.Store.SaveRecommendation(bg, "analyst", accountability.Recommendation{Title: "Help with transport to treatment",
		Text: "Pay for taxis to radiotherapy for people without a car.", Organisations: []string{"blmk-icb"}, Themes: []string{demo.CodeID("language")},
		Translations: []accountability.Translation{{Lang: "so", Title: "Gaadiidka daaweynta", Text: "Bixi taksiyada daaweynta shucaaca."}}})
	if err != nil {
		t.Fatal(err)
	}
	analyst := &person{Name: "Priya Shah", Email: "priya.shah@example.org", Password: "amber lantern river 17"}
	s.newStaffMember(analyst, account.Analyst)
	connector := &person{Name: "Hodan Farah", Email: "hodan.farah@example.org", Password: "copper meadow lantern 42"}
	s.newStaffMember(connector, account.Connector)
	admin := &person{Name: "Sam Adeyemi", Email: "sam.adeyemi@example.org", Password: "velvet harbour quartz 58"}
	s.newStaffMember(admin, account.Admin)

	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()

	// The analyst opens both drafts for community review.
	an := newTab(t, ctx, s.URL)
	an.signIn(s, analyst)
	for _, id := range []string{a.ID, b2.ID} {
		an.open("/staff/recommendations/" + id)
		if st := follow(an, chromedp.CSS(`#review-open`)); st != http.StatusOK {
			t.Fatalf("open the review: %d", st)
		}
		if !strings.Contains(an.text("main"), "Open for community review since") {
			t.Fatalf("the draft is not open: %s", an.text("main"))
		}
	}
	axe.check(an, "en", "a draft open for community review")

	// Residents on phones, JavaScript off: Polish, then Somali.
	rank := func(lang, placeA, placeB, comment string) *tab {
		r := privateTab(t, ctx, s.URL)
		r.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
		r.do("JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		r.open("/?lang=" + lang)
		if st := follow(r, chromedp.CSS(`main a[href="/report/review"]`)); st != http.StatusOK {
			t.Fatalf("%s: the home page's link to the review: %d", lang, st)
		}
		r.wantLang(lang, "ltr")
		r.noHorizontalScroll("review page " + lang)
		shown := time.Now()
		if lang == "pl" {
			if !strings.Contains(r.text("main"), "Tłumacz na każdej wizycie") || !strings.Contains(r.text("main"), "Help with transport to treatment") ||
				!eval[bool](r, `!!document.querySelector('main h2 [lang="en"][dir="ltr"]')`) {
				t.Errorf("Polish page: %s", r.text("main"))
			}
			// An improper ranking: both first.
			r.do("both first", chromedp.SetValue(chromedp.CSS("#rank-"+a.ID), "1"), chromedp.SetValue(chromedp.CSS("#rank-"+b2.ID), "1"))
			r.fill("#comment-"+a.ID, comment)
			time.Sleep(tokenAge - time.Since(shown))
			follow(r, chromedp.CSS(`#send`))
			if !strings.Contains(r.text(".error-summary"), "innemu projektowi") || r.value("#comment-"+a.ID) != comment {
				t.Fatalf("improper ranking: %q", r.text(".error-summary"))
			}
			shown = time.Now()
		} else if !strings.Contains(r.text("main"), "Gaadiidka daaweynta") {
			t.Errorf("Somali page: %s", r.text("main"))
		}
		r.do("rank", chromedp.SetValue(chromedp.CSS("#rank-"+a.ID), placeA), chromedp.SetValue(chromedp.CSS("#rank-"+b2.ID), placeB))
		time.Sleep(tokenAge - time.Since(shown))
		if st := follow(r, chromedp.CSS(`#send`)); st != http.StatusOK || r.path() != "/report/review/thanks" {
			t.Fatalf("%s: send: %d %s\n%s", lang, st, r.path(), r.text("main"))
		}
		r.open("/report/review")
		if n := len(r.texts(`main select`)); n != 0 {
			t.Errorf("%s: the browser that ranked is offered %d places again", lang, n)
		}
		return r
	}
	rank("pl", "1", "2", "Bardzo potrzebne")
	rank("so", "2", "1", "")
	if ranks, err := s.App.Store.ReviewRanks(bg); err != nil || len(ranks) != 4 {
		t.Fatalf("ranks: %+v %v", ranks, err)
	}

	// axe-core (JavaScript on) on the public pages, at phone width, in
	// Polish and Somali, the error state too.
	u := privateTab(t, ctx, s.URL)
	u.do("phone-sized viewport", chromedp.EmulateViewport(375, 667))
	for _, lang := range []string{"pl", "so"} {
		u.open("/report/review?lang=" + lang)
		axe.check(u, lang, "the review page at phone width")
		u.noHorizontalScroll("review page " + lang)
	}
	time.Sleep(tokenAge)
	follow(u, chromedp.CSS(`#send`))
	if u.text(".error-summary") == "" {
		t.Error("an empty ranking was accepted")
	}
	axe.check(u, "so", "the review page with errors")
	u.open("/report/review/thanks?lang=so")
	axe.check(u, "so", "thanks")

	// A connector records a listening event's votes.
	c := privateTab(t, ctx, s.URL)
	c.signIn(s, connector)
	c.open("/staff/reviews")
	axe.check(c, "en", "community review overview")
	if st := follow(c, chromedp.CSS(`a[href="/staff/reviews/events/new"]`)); st != http.StatusOK {
		t.Fatalf("the event form: %d", st)
	}
	axe.check(c, "en", "listening event form")
	c.fill("#place", "Somali women's group, Marsh Farm")
	c.setDate("#held_on", time.Now().AddDate(0, 0, -1).Format(time.DateOnly))
	c.clickLabel(`input[name="community"][value="black-african"]`)
	c.fill("#participants", "12")
	c.clickLabel("#method")
	c.fill("#value-"+a.ID, "2")
	c.fill("#value-"+b2.ID, "1")
	if st := follow(c, chromedp.CSS(`#event-save`)); st != http.StatusOK || c.path() != "/staff/reviews" {
		t.Fatalf("record the event: %d %s %s", st, c.path(), c.text(".error-summary"))
	}
	// The Polish resident's comment waits for moderation.
	if st := follow(c, chromedp.CSS(`a[href^="/staff/reviews/comments/"]`)); st != http.StatusOK {
		t.Fatalf("the comment: %d", st)
	}
	axe.check(c, "en", "a comment to moderate")
	c.clickLabel(`input[name="decision"][value="approved"]`)
	follow(c, chromedp.CSS(`#decide`))

	// The reviews close; an administrator publishes the first draft.
	for _, id := range []string{a.ID, b2.ID} {
		an.open("/staff/recommendations/" + id)
		follow(an, chromedp.CSS(`#review-close`))
	}
	if open, _ := s.App.Store.AnyReviewOpen(bg); open {
		t.Fatal("a review is still open")
	}
	ad := privateTab(t, ctx, s.URL)
	ad.signIn(s, admin)
	ad.open("/staff/recommendations/" + a.ID)
	if !strings.Contains(ad.text("main"), "Bardzo potrzebne") {
		t.Errorf("the approved comment is not on the draft's page")
	}
	if st := follow(ad, chromedp.CSS(`#publish`)); st != http.StatusOK {
		t.Fatalf("publish: %d", st)
	}
	rec, err := s.App.Store.Recommendation(bg, a.ID)
	if err != nil || rec.Status != accountability.Published {
		t.Fatalf("not published: %+v %v", rec, err)
	}

	// The public report says how the community ranked it, in Polish.
	u.open("/report/" + rec.Reference + "?lang=pl")
	main := u.text("main")
	if !strings.Contains(main, "Jak uszeregowała go społeczność") || !strings.Contains(main, "miejsce 2 z 2") || !strings.Contains(main, "osoby, które wzięły udział: 10") {
		t.Errorf("the report's ranking:\n%s", main)
	}
	// Two browsers ranked it online: withheld, never "2".
	if got := u.text(".review-priorities dl dd"); got != "*" {
		t.Errorf("the online count is %q, want * (two people)", got)
	}
	axe.check(u, "pl", "a recommendation with the community's ranking, phone width")
	u.noHorizontalScroll("report recommendation pl")
	u.open("/report?lang=pl")
	if !strings.Contains(u.text("main"), "Jak uszeregowała go społeczność") {
		t.Errorf("the report's main page does not say how the community ranked it")
	}
	axe.check(u, "pl", "the report with the community's ranking, phone width")
	u.open("/report?lang=so")
	axe.check(u, "so", "the report with the community's ranking, phone width")
}
