package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Agreement: an analyst asks for a sample of coded experiences to be
// coded again, blind, by a second person; the page shows Cohen's kappa
// per code, sentence by sentence, so a codebook can be tightened before
// its results are published.

type coderChoice struct {
	ID, Name string
	Selected bool
}

func (s *Server) coderChoices(r *http.Request, selected string) ([]coderChoice, map[string]string, error) {
	users, err := s.store.Users(r.Context())
	if err != nil {
		return nil, nil, err
	}
	var out []coderChoice
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.DisplayName
		if u.Disabled || !(u.Role == account.Admin || u.Role == account.Connector || u.Role == account.Analyst) {
			continue
		}
		out = append(out, coderChoice{u.ID, u.DisplayName, u.ID == selected})
	}
	return out, names, nil
}

type agreementForm struct {
	Name, Coder, Size string
}

func (s *Server) agreementPage(r *http.Request, f agreementForm) (*Page, error) {
	samples, err := s.store.Samples(r.Context())
	if err != nil {
		return nil, err
	}
	coders, names, err := s.coderChoices(r, f.Coder)
	if err != nil {
		return nil, err
	}
	p := s.newPage(r)
	p.Form = f
	p.Data = struct {
		Samples []store.Sample
		Coders  []coderChoice
		Names   map[string]string
	}{samples, coders, names}
	return p, nil
}

func (s *Server) handleAgreement(w http.ResponseWriter, r *http.Request) {
	p, err := s.agreementPage(r, agreementForm{Size: "20"})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	s.render(w, r, http.StatusOK, "staff_agreement", p)
}

func (s *Server) handleAgreementCreate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := agreementForm{Name: form.Value(r, "name", 100), Coder: form.Value(r, "coder", 64), Size: form.Value(r, "size", 6)}
	var errs field.Errors
	if f.Name == "" {
		errs.Add("name", "analysis.error.sample_name")
	}
	coders, _, err := s.coderChoices(r, f.Coder)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	known := false
	for _, c := range coders {
		known = known || c.ID == f.Coder
	}
	if !known {
		errs.Add("coder", "analysis.error.sample_coder")
	}
	var size int
	if _, err := fmt.Sscan(f.Size, &size); err != nil || size < 1 || size > 500 {
		errs.Add("size", "analysis.error.sample_size")
	}
	var id string
	if len(errs) == 0 {
		var n int
		id, n, err = s.store.CreateSample(r.Context(), reqCtx(r).user.ID, f.Name, f.Coder, size)
		if err == store.ErrNotFound || n == 0 {
			errs.Add("size", "analysis.error.sample_nothing_coded")
		} else if err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if len(errs) > 0 {
		p, err := s.agreementPage(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_agreement", p)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.sample_created")
	redirect(w, r, "/staff/analysis/agreement/"+url.PathEscape(id))
}

// kappaRow is one code's agreement, ready to show.
type kappaRow struct {
	analysis.CodeAgreement
	Path, Kappa, Observed, Band string
}

// kappaBand names a kappa by Landis and Koch's (1977) bands, the ones
// qualitative researchers usually quote.
func kappaBand(k float64) string {
	switch {
	case math.IsNaN(k):
		return "analysis.kappa_undefined"
	case k < 0:
		return "analysis.kappa_poor"
	case k <= 0.20:
		return "analysis.kappa_slight"
	case k <= 0.40:
		return "analysis.kappa_fair"
	case k <= 0.60:
		return "analysis.kappa_moderate"
	case k <= 0.80:
		return "analysis.kappa_substantial"
	}
	return "analysis.kappa_almost_perfect"
}

func fmtKappa(k float64) string {
	if math.IsNaN(k) {
		return "–"
	}
	return fmt.Sprintf("%.2f", k)
}

func (s *Server) handleAgreementSample(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	samples, err := s.store.Samples(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var sample *store.Sample
	for i := range samples {
		if samples[i].ID == id {
			sample = &samples[i]
		}
	}
	if sample == nil {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	ids, done, err := s.store.SampleItems(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ag, err := s.store.SampleAgreement(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	book, _, err := s.codebook(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	paths := map[string]string{}
	for _, n := range book.Walk(true) {
		paths[n.ID] = n.Path
	}
	var rows []kappaRow
	for _, c := range ag.Codes {
		rows = append(rows, kappaRow{c, paths[c.Code], fmtKappa(c.Kappa), fmt.Sprintf("%.0f%%", 100*c.Observed), kappaBand(c.Kappa)})
	}
	_, names, err := s.coderChoices(r, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	type item struct {
		ID   string
		Done bool
	}
	var items []item
	for _, e := range ids {
		items = append(items, item{e, done[e]})
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	p.Data = struct {
		Sample     store.Sample
		Coder      string
		IsCoder    bool
		Items      []item
		Rows       []kappaRow
		Units      int
		Pooled     string
		PooledBand string
	}{*sample, names[sample.SecondCoderID], sample.SecondCoderID == reqCtx(r).user.ID, items, rows, ag.Units, fmtKappa(ag.Pooled), kappaBand(ag.Pooled)}
	s.render(w, r, http.StatusOK, "staff_agreement_sample", p)
}
