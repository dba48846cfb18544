package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/browsertest"
)

// TestAwarenessPages reads the demo awareness pages as a resident in every
// language: the list, pages written in every language (the screening
// pages too, since issue 10), and a page staff wrote only in English,
// which shows in English under a notice, with lang="en" on the text, and
// without also saying "this page is now in <language>".
// axe-core checks each, at phone width, and the staff overview and edit
// form (with its errors) in English and Urdu.
func TestAwarenessPages(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	cat := newCatalogueCheck(t)
	s := startSite(t)
	langs := s.languages()
	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	defer axe.summary()
	b := newTab(t, ctx, s.URL)
	b.do("phone-sized viewport", chromedp.EmulateViewport(320, 740))

	articleLang := func() string {
		return eval[string](b, `(a => a ? (a.getAttribute("lang") || "") : "<no article>")(document.querySelector("main article.awareness"))`)
	}
	fallbackNotice := func() bool { return eval[bool](b, `!!document.querySelector("main .awareness-fallback")`) }
	languageChanged := func() bool { return eval[bool](b, `!!document.querySelector('main > p.notice[role="status"]')`) }
	// A page staff wrote only in English (every demo page is in every
	// language).
	if _, err := s.App.Store.CreateAwarenessPage(bg, "test", "english-only", 60); err != nil {
		t.Fatal(err)
	}
	enText, errs := awareness.Check(awareness.Draft{Title: "Checking your skin", Summary: "What to look for on your skin.",
		Markdown:   "See a GP about a mole that changes.\n\n## Sources\n\n- [NHS](https://www.nhs.uk/conditions/melanoma-skin-cancer/)",
		ReviewedOn: time.Now().AddDate(0, 0, -1).Format(awareness.DateLayout), Reviewer: "Screening lead"}, time.Now())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	enText.Lang = "en"
	if err := s.App.Store.SaveAwarenessText(bg, "test", "english-only", enText); err != nil {
		t.Fatal(err)
	}
	if err := s.App.Store.SetAwarenessPublished(bg, "test", "english-only", "en", true); err != nil {
		t.Fatal(err)
	}

	for _, l := range langs {
		look := func(what, path string) {
			t.Helper()
			if st := b.open(path); st != http.StatusOK {
				t.Fatalf("%s [%s]: status %d", path, l.Code, st)
			}
			b.wantLang(l.Code, l.Dir())
			b.noHorizontalScroll(what)
			cat.check(b, l.Code, what)
			axe.check(b, l.Code, what)
		}
		look("awareness: list", "/awareness?lang="+l.Code)
		if n := len(b.texts("main .awareness-list > li")); n != 6 {
			t.Errorf("awareness list [%s]: %d pages, want the 5 demo pages and the English-only one", l.Code, n)
		}

		// Written in every language: never the fallback.
		look("awareness: page in every language", "/awareness/interpreter-at-the-gp")
		if fallbackNotice() || articleLang() != "" {
			t.Errorf("interpreter page [%s]: fallback notice %v, article lang %q; want the page in %s", l.Code, fallbackNotice(), articleLang(), l.Code)
		}
		if got := b.text("main .awareness-review"); !strings.Contains(got, "Example reviewer (demo data)") {
			t.Errorf("interpreter page [%s]: review line %q lacks the reviewer", l.Code, got)
		}

		// The screening pages, in every language, with the helpline.
		for _, page := range []string{"bowel-screening", "breast-screening", "cervical-screening"} {
			look("awareness: "+page, "/awareness/"+page+"?lang="+l.Code)
			if fallbackNotice() || articleLang() != "" {
				t.Errorf("%s [%s]: fallback notice %v, article lang %q; want the page in %s", page, l.Code, fallbackNotice(), articleLang(), l.Code)
			}
			if n := eval[int](b, `document.querySelectorAll('main .awareness-body a[href^="https://www.nhs.uk/"]').length`); n == 0 {
				t.Errorf("%s [%s]: no NHS source cited", page, l.Code)
			}
		}
		look("awareness: bowel screening", "/awareness/bowel-screening")
		h1 := b.text("main h1")
		switch l.Code {
		case "en":
			if h1 != "Bowel cancer screening" {
				t.Errorf("bowel screening [en]: h1 %q", h1)
			}
		case "pl":
			if h1 != "Badania przesiewowe w kierunku raka jelita" {
				t.Errorf("bowel screening [pl]: h1 %q; want the Polish page", h1)
			}
			if body := b.text("main .awareness-body"); !strings.Contains(body, "od 50 do 74 lat") || !strings.Contains(body, "0800 707 60 60") {
				t.Errorf("bowel screening [pl]: body %q", body)
			}
		default:
			if h1 == "Bowel cancer screening" {
				t.Errorf("bowel screening [%s]: the English title", l.Code)
			}
			if body := b.text("main .awareness-body"); !strings.Contains(body, "0800 707 60 60") {
				t.Errorf("bowel screening [%s]: the helpline is missing: %q", l.Code, body)
			}
		}

		// Written only in English: English under a notice, lang="en",
		// reached by switching language (from English) on the page.
		if l.Code != "en" {
			b.open("/awareness?lang=en")
		}
		look("awareness: page in English only", "/awareness/english-only?lang="+l.Code)
		h1 = b.text("main h1")
		switch l.Code {
		case "en":
			if fallbackNotice() || articleLang() != "" || h1 != "Checking your skin" {
				t.Errorf("English-only page [en]: fallback %v, lang %q, h1 %q", fallbackNotice(), articleLang(), h1)
			}
		default:
			if !fallbackNotice() || articleLang() != "en" || h1 != "Checking your skin" {
				t.Errorf("English-only page [%s]: fallback notice %v, article lang %q, h1 %q; want English under a notice, lang=en", l.Code, fallbackNotice(), articleLang(), h1)
			}
			if languageChanged() {
				t.Errorf("English-only page [%s]: says it is now in the language and that it is not available in it", l.Code)
			}
			if dir := eval[string](b, `document.querySelector("main article.awareness").getAttribute("dir")`); dir != "ltr" {
				t.Errorf("English-only page [%s]: English text with dir %q", l.Code, dir)
			}
		}
		// External links are marked and the page loads nothing from elsewhere.
		if n := eval[int](b, `document.querySelectorAll('main .awareness-body a[href^="https://"]:not([rel="noopener noreferrer"])').length`); n != 0 {
			t.Errorf("bowel screening [%s]: %d external links without rel=noopener noreferrer", l.Code, n)
		}
		if n := eval[int](b, `performance.getEntriesByType("resource").filter(e => !e.name.startsWith(location.origin)).length`); n != 0 {
			t.Errorf("bowel screening [%s]: %d resources from other origins", l.Code, n)
		}
	}
	if st := b.open("/awareness/no-such-page?lang=so"); st != http.StatusNotFound {
		t.Errorf("unknown awareness page: status %d, want 404", st)
	}
	b.wantLang("so", "ltr")

	// Staff: the overview and the edit form with its errors.
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	conn := &person{Name: "Amira Haddad", Email: "amira.haddad@example.org", Password: "a long enough passphrase 1"}
	s.newConnector(conn)
	b.signIn(s, conn)
	dir := map[string]string{}
	for _, l := range langs {
		dir[l.Code] = l.Dir()
	}
	for _, lang := range []string{"en", "ur"} {
		if st := b.open("/staff/awareness?lang=" + lang); st != http.StatusOK {
			t.Fatalf("/staff/awareness [%s]: status %d", lang, st)
		}
		b.wantLang(lang, dir[lang])
		axe.check(b, lang, "awareness: staff overview")
		if n := len(b.texts(`main td.awareness-missing`)); n == 0 {
			t.Errorf("staff overview [%s]: no language marked missing", lang)
		}
		if st := b.open("/staff/awareness/english-only/so"); st != http.StatusOK {
			t.Fatalf("edit form [%s]: status %d", lang, st)
		}
		axe.check(b, lang, "awareness: edit form, Somali not yet written")
		b.fill("#title", "Baaritaanka kansarka mindhicirka")
		b.fill("#reviewed_on", time.Now().AddDate(0, 0, 3).Format("02/01/2006"))
		if st := follow(b, chromedp.CSS(`main form button[value=save]`)); st != http.StatusUnprocessableEntity {
			t.Errorf("edit form with errors [%s]: status %d, want 422", lang, st)
		}
		if n := len(b.texts(`[data-error-summary] li`)); n != 4 {
			t.Errorf("edit form with errors [%s]: %d errors, want 4 (summary, text, future date, reviewer)", lang, n)
		}
		if v := b.value("#title"); v != "Baaritaanka kansarka mindhicirka" {
			t.Errorf("edit form with errors [%s]: title kept as %q", lang, v)
		}
		axe.check(b, lang, "awareness: edit form with errors")
	}
	// Preview in Polish, then save: the page reads the new Polish text.
	b.open("/staff/awareness/symptoms/pl?lang=en")
	b.fill("#summary", "Krótkie streszczenie.")
	b.fill("#body", "## Nowy nagłówek\n\n<script>alert(1)</script>Treść [NHS](https://www.nhs.uk/)")
	if st := follow(b, chromedp.CSS(`main form button[value=preview]`)); st != http.StatusOK {
		t.Errorf("preview: status %d", st)
	}
	if got := b.text("main .awareness-preview h2 + p + div h2"); got != "Nowy nagłówek" {
		t.Errorf("preview heading %q", got)
	}
	axe.check(b, "en", "awareness: edit form with preview")
	follow(b, chromedp.CSS(`main form button[value=save]`))
	if p := b.path(); p != "/staff/awareness" {
		t.Fatalf("after saving: on %s\n%s", p, b.text("main"))
	}
	b.open("/awareness/symptoms?lang=pl")
	if got := b.text("main .awareness-body h2"); got != "Nowy nagłówek" {
		t.Errorf("saved Polish page: first heading %q", got)
	}
	if n := eval[int](b, `document.querySelectorAll("main script").length`); n != 0 {
		t.Errorf("saved Polish page: %d script elements in main", n)
	}
}
