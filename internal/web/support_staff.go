package web

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/support"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Staff manage the support directory: list (with the entries not checked
// for the configured period), add, edit, mark checked, delete, export
// and import as CSV, and the signposting counts. Connectors and
// administrators only.

const sessSupportFlash = "support_flash"

// reviewAfter is how long an entry may go unchecked.
func (s *Server) reviewAfter() time.Duration {
	if s.cfg.SupportReviewAfter > 0 {
		return s.cfg.SupportReviewAfter
	}
	return 180 * 24 * time.Hour
}

func (s *Server) supportAllowed() support.Allowed {
	var a support.Allowed
	for _, st := range s.programme().Stages {
		a.Stages = append(a.Stages, st.Slug)
	}
	for _, c := range s.programme().Communities {
		a.Communities = append(a.Communities, c.Slug)
	}
	return a
}

// staffSupportRow is one line of the staff list.
type staffSupportRow struct {
	support.Service
	AreaLabel string
	Overdue   bool
}

func (s *Server) handleStaffSupport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	text := form.Clean(q.Get("q"), 100)
	unchecked := q.Get("unchecked") == "1"
	page := 1
	fmt.Sscan(q.Get("page"), &page)
	page = min(max(page, 1), 10000)
	cutoff := s.now().Add(-s.reviewAfter())
	f := support.Filter{Text: text, Limit: 50, Offset: (page - 1) * 50}
	if unchecked {
		f.UncheckedBefore = cutoff
	}
	list, total, err := s.store.SearchSupport(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	_, overdue, err := s.store.SearchSupport(r.Context(), support.Filter{UncheckedBefore: cutoff, Limit: 1})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessSupportFlash)
	var rows []staffSupportRow
	for _, sv := range list {
		rows = append(rows, staffSupportRow{sv, p.T("support.area." + sv.Area), sv.CheckedAt.IsZero() || sv.CheckedAt.Before(cutoff)})
	}
	link := func(pg int) string {
		v := url.Values{}
		if text != "" {
			v.Set("q", text)
		}
		if unchecked {
			v.Set("unchecked", "1")
		}
		v.Set("page", fmt.Sprint(pg))
		return "/staff/support?" + v.Encode()
	}
	data := struct {
		Rows                 []staffSupportRow
		Q                    string
		Unchecked            bool
		Total, Overdue, Days int
		Prev, Next           string
	}{Rows: rows, Q: text, Unchecked: unchecked, Total: total, Overdue: overdue, Days: int(s.reviewAfter().Hours() / 24)}
	if page > 1 {
		data.Prev = link(page - 1)
	}
	if page*50 < total {
		data.Next = link(page + 1)
	}
	p.Data = data
	s.render(w, r, http.StatusOK, "staff_support", p)
}

// supportForm is the service form as typed, kept on error.
type supportForm struct {
	support.Service
	OtherLanguages string
}

func (s *Server) supportFormPage(r *http.Request, f supportForm, existing *support.Service) *Page {
	p := s.newPage(r)
	p.Form = f
	var langs, other []string
	for _, l := range s.programme().Languages {
		langs = append(langs, l.Code)
	}
	for _, l := range f.Languages {
		if !slices.Contains(langs, l) {
			other = append(other, l)
		}
	}
	if f.OtherLanguages == "" {
		f.OtherLanguages = strings.Join(other, ", ")
		p.Form = f
	}
	type summaryField struct{ Lang, Name, Label, Value string }
	var summaries []summaryField
	for _, l := range s.programme().Languages {
		if l.Code != "en" {
			summaries = append(summaries, summaryField{l.Code, "summary_" + l.Code, l.NativeName, f.Summaries[l.Code]})
		}
	}
	p.Data = struct {
		Existing  *support.Service
		Choices   map[string][]option
		Summaries []summaryField
	}{existing, s.supportChoices(p, langs, f.Needs, one(f.Area), f.Languages, f.Communities, f.Stages), summaries}
	return p
}

func (s *Server) handleStaffSupportNew(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "staff_support_form", s.supportFormPage(r, supportForm{}, nil))
}

