package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web"
)

// tokenAge is how long the tests wait on the check page before sending:
// the form's time token must be at least 3 s old (the server's default
// minimum fill time), and a little more for clock granularity.
const tokenAge = 3*time.Second + 150*time.Millisecond

var (
	referenceRe = regexp.MustCompile(`^HM-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)
	secretRe    = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$`)
)

// sharer is what one resident answers in the share journey.
type sharer struct {
	lang, dir     string
	role          string
	stages        []string // slugs, sorted
	whatHappened  string   // typed with InsertText; may hold a newline
	wentWell      string
	couldBeBetter string
	eqField       string // one equality question answered (a radio)
	eqValue       string
	equality      equality.Answers // what the store should then hold
	atDone        func(b *tab)     // optional checks on the done page, while it still shows the codes
}

func TestShareInPolishAndUrdu(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	cat := newCatalogueCheck(t)

	for _, c := range []sharer{
		{
			lang: "pl", dir: "ltr", role: "family-or-carer", stages: []string{"screening", "treatment"},
			whatHappened:  "Czekaliśmy sześć tygodni na wyniki badań mamy.\nNikt nie wyjaśnił, co dalej — żółć, gęś, źdźbło, łódź, ćma, ńa.",
			couldBeBetter: "Tłumacz na każdej wizycie; ZAŻÓŁĆ GĘŚLĄ JAŹŃ.",
			eqField:       equality.FieldAgeBand, eqValue: "55-64", equality: equality.Answers{AgeBand: "55-64"},
		},
		{
			lang: "ur", dir: "rtl", role: "person-with-cancer", stages: []string{"getting-diagnosed", "living-with-after"},
			whatHappened: "مجھے ہسپتال میں اردو بولنے والا ترجمان نہیں ملا۔\nڈاکٹر نے جو کہا وہ میں پوری طرح نہیں سمجھ سکی۔",
			wentWell:     "نرس بہت مہربان تھیں اور انہوں نے میرا ہاتھ تھامے رکھا۔",
			eqField:      equality.FieldMainLanguage, eqValue: "ur", equality: equality.Answers{MainLanguage: "ur"},
		},
	} {
		t.Run(c.lang, func(t *testing.T) {
			t.Parallel()
			// A tab of its own: a tab of the parent's would run out of time
			// while the subtest waits for its turn.
			b := newTab(t, browser.Tab(t, browsertest.WithTimeout(2*time.Minute)), s.URL)
			ref, secret := b.share(c, cat)

			held, err := s.App.Store.ExperienceByReference(bg, ref, secret)
			if err != nil {
				t.Fatalf("ExperienceByReference(%s, secret from the done page): %v", ref, err)
			}
			got := held.Submission
			if got.Lang != c.lang {
				t.Errorf("stored Lang = %q, want %q", got.Lang, c.lang)
			}
			for _, f := range []struct{ name, got, want string }{
				{"what happened", got.WhatHappened, c.whatHappened},
				{"what went well", got.WentWell, c.wentWell},
				{"what could be better", got.CouldBeBetter, c.couldBeBetter},
			} {
				if f.got != f.want {
					t.Errorf("stored %s = %q\nwant %q", f.name, f.got, f.want)
				}
			}
			if got.Role != experience.Role(c.role) {
				t.Errorf("stored role = %q, want %q", got.Role, c.role)
			}
			if !slices.Equal(got.Stages, c.stages) {
				t.Errorf("stored stages = %q, want %q", got.Stages, c.stages)
			}
			if got.CancerType != "" || len(got.Services) != 0 || got.Year != 0 {
				t.Errorf("details were skipped, but the store holds cancer type %q, services %q, year %d", got.CancerType, got.Services, got.Year)
			}
			wantConsent := experience.Consent{Version: web.ConsentVersion, Evidence: true}
			if got.Consent != wantConsent {
				t.Errorf("stored consent = %+v, want %+v", got.Consent, wantConsent)
			}
			if held.HasContact {
				t.Errorf("contact details stored although the resident did not agree to be contacted")
			}
			if got.Kind != experience.KindExperience || got.Source != experience.SourceOnline || held.Status != experience.StatusPending {
				t.Errorf("stored kind %q, source %q, status %q; want %q, %q, %q", got.Kind, got.Source, held.Status,
					experience.KindExperience, experience.SourceOnline, experience.StatusPending)
			}
			eq, err := s.App.Store.EqualityAnswers(bg, held.ID)
			if err != nil {
				t.Fatalf("EqualityAnswers: %v", err)
			}
			if eq != c.equality {
				t.Errorf("stored equality answers = %+v, want %+v", eq, c.equality)
			}

			// The secret matters: a wrong one finds nothing.
			wrong := "0" + secret[1:]
			if secret[0] == '0' {
				wrong = "1" + secret[1:]
			}
			if _, err := s.App.Store.ExperienceByReference(bg, ref, wrong); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("ExperienceByReference with a wrong secret: %v, want ErrNotFound", err)
			}
		})
	}
}

