package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Search over approved experiences (/staff/analysis/search), for the
// coders (administrators, connectors, analysts). The search is posted,
// not put in the address: the words someone searches for may name a
// person, and an address ends up in logs, history and bookmarks. Each
// search is audited by the store (filters and number of terms); opening
// a result opens the coding page, which audits the look.

// snippetRunes is about how much of a story a result shows.
const snippetRunes = 240

// searchSources are the ways a story can reach the programme.
var searchSources = []experience.Source{experience.SourceOnline, experience.SourceEvent, experience.SourcePhone,
	experience.SourcePaper, experience.SourceChampion}

// searchForm is the search as posted (kept on the page, and carried by
// the paging buttons).
type searchForm struct {
	Q, Community, Stage, Code, Lang, Source, Event, From, To string
	Page                                                     int // from 0
}

// hidden lists the form's values for a paging button's form.
func (f searchForm) hidden() []hiddenField {
	return []hiddenField{{"q", f.Q}, {"community", f.Community}, {"stage", f.Stage}, {"code", f.Code},
		{"lang", f.Lang}, {"source", f.Source}, {"event", f.Event}, {"from", f.From}, {"to", f.To}}
}

// value is the posted value of the form's field name.
func (f searchForm) value(name string) string {
	for _, h := range f.hidden() {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}

type hiddenField struct{ Name, Value string }

type searchOption struct {
	Value, Label string
	Selected     bool
}

type searchSelect struct {
	Name, Label string
	Options     []searchOption
}

type searchResultView struct {
	store.SearchResult
	Snippet []analysis.Segment
}

type searchData struct {
	Selects  []searchSelect
	Searched bool
	Results  []searchResultView
	Page     int // from 1, for people
	Prev     int // the previous page's number from 0, or -1
	Next     int // the next page's number from 0, or -1
	Hidden   []hiddenField
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	p, err := s.searchPage(r, searchForm{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_search", p)
}

func (s *Server) handleSearchPost(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := searchForm{Q: form.Value(r, "q", analysis.MaxQueryRunes+1), Community: form.Value(r, "community", 64),
		Stage: form.Value(r, "stage", 64), Code: form.Value(r, "code", 64), Lang: form.Value(r, "lang", 16),
		Source: form.Value(r, "source", 16), Event: form.Value(r, "event", 64), From: form.Value(r, "from", 10), To: form.Value(r, "to", 10)}
	if n, err := strconv.Atoi(form.Value(r, "page", 6)); err == nil && n > 0 {
		f.Page = n
	}
	var errs field.Errors
	q, qerr := analysis.ParseQuery(f.Q)
	if qerr != nil {
		errs.Add("q", qerr.Error())
	}
	filters := store.SearchFilters{Community: f.Community, Stage: f.Stage, CodeID: f.Code, Lang: f.Lang,
		Source: experience.Source(f.Source), EventID: f.Event}
	if f.From != "" {
		var err error
		if filters.From, err = time.ParseInLocation(time.DateOnly, f.From, s.site.Load().loc); err != nil {
			errs.Add("from", "search.error.date")
		}
	}
	if f.To != "" {
		to, err := time.ParseInLocation(time.DateOnly, f.To, s.site.Load().loc)
		if err != nil {
			errs.Add("to", "search.error.date")
		} else if filters.To = to.AddDate(0, 0, 1); !filters.From.IsZero() && !filters.From.Before(filters.To) {
			errs.Add("to", "search.error.date_order")
		}
	}
	if len(errs) == 0 && q.Empty() && filters == (store.SearchFilters{}) {
		// Nothing asked: a list of every story is what the coding queue
		// and the codebook are for.
		errs.Add("q", "search.error.empty")
	}
	p, perr := s.searchPage(r, f)
	if perr != nil {
		s.serverError(w, r, perr)
		return
	}
	// A filter's value must be one of its choices (the programme's), as
	// the breakdown page's filters must: an unknown one would find
	// nothing and look like an answer.
	for _, sel := range p.Data.(searchData).Selects {
		if v := f.value(sel.Name); v != "" && !slices.ContainsFunc(sel.Options, func(o searchOption) bool { return o.Value == v }) {
			errs.Add(sel.Name, "analysis.error_choice")
		}
	}
	if len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_search", p)
		return
	}
	results, more, err := s.store.SearchExperiences(r.Context(), reqCtx(r).user.ID, q, filters, f.Page)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := p.Data.(searchData)
	d.Searched, d.Page, d.Prev, d.Next, d.Hidden = true, f.Page+1, f.Page-1, -1, f.hidden()
	if more {
		d.Next = f.Page + 1
	}
	terms := q.Positive()
	for _, res := range results {
		d.Results = append(d.Results, searchResultView{SearchResult: res, Snippet: analysis.Snippet(res.Body, terms, snippetRunes, s.store.SearchFindsInside(res.Lang))})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "staff_search", p)
}

// searchPage is the search page with the form as given and the filters'
// choices.
func (s *Server) searchPage(r *http.Request, f searchForm) (*Page, error) {
	p := s.newPage(r)
	p.Form = f
	prog := s.programme()
	opt := func(value, label, chosen string) searchOption { return searchOption{value, label, value == chosen} }
	community := searchSelect{Name: "community", Label: "search.community"}
	for _, c := range prog.Communities {
		community.Options = append(community.Options, opt(c.Slug, c.Name(p.Lang), f.Community))
	}
	stage := searchSelect{Name: "stage", Label: "search.stage"}
	for _, st := range prog.Stages {
		stage.Options = append(stage.Options, opt(st.Slug, st.Name(p.Lang), f.Stage))
	}
	codes, err := s.store.Codes(r.Context())
	if err != nil {
		return nil, err
	}
	code := searchSelect{Name: "code", Label: "search.code"}
	for _, c := range codes {
		if c.MergedInto == "" {
			code.Options = append(code.Options, opt(c.ID, c.Name, f.Code))
		}
	}
	lang := searchSelect{Name: "lang", Label: "search.language"}
	for _, l := range prog.Languages {
		lang.Options = append(lang.Options, opt(l.Code, l.NativeName+" ("+l.EnglishName+")", f.Lang))
	}
	source := searchSelect{Name: "source", Label: "search.source"}
	for _, src := range searchSources {
		source.Options = append(source.Options, opt(string(src), p.T("analysis.source_"+string(src)), f.Source))
	}
	events, err := s.store.Events(r.Context(), store.EventFilter{})
	if err != nil {
		return nil, err
	}
	ev := searchSelect{Name: "event", Label: "search.event"}
	for i := len(events) - 1; i >= 0; i-- { // newest first
		e := &events[i]
		ev.Options = append(ev.Options, opt(e.ID, p.Date(e.Start)+" · "+eventTitle(e, p.Lang), f.Event))
	}
	p.Data = searchData{Selects: []searchSelect{community, stage, code, lang, source, ev}, Prev: -1, Next: -1}
	return p, nil
}

// eventTitle is an event's title in lang, or in English.
func eventTitle(e *event.Event, lang string) string {
	if t := e.Text(lang).Title; t != "" {
		return t
	}
	return e.Text("en").Title
}