// readSupportForm reads and checks the posted form.
func (s *Server) readSupportForm(r *http.Request) (supportForm, form.Errors) {
	list := func(name string) []string {
		var out []string
		for _, v := range r.PostForm[name] {
			if v = form.Clean(v, 40); v != "" && len(out) < 40 {
				out = append(out, v)
			}
		}
		return out
	}
	f := supportForm{Service: support.Service{
		Name: form.Value(r, "name", 300), Organisation: form.Value(r, "organisation", 300), Summary: form.Value(r, "summary", 2000),
		Needs: list("needs"), Stages: list("stages"), Area: form.Value(r, "area", 40), Languages: list("languages"),
		Communities: list("communities"), Phone: form.Value(r, "phone", 60), Email: form.Value(r, "email", 300),
		Website: form.Value(r, "website", 600), Hours: form.Value(r, "hours", 600), Eligibility: form.Value(r, "eligibility", 600),
		Referral: form.Value(r, "referral", 600),
	}, OtherLanguages: form.Value(r, "languages_other", 200)}
	for _, l := range strings.FieldsFunc(f.OtherLanguages, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		f.Languages = append(f.Languages, l)
	}
	for _, l := range s.programme().Languages {
		if v := form.Value(r, "summary_"+l.Code, 2000); v != "" && l.Code != "en" {
			if f.Summaries == nil {
				f.Summaries = map[string]string{}
			}
			f.Summaries[l.Code] = v
		}
	}
	return f, f.Validate(s.supportAllowed())
}

func (s *Server) handleStaffSupportCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f, errs := s.readSupportForm(r)
	if len(errs) > 0 {
		p := s.supportFormPage(r, f, nil)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_support_form", p)
		return
	}
	if _, err := s.store.CreateSupportService(r.Context(), reqCtx(r).user.ID, f.Service); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.supportChanged(r.Context())
	s.sessions.Put(r.Context(), sessSupportFlash, "support.staff.created")
	redirect(w, r, "/staff/support")
}

// supportOr404 loads the service named in the path.
func (s *Server) supportOr404(w http.ResponseWriter, r *http.Request) (support.Service, bool) {
	sv, err := s.store.SupportService(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return sv, false
	}
	return sv, true
}

func (s *Server) handleStaffSupportEdit(w http.ResponseWriter, r *http.Request) {
	sv, ok := s.supportOr404(w, r)
	if !ok {
		return
	}
	p := s.supportFormPage(r, supportForm{Service: sv}, &sv)
	p.Flash = s.sessions.PopString(r.Context(), sessSupportFlash)
	s.render(w, r, http.StatusOK, "staff_support_form", p)
}

