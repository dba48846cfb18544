package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/equality"
)

// TestCrisisSupportInUrduOnAPhone: a resident who writes in Urdu, on a
// 360 x 640 phone, that they no longer want to live sees crisis support
// in Urdu, right to left, at once: the section starts within the first
// screen, its numbers are links to call, nothing scrolls sideways, and
// axe-core finds no WCAG 2.2 AA violation on the page.
func TestCrisisSupportInUrduOnAPhone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	cat := newCatalogueCheck(t)
	axe := newAxeChecker(t)
	defer axe.summary()
	b := newTab(t, browser.Tab(t, browsertest.WithTimeout(2*time.Minute)), s.URL)
	b.do("phone-sized viewport", chromedp.EmulateViewport(360, 640))
	b.share(sharer{
		lang: "ur", dir: "rtl", role: "person-with-cancer", stages: []string{"treatment"},
		whatHappened: "کیموتھراپی کے بعد میں بہت اکیلی ہو گئی ہوں۔\nمیں اب جینا نہیں چاہتی۔",
		eqField:      equality.FieldMainLanguage, eqValue: "ur", equality: equality.Answers{MainLanguage: "ur"},
		atDone: func(b *tab) {
			if n := len(b.texts(`main section.crisis`)); n != 1 {
				t.Fatalf("done page has %d crisis sections, want 1:\n%s", n, b.text("main"))
			}
			if got, want := b.text(`#crisis-title`), "اگر آپ محفوظ نہیں ہیں تو ابھی مدد لیں"; got != want {
				t.Errorf("crisis heading %q, want %q", got, want)
			}
			if top := eval[int](b, `Math.round(document.querySelector("section.crisis").getBoundingClientRect().top + scrollY)`); top > 640 {
				t.Errorf("crisis support starts %d px down a 640 px screen: not at once", top)
			}
			for _, href := range []string{"tel:999", "tel:116123", "tel:111", "tel:08082000247"} {
				if !eval[bool](b, `!!document.querySelector('section.crisis a[href="`+href+`"]')`) {
					t.Errorf("crisis support has no link to %s", href)
				}
			}
			if !eval[bool](b, `[...document.querySelectorAll("section.crisis a")].every(a => { const r = a.getBoundingClientRect(); return r.width >= 24 && r.height >= 24 })`) {
				t.Errorf("a number in the crisis section is smaller than 24 x 24 px")
			}
			b.noHorizontalScroll("crisis support [ur]")
			axe.check(b, "ur", "phone: /share/done with crisis support")
		},
	}, cat)
}
