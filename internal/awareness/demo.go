package awareness

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"time"
)

// The demo pages: facts from NHS public pages (each page lists its
// sources), written for the demonstration and marked as such. Each file
// is demo/<slug>.<lang>.md: "title:", "summary:" and, for a translation,
// "translation: awaiting review by a native speaker" lines, then a line
// "---", then the Markdown.
//
//go:embed demo/*.md
var demoFS embed.FS

// DemoOrder is the order of the demo pages in the list.
var DemoOrder = []string{"symptoms", "bowel-screening", "breast-screening", "cervical-screening", "interpreter-at-the-gp"}

// DemoReviewer is the reviewer named on every demo text: the content must
// be reviewed by the programme's clinical lead before real use.
const DemoReviewer = "Example reviewer (demo data)"

// DemoReviewedOn is when the demo content's facts were checked against
// the sources it cites.
var DemoReviewedOn = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// TranslationPending is the phrase every demo translation carries.
const TranslationPending = "awaiting review by a native speaker"

// DemoPage is a demo page with its texts, rendered.
type DemoPage struct {
	Slug     string
	Position int
	Texts    []Text
}

// Demo reads the embedded demo pages.
func Demo() ([]DemoPage, error) {
	files, err := fs.Glob(demoFS, "demo/*.md")
	if err != nil {
		return nil, err
	}
	bySlug := map[string]*DemoPage{}
	out := make([]DemoPage, len(DemoOrder))
	for i, slug := range DemoOrder {
		out[i] = DemoPage{Slug: slug, Position: (i + 1) * 10}
		bySlug[slug] = &out[i]
	}
	for _, f := range files {
		slug, lang, ok := strings.Cut(strings.TrimSuffix(path.Base(f), ".md"), ".")
		p := bySlug[slug]
		if !ok || p == nil {
			return nil, fmt.Errorf("demo page %s: not <slug>.<lang>.md for a slug in DemoOrder", f)
		}
		b, err := demoFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		t, err := parseDemo(string(b))
		if err != nil {
			return nil, fmt.Errorf("demo page %s: %w", f, err)
		}
		t.Lang = lang
		p.Texts = append(p.Texts, t)
	}
	return out, nil
}

func parseDemo(s string) (Text, error) {
	head, body, ok := strings.Cut(s, "\n---\n")
	if !ok {
		return Text{}, fmt.Errorf("no --- line after the header")
	}
	d := Draft{Markdown: strings.TrimSpace(body), ReviewedOn: DemoReviewedOn.Format(DateLayout), Reviewer: DemoReviewer}
	sc := bufio.NewScanner(strings.NewReader(head))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		switch strings.TrimSpace(k) {
		case "title":
			d.Title = strings.TrimSpace(v)
		case "summary":
			d.Summary = strings.TrimSpace(v)
		case "translation":
		default:
			return Text{}, fmt.Errorf("unknown header line %q", sc.Text())
		}
	}
	t, errs := Check(d, DemoReviewedOn)
	if len(errs) > 0 {
		return Text{}, fmt.Errorf("invalid: %v", errs)
	}
	return t, nil
}
