package web

import (
	"encoding/json"
	"net/http"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/champion"
	"github.com/hearme-project/hearme/internal/disclosure"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/retention"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Cancer champions: the public page with the application form, the
// staff pipeline (champion_staff.go, champion_training.go,
// champion_totals.go) and the champions' own area (champion_area.go).

var (
	championStaff = moderators // connectors and administrators run the pipeline
	championsOnly = Access{Roles: []account.Role{account.Champion}}
)

// championRoutes lists this part's routes (see routes.go).
func (s *Server) championRoutes() []Route {
	return []Route{
		{"GET /champions", public, s.handleChampions},
		{"POST /champions", public, s.handleChampionApply},
		{"GET /champions/thanks", public, s.handleChampionThanks},

		{"GET /staff/champions", championStaff, s.handleChampionPipeline},
		{"GET /staff/champions/training", championStaff, s.handleChampionModules},
		{"POST /staff/champions/training", championStaff, s.handleChampionModuleSave},
		{"GET /staff/champions/totals", championStaff, s.handleChampionTotals},
		{"GET /staff/champions/{id}", championStaff, s.handleChampionView},
		{"POST /staff/champions/{id}/stage", championStaff, s.handleChampionStage},
		{"POST /staff/champions/{id}/owner", championStaff, s.handleChampionOwner},
		{"POST /staff/champions/{id}/note", championStaff, s.handleChampionNote},
		{"POST /staff/champions/{id}/training", championStaff, s.handleChampionTraining},

		{"GET /champion", championsOnly, s.handleChampionHome},
		{"GET /champion/outreach", championsOnly, s.handleChampionOutreachForm},
		{"POST /champion/outreach", championsOnly, s.handleChampionOutreachLog},
		{"GET /champion/record", championsOnly, s.handleChampionRecord},
		{"POST /champion/outreach/{id}/delete", championsOnly, s.handleChampionOutreachDelete},
		{"POST /champion/events/{id}/help", championsOnly, s.handleChampionHelp},
	}
}

// championForm is the application form as typed, kept on error.
type championForm struct {
	Name, Email, Phone, Languages, AvailabilityNote, Motivation, LivedExperience string
	Communities, Availability                                                    []string
	Consent                                                                      bool
}

// championGroup is a group of checkboxes (or radios) for the
// "champion-checks" template.
type championGroup struct {
	Page                *Page
	Field, Legend, Hint string
	Options             []championCheck
	Radio               bool
}

// championCheck is one checkbox of a group.
type championCheck struct {
	ID, Value, Label string
	Checked          bool
}

func championOptions(field string, values, labels []string, checked []string) []championCheck {
	out := make([]championCheck, len(values))
	for i, v := range values {
		id := field
		if i > 0 {
			id = field + "-" + v
		}
		out[i] = championCheck{ID: id, Value: v, Label: labels[i], Checked: championHas(checked, v)}
	}
	return out
}

func championHas(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// championCommunitySlugs lists the programme's active communities.
func (s *Server) championCommunitySlugs() []string {
	var out []string
	for _, c := range s.programme().Communities {
		if c.Active {
			out = append(out, c.Slug)
		}
	}
	return out
}

// championCommunityOptions are the programme's communities named in lang.
func (s *Server) championCommunityOptions(p *Page, field string, checked []string) []championCheck {
	var values, labels []string
	for _, c := range s.programme().Communities {
		if c.Active {
			values = append(values, c.Slug)
			labels = append(labels, c.Name(p.Lang))
		}
	}
	return championOptions(field, values, labels, checked)
}

// championCommunityName names a community slug in lang ("" stays "").
func (s *Server) championCommunityName(lang, slug string) string {
	for _, c := range s.programme().Communities {
		if c.Slug == slug {
			return c.Name(lang)
		}
	}
	return slug
}

// championPublicCounts are the public figures, each through disclosure
// control.
type championPublicCounts struct {
	Active, Sessions, People disclosure.Value
}

func (s *Server) championsPage(r *http.Request, f championForm) (*Page, error) {
	p := s.newPage(r)
	p.Form = f
	c, err := s.store.PublicChampionCounts(r.Context())
	if err != nil {
		return nil, err
	}
	var avail []string
	for _, a := range champion.Availability {
		avail = append(avail, p.T("champions.availability_"+a))
	}
	p.Data = struct {
		Token, Honeypot           string
		Communities, Availability championGroup
		Counts                    championPublicCounts
		Months                    int
	}{s.forms.Signer().Issue("champion"), abuse.HoneypotField,
		championGroup{Page: p, Field: "communities", Legend: "champions.communities", Hint: "champions.communities_hint", Options: s.championCommunityOptions(p, "communities", f.Communities)},
		championGroup{Page: p, Field: "availability", Legend: "champions.availability", Options: championOptions("availability", champion.Availability, avail, f.Availability)},
		championPublicCounts{disclosure.Count(c.Active), disclosure.Count(c.Sessions), disclosure.Count(c.PeopleReached)}, s.championRetainMonths()}
	return p, nil
}

func (s *Server) handleChampions(w http.ResponseWriter, r *http.Request) {
	p, err := s.championsPage(r, championForm{})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store") // the form carries a fresh time token
	s.render(w, r, http.StatusOK, "champions", p)
}

func (s *Server) handleChampionApply(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	f := championForm{
		Name: form.Value(r, "name", champion.MaxName+50), Email: form.Value(r, "email", 254), Phone: form.Value(r, "phone", 40),
		Languages: form.Value(r, "languages", champion.MaxShort+50), AvailabilityNote: form.Value(r, "availability_note", champion.MaxShort+50),
		Motivation: form.Value(r, "motivation", champion.MaxText+100), LivedExperience: form.Value(r, "lived_experience", champion.MaxText+100),
		Communities: championFormList(r, "communities"), Availability: championFormList(r, "availability"), Consent: r.PostForm.Get("consent") == "yes",
	}
	a := champion.Application{Name: f.Name, Email: f.Email, Phone: f.Phone, Communities: f.Communities, Languages: f.Languages,
		Availability: f.Availability, AvailabilityNote: f.AvailabilityNote, Motivation: f.Motivation, LivedExperience: f.LivedExperience,
		Consent: f.Consent, Lang: reqCtx(r).lang}
	errs := a.Validate(s.championCommunitySlugs())
	reshow := func() *Page {
		p, err := s.championsPage(r, f)
		if err != nil {
			p = s.newPage(r)
		}
		return p
	}
	if len(errs) > 0 {
		p, err := s.championsPage(r, f)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "champions", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"champion", "champions", reshow, "/champions/thanks", nil}) {
		return
	}
	n, err := s.championSealApplication(a)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var mails []mail.Queued
	if a.Email != "" {
		m, err := s.mail.Compose(a.Lang, a.Email, "champion_received", struct {
			Name   string
			Months int
		}{a.Name, s.championRetainMonths()})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		mails = append(mails, m)
	}
	if _, err := s.store.SubmitChampionApplication(r.Context(), n, mails...); err != nil {
		s.serverError(w, r, err)
		return
	}
	redirect(w, r, "/champions/thanks")
}

// championFormList reads a repeated field (checkboxes), each value cleaned, at
// most 50 of them.
func championFormList(r *http.Request, name string) []string {
	var out []string
	for i, v := range r.PostForm[name] {
		if i >= 50 {
			break
		}
		if v = form.Clean(v, 64); v != "" && !championHas(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// championSealApplication seals who the person is and what they told us.
func (s *Server) championSealApplication(a champion.Application) (store.NewChampionApplication, error) {
	n := store.NewChampionApplication{Lang: a.Lang, ConsentVersion: champion.ConsentVersion}
	details, err := json.Marshal(a.Details())
	if err != nil {
		return n, err
	}
	for _, f := range []struct {
		in  string
		out *string
	}{{a.Name, &n.NameSealed}, {a.Email, &n.EmailSealed}, {a.Phone, &n.PhoneSealed}, {string(details), &n.DetailsSealed}} {
		if f.in == "" {
			continue
		}
		if *f.out, err = s.keys.Seal(f.in); err != nil {
			return n, err
		}
	}
	return n, nil
}

// championRetainMonths is how long, in months, an application that does
// not go ahead is kept (what the form and the email promise).
func (s *Server) championRetainMonths() int {
	d := s.cfg.RetainChampionApplications
	if d <= 0 {
		d = retention.DefaultRules().ChampionApplications
	}
	return max(1, int(d.Hours()/24/30+0.5))
}

func (s *Server) handleChampionThanks(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "champions_thanks", s.newPage(r))
}
