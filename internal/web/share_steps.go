package web

import (
	"net/http"
	"strings"

	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/web/form"
)

// shareData is what every step's template gets.
type shareData struct {
	Step, Total int
	Back        string
	Change      bool // came from the check page: go back there
	Draft       shareDraft
	Stages      []programme.Item
	Roles       []choice
	Services    []choice
	Questions   []eqQuestion
	Token       string // check page: signed time token
	Honeypot    string // check page: the honeypot field's name
}

var roleChoices = []choice{
	{"person-with-cancer", "share.who_person"}, {"family-or-carer", "share.who_family"}, {"friend", "share.who_friend"},
	{"community-member", "share.who_community"}, {"other", "share.who_other"},
}

func serviceChoices() []choice {
	var out []choice
	for _, sv := range experience.Services {
		out = append(out, choice{sv, "share.service_" + strings.ReplaceAll(sv, "-", "_")})
	}
	return out
}

// eqQuestion is an equality question ready for the template.
type eqQuestion struct {
	Field, QuestionKey, HintKey string
	TextField, TextLabelKey     string
	TextValue                   string
	Options                     []eqOption
}

type eqOption struct {
	Code, Label, GroupLabel string
	Checked                 bool
}

func (s *Server) handleShareStart(w http.ResponseWriter, r *http.Request) {
	if flash := s.drafts.PopString(r.Context(), sessFlash); flash != "" {
		// Just cleared: say so (the kept page has no message).
		p := s.newPage(r)
		p.Flash = flash
		s.render(w, r, http.StatusOK, "share_start", p)
		return
	}
	s.renderStatic(w, r, "share_start", noData)
}

// shareStepHandlers returns the GET and POST handlers of one step.
func (s *Server) shareStepHandlers(name string) (get, post http.HandlerFunc) {
	i := stepIndex(name)
	step := shareSteps[i]
	back := "/share"
	if i > 0 {
		back = "/share/" + shareSteps[i-1].Name
	}
	page := func(r *http.Request, d shareDraft, change bool) *Page {
		p := s.newPage(r)
		p.Form = d
		data := shareData{Step: i + 1, Total: len(shareSteps), Back: back, Change: change, Draft: d,
			Roles: roleChoices, Services: serviceChoices()}
		for _, st := range s.programme().Stages {
			if st.Active {
				data.Stages = append(data.Stages, st)
			}
		}
		if change {
			data.Back = "/share/check"
		}
		if name == "about-you" {
			data.Questions = s.equalityQuestions(p, d.Equality)
		}
		p.Data = data
		return p
	}
	get = func(w http.ResponseWriter, r *http.Request) {
		d := s.loadDraft(r)
		if missing := d.firstMissing(i); missing != "" {
			redirect(w, r, "/share/"+missing)
			return
		}
		s.render(w, r, http.StatusOK, "share_"+strings.ReplaceAll(name, "-", "_"), page(r, d, r.URL.Query().Get("change") == "1"))
	}
	post = func(w http.ResponseWriter, r *http.Request) {
		if err := form.Parse(r); err != nil {
			s.formError(w, r, err)
			return
		}
		d := s.loadDraft(r)
		if missing := d.firstMissing(i); missing != "" {
			redirect(w, r, "/share/"+missing)
			return
		}
		readShareStep(r, name, &d)
		change := r.PostForm.Get("change") == "1"
		if _, errs := s.validate(r, d, step); len(errs) > 0 {
			p := page(r, d, change)
			p.Errors = errs
			s.render(w, r, http.StatusUnprocessableEntity, "share_"+strings.ReplaceAll(name, "-", "_"), p)
			return
		}
		d.Done[name] = true
		if name == "consent" && !d.Consent.Contact {
			d.Contact = experience.Contact{} // never kept without consent
		}
		if err := s.saveDraft(r, d); err != nil {
			s.serverError(w, r, err)
			return
		}
		next := "/share/check"
		if !change && i+1 < len(shareSteps) {
			next = "/share/" + shareSteps[i+1].Name
		}
		redirect(w, r, next)
	}
	return get, post
}

// textLimit keeps an over-long answer whole (so the person loses
// nothing) while Validate reports it.
const textLimit = experience.MaxTextRunes + 2000

