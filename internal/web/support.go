package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/hearme-project/hearme/internal/support"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The public support directory: /support (search and filters, works
// with JavaScript off, in every language), a page per service, and
// /support/go/{id}, which counts an "opened" and sends the person on to
// the service's own website.

// supportRoutes lists this part's routes (see routes.go).
func (s *Server) supportRoutes() []Route {
	return []Route{
		{"GET /support", public, s.handleSupportDirectory},
		{"GET /support/service/{id}", public, s.handleSupportService},
		{"GET /support/go/{id}", public, s.handleSupportGo},

		{"GET /staff/support", moderators, s.handleStaffSupport},
		{"GET /staff/support/new", moderators, s.handleStaffSupportNew},
		{"POST /staff/support", moderators, s.handleStaffSupportCreate},
		{"GET /staff/support/export.csv", moderators, s.handleStaffSupportExport},
		{"GET /staff/support/import", moderators, s.handleStaffSupportImportForm},
		{"POST /staff/support/import", moderators, s.handleStaffSupportImport},
		{"GET /staff/support/signposting", moderators, s.handleStaffSupportSignposting},
		{"GET /staff/support/{id}", moderators, s.handleStaffSupportEdit},
		{"POST /staff/support/{id}", moderators, s.handleStaffSupportUpdate},
		{"POST /staff/support/{id}/checked", moderators, s.handleStaffSupportChecked},
		{"POST /staff/support/{id}/delete", moderators, s.handleStaffSupportDelete},
	}
}

// supportPageSize is how many services a directory page lists.
const supportPageSize = 10

// supportView is a service ready for a template, in the page's language.
type supportView struct {
	ID, Name, Organisation, Summary string
	SummaryLang                     string // "" when in the page's language
	Needs, Languages, Communities   []string
	Stages                          []string
	Area                            string
	Phone                           string
	PhoneHref                       template.URL
	Email, Website, OpenURL         string
	Hours, Eligibility, Referral    string
	CheckedAt                       time.Time
}

// telHref is a tel: link for a phone number: digits and a leading +.
func telHref(phone string) template.URL {
	var b strings.Builder
	for i, r := range phone {
		if r >= '0' && r <= '9' || (r == '+' && i == 0) {
			b.WriteRune(r)
		}
	}
	if b.Len() < 3 {
		return ""
	}
	return template.URL("tel:" + b.String())
}

// languageName is a language's name in that language ("Soomaali"), for
// the programme's languages as configured, others from CLDR.
func (s *Server) languageName(code string) string {
	for _, l := range s.programme().Languages {
		if l.Code == code {
			return l.NativeName
		}
	}
	if t, err := language.Parse(code); err == nil {
		if n := display.Self.Name(t); n != "" {
			return n
		}
	}
	return code
}

func (s *Server) supportViewOf(p *Page, sv support.Service, place string) supportView {
	v := supportView{ID: sv.ID, Name: sv.Name, Organisation: sv.Organisation, Summary: sv.SummaryIn(p.Lang), Area: p.T("support.area." + sv.Area),
		Phone: sv.Phone, PhoneHref: telHref(sv.Phone), Email: sv.Email, Website: sv.Website, Hours: sv.Hours, Eligibility: sv.Eligibility,
		Referral: sv.Referral, CheckedAt: sv.CheckedAt, OpenURL: "/support/go/" + sv.ID + "?from=" + place}
	if sv.Summaries[p.Lang] == "" && p.Lang != "en" {
		v.SummaryLang = "en"
	}
	for _, n := range sv.Needs {
		v.Needs = append(v.Needs, p.T("support.need."+n))
	}
	for _, l := range sv.Languages {
		v.Languages = append(v.Languages, s.languageName(l))
	}
	prog := s.programme()
	for _, c := range prog.Communities {
		if slices.Contains(sv.Communities, c.Slug) {
			v.Communities = append(v.Communities, c.Name(p.Lang))
		}
	}
	for _, st := range prog.Stages {
		if slices.Contains(sv.Stages, st.Slug) {
			v.Stages = append(v.Stages, st.Name(p.Lang))
		}
	}
	return v
}

// option is one choice of a filter or a form.
type option struct {
	Code, Label string
	Selected    bool
}

// supportFilterForm is the directory's search, as asked.
type supportFilterForm struct {
	Q, Need, Area, Language, Community, Stage string
	Page                                      int
}

func (f supportFilterForm) query(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"q": f.Q, "need": f.Need, "area": f.Area, "language": f.Language, "community": f.Community, "stage": f.Stage} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// readSupportFilter reads the filters from the query string, dropping
// any value that is not one of the choices.
func (s *Server) readSupportFilter(r *http.Request, langs []string) supportFilterForm {
	q := r.URL.Query()
	pick := func(name string, allowed []string) string {
		v := q.Get(name)
		if slices.Contains(allowed, v) {
			return v
		}
		return ""
	}
	prog := s.programme()
	var comms, stages []string
	for _, c := range prog.Communities {
		comms = append(comms, c.Slug)
	}
	for _, st := range prog.Stages {
		stages = append(stages, st.Slug)
	}
	f := supportFilterForm{Q: form.Clean(q.Get("q"), 100), Need: pick("need", support.Needs), Area: pick("area", support.Areas),
		Language: pick("language", langs), Community: pick("community", comms), Stage: pick("stage", stages)}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	f.Page = min(max(f.Page, 1), 10000)
	return f
}

