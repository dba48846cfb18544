// Package i18n holds the translation catalogues (one TOML file per
// language, embedded) and chooses the language of a request: an explicit
// choice, then the remembered cookie, then Accept-Language, then English.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Catalogues are split by part of the site, one file per part and
// language: locales/<part>.<lang>.toml ("active" is the site's core,
// "events", "support" and so on each part's own), so each part's
// messages can be written and reviewed on their own.
//
//go:embed locales/*.toml
var localesFS embed.FS

// Fallback is the language every catalogue falls back to.
const Fallback = "en"

// Catalogue is the set of translations. Each language's messages are
// parsed on the language's first use: parsed, every message of six
// languages held about 9 MB in an idle server (docs/performance.md,
// section 4), most of it for languages no request had asked for yet.
// The catalogues are embedded, so one that does not parse is a build
// fault: TestEveryCatalogueParses parses them all (LoadAll).
type Catalogue struct {
	langs   []string                   // languages with a catalogue, in file order
	sources map[string][]source        // by language: its files, then the extra files
	bundles map[string]*languageBundle // by language; fixed after Load
	mu      sync.RWMutex
	cache   map[string]*Localizer
}

// source is one message file of a language: embedded, or extra data.
type source struct {
	name string
	data []byte // nil: read name from the embedded catalogues
}

type languageBundle struct {
	once   sync.Once
	bundle *goi18n.Bundle
	err    error
	parsed atomic.Bool
}

