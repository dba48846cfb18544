package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Recommendations (/staff/recommendations): connectors, analysts and
// administrators draft them from the evidence (themes and consented
// quotes); only an administrator publishes, which freezes the evidence
// (figures through disclosure control, quotes' redacted words) for the
// public report (/report, report.go).

var recommendationDrafters = Access{Roles: []account.Role{account.Admin, account.Connector, account.Analyst}}

func (s *Server) recommendationRoutes() []Route {
	return []Route{
		{"GET /staff/recommendations", recommendationDrafters, s.handleRecommendations},
		{"GET /staff/recommendations/new", recommendationDrafters, s.handleRecommendationNew},
		{"POST /staff/recommendations", recommendationDrafters, s.handleRecommendationSave},
		{"GET /staff/recommendations/{id}", recommendationDrafters, s.handleRecommendation},
		{"POST /staff/recommendations/{id}", recommendationDrafters, s.handleRecommendationSave},
		{"POST /staff/recommendations/{id}/publish", adminOnly, s.handleRecommendationPublish},
		{"GET /report", public, s.handleReport},
		{"GET /report/{reference}", public, s.handleReportRecommendation},
		{"GET /report/organisations/{slug}", public, s.handleReportOrganisation},
		{"GET /report/commitments/{reference}", public, s.handleReportCommitment},
	}
}

func (s *Server) handleRecommendations(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Recommendations(r.Context(), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Recommendations []accountability.Recommendation
	}{list}
	s.render(w, r, http.StatusOK, "staff_recommendations", p)
}

// recommendationOption is one box on the form.
type recommendationOption struct {
	Value, Label, Lang, Detail string
	Checked                    bool
}

// recommendationForm is the draft form's view: the recommendation as
// typed, and the choices on offer with the chosen ones ticked.
type recommendationForm struct {
	Rec                           accountability.Recommendation
	Translations                  []recommendationTranslation
	Organisations, Themes, Quotes []recommendationOption
	CanPublish                    bool
	// The factual-accuracy check: when the draft was shared with its
	// organisations, and their notes.
	Shared string
	Notes  []recommendationNote
	// Community review (report_review_staff.go); nil on a new draft.
	Review *reviewBox
}

type recommendationNote struct {
	Organisation, At, Text string
}

type recommendationTranslation struct {
	Lang, Name, Dir, Title, Text string
}

// recommendationChoices reads what a draft may name: the programme's
// other languages and organisations, the codebook's themes, the
// consented quotes.
func (s *Server) recommendationChoices(r *http.Request) (accountability.Choices, *analysis.Codebook, []store.Quote, error) {
	var c accountability.Choices
	book, _, err := s.codebook(r)
	if err != nil {
		return c, nil, nil, err
	}
	quotes, err := s.store.ConsentedQuotes(r.Context(), 300)
	if err != nil {
		return c, nil, nil, err
	}
	prog := s.programme()
	for _, l := range prog.Languages {
		if l.Code != "en" {
			c.Languages = append(c.Languages, l.Code)
		}
	}
	for _, o := range prog.Organisations {
		c.Organisations = append(c.Organisations, o.Slug)
	}
	for _, n := range book.Walk(false) {
		if n.Depth == 0 {
			c.Themes = append(c.Themes, n.ID)
		}
	}
	for _, q := range quotes {
		c.Quotes = append(c.Quotes, q.CodingID)
	}
	return c, book, quotes, nil
}

