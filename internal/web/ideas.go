package web

import (
	"net/http"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Share an idea: one short page with the same consent, anonymity and
// abuse protection as the experience journey.

type ideaForm struct {
	Idea    string
	Consent experience.Consent
	Contact experience.Contact
}

func (s *Server) ideaPage(r *http.Request, f ideaForm) *Page {
	p := s.newPage(r)
	p.Form = f
	p.Data = struct{ Token, Honeypot string }{s.forms.Signer().Issue("idea"), abuse.HoneypotField}
	return p
}

func (s *Server) handleIdeaForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "idea", s.ideaPage(r, ideaForm{}))
}

func (s *Server) handleIdeaSend(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	on := func(f string) bool { return r.PostForm.Get(f) == "yes" }
	f := ideaForm{
		Idea:    form.Value(r, "idea", textLimit),
		Consent: experience.Consent{Version: ConsentVersion, Evidence: on("consent_evidence"), Quote: on("consent_quote"), Contact: on("consent_contact"), Named: on("consent_named")},
		Contact: experience.Contact{Name: form.Value(r, "contact_name", 200), Email: form.Value(r, "contact_email", 254), Phone: form.Value(r, "contact_phone", 40)},
	}
	sub := experience.Submission{Kind: experience.KindIdea, Lang: reqCtx(r).lang, Idea: f.Idea, Consent: f.Consent, Contact: f.Contact, Source: experience.SourceOnline}
	p := s.ideaPage(r, f)
	p.Errors = sub.Validate(nil, nil, nil)
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "idea", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"idea", "idea", func() *Page { return s.ideaPage(r, f) }, "/share/done?kind=idea", nil}) {
		return
	}
	s.submitAndThank(w, r, sub)
}