// Load lists every embedded catalogue, plus extra message files by
// language (a domain package's own labels, such as the equality
// questions'), which must use keys of their own. It parses none of them.
func Load(extra ...map[string][]byte) (*Catalogue, error) {
	files, err := fs.Glob(localesFS, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	c := &Catalogue{sources: map[string][]source{}, bundles: map[string]*languageBundle{}, cache: map[string]*Localizer{}}
	for _, f := range files {
		parts := strings.Split(strings.TrimSuffix(path.Base(f), ".toml"), ".")
		if len(parts) != 2 {
			return nil, fmt.Errorf("catalogue %s: name must be <part>.<lang>.toml", f)
		}
		tag, err := language.Parse(parts[1])
		if err != nil {
			return nil, fmt.Errorf("catalogue %s: %w", f, err)
		}
		lang := tag.String()
		if !c.Has(lang) {
			c.langs = append(c.langs, lang)
			c.bundles[lang] = &languageBundle{}
		}
		c.sources[lang] = append(c.sources[lang], source{name: f})
	}
	for _, files := range extra {
		for lang, data := range files {
			if c.bundles[lang] == nil {
				c.bundles[lang] = &languageBundle{}
			}
			c.sources[lang] = append(c.sources[lang], source{name: "extra." + lang + ".toml", data: data})
		}
	}
	return c, nil
}

// bundle returns lang's messages, parsing them on first use; nil when
// there is no catalogue for lang.
func (c *Catalogue) bundle(lang string) (*goi18n.Bundle, error) {
	lb := c.bundles[lang]
	if lb == nil {
		return nil, nil
	}
	lb.once.Do(func() {
		b := goi18n.NewBundle(language.English)
		b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
		for _, src := range c.sources[lang] {
			var err error
			if src.data == nil {
				_, err = b.LoadMessageFileFS(localesFS, src.name)
			} else {
				_, err = b.ParseMessageFileBytes(src.data, src.name)
			}
			if err != nil {
				lb.err = fmt.Errorf("catalogue %s: %w", src.name, err)
				return
			}
		}
		lb.bundle = b
	})
	lb.parsed.Store(true)
	return lb.bundle, lb.err
}

// LoadAll parses every language's messages (tests and tools), returning
// the first error.
func (c *Catalogue) LoadAll() error {
	for lang := range c.bundles {
		if _, err := c.bundle(lang); err != nil {
			return err
		}
	}
	return nil
}

// Parsed lists the languages whose messages have been parsed so far.
func (c *Catalogue) Parsed() []string {
	var out []string
	for lang, lb := range c.bundles {
		if lb.parsed.Load() {
			out = append(out, lang)
		}
	}
	slices.Sort(out)
	return out
}

// Has reports whether a catalogue exists for lang.
func (c *Catalogue) Has(lang string) bool {
	for _, l := range c.langs {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer returns the (cached) localizer for lang. A language without
// a catalogue, or whose catalogue does not parse (TestEveryCatalogueParses
// keeps that from shipping), shows English.
func (c *Catalogue) Localizer(lang string) *Localizer {
	c.mu.RLock()
	l := c.cache[lang]
	c.mu.RUnlock()
	if l != nil {
		return l
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if l = c.cache[lang]; l == nil {
		en, _ := c.bundle(Fallback)
		if en == nil {
			en = goi18n.NewBundle(language.English)
		}
		own, _ := c.bundle(lang)
		if own == nil {
			own = en
		}
		l = &Localizer{Lang: lang, l: goi18n.NewLocalizer(own, lang), en: goi18n.NewLocalizer(en, Fallback), memo: map[string]string{}}
		c.cache[lang] = l
	}
	return l
}

// Localizer translates messages into one language.
type Localizer struct {
	Lang string
	l    *goi18n.Localizer
	en   *goi18n.Localizer // a message missing in Lang shows in English, never as its key
	mu   sync.RWMutex
	memo map[string]string // plain messages, translated once
}

// T translates a message. Optional pairs of name, value fill in
// {{.Name}} placeholders. A missing key shows the key itself (tests make
// sure none is missing).
func (l *Localizer) T(id string, pairs ...any) string {
	if len(pairs) == 0 {
		l.mu.RLock()
		s, ok := l.memo[id]
		l.mu.RUnlock()
		if ok {
			return s
		}
	}
	data := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		data[fmt.Sprint(pairs[i])] = pairs[i+1]
	}
	cfg := &goi18n.LocalizeConfig{MessageID: id, TemplateData: data}
	s, err := l.l.Localize(cfg)
	if err != nil {
		if s, err = l.en.Localize(cfg); err != nil {
			return id
		}
	}
	if len(pairs) == 0 {
		l.mu.Lock()
		l.memo[id] = s
		l.mu.Unlock()
	}
	return s
}

// N translates a message with plural forms chosen by count n, which is
// also available as {{.Count}}.
func (l *Localizer) N(id string, n int) string {
	cfg := &goi18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: map[string]any{"Count": n}}
	s, err := l.l.Localize(cfg)
	if err != nil {
		if s, err = l.en.Localize(cfg); err != nil {
			return id
		}
	}
	return s
}

// Chooser picks a request's language from those a programme offers. It
// is built once per configuration: building the Accept-Language matcher
// is far dearer than using it.
type Chooser struct {
	offered []string
	matcher language.Matcher
}

// NewChooser prepares a Chooser for the offered languages, first the default.
func NewChooser(offered []string) *Chooser {
	tags := make([]language.Tag, 0, len(offered))
	for _, o := range offered {
		tags = append(tags, language.Make(o))
	}
	return &Chooser{offered: offered, matcher: language.NewMatcher(tags)}
}

// Choose picks an explicit choice (the ?lang= parameter), then the
// cookie, then Accept-Language, then the first offered language. Unknown
// or malformed values are ignored.
func (c *Chooser) Choose(explicit, cookie, acceptLanguage string) string {
	for _, v := range []string{explicit, cookie} {
		v = strings.TrimSpace(v)
		for _, o := range c.offered {
			if v != "" && strings.EqualFold(v, o) {
				return o
			}
		}
	}
	if acceptLanguage != "" && len(c.offered) > 0 && len(acceptLanguage) < 512 {
		prefs, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(prefs) > 0 {
			_, idx, conf := c.matcher.Match(prefs...)
			if conf != language.No {
				return c.offered[idx]
			}
		}
	}
	if len(c.offered) > 0 {
		return c.offered[0]
	}
	return Fallback
}

// Choose is NewChooser(offered).Choose(...), for one-off use.
func Choose(offered []string, explicit, cookie, acceptLanguage string) string {
	return NewChooser(offered).Choose(explicit, cookie, acceptLanguage)
}

// Sets returns the embedded catalogue files by part ("active",
// "events", ...) and then by language code, for tests and tools that
// check completeness.
func Sets() (map[string]map[string][]byte, error) {
	files, err := fs.Glob(localesFS, "locales/*.toml")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string][]byte{}
	for _, f := range files {
		b, err := localesFS.ReadFile(f)
		if err != nil {
			return nil, err
		}
		part, lang, ok := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(f, "locales/"), ".toml"), ".")
		if !ok {
			return nil, fmt.Errorf("catalogue %s: name must be <part>.<lang>.toml", f)
		}
		if out[part] == nil {
			out[part] = map[string][]byte{}
		}
		out[part][lang] = b
	}
	return out, nil
}