// readShareStep copies one page's answers into the draft.
func readShareStep(r *http.Request, name string, d *shareDraft) {
	v := func(field string, max int) string { return form.Value(r, field, max) }
	list := func(field string) []string {
		var out []string
		for _, x := range r.PostForm[field] {
			if x = form.Clean(x, 100); x != "" && len(out) < 50 {
				out = append(out, x)
			}
		}
		return out
	}
	switch name {
	case "who":
		d.Role = v("role", 50)
	case "stages":
		d.Stages = list("stages")
	case "story":
		d.WhatHappened, d.WentWell, d.CouldBeBetter = v("what_happened", textLimit), v("went_well", textLimit), v("could_be_better", textLimit)
	case "details":
		d.CancerType, d.Services, d.Year = v("cancer_type", 300), list("services"), v("year", 10)
	case "about-you":
		a := &d.Equality
		for _, f := range []struct {
			p     *string
			field string
		}{
			{&a.EthnicGroup, equality.FieldEthnicGroup}, {&a.EthnicOther, equality.FieldEthnicOther}, {&a.AgeBand, equality.FieldAgeBand},
			{&a.Sex, equality.FieldSex}, {&a.GenderSameAsBirth, equality.FieldGenderSameAsBirth}, {&a.GenderOther, equality.FieldGenderOther},
			{&a.Disability, equality.FieldDisability}, {&a.DisabilityImpact, equality.FieldDisabilityImpact}, {&a.Religion, equality.FieldReligion},
			{&a.ReligionOther, equality.FieldReligionOther}, {&a.MainLanguage, equality.FieldMainLanguage}, {&a.LanguageOther, equality.FieldLanguageOther},
			{&a.Community, equality.FieldCommunity}, {&a.PostcodeDistrict, equality.FieldPostcodeDistrict},
		} {
			*f.p = v(f.field, 200)
		}
	case "consent":
		on := func(f string) bool { return r.PostForm.Get(f) == "yes" }
		d.Consent = experience.Consent{Version: ConsentVersion, Evidence: on("consent_evidence"), Quote: on("consent_quote"),
			Contact: on("consent_contact"), Named: on("consent_named")}
		d.Contact = experience.Contact{Name: v("contact_name", 200), Email: v("contact_email", 254), Phone: v("contact_phone", 40)}
	}
}

// equalityQuestions resolves the equality questions' options for the page.
func (s *Server) equalityQuestions(p *Page, a equality.Answers) []eqQuestion {
	prog := s.programme()
	var langs, comms []equality.Choice
	for _, l := range prog.Languages {
		langs = append(langs, equality.Choice{Code: l.Code, Label: l.NativeName})
	}
	for _, c := range prog.Communities {
		if c.Active {
			comms = append(comms, equality.Choice{Code: c.Slug, Label: c.Name(p.Lang)})
		}
	}
	values := map[string]string{
		equality.FieldEthnicGroup: a.EthnicGroup, equality.FieldEthnicOther: a.EthnicOther, equality.FieldAgeBand: a.AgeBand,
		equality.FieldSex: a.Sex, equality.FieldGenderSameAsBirth: a.GenderSameAsBirth, equality.FieldGenderOther: a.GenderOther,
		equality.FieldDisability: a.Disability, equality.FieldDisabilityImpact: a.DisabilityImpact, equality.FieldReligion: a.Religion,
		equality.FieldReligionOther: a.ReligionOther, equality.FieldMainLanguage: a.MainLanguage, equality.FieldLanguageOther: a.LanguageOther,
		equality.FieldCommunity: a.Community, equality.FieldPostcodeDistrict: a.PostcodeDistrict,
	}
	options := map[string][]equality.Option{
		equality.FieldEthnicGroup: equality.EthnicOptions(), equality.FieldAgeBand: equality.AgeBandOptions(),
		equality.FieldSex: equality.SexOptions(), equality.FieldGenderSameAsBirth: equality.GenderOptions(),
		equality.FieldDisability: equality.DisabilityOptions(), equality.FieldDisabilityImpact: equality.DisabilityImpactOptions(),
		equality.FieldReligion: equality.ReligionOptions(), equality.FieldMainLanguage: equality.LanguageOptions(langs),
		equality.FieldCommunity: equality.CommunityOptions(comms),
	}
	groupLabels := map[string]string{}
	for _, g := range equality.EthnicGroups() {
		groupLabels[g.Code] = g.LabelKey
	}
	var out []eqQuestion
	for _, q := range equality.Questions() {
		eq := eqQuestion{Field: q.Field, QuestionKey: q.QuestionKey, HintKey: q.HintKey, TextField: q.TextField, TextLabelKey: q.TextLabelKey}
		if q.TextField != "" {
			eq.TextValue = values[q.TextField]
		}
		lastGroup := ""
		for _, o := range options[q.Field] {
			label := o.Label
			if label == "" {
				label = p.T(o.LabelKey)
			}
			opt := eqOption{Code: o.Code, Label: label, Checked: values[q.Field] == o.Code}
			if o.Group != "" && o.Group != lastGroup {
				opt.GroupLabel = p.T(groupLabels[o.Group])
				lastGroup = o.Group
			}
			eq.Options = append(eq.Options, opt)
		}
		if len(eq.Options) == 0 { // a text question (postcode district)
			eq.TextField, eq.TextValue = q.Field, values[q.Field]
		}
		out = append(out, eq)
	}
	return out
}
