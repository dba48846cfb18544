package web

import (
	"encoding/json"
	"net/http"

	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/ropa"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The record of processing activities (Article 30) and the DPIA
// (Article 35), for administrators and the data protection officer; the
// privacy notice shows the public part of the same record (info_pages.go).

func (s *Server) ropaRoutes() []Route {
	return []Route{
		{"GET /staff/ropa", protectors, s.handleRopa},
		{"POST /staff/ropa", protectors, s.handleRopaSave},
		{"GET /staff/ropa/print", protectors, s.handleRopaPrint},
		{"GET /staff/ropa/record.json", protectors, s.handleRopaJSON},
		{"GET /staff/dpia", protectors, s.handleDPIA},
		{"POST /staff/dpia", protectors, s.handleDPIASave},
		{"GET /staff/dpia/print", protectors, s.handleDPIAPrint},
		{"GET /staff/dpia/dpia.json", protectors, s.handleDPIAJSON},
	}
}

// retentionRules are the periods in force (the same as the daily job's).
func (s *Server) retentionRules() retention.Rules {
	c := s.cfg
	return retention.WithSettings(c.RetainContactDetails, c.RetainExperiences, c.RetainRegistrations, c.RetainChampionApplications, c.RetainChampionsLeft)
}

// ropaRecord builds the record; written is nil for the privacy notice
// (it shows only what the configuration and the rules say).
func (s *Server) ropaRecord(written map[string]ropa.Edit) ropa.Record {
	return ropa.Build(s.programme().Settings, s.retentionRules(), written)
}

type ropaPage struct {
	Record ropa.Record
	Fields []ropa.Field
	DPIA   bool
	Print  bool
	Values map[string]string // the form's values (kept on error)
	Reason string
}

func (s *Server) ropaPage(w http.ResponseWriter, r *http.Request, dpia, print bool) (*Page, *ropaPage, bool) {
	written, err := s.store.RopaWritten(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return nil, nil, false
	}
	d := &ropaPage{Record: s.ropaRecord(written), Fields: ropa.RecordFields, DPIA: dpia, Print: print, Values: map[string]string{}}
	if dpia {
		d.Fields = ropa.DPIAFields
	}
	for _, f := range d.Fields {
		d.Values[f.ID] = d.Record.Value(f.ID)
	}
	p := s.newPage(r)
	p.Data = d
	return p, d, true
}

func (s *Server) showRopa(w http.ResponseWriter, r *http.Request, dpia, print bool) {
	p, _, ok := s.ropaPage(w, r, dpia, print)
	if !ok {
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_ropa", p)
}

func (s *Server) handleRopa(w http.ResponseWriter, r *http.Request) { s.showRopa(w, r, false, false) }
func (s *Server) handleRopaPrint(w http.ResponseWriter, r *http.Request) {
	s.showRopa(w, r, false, true)
}
func (s *Server) handleDPIA(w http.ResponseWriter, r *http.Request) { s.showRopa(w, r, true, false) }
func (s *Server) handleDPIAPrint(w http.ResponseWriter, r *http.Request) {
	s.showRopa(w, r, true, true)
}

func (s *Server) saveRopa(w http.ResponseWriter, r *http.Request, dpia bool) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	p, d, ok := s.ropaPage(w, r, dpia, false)
	if !ok {
		return
	}
	c := ropa.Change{Values: map[string]string{}, Reason: form.Value(r, "reason", ropa.MaxReason+10)}
	for _, f := range d.Fields {
		c.Values[f.ID] = form.Value(r, f.ID, ropa.MaxValue+10)
	}
	d.Values, d.Reason = c.Values, c.Reason
	if errs := c.Validate(d.Fields, d.Record); len(errs) > 0 {
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "staff_ropa", p)
		return
	}
	if _, err := s.store.SaveRopa(r.Context(), reqCtx(r).user.ID, c.Values, c.Reason); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "ropa.saved")
	if dpia {
		redirect(w, r, "/staff/dpia")
		return
	}
	redirect(w, r, "/staff/ropa")
}

func (s *Server) handleRopaSave(w http.ResponseWriter, r *http.Request) { s.saveRopa(w, r, false) }
func (s *Server) handleDPIASave(w http.ResponseWriter, r *http.Request) { s.saveRopa(w, r, true) }

// ropaDocument is the downloadable form of the record (and the DPIA).
type ropaDocument struct {
	Document        string            `json:"document"`
	Programme       string            `json:"programme"`
	Controller      string            `json:"controller"`
	ControllerEmail string            `json:"controller_email"`
	DPOEmail        string            `json:"dpo_email"`
	ICORegistration string            `json:"ico_registration"`
	Activities      []ropaActivity    `json:"activities"`
	Security        []string          `json:"security_measures"`
	Written         map[string]string `json:"written_by_the_officer"`
	Assessment      map[string]string `json:"assessment,omitempty"`
}

type ropaActivity struct {
	Name        string            `json:"name"`
	Purpose     string            `json:"purpose"`
	People      []string          `json:"categories_of_people"`
	Data        []string          `json:"categories_of_data"`
	Special     []string          `json:"special_category_data,omitempty"`
	Recipients  []string          `json:"recipients"`
	LawfulBasis string            `json:"lawful_basis"`
	Condition   string            `json:"special_category_condition,omitempty"`
	Retention   map[string]string `json:"retention"`
}

func (s *Server) ropaJSON(w http.ResponseWriter, r *http.Request, dpia bool) {
	p, d, ok := s.ropaPage(w, r, dpia, false)
	if !ok {
		return
	}
	rec := d.Record
	doc := ropaDocument{Document: "Record of processing activities (UK GDPR Article 30)", Programme: rec.Programme, Controller: rec.Controller,
		ControllerEmail: rec.ControllerEmail, DPOEmail: rec.DPOEmail, ICORegistration: rec.ICORegistration, Security: rec.Security, Written: map[string]string{}}
	for _, a := range rec.Activities {
		ra := ropaActivity{Name: p.T(a.NameKey), Purpose: a.Purpose, People: a.People, Data: a.Data, Special: a.Special, Recipients: a.Recipients,
			LawfulBasis: a.LawfulBasis, Condition: a.Condition, Retention: map[string]string{}}
		for _, k := range a.Keep {
			ra.Retention[k.Rule] = p.T(k.Sentence, "Days", k.Days)
		}
		doc.Activities = append(doc.Activities, ra)
	}
	for _, f := range ropa.RecordFields {
		doc.Written[f.Label] = rec.Value(f.ID)
	}
	name := "record-of-processing.json"
	if dpia {
		doc.Document = "Data protection impact assessment (UK GDPR Article 35), with the record of processing it is built on"
		doc.Assessment = map[string]string{}
		for _, f := range ropa.DPIAFields {
			doc.Assessment[f.Label] = rec.Value(f.ID)
		}
		name = "dpia.json"
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		s.log.Error("ropa json", "err", err.Error())
	}
}

func (s *Server) handleRopaJSON(w http.ResponseWriter, r *http.Request) { s.ropaJSON(w, r, false) }
func (s *Server) handleDPIAJSON(w http.ResponseWriter, r *http.Request) { s.ropaJSON(w, r, true) }
