package e2e

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// switcherLink finds a link of the language switcher by the text it shows.
func switcherLink(name string) chromedp.Search {
	return chromedp.Search(`//nav[contains(concat(" ", normalize-space(@class), " "), " lang-switch ")]//a[normalize-space(.)=` + xpathString(name) + `]`)
}

func xpathString(s string) string { return `"` + s + `"` } // the names hold no double quote

var arabicScript = regexp.MustCompile(`\p{Arabic}`)

func TestLanguageSwitchToUrdu(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	b := newTab(t, browser.Tab(t), s.URL)

	if st := b.open("/"); st != http.StatusOK {
		t.Fatalf("/: status %d", st)
	}
	b.wantLang("en", "ltr")
	english := b.text("h1")

	// The switcher marks each name with its own language and direction.
	attrs := eval[map[string]string](b, `(a => a ? {lang: a.lang, dir: a.dir, hreflang: a.hreflang} : {})(
		Array.from(document.querySelectorAll("nav.lang-switch a")).find(a => a.textContent.trim() === "اردو"))`)
	if attrs["lang"] != "ur" || attrs["dir"] != "rtl" || attrs["hreflang"] != "ur" {
		t.Errorf(`switcher link "اردو": lang=%q dir=%q hreflang=%q, want ur, rtl, ur`, attrs["lang"], attrs["dir"], attrs["hreflang"])
	}

	if st := follow(b, switcherLink("اردو")); st != http.StatusOK {
		t.Fatalf("after choosing اردو: status %d", st)
	}
	if got := eval[string](b, `document.documentElement.dir`); got != "rtl" {
		t.Errorf(`document.documentElement.dir = %q, want "rtl"`, got)
	}
	if got := eval[string](b, `document.documentElement.lang`); got != "ur" {
		t.Errorf(`document.documentElement.lang = %q, want "ur"`, got)
	}
	if loc := b.location(); loc != "/?lang=ur" {
		t.Errorf("after choosing اردو: on %s, want /?lang=ur", loc)
	}
	if h1 := b.text("h1"); h1 == english || !arabicScript.MatchString(h1) {
		t.Errorf("h1 in Urdu = %q, want Urdu text", h1)
	}
	if note := b.text(`main .notice[role="status"]`); !arabicScript.MatchString(note) {
		t.Errorf("the language-changed notice = %q, want it in Urdu", note)
	}
	if cur := b.texts(`nav.lang-switch a[aria-current="true"]`); len(cur) != 1 || cur[0] != "اردو" {
		t.Errorf("switcher marks %q as current, want [اردو]", cur)
	}

	// The choice is remembered in a cookie for the next pages.
	if v, ok := b.cookie("hearme_lang"); !ok || v != "ur" {
		t.Errorf("cookie hearme_lang = %q (present %v), want ur", v, ok)
	}
	if st := b.open("/privacy"); st != http.StatusOK {
		t.Fatalf("/privacy: status %d", st)
	}
	b.wantLang("ur", "rtl")
	if h1 := b.text("h1"); !arabicScript.MatchString(h1) {
		t.Errorf("/privacy h1 = %q, want Urdu text", h1)
	}
	if n := len(b.texts(`main .notice[role="status"]`)); n != 0 {
		t.Errorf("/privacy repeats the language-changed notice although nothing changed")
	}

	// Polish: letters typed into the sign-in form survive a failed sign in.
	if st := follow(b, switcherLink("Polski")); st != http.StatusOK {
		t.Fatalf("after choosing Polski: status %d", st)
	}
	b.wantLang("pl", "ltr")
	if loc := b.location(); loc != "/privacy?lang=pl" {
		t.Errorf("after choosing Polski: on %s, want /privacy?lang=pl", loc)
	}
	if st := follow(b, chromedp.CSS(`footer a[href="/login"]`)); st != http.StatusOK {
		t.Fatalf("/login: status %d", st)
	}
	b.wantLang("pl", "ltr")
	const email = "zażółć@example.org"
	b.fill("#email", email)
	b.fill("#password", "źle wpisane hasło")
	if got := b.value("#email"); got != email {
		t.Fatalf("typed %q into the email field, it holds %q", email, got)
	}
	if st := follow(b, chromedp.CSS(`form[action="/login"] button[type=submit]`)); st != http.StatusUnauthorized {
		t.Errorf("failed sign in: status %d, want %d", st, http.StatusUnauthorized)
	}
	if p := b.path(); p != "/login" {
		t.Errorf("after a failed sign in: on %s, want /login", p)
	}
	b.wantLang("pl", "ltr")
	if got := b.value("#email"); got != email {
		t.Errorf("after a failed sign in the email field holds %q, want %q", got, email)
	}
	if got := b.value("#password"); got != "" {
		t.Errorf("after a failed sign in the password field holds %q, want it empty", got)
	}
	if got := b.text("[data-error-summary] h2"); got == "" || got == "There is a problem" {
		t.Errorf("error summary heading = %q, want Polish text", got)
	}
	if !eval[bool](b, `document.activeElement !== null && document.activeElement.hasAttribute("data-error-summary")`) {
		t.Errorf("focus is not on the error summary after a failed sign in")
	}
	if got := eval[[]string](b, `(e => [e.getAttribute("aria-invalid") || "", e.getAttribute("aria-describedby") || ""])(document.getElementById("email"))`); got[0] != "true" || got[1] != "email-error" {
		t.Errorf("email field aria-invalid=%q aria-describedby=%q, want true and email-error", got[0], got[1])
	}
}
