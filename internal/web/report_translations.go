package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Translations of organisations' words (/staff/translations, issue 13
// item 4): connectors and administrators translate each public
// commitment, progress update and answer's reasons into the programme's
// other languages, so the report read in Urdu is in Urdu. The rules are
// accountability/translation.go's; a translation made from words the
// organisation has since changed is stale, listed here to revise and no
// longer shown on the report.

func (s *Server) translationRoutes() []Route {
	return []Route{
		{"GET /staff/translations", reviewers, s.handleTranslations},
		{"GET /staff/translations/{kind}/{id}/{lang}", reviewers, s.handleTranslationForm},
		{"POST /staff/translations/{kind}/{id}/{lang}", reviewers, s.handleTranslationSave},
	}
}

// translationListMax is how many items needing work the list shows at once.
const translationListMax = 100

// translationLanguages are the programme's languages a translation can be
// into (all but English).
func (s *Server) translationLanguages() []programme.Language {
	var out []programme.Language
	for _, l := range s.programme().Languages {
		if l.Code != "en" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) translationLanguage(code string) (programme.Language, bool) {
	for _, l := range s.translationLanguages() {
		if l.Code == code {
			return l, true
		}
	}
	return programme.Language{}, false
}

type translationRow struct {
	Kind, ID, Reference, Organisation, English string
	Stale, Done                                bool
}

type translationsPage struct {
	Languages                 []programme.Language
	Lang                      programme.Language
	Rows                      []translationRow // needing work: missing or stale
	Missing, Stale, Done, All int
}

func (s *Server) handleTranslations(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	d := translationsPage{Languages: s.translationLanguages()}
	if len(d.Languages) == 0 {
		p.Data = d
		s.render(w, r, http.StatusOK, "staff_translations", p)
		return
	}
	l, ok := s.translationLanguage(r.URL.Query().Get("to"))
	if !ok {
		l = d.Languages[0]
	}
	d.Lang = l
	items, err := s.store.TranslationWork(r.Context(), l.Code)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, it := range items {
		d.All++
		switch {
		case it.Translation == nil:
			d.Missing++
		case it.Stale():
			d.Stale++
		default:
			d.Done++
			continue
		}
		if len(d.Rows) < translationListMax {
			d.Rows = append(d.Rows, translationRow{Kind: string(it.Kind), ID: it.ID, Reference: it.Reference, Organisation: s.orgName(it.Organisation),
				English: accountability.Excerpt(it.English.Text, 90), Stale: it.Stale()})
		}
	}
	p.Data = d
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_translations", p)
}

// translationForm is one subject's translation page.
type translationForm struct {
	Kind, ID string
	Lang     programme.Language
	Target   store.TranslationTarget
	OrgName  string
	Form     accountability.Words // as typed (or the translation saved before)
	Source   string               // the hash of the English the page shows
	Existing *accountability.TextTranslation
	Stale    bool
	By       string // who made the existing translation
	At       string
}

// sourceHash names the English a form was opened on, so a save after the
// organisation changed its words is refused.
func sourceHash(w accountability.Words) string {
	h := sha256.Sum256([]byte(w.Source()))
	return hex.EncodeToString(h[:16])
}

// translationTarget reads the subject of the path, or answers 404.
func (s *Server) translationTarget(w http.ResponseWriter, r *http.Request) (store.TranslationTarget, programme.Language, bool) {
	kind := accountability.Subject(r.PathValue("kind"))
	l, ok := s.translationLanguage(r.PathValue("lang"))
	if !ok || !kind.Valid() {
		s.errorPage(w, r, http.StatusNotFound)
		return store.TranslationTarget{}, l, false
	}
	t, err := s.store.TranslationTarget(r.Context(), kind, form.Clean(r.PathValue("id"), 64))
	if s.storeFailed(w, r, err) {
		return t, l, false
	}
	return t, l, true
}

func (s *Server) renderTranslationForm(w http.ResponseWriter, r *http.Request, status int, t store.TranslationTarget, l programme.Language, typed *accountability.Words, errs field.Errors) {
	p := s.newPage(r)
	p.Errors = errs
	d := translationForm{Kind: string(t.Kind), ID: t.ID, Lang: l, Target: t, OrgName: s.orgName(t.Organisation), Source: sourceHash(t.English)}
	if ex := accountability.Of(t.Translations, l.Code); ex != nil {
		d.Existing, d.Stale, d.Form, d.At = ex, ex.Stale(t.English), ex.Words, p.DateTime(ex.At)
		d.By = ex.By
		if u, err := s.store.UserByID(r.Context(), ex.By); err == nil {
			d.By = u.DisplayName
		}
	}
	if typed != nil {
		d.Form = *typed
	}
	p.Data = d
	s.render(w, r, status, "staff_translation", p)
}

func (s *Server) handleTranslationForm(w http.ResponseWriter, r *http.Request) {
	t, l, ok := s.translationTarget(w, r)
	if !ok {
		return
	}
	s.renderTranslationForm(w, r, http.StatusOK, t, l, nil, nil)
}

func (s *Server) handleTranslationSave(w http.ResponseWriter, r *http.Request) {
	t, l, ok := s.translationTarget(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	typed := accountability.Words{Text: form.Value(r, "text", accountability.MaxReasons+100), Reason: form.Value(r, "reason", accountability.MaxReasons+100),
		WhatChanged: form.Value(r, "what-changed", accountability.MaxWhatChanged+100)}
	errs := typed.ValidateTranslation(t.Kind, t.English)
	if len(errs) == 0 && form.Value(r, "source", 64) != sourceHash(t.English) {
		errs.Add("text", "reportlang.error_changed")
	}
	if len(errs) == 0 {
		err := s.store.SaveWordsTranslation(r.Context(), reqCtx(r).user.ID, t.Kind, t.ID,
			accountability.TextTranslation{Lang: l.Code, Words: typed, Source: t.English.Source()})
		switch {
		case errors.Is(err, store.ErrConflict):
			errs.Add("text", "reportlang.error_changed")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "reportlang.saved")
			redirect(w, r, "/staff/translations?to="+l.Code)
			return
		}
		// The English changed meanwhile: show the new English.
		if fresh, err := s.store.TranslationTarget(r.Context(), t.Kind, t.ID); err == nil {
			t = fresh
		}
	}
	s.renderTranslationForm(w, r, http.StatusUnprocessableEntity, t, l, &typed, errs)
}

// TranslationBox pairs the page with one text box of a translation, in
// the language it is typed in.
func (p *Page) TranslationBox(name, label, value string, l programme.Language) struct {
	Page               *Page
	Name, Label, Value string
	Lang               programme.Language
} {
	return struct {
		Page               *Page
		Name, Label, Value string
		Lang               programme.Language
	}{p, name, label, value, l}
}
