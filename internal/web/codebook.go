package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

const sessAnalysisFlash = "analysis_flash"

// codeRow is one code in the codebook list, with how often it is used.
type codeRow struct {
	analysis.Node
	Codings int
}

// codebook reads the whole codebook as a tree.
func (s *Server) codebook(r *http.Request) (*analysis.Codebook, []store.StoredCode, error) {
	stored, err := s.store.Codes(r.Context())
	if err != nil {
		return nil, nil, err
	}
	codes := make([]analysis.Code, len(stored))
	for i, c := range stored {
		codes[i] = c.Code
	}
	return analysis.NewCodebook(codes), stored, nil
}

func (s *Server) handleCodebook(w http.ResponseWriter, r *http.Request) {
	book, _, err := s.codebook(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	counts, err := s.store.CodingCounts(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	all := r.URL.Query().Get("all") == "1"
	var rows []codeRow
	for _, n := range book.Walk(all) {
		rows = append(rows, codeRow{n, counts[n.ID]})
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	p.Data = struct {
		Rows    []codeRow
		All     bool
		IsAdmin bool
	}{rows, all, string(reqCtx(r).user.Role) == "admin"}
	s.render(w, r, http.StatusOK, "staff_codebook", p)
}

// codeForm is the code form as typed, kept on error.
type codeForm struct {
	analysis.Code
	Version int
}

// parentChoice is one parent a code can be put under.
type parentChoice struct {
	ID, Label string
	Selected  bool
}

func (s *Server) parentChoices(book *analysis.Codebook, self, selected string) []parentChoice {
	out := []parentChoice{{ID: "", Label: "", Selected: selected == ""}}
	for _, n := range book.Walk(false) {
		if self != "" && book.IsDescendant(n.ID, self) {
			continue
		}
		if n.Depth >= analysis.MaxDepth-1 {
			continue
		}
		out = append(out, parentChoice{ID: n.ID, Label: strings.Repeat("— ", n.Depth) + n.Name, Selected: n.ID == selected})
	}
	return out
}

func readCodeForm(r *http.Request) codeForm {
	f := codeForm{Code: analysis.Code{
		ParentID: form.Value(r, "parent", 64), Name: form.Value(r, "name", analysis.MaxCodeName+20),
		Definition: form.Value(r, "definition", analysis.MaxCodeText+20), WhenToUse: form.Value(r, "when_to_use", analysis.MaxCodeText+20),
		WhenNotToUse: form.Value(r, "when_not_to_use", analysis.MaxCodeText+20), Example: form.Value(r, "example", analysis.MaxCodeText+20),
		Colour: form.Value(r, "colour", 20),
	}}
	fmt.Sscan(form.Value(r, "version", 12), &f.Version)
	return f
}

// ruleError turns a codebook rule's refusal into a message on a field.
func ruleError(err error, fieldID string) (field.Errors, bool) {
	keys := []struct {
		err error
		key string
	}{
		{analysis.ErrDuplicateName, "codebook.error.duplicate_name"},
		{analysis.ErrMergeIntoSelf, "codebook.error.merge_self"},
		{analysis.ErrMergeIntoDescendant, "codebook.error.merge_descendant"},
		{analysis.ErrMoveIntoDescendant, "codebook.error.move_descendant"},
		{analysis.ErrCodeInactive, "codebook.error.inactive"},
		{analysis.ErrTooDeep, "codebook.error.too_deep"},
		{analysis.ErrCodeNotFound, "codebook.error.not_found"},
		{store.ErrConflict, "codebook.error.changed"},
	}
	for _, k := range keys {
		if errors.Is(err, k.err) {
			return oneFieldError(fieldID, k.key), true
		}
	}
	return nil, false
}

func (s *Server) codeFormPage(r *http.Request, f codeForm, existing *store.StoredCode) (*Page, error) {
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r)
	p.Form = f
	self := ""
	if existing != nil {
		self = existing.ID
	}
	p.Data = struct {
		Existing *store.StoredCode
		Parents  []parentChoice
	}{existing, s.parentChoices(book, self, f.ParentID)}
	return p, nil
}

func (s *Server) handleCodeNew(w http.ResponseWriter, r *http.Request) {
	f := codeForm{Code: analysis.Code{ParentID: form.Clean(r.URL.Query().Get("parent"), 64), Colour: "#1d70b8"}}
	p, err := s.codeFormPage(r, f, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_code_form", p)
}

func (s *Server) handleCodeCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := readCodeForm(r)
	errs := f.Validate()
	var id string
	if len(errs) == 0 {
		var err error
		id, err = s.store.CreateCode(r.Context(), reqCtx(r).user.ID, f.Code, false)
		if e, ok := ruleError(err, "name"); ok {
			if errors.Is(err, analysis.ErrTooDeep) || errors.Is(err, analysis.ErrCodeInactive) || errors.Is(err, analysis.ErrCodeNotFound) {
				e = nil
				e.Add("parent", ruleKey(err))
			}
			errs = e
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		p, err := s.codeFormPage(r, f, nil)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_code_form", p)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "codebook.created")
	redirect(w, r, "/staff/codebook/"+url.PathEscape(id))
}

// ruleKey is the message key of a rule error (for a field other than the default).
func ruleKey(err error) string {
	e, _ := ruleError(err, "x")
	if len(e) == 0 {
		return "codebook.error.not_found"
	}
	return e[0].Key
}

// codePage is a code with its form, history, memos and the choices for
// moving and merging it.
type codePage struct {
	Code     store.StoredCode
	Path     string
	Parents  []parentChoice
	Targets  []parentChoice // codes it can be merged into
	Codings  int
	Children []analysis.Code
	History  []store.CodeChange
	Memos    []store.Memo
	Names    map[string]string // code id -> name, for the history
}

func (s *Server) codeDetailPage(r *http.Request, c store.StoredCode, f codeForm) (*Page, error) {
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	counts, err := s.store.CodingCounts(r.Context())
	if err != nil {
		return nil, err
	}
	hist, err := s.store.CodeHistory(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	memos, err := s.store.CodeMemos(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	d := codePage{Code: c, Parents: s.parentChoices(book, c.ID, c.ParentID), Codings: counts[c.ID], Children: book.Children(c.ID),
		History: hist, Memos: memos, Names: map[string]string{}}
	for _, n := range book.Walk(true) {
		d.Names[n.ID] = n.Path
		if n.ID == c.ID {
			d.Path = n.Path
		}
		if n.Active() && n.ID != c.ID && !book.IsDescendant(n.ID, c.ID) {
			d.Targets = append(d.Targets, parentChoice{ID: n.ID, Label: strings.Repeat("— ", n.Depth) + n.Name})
		}
	}
	p := s.newPage(r)
	p.Form = f
	p.Data = d
	return p, nil
}

func (s *Server) codeOr404(w http.ResponseWriter, r *http.Request) (store.StoredCode, bool) {
	c, err := s.store.Code(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return c, false
	}
	return c, true
}

func (s *Server) handleCode(w http.ResponseWriter, r *http.Request) {
	c, ok := s.codeOr404(w, r)
	if !ok {
		return
	}
	p, err := s.codeDetailPage(r, c, codeForm{Code: c.Code, Version: c.Version})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	s.render(w, r, http.StatusOK, "staff_code", p)
}

// codeFailed re-renders the code page with a problem on one of its forms.
func (s *Server) codeFailed(w http.ResponseWriter, r *http.Request, c store.StoredCode, f codeForm, errs field.Errors) {
	p, err := s.codeDetailPage(r, c, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Errors = errs
	s.render(w, r, http.StatusUnprocessableEntity, "staff_code", p)
}

func (s *Server) handleCodeUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := s.codeOr404(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := readCodeForm(r)
	f.ID, f.ParentID = c.ID, c.ParentID
	errs := f.Validate()
	if len(errs) == 0 {
		err := s.store.UpdateCode(r.Context(), reqCtx(r).user.ID, f.Code, f.Version)
		if e, ok := ruleError(err, "name"); ok {
			errs = e
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		s.codeFailed(w, r, c, f, errs)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "codebook.saved")
	redirect(w, r, "/staff/codebook/"+url.PathEscape(c.ID))
}

// codeAction runs one of a code's other forms (move, merge, split,
// archive), showing a rule's refusal on the form's field.
func (s *Server) codeAction(w http.ResponseWriter, r *http.Request, fieldID, flash string, act func(c store.StoredCode) error) {
	c, ok := s.codeOr404(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	err := act(c)
	var errs field.Errors
	if fe, ok := err.(fieldErr); ok {
		errs = fe.errs
	} else if e, ok := ruleError(err, fieldID); ok {
		errs = e
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(errs) > 0 {
		s.codeFailed(w, r, c, codeForm{Code: c.Code, Version: c.Version}, errs)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, flash)
	redirect(w, r, "/staff/codebook/"+url.PathEscape(c.ID))
}

// fieldErr carries form errors out of an action.
type fieldErr struct{ errs field.Errors }

func (e fieldErr) Error() string { return "form errors" }

func oneError(fieldID, key string) error { return fieldErr{oneFieldError(fieldID, key)} }

func (s *Server) handleCodeMove(w http.ResponseWriter, r *http.Request) {
	s.codeAction(w, r, "move_parent", "codebook.moved", func(c store.StoredCode) error {
		return s.store.MoveCode(r.Context(), reqCtx(r).user.ID, c.ID, form.Value(r, "parent", 64))
	})
}

func (s *Server) handleCodeMerge(w http.ResponseWriter, r *http.Request) {
	s.codeAction(w, r, "merge_into", "codebook.merged", func(c store.StoredCode) error {
		into := form.Value(r, "into", 64)
		if into == "" {
			return oneError("merge_into", "codebook.error.merge_choose")
		}
		if r.PostForm.Get("confirm") != "yes" {
			return oneError("merge_confirm", "codebook.error.merge_confirm")
		}
		_, err := s.store.MergeCode(r.Context(), reqCtx(r).user.ID, c.ID, into)
		return err
	})
}

func (s *Server) handleCodeSplit(w http.ResponseWriter, r *http.Request) {
	s.codeAction(w, r, "split_names", "codebook.split_done", func(c store.StoredCode) error {
		var parts []analysis.Code
		for _, line := range strings.Split(form.Value(r, "split_names", 2000), "\n") {
			if name := strings.TrimSpace(line); name != "" {
				part := analysis.Code{Name: name, Definition: c.Definition, Colour: c.Colour}
				if len(part.Validate()) > 0 {
					return oneError("split_names", "codebook.error.split_names")
				}
				parts = append(parts, part)
			}
		}
		if len(parts) < 2 || len(parts) > 10 {
			return oneError("split_names", "codebook.error.split_names")
		}
		_, err := s.store.SplitCode(r.Context(), reqCtx(r).user.ID, c.ID, parts)
		return err
	})
}

func (s *Server) handleCodeArchive(archived bool) http.HandlerFunc {
	flash := "codebook.archived"
	if !archived {
		flash = "codebook.restored"
	}
	return func(w http.ResponseWriter, r *http.Request) {
		s.codeAction(w, r, "archive", flash, func(c store.StoredCode) error {
			return s.store.ArchiveCode(r.Context(), reqCtx(r).user.ID, c.ID, archived)
		})
	}
}

func (s *Server) handleCodeMemo(w http.ResponseWriter, r *http.Request) {
	s.codeAction(w, r, "code_memo", "codebook.memo_saved", func(c store.StoredCode) error {
		text := form.Value(r, "memo", 5000)
		if text == "" {
			return oneError("code_memo", "analysis.error.memo_required")
		}
		_, err := s.store.SaveMemo(r.Context(), reqCtx(r).user.ID, "", "", c.ID, text)
		return err
	})
}

// ---- import and export (administrators) ----------------------------

func (s *Server) codebookCodes(r *http.Request) ([]analysis.Code, error) {
	_, stored, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	codes := make([]analysis.Code, len(stored))
	for i, c := range stored {
		codes[i] = c.Code
	}
	return codes, nil
}

func (s *Server) download(w http.ResponseWriter, r *http.Request, name, contentType string, body []byte) {
	if err := s.store.AppendAudit(r.Context(), reqCtx(r).user.ID, store.AuditAnalysisExport, name, ""); err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(body)
}

func (s *Server) handleCodebookExportCSV(w http.ResponseWriter, r *http.Request) {
	codes, err := s.codebookCodes(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := analysis.WriteCodebookCSV(&buf, codes); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.download(w, r, "codebook-"+s.now().Format("2006-01-02")+".csv", "text/csv; charset=utf-8", buf.Bytes())
}

func (s *Server) handleCodebookExportQDC(w http.ResponseWriter, r *http.Request) {
	codes, err := s.codebookCodes(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := analysis.WriteQDC(&buf, codes); err != nil {
		if errors.Is(err, analysis.ErrEmptyCodebook) {
			s.sessions.Put(r.Context(), sessAnalysisFlash, "codebook.empty")
			redirect(w, r, "/staff/codebook")
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.download(w, r, "codebook-"+s.now().Format("2006-01-02")+".qdc", "application/xml", buf.Bytes())
}

func (s *Server) handleCodebookImportForm(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Data = struct{ Problems []analysis.ImportProblem }{}
	s.render(w, r, http.StatusOK, "staff_codebook_import", p)
}

// maxCodebookFile is the largest codebook file accepted (a codebook of
// MaxCodes codes with long definitions fits well inside it).
const maxCodebookFile = 4 << 20

func (s *Server) handleCodebookImport(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCodebookFile+64<<10)
	fail := func(key string, problems []analysis.ImportProblem) {
		p := s.newPage(r)
		p.Errors.Add("file", key)
		p.Data = struct{ Problems []analysis.ImportProblem }{problems}
		s.render(w, r, http.StatusUnprocessableEntity, "staff_codebook_import", p)
	}
	if err := r.ParseMultipartForm(maxCodebookFile); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail("codebook.error.file_too_large", nil)
			return
		}
		fail("codebook.error.file_required", nil)
		return
	}
	file, header, err := r.FormFile("file")
	if err != nil {
		fail("codebook.error.file_required", nil)
		return
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxCodebookFile+1))
	if err != nil || len(raw) > maxCodebookFile {
		fail("codebook.error.file_too_large", nil)
		return
	}
	var codes []analysis.Code
	var problems []analysis.ImportProblem
	name := strings.ToLower(header.Filename)
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(raw, []byte("\ufeff")), " \t\r\n")
	if strings.HasSuffix(name, ".qdc") || bytes.HasPrefix(trimmed, []byte("<")) {
		codes, problems, err = analysis.ReadQDC(bytes.NewReader(raw))
	} else {
		codes, problems, err = analysis.ReadCodebookCSV(bytes.NewReader(raw))
	}
	switch {
	case errors.Is(err, analysis.ErrTooManyCodes):
		fail("codebook.error.too_many", nil)
		return
	case errors.Is(err, analysis.ErrEmptyCodebook):
		fail("codebook.error.empty_file", problems)
		return
	case err != nil:
		fail("codebook.error.not_a_codebook", nil)
		return
	case len(problems) > 0:
		fail("codebook.error.problems", problems)
		return
	}
	added, updated, err := s.store.ImportCodes(r.Context(), reqCtx(r).user.ID, codes, false)
	if err != nil {
		if _, ok := ruleError(err, "file"); ok {
			fail("codebook.error.import_tree", nil)
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.log.Info("codebook imported", "added", added, "updated", updated)
	s.sessions.Put(r.Context(), sessAnalysisFlash, "codebook.imported")
	redirect(w, r, "/staff/codebook")
}
