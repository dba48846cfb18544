package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
)

// phoneHeaderMax is how far down a 360 x 640 phone the page's own content
// may start: the header (name, languages, menu) took 288 px of the 640
// when every row wrapped, pushing the heading below the first screen's
// middle.
const phoneHeaderMax = 140

// TestPhoneWidthContent walks the pages issue 10 item 9 is about on a
// 360 x 640 phone, in every language: the header leaves the first screen
// to the page (signed out, and for a connector whose menu now has
// Invitations, Champions and Support), the invitation form offers
// "Another community" once, and a page shown in English in place of the
// chosen language does not also say it is now in that language. axe-core
// checks each page.
func TestPhoneWidthContent(t *testing.T) {
	t.Parallel()
	axe := newAxeChecker(t)
	s := startSite(t)
	langs := s.languages()
	ctx := browser.Tab(t, browsertest.WithTimeout(4*time.Minute))
	defer axe.summary()
	b := newTab(t, ctx, s.URL)
	b.do("phone-sized viewport", chromedp.EmulateViewport(360, 640))

	contentTop := func() int {
		return eval[int](b, `Math.round(document.querySelector("main").getBoundingClientRect().top + scrollY)`)
	}
	for _, l := range langs {
		for _, path := range []string{"/", "/share", "/events", "/support", "/invite", "/awareness/breast-screening"} {
			if st := b.open(path + "?lang=" + l.Code); st != http.StatusOK {
				t.Fatalf("%s [%s]: status %d", path, l.Code, st)
			}
			b.wantLang(l.Code, l.Dir())
			b.noHorizontalScroll(path)
			if top := contentTop(); top > phoneHeaderMax {
				t.Errorf("%s [%s]: the page (main) starts %d px down a 640 px screen, want at most %d", path, l.Code, top, phoneHeaderMax)
			}
			if !eval[bool](b, `[...document.querySelectorAll(".site-header a")].every(a => { const r = a.getBoundingClientRect(); return r.width >= 24 && r.height >= 24 })`) {
				t.Errorf("%s [%s]: a header link is smaller than 24 x 24 px", path, l.Code)
			}
			axe.check(b, l.Code, "phone: "+path)
			if path == "/invite" {
				labels := b.texts(`input[name="community"] + label`)
				other := eval[string](b, `document.querySelector('label[for="community-other"]').textContent`)
				n := 0
				for _, lab := range labels {
					if strings.EqualFold(strings.TrimSpace(lab), strings.TrimSpace(other)) {
						n++
					}
				}
				if n != 1 {
					t.Errorf("/invite [%s]: %q offered %d times among %q", l.Code, other, n, labels)
				}
			}
			if path == "/awareness/breast-screening" && l.Code != "en" {
				changed := eval[bool](b, `!!document.querySelector('main > p.notice[role="status"]')`)
				fallback := eval[bool](b, `!!document.querySelector("main .awareness-fallback")`)
				if changed && fallback {
					t.Errorf("/awareness/breast-screening [%s]: says both that the page is now in the language and that it is not available in it", l.Code)
				}
			}
		}
	}

	// A connector on a phone: the menu has what a connector works with,
	// and the page still starts within the first screen.
	conn := &person{Name: "Precious Okafor", Email: "precious.okafor@example.org", Password: "a long enough passphrase 7"}
	s.newConnector(conn)
	b.signIn(s, conn)
	for _, lang := range []string{"en", "ur"} {
		if st := b.open("/staff?lang=" + lang); st != http.StatusOK {
			t.Fatalf("/staff [%s]: status %d", lang, st)
		}
		hrefs := eval[[]string](b, `[...document.querySelectorAll(".staff-bar nav a")].map(a => a.getAttribute("href"))`)
		for _, want := range []string{"/staff/invitations", "/staff/champions", "/staff/support"} {
			found := false
			for _, h := range hrefs {
				found = found || h == want
			}
			if !found {
				t.Errorf("connector menu [%s] %q lacks %s", lang, hrefs, want)
			}
		}
		b.noHorizontalScroll("staff home")
		if top := contentTop(); top > phoneHeaderMax+56 {
			t.Errorf("/staff [%s]: the page (main) starts %d px down, want at most %d with the staff menu", lang, top, phoneHeaderMax+56)
		}
		axe.check(b, lang, "phone: staff home")
		// Where consents lead: the follow-ups and speakers' lists.
		for _, path := range []string{"/staff/follow-ups", "/staff/speakers", "/staff/events"} {
			if st := b.open(path + "?lang=" + lang); st != http.StatusOK {
				t.Fatalf("%s [%s]: status %d", path, lang, st)
			}
			b.noHorizontalScroll(path)
			axe.check(b, lang, "phone: "+path)
		}
	}
}