// supportLanguages are the languages a directory filter offers: the
// programme's, then any other some service gives support in.
func (s *Server) supportLanguages(d *support.Directory) []string {
	var out []string
	for _, l := range s.programme().Languages {
		out = append(out, l.Code)
	}
	for _, l := range d.Languages() {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// supportChoices are the filter and form choices, labelled in the page's
// language, with the given codes selected.
func (s *Server) supportChoices(p *Page, langs []string, need, area, lang, community, stage []string) map[string][]option {
	out := map[string][]option{}
	for _, n := range support.Needs {
		out["need"] = append(out["need"], option{n, p.T("support.need." + n), slices.Contains(need, n)})
	}
	for _, a := range support.Areas {
		out["area"] = append(out["area"], option{a, p.T("support.area." + a), slices.Contains(area, a)})
	}
	for _, l := range langs {
		out["language"] = append(out["language"], option{l, s.languageName(l), slices.Contains(lang, l)})
	}
	prog := s.programme()
	for _, c := range prog.Communities {
		if c.Active || slices.Contains(community, c.Slug) {
			out["community"] = append(out["community"], option{c.Slug, c.Name(p.Lang), slices.Contains(community, c.Slug)})
		}
	}
	for _, st := range prog.Stages {
		if st.Active || slices.Contains(stage, st.Slug) {
			out["stage"] = append(out["stage"], option{st.Slug, st.Name(p.Lang), slices.Contains(stage, st.Slug)})
		}
	}
	return out
}

func one(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}

func (s *Server) handleSupportDirectory(w http.ResponseWriter, r *http.Request) {
	dir, err := s.supportDirectory(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	langs := s.supportLanguages(dir)
	f := s.readSupportFilter(r, langs)
	// Someone not signed in may get the page as it was last rendered.
	var pages *supportPages
	var key string
	if rc := reqCtx(r); rc.user == nil {
		pages = s.supportPagesFor(dir)
		key = fmt.Sprintf("%s|%t|%t|%s", rc.lang, rc.langChanged, rc.langUnavailable, f.query(f.Page))
		if pg, ok := pages.get(key); ok {
			s.countShown(r, pg.shown, "directory", "")
			s.write(w, http.StatusOK, rc.lang, pg.body)
			return
		}
	}
	results, total := dir.Search(support.Filter{Text: f.Q, Need: f.Need, Area: f.Area, Language: f.Language,
		Community: f.Community, Stage: f.Stage, Limit: supportPageSize, Offset: (f.Page - 1) * supportPageSize})
	p := s.newPage(r)
	p.Form = f
	var views []supportView
	var shown []string
	for _, sv := range results {
		views = append(views, s.supportViewOf(p, sv, "directory"))
		shown = append(shown, sv.ID)
	}
	s.countShown(r, shown, "directory", "")
	data := struct {
		Results           []supportView
		Total, Page       int
		Prev, Next        string
		Choices           map[string][]option
		Filtered          bool
		ReviewAfterMonths int
	}{Results: views, Total: total, Page: f.Page, Choices: s.supportChoices(p, langs, one(f.Need), one(f.Area), one(f.Language), one(f.Community), one(f.Stage)),
		Filtered: f.query(1) != ""}
	if f.Page > 1 {
		data.Prev = "/support?" + f.query(f.Page-1)
	}
	if f.Page*supportPageSize < total {
		data.Next = "/support?" + f.query(f.Page+1)
	}
	p.Data = data
	body, err := s.execute("support", p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if pages != nil {
		pages.put(key, supportPage{body: body, shown: shown})
	}
	s.write(w, http.StatusOK, p.Lang, body)
}

func (s *Server) handleSupportService(w http.ResponseWriter, r *http.Request) {
	sv, err := s.store.SupportService(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	p := s.newPage(r)
	p.Data = s.supportViewOf(p, sv, "directory")
	s.render(w, r, http.StatusOK, "support_service", p)
}

// handleSupportGo counts an "opened" (anonymously: the service, the
// month, the place; nothing about the person) and sends the person to
// the service's stored website, only ever an absolute http(s) address
// that was checked when it was saved and is checked again here; a
// service without one gets its page in the directory.
func (s *Server) handleSupportGo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	sv, err := s.store.SupportService(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	place := r.URL.Query().Get("from")
	if !slices.Contains(support.Places, place) {
		place = "directory"
	}
	event := ""
	if place == "event" {
		if e := r.URL.Query().Get("event"); support.ValidID(e) {
			event = e
		}
	}
	s.countOpened(r, sv.ID, place, event)
	if sv.Website != "" && support.SafeURL(sv.Website) {
		http.Redirect(w, r, sv.Website, http.StatusSeeOther)
		return
	}
	redirect(w, r, "/support/service/"+url.PathEscape(sv.ID))
}

// supportCard pairs the page with a service for the "support-service"
// template; title says whether to show the name as a heading.
type supportCard struct {
	Page  *Page
	S     supportView
	Title bool
}

// SupportCard is for {{template "support-service" (.SupportCard view true)}}.
func (p *Page) SupportCard(v supportView, title bool) supportCard { return supportCard{p, v, title} }

// supportSelect is one directory filter for the "support-select" template.
type supportSelect struct {
	Page             *Page
	Name, Label, Any string
	Options          []option
}

// SupportSelect describes a filter: its field name, label key, the key
// of its "any" choice, and its options.
func (p *Page) SupportSelect(name, label, anyKey string, opts []option) supportSelect {
	return supportSelect{p, name, label, anyKey, opts}
}

// supportChecks is a group of checkboxes or radios on the staff form.
type supportChecks struct {
	Page               *Page
	Name, Legend, Type string
	Options            []option
}

// SupportChecks describes a group for the "support-checks" template;
// typ is "checkbox" when empty.
func (p *Page) SupportChecks(name, legend string, opts []option, typ string) supportChecks {
	if typ == "" {
		typ = "checkbox"
	}
	return supportChecks{p, name, legend, typ, opts}
}
