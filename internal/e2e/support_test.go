package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/equality"
)

// A resident shares an experience in Somali and the done page offers
// support in Somali first (the demo's example Somali services), with
// links counted as opened; then axe checks the directory, filtered, in
// every language.
func TestSupportAfterSharingInSomali(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	ctx := browser.Tab(t, browsertest.WithTimeout(3*time.Minute))
	cat := newCatalogueCheck(t)
	axe := newAxeChecker(t)

	b := privateTab(t, ctx, s.URL)
	b.share(sharer{
		lang: "so", dir: "ltr", role: "person-with-cancer", stages: []string{"treatment"},
		whatHappened: "Turjubaan lama helin markii aan isbitaalka tagay.",
		eqField:      equality.FieldAgeBand, eqValue: "45-54", equality: equality.Answers{AgeBand: "45-54"},
	}, cat)
	// share() leaves the tab on a second visit to /share/done.
	offered := b.texts(`main .support-offer ul.cards > li h3`)
	if len(offered) < 3 {
		t.Fatalf("the done page offers %d services: %q", len(offered), offered)
	}
	if !strings.Contains(offered[0], "Somali") {
		t.Errorf("the first service offered in Somali is %q, want a Somali-language one", offered[0])
	}
	if body := b.text(`main .support-offer`); !strings.Contains(body, "Soomaali") {
		t.Errorf("the offer shows no Somali text:\n%s", body)
	}
	axe.check(b, "so", "share done page with the support offer")

	// "More support" leads to the directory filtered to Somali.
	if st := follow(b, chromedp.CSS(`main .support-offer a[href="/support?language=so"]`)); st != http.StatusOK {
		t.Fatalf("more support: status %d", st)
	}
	for _, name := range b.texts(`main .support-results h3`) {
		if !strings.Contains(name, "Somali") && !strings.Contains(name, "faith") {
			t.Errorf("the Somali directory lists %q", name)
		}
	}

	for _, l := range s.languages() {
		if st := b.open("/support?lang=" + l.Code + "&need=emotional&area=local"); st != http.StatusOK {
			t.Fatalf("/support in %s: status %d", l.Code, st)
		}
		b.wantLang(l.Code, l.Dir())
		cat.check(b, l.Code, "support directory, filtered")
		axe.check(b, l.Code, "support directory, filtered")
		if n := len(b.texts(`main .support-results > li`)); n == 0 {
			t.Errorf("%s: no emotional support found locally", l.Code)
		}
	}
	axe.summary()
}