// share walks the whole journey as c, from the start page to the done
// page, checking language and direction on every page, and returns the
// reference and secret the done page shows. cat checks that every page is
// translated.
func (b *tab) share(c sharer, cat *catalogueCheck) (ref, secret string) {
	t := b.t
	t.Helper()
	page := func(what, wantPath string) {
		t.Helper()
		if p := b.path(); p != wantPath {
			t.Fatalf("%s: on %s, want %s\n%s", what, b.location(), wantPath, b.text("main"))
		}
		if got := eval[string](b, `document.documentElement.dir`); got != c.dir {
			t.Errorf(`%s: document.documentElement.dir = %q, want %q`, what, got, c.dir)
		}
		if got := eval[string](b, `document.documentElement.lang`); got != c.lang {
			t.Errorf(`%s: document.documentElement.lang = %q, want %q`, what, got, c.lang)
		}
		cat.check(b, c.lang, what)
	}
	next := func(what, wantPath string) {
		t.Helper()
		if st := follow(b, chromedp.CSS(`main form button[type=submit]`)); st != http.StatusOK {
			t.Fatalf("%s: status %d on %s\n%s", what, st, b.location(), b.text("main"))
		}
		page(what, wantPath)
	}

	if st := b.open("/share?lang=" + c.lang); st != http.StatusOK {
		t.Fatalf("/share?lang=%s: status %d", c.lang, st)
	}
	page("start page", "/share")
	if st := follow(b, chromedp.CSS(`main a.button[href="/share/who"]`)); st != http.StatusOK {
		t.Fatalf("start button: status %d", st)
	}
	page("who", "/share/who")
	b.do("choose a role", chromedp.Click(chromedp.CSS(`input[name=role][value="`+c.role+`"]`)))
	next("who, answered", "/share/stages")

	for _, st := range c.stages {
		b.do("choose the stage "+st, chromedp.Click(chromedp.CSS(`input[name=stages][value="`+st+`"]`)))
	}
	next("stages, answered", "/share/story")

	for _, f := range []struct{ id, text string }{
		{"what_happened", c.whatHappened}, {"went_well", c.wentWell}, {"could_be_better", c.couldBeBetter},
	} {
		if f.text == "" {
			continue
		}
		b.fill("#"+f.id, f.text)
		if got := b.value("#" + f.id); got != f.text {
			t.Fatalf("typed into #%s:\n%q\nit holds\n%q", f.id, f.text, got)
		}
	}
	next("story, written", "/share/details")
	next("details, skipped", "/share/about-you")

	b.do("answer "+c.eqField, chromedp.Click(chromedp.CSS(`input[name=`+c.eqField+`][value="`+c.eqValue+`"]`)))
	next("about you, one answer", "/share/consent")

	b.do("agree to evidence", chromedp.Click(chromedp.CSS(`#consent_evidence`)))
	next("consent, evidence only", "/share/check")
	shown := time.Now()
	summary := b.text("dl.summary")
	for _, s := range []string{c.whatHappened, c.wentWell, c.couldBeBetter} {
		if s = strings.Join(strings.Fields(s), " "); s != "" && !strings.Contains(summary, s) {
			t.Errorf("check page does not show %q", s)
		}
	}
	if n := len(b.texts(`dl.summary a[href$="?change=1"]`)); n == 0 {
		t.Errorf("check page has no change links")
	}
	if n := len(b.texts(`[data-error-summary]`)); n != 0 {
		t.Errorf("check page shows an error before anything was sent: %q", b.text(`[data-error-summary]`))
	}

	time.Sleep(tokenAge - time.Since(shown)) // the time token must be 3 s old
	if st := follow(b, chromedp.CSS(`#send`)); st != http.StatusOK {
		t.Fatalf("send: status %d on %s\n%s", st, b.location(), b.text("main"))
	}
	page("done", "/share/done")
	ref, secret = b.receipt()
	if c.atDone != nil {
		c.atDone(b)
	}
	if n := len(b.texts(`main ul.cards > li h3`)); n < 3 {
		t.Errorf("done page lists %d support services, want at least 3", n)
	}

	// The codes are shown once.
	if st := b.open("/share/done"); st != http.StatusOK {
		t.Errorf("/share/done again: status %d", st)
	}
	if body := b.text("main"); strings.Contains(body, ref) || strings.Contains(body, secret) {
		t.Errorf("/share/done shows the codes a second time")
	}
	return ref, secret
}

