package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Page is what every template receives.
type Page struct {
	L               *i18n.Localizer
	Lang, Dir       string
	Languages       []LangLink
	LanguageChanged bool
	LanguageMissing bool
	Programme       programme.Settings
	User            *account.User
	Errors          form.Errors
	Flash           string // translation key
	Form            any
	Data            any
	Offer           SupportOffer    // support services offered on this page, if any ("support-offer" partial)
	Crisis          string          // "person" or "captured": show crisis support ("crisis-support" partial, web/safeguarding.go)
	Timeout         *SessionTimeout // staff pages: when the session ends (the timeout warning)
	CaptureApp      bool            // a capture page: the web app manifest and the offline queue's panel (offline.go)
	assets          map[string]string
	styles          []string // the parts' style sheets, besides app.css
	loc             *time.Location
	memo            map[string]string // cachedT (report.go)
}

// LangLink is one entry of the language switcher.
type LangLink struct {
	Code, NativeName, Dir, Href string
	Current                     bool
}

// T translates a message into the page's language.
func (p *Page) T(id string, pairs ...any) string { return p.L.T(id, pairs...) }

// Isolate wraps a value inserted into a translated sentence in Unicode
// first-strong isolates, so a Latin name or address inside an Urdu
// sentence (or the reverse) keeps its own direction.
func (p *Page) Isolate(v string) string { return "\u2068" + v + "\u2069" }

// Msg translates a form error.
func (p *Page) Msg(e form.Error) string { return p.L.T(e.Key, e.Args...) }

// FieldError returns the error on a field, if any.
func (p *Page) FieldError(field string) *form.Error { return p.Errors.For(field) }

// FieldRef pairs the page with a field name for the field-error template.
type FieldRef struct {
	Page  *Page
	Field string
}

// Field returns a FieldRef for the "field-error" template.
func (p *Page) Field(name string) FieldRef { return FieldRef{p, name} }

// Stylesheets returns the versioned URLs of the style sheets: app.css,
// then each part's own (events.css, ...), in name order.
func (p *Page) Stylesheets() []string {
	out := []string{p.assets["app.css"]}
	for _, name := range p.styles {
		out = append(out, p.assets[name])
	}
	return out
}

// Asset returns the versioned URL of a static file, so it can be cached
// for a year and still change on upgrade.
func (p *Page) Asset(name string) string { return p.assets[name] }

// Date shows a date in the programme's time zone: "2 January 2006" in
// English, and in figures (02/01/2006, the UK order) in other languages,
// rather than with an English month name.
func (p *Page) Date(t time.Time) string {
	if p.Lang == "en" {
		return t.In(p.loc).Format("2 January 2006")
	}
	return t.In(p.loc).Format("02/01/2006")
}

// DateTime shows a time in the programme's time zone, to the minute
// (seconds are noise on every page but the audit trail), with the date
// as Date writes it.
func (p *Page) DateTime(t time.Time) string {
	if p.Lang == "en" {
		return t.In(p.loc).Format("2 Jan 2006 15:04")
	}
	return t.In(p.loc).Format("02/01/2006 15:04")
}

// DateTimeSeconds shows a time to the second, for the audit trail, where
// the order of entries within a minute matters.
func (p *Page) DateTimeSeconds(t time.Time) string { return t.In(p.loc).Format("2006-01-02 15:04:05") }

// newPage builds the page for a request: language, switcher, user.
func (s *Server) newPage(r *http.Request) *Page {
	rc := reqCtx(r)
	st := s.site.Load()
	prog := &st.prog
	p := &Page{
		L: s.cat.Localizer(rc.lang), Lang: rc.lang, Dir: "ltr", LanguageChanged: rc.langChanged, LanguageMissing: rc.langUnavailable,
		Programme: prog.Settings, User: rc.user, assets: s.assets, styles: s.styles, loc: st.loc,
	}
	if rc.user != nil {
		left := s.sessionLeft(r)
		p.Timeout = &SessionTimeout{Ends: s.now().Add(left), SecondsLeft: int(left.Seconds()), WarnSeconds: int(s.warnBefore().Seconds())}
	}
	for _, l := range prog.Languages {
		if l.Code == rc.lang {
			p.Dir = l.Dir()
		}
		href := (&url.URL{Path: r.URL.Path, RawQuery: "lang=" + url.QueryEscape(l.Code)}).String()
		p.Languages = append(p.Languages, LangLink{Code: l.Code, NativeName: l.NativeName, Dir: l.Dir(), Href: href, Current: l.Code == rc.lang})
	}
	return p
}

// InputField is one labelled text input with its hint and error, drawn
// by the "input" template so every form gets the same accessible markup.
type InputField struct {
	Page                          *Page
	Name, Label, Type, Value      string
	Autocomplete, Hint, InputMode string
	SharedHint                    string // the id of a hint several answers share
	Short                         bool
	Error                         *form.Error
}

// DescribedBy lists the ids that describe the input (hint, then error).
func (f InputField) DescribedBy() string {
	var ids []string
	if f.SharedHint != "" {
		ids = append(ids, f.SharedHint)
	}
	if f.Hint != "" {
		ids = append(ids, f.Name+"-hint")
	}
	if f.Error != nil {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// Input describes a text input for the "input" template. Options are
// "autocomplete=…", "hint=translation.key", "inputmode=…" and "short".
// Password inputs never show a value.
func (p *Page) Input(name, labelKey, typ, value string, options ...string) InputField {
	f := InputField{Page: p, Name: name, Label: labelKey, Type: typ, Value: value, Error: p.Errors.For(name)}
	if typ == "password" {
		f.Value = ""
	}
	for _, o := range options {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "autocomplete":
			f.Autocomplete = v
		case "hint":
			f.Hint = v
		case "inputmode":
			f.InputMode = v
		case "short":
			f.Short = true
		}
	}
	return f
}

// Textarea describes a multi-line answer for the "textarea" template.
// Options are as Input's, and "describedby=id" names a hint on the page
// that several answers share.
func (p *Page) Textarea(name, labelKey, value string, options ...string) InputField {
	f := p.Input(name, labelKey, "", value, options...)
	for _, o := range options {
		if k, v, _ := strings.Cut(o, "="); k == "describedby" {
			f.SharedHint = v
		}
	}
	return f
}

// ConsentBoxes pairs the page with a consent record for the
// "consent-boxes" template (the four choices, none ticked for the
// person); evidenceKey is the wording of the first, required choice.
func (p *Page) ConsentBoxes(c experience.Consent, evidenceKey string) struct {
	Page        *Page
	Consent     experience.Consent
	EvidenceKey string
} {
	return struct {
		Page        *Page
		Consent     experience.Consent
		EvidenceKey string
	}{p, c, evidenceKey}
}
