package e2e

import (
	"bytes"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
)

// screenshotEnv names the variable that makes TestHomePage write
// docs/screenshot-home.png (normal runs leave the tree alone).
const screenshotEnv = "HEARME_WRITE_SCREENSHOT"

func TestHomePage(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	b := newTab(t, browser.Tab(t), s.URL)

	if st := b.open("/"); st != http.StatusOK {
		t.Fatalf("/: status %d", st)
	}
	b.wantLang("en", "ltr")
	if got := b.texts("h1"); !slices.Equal(got, []string{"Working with you to improve cancer services"}) {
		t.Errorf("h1 = %q", got)
	}
	if got, want := eval[string](b, `document.title`), "Working with you to improve cancer services – Macmillan Luton Cancer Community Connectors"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got := b.text(`section[aria-labelledby="ways"] h2`); got != "Ways to take part" {
		t.Errorf("ways heading = %q", got)
	}
	ways := []string{
		"Share your experience",
		"Share an idea",
		"Come to a hear me event",
		"Invite us to your community event",
		"Become a cancer champion",
		"Find support",
		"Learn about cancer screening and symptoms",
	}
	if got := b.texts(`section[aria-labelledby="ways"] ul.cards > li h3 a`); !slices.Equal(got, ways) {
		t.Errorf("ways to take part = %q\nwant %q", got, ways)
	}
	if got := b.texts(`section[aria-labelledby="ways"] ul.cards > li p`); len(got) != len(ways) || slices.Contains(got, "") {
		t.Errorf("each way to take part should have a description, got %q", got)
	}

	// Every way leads to a part of a page that exists.
	hrefs := eval[[]string](b, `Array.from(document.querySelectorAll('section[aria-labelledby="ways"] a'), a => a.getAttribute("href"))`)
	for _, href := range slices.Compact(slices.Sorted(slices.Values(hrefs))) {
		path, frag, _ := strings.Cut(href, "#")
		if st := b.open(path); st != http.StatusOK {
			t.Errorf("%s: status %d", path, st)
			continue
		}
		if frag != "" && !eval[bool](b, `document.getElementById(`+jsString(frag)+`) !== null`) {
			t.Errorf("%s has no element with id %q, which the home page links to", path, frag)
		}
	}

	// A full-page screenshot, 1280 CSS pixels wide.
	if st := b.open("/"); st != http.StatusOK {
		t.Fatalf("/: status %d", st)
	}
	b.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > 1280 {
		t.Errorf("the home page is %d px wide at 1280 px: it scrolls sideways", w)
	}
	shot := filepath.Join(t.TempDir(), "home.png")
	if err := browsertest.Screenshot(b.ctx, shot); err != nil {
		t.Fatal(err)
	}
	img, err := os.ReadFile(shot)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(img))
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	if cfg.Width != 1280 || cfg.Height < 900 {
		t.Errorf("screenshot is %dx%d, want 1280 wide and at least 900 high", cfg.Width, cfg.Height)
	}
	if os.Getenv(screenshotEnv) == "1" {
		dst := filepath.Join(repoRoot(t), "docs", "screenshot-home.png")
		if err := os.WriteFile(dst, img, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%dx%d)", dst, cfg.Width, cfg.Height)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\u2028", `\u2028`, "\u2029", `\u2029`)
	return `"` + r.Replace(s) + `"`
}