// receipt reads the reference and secret codes of the done page.
func (b *tab) receipt() (ref, secret string) {
	b.t.Helper()
	codes := b.texts(`main .confirmation strong.code`)
	if len(codes) != 2 {
		b.t.Fatalf("done page shows %d codes %q, want a reference and a secret\n%s", len(codes), codes, b.text("main"))
	}
	if !referenceRe.MatchString(codes[0]) {
		b.t.Errorf("reference = %q, want HM-XXXX-XXXX", codes[0])
	}
	if !secretRe.MatchString(codes[1]) {
		b.t.Errorf("secret = %q, want XXXX-XXXX-XXXX-XXXX", codes[1])
	}
	return codes[0], codes[1]
}

// catalogueCheck finds, on a page, text that shows a gap in the message
// catalogues: a message key shown as it is (no catalogue has it in the
// page's language, nor in English), or an English message on a page in
// another language because that language's catalogue lacks it.
type catalogueCheck struct {
	keys      map[string]bool       // every key of every catalogue
	sections  map[string]bool       // first parts of the keys ("share", "error", ...)
	fallbacks map[string]*fallbacks // by language, but English
}

// fallbacks are the English texts of the messages one language's
// catalogues lack: a page in that language shows them in English.
type fallbacks struct {
	exact    map[string]string // English text -> key
	patterns []fallbackPattern // messages with {{.Values}}
}

type fallbackPattern struct {
	re  *regexp.Regexp
	key string
}

func (f *fallbacks) find(s string) (string, bool) {
	if f == nil {
		return "", false
	}
	if k, ok := f.exact[s]; ok {
		return k, true
	}
	for _, p := range f.patterns {
		if p.re.MatchString(s) {
			return p.key, true
		}
	}
	return "", false
}

var keyLike = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

