package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/web/form"
)

// programmeData is what the programme page shows.
type programmeData struct {
	Config  *programme.Config
	Problem string // why an imported file was refused (technical, for administrators)
}

func (s *Server) programmePage(r *http.Request) *Page {
	p := s.newPage(r)
	cfg := s.programme()
	p.Form = cfg.Settings
	p.Data = programmeData{Config: cfg}
	return p
}

func (s *Server) handleProgramme(w http.ResponseWriter, r *http.Request) {
	p := s.programmePage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "programme", p)
}

// handleProgrammeSettings changes the programme's own facts: its name,
// the data controller and the contact details the public pages show.
func (s *Server) handleProgrammeSettings(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	set := programme.Settings{
		Name: form.Value(r, "name", 500), ShortName: form.Value(r, "short_name", 500), Organisation: form.Value(r, "organisation", 500),
		ContactEmail: form.Value(r, "contact_email", 500), ContactPhone: form.Value(r, "contact_phone", 500), Address: form.Value(r, "address", 500),
		TimeZone: form.Value(r, "time_zone", 100), DPOEmail: form.Value(r, "dpo_email", 500), ICORegistration: form.Value(r, "ico_registration", 500),
		EndDate: form.Value(r, "end_date", 20),
	}
	if errs := set.ValidateSettings(); len(errs) > 0 {
		p := s.programmePage(r)
		p.Form = set
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "programme", p)
		return
	}
	if err := s.store.UpdateSettings(r.Context(), reqCtx(r).user.ID, set); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.ReloadProgramme(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "programme.saved")
	redirect(w, r, "/staff/programme")
}

// handleProgrammeExport downloads the whole configuration as the JSON
// file `hearme demo load --file` and the import form read.
func (s *Server) handleProgrammeExport(w http.ResponseWriter, r *http.Request) {
	cfg := *s.programme()
	orgs := make([]programme.Organisation, len(cfg.Organisations))
	for i, o := range cfg.Organisations {
		o.ID = "" // ids are the database's, not part of the file
		orgs[i] = o
	}
	cfg.Organisations = orgs
	b, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="programme.json"`)
	w.Write(append(b, '\n'))
}

// handleProgrammeImport replaces the whole configuration from an
// uploaded file. A file that does not validate changes nothing.
func (s *Server) handleProgrammeImport(w http.ResponseWriter, r *http.Request) {
	p := s.programmePage(r)
	refuse := func(problem string) {
		p.Errors.Add("file", "programme.import_invalid")
		p.Data = programmeData{Config: s.programme(), Problem: problem}
		s.render(w, r, http.StatusUnprocessableEntity, "programme", p)
	}
	if err := r.ParseMultipartForm(s.cfg.MaxBodyBytes); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			s.errorPage(w, r, http.StatusRequestEntityTooLarge)
			return
		}
		refuse("no file was sent")
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		refuse("no file was sent")
		return
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxBodyBytes))
	if err != nil {
		refuse("the file could not be read")
		return
	}
	cfg, err := programme.Parse(b)
	if err != nil {
		refuse(err.Error())
		return
	}
	var missing []string
	for _, l := range cfg.Languages {
		if !s.cat.Has(l.Code) {
			missing = append(missing, l.Code)
		}
	}
	if len(missing) > 0 {
		refuse(fmt.Sprintf("no translation catalogue for: %s", strings.Join(missing, ", ")))
		return
	}
	if err := s.store.ReplaceProgramme(r.Context(), reqCtx(r).user.ID, cfg); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.ReloadProgramme(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "programme.imported")
	redirect(w, r, "/staff/programme")
}