func (s *Server) recommendationPage(r *http.Request, rec accountability.Recommendation, errs field.Errors) (*Page, error) {
	_, book, quotes, err := s.recommendationChoices(r)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r)
	p.Errors = errs
	f := recommendationForm{Rec: rec, CanPublish: reqCtx(r).user.Role == account.Admin && rec.Status == accountability.Draft}
	prog := s.programme()
	for _, l := range prog.Languages {
		if l.Code == "en" {
			continue
		}
		t := recommendationTranslation{Lang: l.Code, Name: l.NativeName, Dir: l.Dir()}
		for _, x := range rec.Translations {
			if x.Lang == l.Code {
				t.Title, t.Text = x.Title, x.Text
			}
		}
		f.Translations = append(f.Translations, t)
	}
	for _, o := range prog.Organisations {
		f.Organisations = append(f.Organisations, recommendationOption{Value: o.Slug, Label: o.Name, Checked: slices.Contains(rec.Organisations, o.Slug)})
	}
	for _, n := range book.Walk(false) {
		if n.Depth == 0 {
			f.Themes = append(f.Themes, recommendationOption{Value: n.ID, Label: n.Name, Checked: slices.Contains(rec.Themes, n.ID)})
		}
	}
	for _, q := range quotes {
		f.Quotes = append(f.Quotes, recommendationOption{Value: q.CodingID, Label: q.Words, Lang: q.Lang, Detail: themeName(book, q.CodeID), Checked: slices.Contains(rec.Quotes, q.CodingID)})
	}
	// Chosen ones first, so a long list of quotes does not hide them.
	slices.SortStableFunc(f.Quotes, func(a, b recommendationOption) int {
		switch {
		case a.Checked && !b.Checked:
			return -1
		case b.Checked && !a.Checked:
			return 1
		}
		return 0
	})
	if !rec.SharedAt.IsZero() {
		f.Shared = p.DateTime(rec.SharedAt)
	}
	if f.Review, err = s.reviewBoxOf(r, p, rec); err != nil {
		return nil, err
	}
	if rec.ID != "" {
		notes, err := s.store.Notes(r.Context(), rec.ID, "")
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			f.Notes = append(f.Notes, recommendationNote{s.orgName(n.Organisation), p.DateTime(n.CreatedAt), n.Text})
		}
	}
	p.Form = f
	return p, nil
}

