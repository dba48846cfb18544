package web

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/support"
	"github.com/hearme-project/hearme/internal/web/form"
)

// supportService is one entry of the built-in support list shown after
// every story (until the support directory replaces it).
type supportService struct{ Name, Text string }

var builtInSupport = []supportService{
	{"support.macmillan_name", "support.macmillan_text"},
	{"support.nhs111_name", "support.nhs111_text"},
	{"support.samaritans_name", "support.samaritans_text"},
}

// checkRow is one answer on the check page, with its change link.
type checkRow struct {
	LabelKey string
	Lines    []string
	Href     string
}

func (s *Server) checkPage(r *http.Request, d shareDraft) *Page {
	p := s.newPage(r)
	p.Form = d
	change := func(step string) string { return "/share/" + step + "?change=1" }
	one := func(v string) []string {
		if v == "" {
			return nil
		}
		return []string{v}
	}
	var rows []checkRow
	role := ""
	for _, c := range roleChoices {
		if c.Code == d.Role {
			role = p.T(c.LabelKey)
		}
	}
	rows = append(rows, checkRow{"share.who_title", one(role), change("who")})
	var stages []string
	for _, st := range s.programme().Stages {
		for _, chosen := range d.Stages {
			if chosen == st.Slug {
				stages = append(stages, st.Name(p.Lang))
			}
		}
	}
	rows = append(rows, checkRow{"share.stages_title", stages, change("stages")},
		checkRow{"share.what_happened", one(d.WhatHappened), change("story")},
		checkRow{"share.went_well", one(d.WentWell), change("story")},
		checkRow{"share.could_be_better", one(d.CouldBeBetter), change("story")},
		checkRow{"share.cancer_type", one(d.CancerType), change("details")})
	var services []string
	for _, c := range serviceChoices() {
		for _, chosen := range d.Services {
			if chosen == c.Code {
				services = append(services, p.T(c.LabelKey))
			}
		}
	}
	rows = append(rows, checkRow{"share.services", services, change("details")}, checkRow{"share.year", one(d.Year), change("details")})
	for _, q := range s.equalityQuestions(p, d.Equality) {
		var lines []string
		for _, o := range q.Options {
			if o.Checked {
				lines = append(lines, o.Label)
			}
		}
		if q.TextValue != "" {
			lines = append(lines, q.TextValue)
		}
		rows = append(rows, checkRow{q.QuestionKey, lines, change("about-you")})
	}
	yes := func(b bool) []string {
		if b {
			return []string{p.T("share.answer_yes")}
		}
		return []string{p.T("share.answer_no")}
	}
	rows = append(rows, checkRow{"share.consent_evidence", yes(d.Consent.Evidence), change("consent")},
		checkRow{"share.consent_quote", yes(d.Consent.Quote), change("consent")},
		checkRow{"share.consent_contact", yes(d.Consent.Contact), change("consent")},
		checkRow{"share.consent_named", yes(d.Consent.Named), change("consent")})
	if d.Consent.Contact {
		rows = append(rows, checkRow{"share.contact_name", one(d.Contact.Name), change("consent")},
			checkRow{"share.contact_email", one(d.Contact.Email), change("consent")},
			checkRow{"share.contact_phone", one(d.Contact.Phone), change("consent")})
	}
	p.Data = struct {
		Rows            []checkRow
		Token, Honeypot string
	}{rows, s.forms.Signer().Issue("share"), abuse.HoneypotField}
	return p
}

func (s *Server) handleShareCheck(w http.ResponseWriter, r *http.Request) {
	d := s.loadDraft(r)
	if missing := d.firstMissing(len(shareSteps)); missing != "" {
		redirect(w, r, "/share/"+missing)
		return
	}
	s.render(w, r, http.StatusOK, "share_check", s.checkPage(r, d))
}

// handleShareSend stores the experience. Abuse checks come first: a bot
// (honeypot, rate limit, replay) gets the same thank-you page as a
// person, without a reference, and nothing is stored.
func (s *Server) handleShareSend(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	d := s.loadDraft(r)
	if missing := d.firstMissing(len(shareSteps)); missing != "" {
		redirect(w, r, "/share/"+missing)
		return
	}
	forget := func() { s.drafts.Remove(r.Context(), sessShareDraft) }
	if !s.guardPublicForm(w, r, publicForm{"share", "share_check", func() *Page { return s.checkPage(r, d) }, "/share/done", forget}) {
		return
	}
	// Every step is checked again: the draft may be old or forged.
	sub, errs := s.validate(r, d, shareSteps...)
	if len(errs) > 0 {
		for _, st := range shareSteps {
			for _, f := range st.Fields {
				if errs.For(f) != nil {
					redirect(w, r, "/share/"+st.Name)
					return
				}
			}
		}
	}
	sub.Consent.Version = ConsentVersion
	s.submitAndThank(w, r, sub)
}