// newCatalogueCheck reads the embedded catalogues (internal/i18n/locales
// and the equality labels), as the running site does.
func newCatalogueCheck(t *testing.T) *catalogueCheck {
	t.Helper()
	sets, err := i18n.Sets()
	if err != nil {
		t.Fatal(err)
	}
	labels, err := equality.LabelFiles()
	if err != nil {
		t.Fatal(err)
	}
	messages := func(lang string) map[string]string {
		out := map[string]string{}
		all := []map[string][]byte{labels}
		for _, files := range sets {
			all = append(all, files)
		}
		for _, files := range all {
			data, ok := files[lang]
			if !ok {
				continue
			}
			var m map[string]any
			if _, err := toml.Decode(string(data), &m); err != nil {
				t.Fatalf("catalogue %s: %v", lang, err)
			}
			flattenMessages("", m, out)
		}
		return out
	}
	c := &catalogueCheck{keys: map[string]bool{}, sections: map[string]bool{}, fallbacks: map[string]*fallbacks{}}
	all := map[string]map[string]string{}
	for lang := range sets["active"] {
		all[lang] = messages(lang)
		for k := range all[lang] {
			c.keys[k] = true
			c.sections[strings.SplitN(k, ".", 2)[0]] = true
		}
	}
	en := all["en"]
	keys := make([]string, 0, len(en))
	for k := range en {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tmpl := regexp.MustCompile(`\{\{[^}]*\}\}`)
	for lang, have := range all {
		if lang == "en" {
			continue
		}
		f := &fallbacks{exact: map[string]string{}}
		for _, k := range keys {
			if _, ok := have[k]; ok {
				continue
			}
			v := strings.Join(strings.Fields(en[k]), " ")
			if !strings.Contains(v, "{{") {
				f.exact[v] = k
				continue
			}
			var re strings.Builder
			re.WriteString("^")
			last := 0
			for _, loc := range tmpl.FindAllStringIndex(v, -1) {
				re.WriteString(regexp.QuoteMeta(v[last:loc[0]]) + ".+?")
				last = loc[1]
			}
			re.WriteString(regexp.QuoteMeta(v[last:]) + "$")
			f.patterns = append(f.patterns, fallbackPattern{regexp.MustCompile(re.String()), k})
		}
		c.fallbacks[lang] = f
	}
	return c
}

func flattenMessages(prefix string, m map[string]any, out map[string]string) {
	for k, v := range m {
		switch v := v.(type) {
		case string:
			out[prefix+k] = v
		case map[string]any:
			flattenMessages(prefix+k+".", v, out)
		}
	}
}

// pageTextsJS collects every piece of text a person (or a screen reader)
// meets on the page: its title, text nodes, and the text of aria-label,
// alt, title and placeholder. What people typed (textarea) is left out.
const pageTextsJS = `(() => {
	const norm = s => s.replace(/\s+/g, " ").trim();
	const out = [norm(document.title)];
	const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
	for (let n; (n = w.nextNode()); ) {
		if (n.parentElement && n.parentElement.closest("script, style, textarea")) continue;
		const s = norm(n.data);
		if (s) out.push(s);
	}
	for (const e of document.body.querySelectorAll("[aria-label], [alt], [title], [placeholder]")) {
		for (const a of ["aria-label", "alt", "title", "placeholder"]) {
			const s = norm(e.getAttribute(a) || "");
			if (s) out.push(s);
		}
	}
	return out.filter(s => s !== "");
})()`

// check fails the test when the page of b shows a message key, or (in a
// language other than English) a message in English because the catalogue
// of lang lacks it.
func (c *catalogueCheck) check(b *tab, lang, what string) {
	b.t.Helper()
	if found := c.problems(b, lang); len(found) > 0 {
		b.t.Errorf("%s [%s] %s: untranslated text, %d message(s): %s", what, lang, b.location(), len(found), strings.Join(found, "; "))
	}
}

// problems lists the untranslated texts of the page of b (see check).
func (c *catalogueCheck) problems(b *tab, lang string) []string {
	b.t.Helper()
	var found []string
	for _, s := range eval[[]string](b, pageTextsJS) {
		title, _, _ := strings.Cut(s, " – ") // the title adds the programme's name
		for _, s := range []string{s, title} {
			if c.keys[s] || keyLike.MatchString(s) && c.sections[strings.SplitN(s, ".", 2)[0]] {
				found = append(found, fmt.Sprintf("the key %q itself", s))
			} else if k, ok := c.fallbacks[lang].find(s); ok {
				found = append(found, fmt.Sprintf("%s in English (%q)", k, s))
			}
		}
	}
	slices.Sort(found)
	return slices.Compact(found)
}