func (s *Server) handleRecommendationNew(w http.ResponseWriter, r *http.Request) {
	p, err := s.recommendationPage(r, accountability.Recommendation{Status: accountability.Draft}, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_recommendation", p)
}

func (s *Server) handleRecommendation(w http.ResponseWriter, r *http.Request) {
	rec, err := s.store.Recommendation(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	if rec.Status == accountability.Published {
		s.renderReportRecommendation(w, r, rec, "staff_recommendation_published")
		return
	}
	p, err := s.recommendationPage(r, rec, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_recommendation", p)
}

// handleRecommendationSave adds a draft (POST /staff/recommendations)
// or changes one (POST /staff/recommendations/{id}).
func (s *Server) handleRecommendationSave(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	rec := accountability.Recommendation{Status: accountability.Draft}
	if id := r.PathValue("id"); id != "" {
		old, err := s.store.Recommendation(r.Context(), id)
		if s.storeFailed(w, r, err) {
			return
		}
		rec = old
		rec.Version, _ = strconv.Atoi(form.Value(r, "version", 10))
	}
	rec.Title = form.Value(r, "title", accountability.MaxTitle+50)
	rec.Text = form.Value(r, "text", accountability.MaxText+100)
	rec.Translations = nil
	for _, l := range s.programme().Languages {
		if l.Code != "en" {
			rec.Translations = append(rec.Translations, accountability.Translation{Lang: l.Code,
				Title: form.Value(r, "title-"+l.Code, accountability.MaxTitle+50), Text: form.Value(r, "text-"+l.Code, accountability.MaxText+100)})
		}
	}
	rec.Organisations = formList(r, "organisations", 50)
	rec.Themes = formList(r, "themes", 200)
	rec.Quotes = formList(r, "quotes", accountability.MaxQuotes+20)
	choices, _, _, err := s.recommendationChoices(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	errs := rec.Validate(choices)
	if len(errs) == 0 && rec.Status != accountability.Draft {
		errs.Add("title", "accountability.error_already_published")
	}
	if len(errs) == 0 {
		saved, err := s.store.SaveRecommendation(r.Context(), reqCtx(r).user.ID, rec)
		switch {
		case errors.Is(err, store.ErrConflict):
			errs.Add("title", "accountability.error_conflict")
		case errors.Is(err, store.ErrQuoteNotConsented):
			errs.Add("quotes", "accountability.error_quote_gone")
		case errors.Is(err, store.ErrNotDraft):
			errs.Add("title", "accountability.error_already_published")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.saved")
			redirect(w, r, "/staff/recommendations/"+saved.ID)
			return
		}
	}
	p, err := s.recommendationPage(r, rec, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_recommendation", p)
}

// formList reads a repeated field, each value cut to an id's length,
// at most n of them.
func formList(r *http.Request, name string, n int) []string {
	var out []string
	for _, v := range r.PostForm[name] {
		if v = form.Clean(v, 64); v != "" && !slices.Contains(out, v) && len(out) < n {
			out = append(out, v)
		}
	}
	return out
}

// handleRecommendationPublish freezes a draft's evidence and publishes
// it: the figures computed as the stakeholders' evidence page computes
// them and kept only as disclosure control publishes them, the quotes'
// redacted words as they are today.
func (s *Server) handleRecommendationPublish(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	rec, err := s.store.Recommendation(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	version, _ := strconv.Atoi(form.Value(r, "version", 10))
	errs := rec.CanPublish()
	if len(errs) == 0 {
		err = s.publishRecommendation(r, rec, version)
		switch {
		case errors.Is(err, store.ErrConflict):
			errs.Add("publish", "accountability.error_conflict")
		case errors.Is(err, store.ErrQuoteNotConsented):
			errs.Add("quotes", "accountability.error_quote_gone")
		case errors.Is(err, store.ErrNotDraft):
			errs.Add("publish", "accountability.error_already_published")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.published")
			redirect(w, r, "/staff/recommendations/"+rec.ID)
			return
		}
	}
	if rec.Status == accountability.Published {
		s.errorPage(w, r, http.StatusConflict)
		return
	}
	p, err := s.recommendationPage(r, rec, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_recommendation", p)
}

// freezeFigures computes the chosen themes' figures as the stakeholders'
// evidence page computes them, kept only as disclosure control publishes
// them (a publication, and a draft opened for community review).
func (s *Server) freezeFigures(r *http.Request, themes []string) ([]accountability.Figure, error) {
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	facts, err := s.store.AnalysisFacts(r.Context(), book)
	if err != nil {
		return nil, err
	}
	lab := s.newLabeller(s.newPage(r), book)
	name := func(id string) string { return lab.label(analysis.DimTheme, id) }
	return accountability.Freeze(facts, lab.keys(analysis.DimTheme, facts), lab.keys(analysis.DimCommunity, facts), themes, name)
}

func (s *Server) publishRecommendation(r *http.Request, rec accountability.Recommendation, version int) error {
	book, _, err := s.codebook(r)
	if err != nil {
		return err
	}
	lab := s.newLabeller(s.newPage(r), book)
	name := func(id string) string { return lab.label(analysis.DimTheme, id) }
	figures, err := s.freezeFigures(r, rec.Themes)
	if err != nil {
		return err
	}
	all, err := s.store.ConsentedQuotes(r.Context(), 300)
	if err != nil {
		return err
	}
	var quotes []store.Quote
	for _, id := range rec.Quotes {
		i := slices.IndexFunc(all, func(q store.Quote) bool { return q.CodingID == id })
		if i < 0 {
			return store.ErrQuoteNotConsented
		}
		q := all[i]
		q.CodeID = book.Theme(q.CodeID) // the snapshot names the quote's theme
		quotes = append(quotes, q)
	}
	return s.store.PublishRecommendation(r.Context(), reqCtx(r).user.ID, rec.ID, version, figures, quotes, name)
}

// themeName names the theme a code belongs to.
func themeName(book *analysis.Codebook, code string) string {
	if c, ok := book.Get(book.Theme(code)); ok {
		return c.Name
	}
	return ""
}

// recommendationBoxes is a group of boxes for the "recommendation-boxes"
// template.
type recommendationBoxes struct {
	Page    *Page
	Name    string
	Options []recommendationOption
}

// Boxes pairs the page with a group of boxes.
func (p *Page) Boxes(name string, options []recommendationOption) recommendationBoxes {
	return recommendationBoxes{p, name, options}
}
