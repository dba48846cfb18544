package web

import (
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Awareness pages: short information pages in the community languages
// (screening programmes, signs and symptoms, interpreters). The public
// reads them at /awareness, in their language or, clearly marked, in
// English; connectors and administrators write them in Markdown at
// /staff/awareness. The sanitised HTML is made when a text is saved, so
// showing a page renders no Markdown.

// awarenessRoutes lists this part's routes (see routes.go).
func (s *Server) awarenessRoutes() []Route {
	return []Route{
		{"GET /awareness", public, s.handleAwarenessList},
		{"GET /awareness/{slug}", public, s.handleAwarenessPage},
		{"GET /staff/awareness", moderators, s.handleStaffAwareness},
		{"GET /staff/awareness/new", moderators, s.handleStaffAwarenessNew},
		{"POST /staff/awareness", moderators, s.handleStaffAwarenessCreate},
		{"GET /staff/awareness/{slug}/{lang}", moderators, s.handleStaffAwarenessEdit},
		{"POST /staff/awareness/{slug}/{lang}", moderators, s.handleStaffAwarenessSave},
		{"POST /staff/awareness/{slug}/publish", moderators, s.handleStaffAwarenessPublish(true)},
		{"POST /staff/awareness/{slug}/unpublish", moderators, s.handleStaffAwarenessPublish(false)},
	}
}

// awarenessItem is one page in the public list.
type awarenessItem struct {
	Slug, Title, Summary string
	Fallback             bool // shown in English
}

func (s *Server) handleAwarenessList(w http.ResponseWriter, r *http.Request) {
	pages, err := s.store.AwarenessPages(r.Context(), true)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	lang := reqCtx(r).lang
	var items []awarenessItem
	fallbacks := 0
	for _, pg := range pages {
		t, ok := pg.In(lang, i18n.Fallback)
		if !ok {
			continue
		}
		items = append(items, awarenessItem{Slug: pg.Slug, Title: t.Title, Summary: t.Summary, Fallback: t.Fallback})
		if t.Fallback {
			fallbacks++
		}
	}
	p := s.newPage(r)
	p.Data = struct {
		Items     []awarenessItem
		Fallbacks int
	}{items, fallbacks}
	s.render(w, r, http.StatusOK, "awareness_list", p)
}

// awarenessView is one page as the public sees it.
type awarenessView struct {
	Slug       string
	Text       awareness.Shown
	Body       template.HTML
	NextReview time.Time
	Overdue    bool
}

func (s *Server) handleAwarenessPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if !awareness.ValidSlug(slug) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	pg, err := s.store.AwarenessPage(r.Context(), slug)
	if errors.Is(err, store.ErrNotFound) || err == nil && !pg.Published {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	t, ok := pg.In(reqCtx(r).lang, i18n.Fallback)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	next := awareness.NextReview(t.ReviewedOn)
	p := s.newPage(r)
	// The HTML was made by awareness.Render when the text was saved:
	// Markdown without raw HTML, through an allow-list sanitiser.
	p.Data = awarenessView{Slug: slug, Text: t, Body: template.HTML(t.HTML), NextReview: next, Overdue: !next.After(s.today())}
	if t.Fallback {
		// The page says it is not yet in the chosen language; "this page
		// is now in Urdu" above that would contradict it.
		p.LanguageChanged = false
	}
	s.render(w, r, http.StatusOK, "awareness_page", p)
}

// ---- Staff ----

// awarenessCell is one language of one page in the staff overview.
type awarenessCell struct {
	Lang, Name string
	Status     awareness.Status
	Label      string // the status, translated, with the review date
}

type awarenessRow struct {
	Slug, Title string
	Published   bool
	Cells       []awarenessCell
}

func (s *Server) handleStaffAwareness(w http.ResponseWriter, r *http.Request) {
	pages, err := s.store.AwarenessPages(r.Context(), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	langs := s.programme().Languages
	today := s.today()
	p := s.newPage(r)
	rows := make([]awarenessRow, 0, len(pages))
	for _, pg := range pages {
		row := awarenessRow{Slug: pg.Slug, Published: pg.Published}
		if en, ok := pg.Text(i18n.Fallback); ok {
			row.Title = en.Title
		}
		for _, l := range langs {
			c := awarenessCell{Lang: l.Code, Name: l.NativeName, Status: pg.StatusOf(l.Code, i18n.Fallback, today)}
			c.Label = p.T("awareness.status_missing")
			if t, ok := pg.Text(l.Code); ok {
				c.Label = p.T("awareness.status_"+string(c.Status), "Date", p.Isolate(p.Date(t.ReviewedOn)))
			}
			row.Cells = append(row.Cells, c)
		}
		rows = append(rows, row)
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Rows      []awarenessRow
		Languages []programme.Language
	}{rows, langs}
	s.render(w, r, http.StatusOK, "staff_awareness", p)
}

type awarenessNewForm struct{ Slug, Position string }

func (s *Server) handleStaffAwarenessNew(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Form = awarenessNewForm{}
	s.render(w, r, http.StatusOK, "staff_awareness_new", p)
}

func (s *Server) handleStaffAwarenessCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := awarenessNewForm{Slug: form.Value(r, "slug", awareness.MaxSlug+40), Position: form.Value(r, "position", 20)}
	p := s.newPage(r)
	p.Form = f
	switch {
	case f.Slug == "":
		p.Errors.Add("slug", "awareness.error.slug_required")
	case !awareness.ValidSlug(f.Slug):
		p.Errors.Add("slug", "awareness.error.slug_invalid")
	}
	pos := 0
	if f.Position != "" {
		n, err := strconv.Atoi(f.Position)
		if err != nil || n < 0 || n > awareness.MaxPosition {
			p.Errors.Add("position", "awareness.error.position_invalid")
		}
		pos = n
	}
	if len(p.Errors) == 0 {
		_, err := s.store.CreateAwarenessPage(r.Context(), reqCtx(r).user.ID, f.Slug, pos)
		if errors.Is(err, store.ErrConflict) {
			p.Errors.Add("slug", "awareness.error.slug_taken")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "staff_awareness_new", p)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "awareness.created")
	redirect(w, r, "/staff/awareness/"+f.Slug+"/"+i18n.Fallback)
}

// awarenessEditData is what the edit form shows besides the answers.
type awarenessEditData struct {
	Slug      string
	Lang      programme.Language
	Published bool
	Exists    bool          // the page already has a text in this language
	English   template.HTML // the English text, for translators ("" when editing English)
	Preview   template.HTML
	Previewed bool
	History   int
}

func (s *Server) awarenessLang(code string) (programme.Language, bool) {
	for _, l := range s.programme().Languages {
		if l.Code == code {
			return l, true
		}
	}
	return programme.Language{}, false
}

// awarenessTarget reads and checks the page and language of an edit URL;
// it answers 404 itself when either is unknown.
func (s *Server) awarenessTarget(w http.ResponseWriter, r *http.Request) (awareness.Page, programme.Language, bool) {
	slug := r.PathValue("slug")
	lang, ok := s.awarenessLang(r.PathValue("lang"))
	if !ok || !awareness.ValidSlug(slug) {
		s.errorPage(w, r, http.StatusNotFound)
		return awareness.Page{}, lang, false
	}
	pg, err := s.store.AwarenessPage(r.Context(), slug)
	if s.storeFailed(w, r, err) {
		return pg, lang, false
	}
	return pg, lang, true
}

func (s *Server) awarenessEditPage(r *http.Request, pg awareness.Page, lang programme.Language, d awareness.Draft) *Page {
	p := s.newPage(r)
	p.Form = d
	data := awarenessEditData{Slug: pg.Slug, Lang: lang, Published: pg.Published}
	_, data.Exists = pg.Text(lang.Code)
	if en, ok := pg.Text(i18n.Fallback); ok && lang.Code != i18n.Fallback {
		data.English = template.HTML(en.HTML)
	}
	var err error
	if data.History, err = s.store.AwarenessHistory(r.Context(), pg.Slug, lang.Code); err != nil {
		// The count of earlier versions is a side note: the page (and
		// the answers being edited) still show, without it.
		s.log.Error("awareness history unavailable", "route", reqCtx(r).route, "err", err.Error())
	}
	p.Data = data
	return p
}

func (s *Server) handleStaffAwarenessEdit(w http.ResponseWriter, r *http.Request) {
	pg, lang, ok := s.awarenessTarget(w, r)
	if !ok {
		return
	}
	var d awareness.Draft
	if t, ok := pg.Text(lang.Code); ok {
		d = awareness.Draft{Title: t.Title, Summary: t.Summary, Markdown: t.Markdown, ReviewedOn: t.ReviewedOn.Format("02/01/2006"), Reviewer: t.Reviewer}
	}
	p := s.awarenessEditPage(r, pg, lang, d)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_awareness_edit", p)
}

// handleStaffAwarenessSave saves a text, or (action=preview) shows how it
// will look without saving it.
func (s *Server) handleStaffAwarenessSave(w http.ResponseWriter, r *http.Request) {
	pg, lang, ok := s.awarenessTarget(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	// Each answer is read one character past its limit, so a text that is
	// too long is reported rather than silently cut.
	d := awareness.Draft{
		Title:      form.Value(r, "title", awareness.MaxTitle+1),
		Summary:    form.Value(r, "summary", awareness.MaxSummary+1),
		Markdown:   form.Value(r, "body", awareness.MaxBody+1),
		ReviewedOn: form.Value(r, "reviewed_on", 40),
		Reviewer:   form.Value(r, "reviewer", awareness.MaxReviewer+1),
	}
	text, errs := awareness.Check(d, s.today())
	p := s.awarenessEditPage(r, pg, lang, d)
	p.Errors = errs
	preview := r.PostForm.Get("action") == "preview"
	if preview && len(d.Markdown) > 0 && len([]rune(d.Markdown)) <= awareness.MaxBody {
		data := p.Data.(awarenessEditData)
		data.Preview, data.Previewed = template.HTML(awareness.Render(d.Markdown)), true
		p.Data = data
	}
	switch {
	case len(p.Errors) > 0:
		s.render(w, r, http.StatusUnprocessableEntity, "staff_awareness_edit", p)
		return
	case preview:
		s.render(w, r, http.StatusOK, "staff_awareness_edit", p)
		return
	}
	text.Lang = lang.Code
	if err := s.store.SaveAwarenessText(r.Context(), reqCtx(r).user.ID, pg.Slug, text); errors.Is(err, store.ErrNotFound) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "awareness.saved")
	redirect(w, r, "/staff/awareness")
}

func (s *Server) handleStaffAwarenessPublish(publish bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		slug := r.PathValue("slug")
		if !awareness.ValidSlug(slug) {
			s.errorPage(w, r, http.StatusNotFound)
			return
		}
		if err := form.Parse(r); err != nil {
			s.formError(w, r, err)
			return
		}
		flash := "awareness.unpublished"
		if publish {
			flash = "awareness.published"
		}
		err := s.store.SetAwarenessPublished(r.Context(), reqCtx(r).user.ID, slug, i18n.Fallback, publish)
		switch {
		case errors.Is(err, store.ErrNotFound):
			s.errorPage(w, r, http.StatusNotFound)
			return
		case errors.Is(err, awareness.ErrNoEnglish):
			flash = "awareness.error.publish_needs_english"
		case err != nil:
			s.serverError(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), sessFlash, flash)
		redirect(w, r, "/staff/awareness")
	}
}