// submitAndThank seals the contact details (kept only with consent),
// stores the submission, forgets the draft, and sends the person to the
// page that shows their codes once. A failure keeps the draft, so nothing
// the person wrote is lost. It reports whether the submission was stored.
func (s *Server) submitAndThank(w http.ResponseWriter, r *http.Request, sub experience.Submission) bool {
	sealedContact, err := s.sealContact(sub)
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	rc, err := s.store.SubmitExperience(r.Context(), sub, sealedContact)
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	stage := ""
	if len(sub.Stages) > 0 {
		stage = sub.Stages[0] // for the support offer on the done page
	}
	// The support offered on the done page follows the person's main
	// language, community and role (sealed, shown once, like the codes).
	b, _ := json.Marshal(shareReceipt{Reference: rc.Reference, Secret: rc.Secret, Stage: stage, Kind: sub.Kind,
		Lang: sub.Equality.MainLanguage, Community: sub.Equality.Community, Carer: sub.Role == "family-or-carer",
		Crisis: crisisFor(crisisPerson, sub.WhatHappened, sub.WentWell, sub.CouldBeBetter, sub.Idea)})
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if sub.Kind == experience.KindExperience {
		// An idea sent from the same browser leaves an unfinished
		// story's draft alone.
		s.drafts.Remove(r.Context(), sessShareDraft)
	}
	s.drafts.Put(r.Context(), sessShareReceipt, sealed)
	redirect(w, r, "/share/done")
	return true
}

// sealContact encrypts the contact details, which exist only with
// consent to be contacted (Validate drops them otherwise).
func (s *Server) sealContact(sub experience.Submission) (experience.Contact, error) {
	var sealed experience.Contact
	if !sub.Consent.Contact {
		return sealed, nil
	}
	var err error
	for _, f := range []struct{ in, out *string }{{&sub.Contact.Name, &sealed.Name}, {&sub.Contact.Email, &sealed.Email}, {&sub.Contact.Phone, &sealed.Phone}} {
		if *f.out, err = s.keys.Seal(*f.in); err != nil {
			return sealed, err
		}
	}
	return sealed, nil
}

// shareReceipt is what the done page shows once: sealed in the draft
// session between the final post and the page.
type shareReceipt struct {
	Reference, Secret, Stage string
	Kind                     experience.Kind
	Lang, Community          string // their answers to "main language" and "community", if any
	Carer                    bool
	Crisis                   string // crisis support first (web/safeguarding.go)
}

// personFor is what the support suggestions know of the person: their
// main language (a programme language they chose, else the page's), the
// page's language, their community (a programme community they chose),
// their stage and needs (carers' support for a family member or carer).
func (s *Server) personFor(rc shareReceipt, pageLang string) support.Person {
	main := pageLang
	if slices.Contains(s.site.Load().codes, rc.Lang) {
		main = rc.Lang
	}
	community := ""
	for _, c := range s.programme().Communities {
		if c.Slug == rc.Community {
			community = c.Slug
		}
	}
	needs := []string{"emotional", "information"}
	if rc.Carer {
		needs = []string{"carers", "emotional", "information"}
	}
	return support.Person{Languages: []string{main, pageLang}, Community: community, Stage: rc.Stage, Needs: needs}
}

// handleShareDone shows the reference and secret once, and support.
func (s *Server) handleShareDone(w http.ResponseWriter, r *http.Request) {
	var receipt shareReceipt
	if sealed := s.drafts.PopString(r.Context(), sessShareReceipt); sealed != "" {
		s.openSealedJSON(r, "share receipt", sealed, &receipt)
	}
	p := s.newPage(r)
	p.Crisis = receipt.Crisis
	p.Offer = s.suggestSupport(r, s.personFor(receipt, p.Lang), OfferFilter{Lang: p.Lang, Place: "experience"})
	title := "share.done_title"
	// An idea is thanked as an idea, also when the post was blocked and
	// there is no receipt (the idea form then sends here with ?kind=idea).
	if receipt.Kind == experience.KindIdea || receipt.Reference == "" && r.URL.Query().Get("kind") == string(experience.KindIdea) {
		title = "share.done_title_idea"
	}
	p.Data = struct {
		Title, Reference, Secret string
		Support                  []supportService
	}{title, receipt.Reference, receipt.Secret, builtInSupport}
	s.render(w, r, http.StatusOK, "share_done", p)
}
