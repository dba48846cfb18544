package awareness

import (
	"strings"
	"testing"
)

// The demo pages load, each has an English text, says it is demo content
// and lists NHS sources; translations say they await review; every demo
// page is in all six demo languages (the screening pages were only in
// English and Polish: issue 10). The English fallback is checked on a
// page staff wrote only in English (web and browser tests).
func TestDemoPages(t *testing.T) {
	pages, err := Demo()
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != len(DemoOrder) {
		t.Fatalf("%d demo pages, want %d", len(pages), len(DemoOrder))
	}
	files, _ := demoFS.ReadDir("demo")
	raw := map[string]string{}
	for _, f := range files {
		b, _ := demoFS.ReadFile("demo/" + f.Name())
		raw[f.Name()] = string(b)
	}
	for _, dp := range pages {
		p := Page{Slug: dp.Slug, Texts: dp.Texts}
		if !ValidSlug(p.Slug) {
			t.Errorf("slug %q", p.Slug)
		}
		en, ok := p.Text("en")
		if !ok {
			t.Errorf("%s has no English text", p.Slug)
			continue
		}
		if !strings.Contains(en.HTML, "Demo content") || !strings.Contains(en.HTML, "clinical lead") {
			t.Errorf("%s does not say it is demo content to be reviewed", p.Slug)
		}
		if _, ok := p.Text("pl"); !ok {
			t.Errorf("%s has no Polish text", p.Slug)
		}
		for _, lang := range []string{"ro", "ur", "bn", "so"} {
			if _, ok := p.Text(lang); !ok {
				t.Errorf("%s has no %s text", p.Slug, lang)
			}
		}
		for _, tx := range p.Texts {
			if !strings.Contains(tx.HTML, `href="https://www.nhs.uk/`) && !strings.Contains(tx.HTML, `href="https://www.england.nhs.uk/`) {
				t.Errorf("%s [%s] cites no NHS source", p.Slug, tx.Lang)
			}
			if tx.Reviewer != DemoReviewer || !tx.ReviewedOn.Equal(DemoReviewedOn) {
				t.Errorf("%s [%s] review: %s %s", p.Slug, tx.Lang, tx.Reviewer, tx.ReviewedOn)
			}
			if tx.Lang != "en" && !strings.Contains(raw[p.Slug+"."+tx.Lang+".md"], "translation: "+TranslationPending) {
				t.Errorf("%s [%s] does not say the translation awaits review", p.Slug, tx.Lang)
			}
		}
	}
}
