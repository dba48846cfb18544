package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Training modules: staff add, rename and retire the modules champions
// complete. One form on the page adds a module, or changes the one
// chosen with ?edit=ID.

type championModuleForm struct {
	ID, Title, Summary string
	Required, Active   bool
}

func (s *Server) championTrainingPage(r *http.Request, f championModuleForm) (*Page, error) {
	mods, err := s.store.TrainingModules(r.Context(), true)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r)
	p.Form = f
	p.Data = struct{ Modules []champion.Module }{mods}
	return p, nil
}

func (s *Server) handleChampionModules(w http.ResponseWriter, r *http.Request) {
	f := championModuleForm{Required: true, Active: true}
	if id := r.URL.Query().Get("edit"); id != "" {
		m, err := s.store.TrainingModule(r.Context(), id)
		if s.storeFailed(w, r, err) {
			return
		}
		f = championModuleForm{m.ID, m.Title, m.Summary, m.Required, m.Active}
	}
	p, err := s.championTrainingPage(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_champion_training", p)
}

func (s *Server) handleChampionModuleSave(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := championModuleForm{ID: form.Value(r, "id", 64), Title: form.Value(r, "title", champion.MaxShort+50), Summary: form.Value(r, "summary", champion.MaxText+100),
		Required: r.PostForm.Get("required") == "yes", Active: r.PostForm.Get("active") == "yes"}
	if f.ID == "" {
		f.Active = true
	}
	m := champion.Module{ID: f.ID, Title: f.Title, Summary: f.Summary, Required: f.Required, Active: f.Active}
	errs := champion.ValidateModule(&m)
	if len(errs) > 0 {
		p, err := s.championTrainingPage(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_champion_training", p)
		return
	}
	_, err := s.store.SaveTrainingModule(r.Context(), reqCtx(r).user.ID, m)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "champions.module_saved")
	redirect(w, r, "/staff/champions/training")
}