func (s *Server) handleStaffSupportUpdate(w http.ResponseWriter, r *http.Request) {
	sv, ok := s.supportOr404(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f, errs := s.readSupportForm(r)
	if len(errs) > 0 {
		p := s.supportFormPage(r, f, &sv)
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_support_form", p)
		return
	}
	f.ID = sv.ID
	err := s.store.UpdateSupportService(r.Context(), reqCtx(r).user.ID, f.Service)
	if s.storeFailed(w, r, err) {
		return
	}
	s.supportChanged(r.Context())
	s.sessions.Put(r.Context(), sessSupportFlash, "support.staff.saved")
	redirect(w, r, "/staff/support/"+url.PathEscape(sv.ID))
}

func (s *Server) handleStaffSupportChecked(w http.ResponseWriter, r *http.Request) {
	err := s.store.MarkSupportChecked(r.Context(), reqCtx(r).user.ID, r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	s.supportChanged(r.Context())
	s.sessions.Put(r.Context(), sessSupportFlash, "support.staff.checked_done")
	back := "/staff/support"
	if r.URL.Query().Get("from") == "edit" {
		back += "/" + url.PathEscape(r.PathValue("id"))
	}
	redirect(w, r, back)
}

func (s *Server) handleStaffSupportDelete(w http.ResponseWriter, r *http.Request) {
	err := s.store.DeleteSupportService(r.Context(), reqCtx(r).user.ID, r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	s.supportChanged(r.Context())
	s.sessions.Put(r.Context(), sessSupportFlash, "support.staff.deleted")
	redirect(w, r, "/staff/support")
}

func (s *Server) handleStaffSupportExport(w http.ResponseWriter, r *http.Request) {
	all, err := s.store.AllSupportServices(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var langs []string
	for _, l := range s.programme().Languages {
		langs = append(langs, l.Code)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="support-services-`+s.now().UTC().Format("2006-01-02")+`.csv"`)
	if err := support.WriteCSV(w, all, langs); err != nil {
		s.log.Error("support export", "err", err.Error())
	}
}

// importRowError is an import problem ready to show.
type importRowError struct {
	Line   int
	Column string
	Key    string
}

// importData is what the import page shows.
type importData struct {
	Rows             []importRowError
	Columns          string
	MaxRows          int
	Created, Updated int
	Done             bool
}

func (s *Server) importPage(r *http.Request, rows []importRowError) *Page {
	p := s.newPage(r)
	p.Data = importData{Rows: rows, Columns: strings.Join(support.Columns, ", "), MaxRows: support.MaxImportRows}
	return p
}

func (s *Server) handleStaffSupportImportForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "staff_support_import", s.importPage(r, nil))
}

// handleStaffSupportImport reads an uploaded CSV. Any problem shows every
// bad row with its line number and imports nothing.
func (s *Server) handleStaffSupportImport(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, key string, rows []importRowError) {
		p := s.importPage(r, rows)
		p.Errors.Add("file", key)
		s.render(w, r, status, "staff_support_import", p)
	}
	file, err := s.uploadedFile(r)
	switch {
	case errors.Is(err, form.ErrTooLarge):
		fail(http.StatusRequestEntityTooLarge, "support.import.too_large", nil)
		return
	case err != nil:
		fail(http.StatusUnprocessableEntity, "support.import.file_required", nil)
		return
	}
	defer file.Close()
	// The file is bounded by the request's body limit (larger for this
	// form, see middleware.go); cutting it shorter here would import the
	// first part of a long file.
	services, problems := support.ReadCSV(file, s.supportAllowed())
	if len(problems) > 0 {
		rows := make([]importRowError, 0, len(problems))
		for _, e := range problems {
			rows = append(rows, importRowError(e))
		}
		fail(http.StatusUnprocessableEntity, "support.import.has_errors", rows)
		return
	}
	created, updated, err := s.store.ImportSupportServices(r.Context(), reqCtx(r).user.ID, services)
	if err != nil {
		s.log.Error("support import", "err", err.Error())
		fail(http.StatusUnprocessableEntity, "support.import.failed", nil)
		return
	}
	s.supportChanged(r.Context())
	p := s.importPage(r, nil)
	p.Data = importData{Columns: strings.Join(support.Columns, ", "), MaxRows: support.MaxImportRows, Created: created, Updated: updated, Done: true}
	s.render(w, r, http.StatusOK, "staff_support_import", p)
}

// uploadedFile returns the posted "file" of a multipart form.
func (s *Server) uploadedFile(r *http.Request) (multipart.File, error) {
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, form.ErrTooLarge
		}
		return nil, form.ErrBadForm
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		return nil, form.ErrBadForm
	}
	return f, nil
}

func (s *Server) handleStaffSupportSignposting(w http.ResponseWriter, r *http.Request) {
	if err := s.FlushSupportCounts(r.Context()); err != nil {
		s.log.Error("write signposting counts", "err", err.Error())
	}
	months := 12
	if r.URL.Query().Get("months") == "all" {
		months = 1200
	}
	from := support.Month(s.now().AddDate(0, -months+1, -s.now().Day()+1))
	rows, err := s.store.SignpostReport(r.Context(), from)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	type line struct {
		store.SignpostRow
		PlaceLabel string
	}
	var lines []line
	var shown, opened int
	for _, row := range rows {
		lines = append(lines, line{row, p.T("support.place." + row.Place)})
		shown += row.Shown
		opened += row.Opened
	}
	p.Data = struct {
		Rows          []line
		From          string
		Shown, Opened int
		All           bool
	}{lines, from, shown, opened, months > 12}
	s.render(w, r, http.StatusOK, "staff_support_signposting", p)
}
