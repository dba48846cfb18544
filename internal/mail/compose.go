package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	texttemplate "text/template"

	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Each kind of email is two templates, templates/<kind>.txt and
// templates/<kind>.html (the HTML part is wrapped in layout.html), and a
// subject, the translation "<part>.mail.<kind>.subject" given as the
// template "subject" in the .txt file. Templates call {{t "key"}} (with
// optional name, value pairs) to translate in the reader's language.
//
//go:embed templates/*
var templatesFS embed.FS

// Site is what every email says of the programme.
type Site struct {
	Name    string // the programme's name, e.g. "Hear me Luton"
	BaseURL string // absolute links in emails start with it
	RTL     []string
}

func (s Site) dir(lang string) string {
	for _, l := range s.RTL {
		if l == lang {
			return "rtl"
		}
	}
	return "ltr"
}

// Composer renders messages. Each kind's templates are parsed once, on
// the kind's first use: an idle server held every kind's parse trees
// (1.5 MB, twice: the web layer's composer and the event jobs') for
// emails it may not send for days (docs/performance.md, section 4). The
// templates are embedded, so one that does not parse is a build fault:
// TestEveryMailTemplateParses parses them all.
type Composer struct {
	cat    *i18n.Catalogue
	keys   *sealed.Keyring
	site   func() Site
	kinds  map[string]*kindTemplates // fixed after NewComposer
	parsed atomic.Int32              // kinds parsed so far (tests)
}

type kindTemplates struct {
	once sync.Once
	text *texttemplate.Template
	html *htmltemplate.Template
	err  error
}

// NewComposer lists the kinds of email; it parses no template. site is
// read at each Compose, so a renamed programme shows at once.
func NewComposer(cat *i18n.Catalogue, keys *sealed.Keyring, site func() Site) (*Composer, error) {
	c := &Composer{cat: cat, keys: keys, site: site, kinds: map[string]*kindTemplates{}}
	files, err := fs.Glob(templatesFS, "templates/*.txt")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		c.kinds[strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".txt")] = &kindTemplates{}
	}
	return c, nil
}

// templates returns kind's text and HTML templates, parsing them on
// first use.
func (c *Composer) templates(kind string) (*kindTemplates, error) {
	k, ok := c.kinds[kind]
	if !ok {
		return nil, fmt.Errorf("mail: no template %q", kind)
	}
	k.once.Do(func() {
		c.parsed.Add(1)
		stub := func(string, ...any) string { return "" }
		f := "templates/" + kind + ".txt"
		if k.text, k.err = texttemplate.New(kind).Funcs(texttemplate.FuncMap{"t": stub}).ParseFS(templatesFS, f); k.err != nil {
			k.err = fmt.Errorf("mail template %s: %w", f, k.err)
			return
		}
		if k.html, k.err = htmltemplate.New(kind).Funcs(htmltemplate.FuncMap{"t": stub}).ParseFS(templatesFS, "templates/layout.html", "templates/"+kind+".html"); k.err != nil {
			k.err = fmt.Errorf("mail template %s.html: %w", kind, k.err)
		}
	})
	return k, k.err
}

// Kinds lists the kinds of email there are templates for.
func (c *Composer) Kinds() []string {
	var out []string
	for k := range c.kinds {
		out = append(out, k)
	}
	return out
}

// Message renders kind in lang, addressed to to. data is available to
// the templates as .Data; .Site is the programme.
func (c *Composer) Message(lang, to, kind string, data any) (Message, error) {
	kt, err := c.templates(kind)
	if err != nil {
		return Message{}, err
	}
	tt := kt.text
	l := c.cat.Localizer(lang)
	t := func(id string, pairs ...any) string { return l.T(id, pairs...) }
	view := struct {
		Lang, Dir string
		Site      Site
		Data      any
	}{lang, "", c.site(), data}
	view.Dir = view.Site.dir(lang)
	render := func(name string) (string, error) {
		var b bytes.Buffer
		tc, err := tt.Clone()
		if err != nil {
			return "", err
		}
		err = tc.Funcs(texttemplate.FuncMap{"t": t}).ExecuteTemplate(&b, name, view)
		return strings.TrimSpace(b.String()), err
	}
	subject, err := render("subject")
	if err != nil {
		return Message{}, fmt.Errorf("mail %s subject: %w", kind, err)
	}
	text, err := render(kind + ".txt")
	if err != nil {
		return Message{}, fmt.Errorf("mail %s text: %w", kind, err)
	}
	hc, err := kt.html.Clone()
	if err != nil {
		return Message{}, err
	}
	var hb bytes.Buffer
	if err := hc.Funcs(htmltemplate.FuncMap{"t": t}).ExecuteTemplate(&hb, "layout", struct {
		Lang, Dir, Subject string
		Site               Site
		Data               any
	}{lang, view.Dir, subject, view.Site, data}); err != nil {
		return Message{}, fmt.Errorf("mail %s html: %w", kind, err)
	}
	return Message{To: to, Subject: subject, Text: text + "\n", HTML: hb.String(), Lang: lang}, nil
}

// Compose renders and seals a message for the outbox.
func (c *Composer) Compose(lang, to, kind string, data any) (Queued, error) {
	m, err := c.Message(lang, to, kind, data)
	if err != nil {
		return Queued{}, err
	}
	return Seal(c.keys, kind, m)
}
