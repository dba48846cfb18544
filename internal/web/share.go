package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The share journey: one question (or one small group) per page, the
// answers kept in the visitor's session until they send them. The draft
// is sealed (encrypted) before it goes into the session store, so no
// half-written story or contact detail sits readable in the database.

// ConsentVersion names the consent wording the journey shows. Change it
// whenever the share.consent_* texts change in meaning.
const ConsentVersion = "2026-11-v1"

// shareRoutes lists this part's routes (see routes.go): the start, a
// pair per step, the check page that sends, and the thanks.
func (s *Server) shareRoutes() []Route {
	out := []Route{{"GET /share", public, s.handleShareStart}}
	for _, st := range shareSteps {
		get, post := s.shareStepHandlers(st.Name)
		out = append(out, Route{"GET /share/" + st.Name, public, get}, Route{"POST /share/" + st.Name, public, post})
	}
	return append(out,
		Route{"GET /share/check", public, s.handleShareCheck},
		Route{"POST /share/check", public, s.handleShareSend},
		Route{"GET /share/done", public, s.handleShareDone},
		Route{"POST /share/clear", public, s.handleShareClear})
}

const sessShareDraft = "share_draft"
const sessShareReceipt = "share_receipt"

// shareDraft is what the visitor has answered so far.
type shareDraft struct {
	Role          string
	Stages        []string
	WhatHappened  string
	WentWell      string
	CouldBeBetter string
	CancerType    string
	Services      []string
	Year          string
	Equality      equality.Answers
	Consent       experience.Consent
	Contact       experience.Contact
	Done          map[string]bool // steps answered (or skipped)
}

// shareStep is one page of the journey.
type shareStep struct {
	Name     string   // path segment and template suffix
	Required bool     // must be answered before the check page
	Fields   []string // the fields this page shows: its errors are the ones on these
}

var shareSteps = []shareStep{
	{"who", true, []string{"role"}},
	{"stages", true, []string{"stages"}},
	{"story", true, []string{"what_happened", "went_well", "could_be_better"}},
	{"details", false, []string{"cancer_type", "services", "year"}},
	{"about-you", false, equalityFields()},
	{"consent", true, []string{"consent_evidence", "contact_email", "contact_phone"}},
}

func equalityFields() []string {
	var out []string
	for _, q := range equality.Questions() {
		out = append(out, q.Field)
		if q.TextField != "" {
			out = append(out, q.TextField)
		}
	}
	return out
}

func stepIndex(name string) int {
	return slices.IndexFunc(shareSteps, func(s shareStep) bool { return s.Name == name })
}

func (s *Server) loadDraft(r *http.Request) shareDraft {
	var d shareDraft
	if sealed := s.drafts.GetString(r.Context(), sessShareDraft); sealed != "" {
		s.openSealedJSON(r, "share draft", sealed, &d)
	}
	if d.Done == nil {
		d.Done = map[string]bool{}
	}
	return d
}

func (s *Server) saveDraft(r *http.Request, d shareDraft) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sealed, err := s.keys.Seal(string(b))
	if err != nil {
		return err
	}
	s.drafts.Put(r.Context(), sessShareDraft, sealed)
	return nil
}

// firstMissing is the first required step before `upto` not yet
// answered ("" when none): out-of-order visits are sent back there.
func (d shareDraft) firstMissing(upto int) string {
	for i := 0; i < upto && i < len(shareSteps); i++ {
		if shareSteps[i].Required && !d.Done[shareSteps[i].Name] {
			return shareSteps[i].Name
		}
	}
	return ""
}

// submission turns the draft into what the store keeps.
func (s *Server) submission(r *http.Request, d shareDraft) experience.Submission {
	year, _ := strconv.Atoi(d.Year)
	if d.Year != "" && year == 0 {
		year = -1 // not a number: Validate reports it
	}
	return experience.Submission{
		Kind: experience.KindExperience, Lang: reqCtx(r).lang, Role: experience.Role(d.Role), Stages: d.Stages,
		WhatHappened: d.WhatHappened, WentWell: d.WentWell, CouldBeBetter: d.CouldBeBetter,
		CancerType: d.CancerType, Services: d.Services, Year: year, Equality: d.Equality,
		Consent: d.Consent, Contact: d.Contact, Source: experience.SourceOnline,
	}
}

// validateSubmission checks a draft and returns the normalised
// submission with every field error.
func (s *Server) validateSubmission(r *http.Request, d shareDraft) (experience.Submission, form.Errors) {
	sub := s.submission(r, d)
	prog := s.programme()
	var stages, communities, langs []string
	for _, st := range prog.Stages {
		if st.Active {
			stages = append(stages, st.Slug)
		}
	}
	for _, c := range prog.Communities {
		if c.Active {
			communities = append(communities, c.Slug)
		}
	}
	for _, l := range prog.Languages {
		langs = append(langs, l.Code)
	}
	if sub.Consent.Version == "" {
		sub.Consent.Version = ConsentVersion
	}
	return sub, sub.Validate(stages, communities, langs)
}

// validate checks the whole draft and returns the submission, normalised
// (trimmed, postcode district upper-cased, contact details dropped
// without consent), with the errors of the given steps, in page order.
func (s *Server) validate(r *http.Request, d shareDraft, steps ...shareStep) (experience.Submission, form.Errors) {
	sub, errs := s.validateSubmission(r, d)
	var fields []string
	for _, st := range steps {
		fields = append(fields, st.Fields...)
	}
	return sub, errs.Only(fields...)
}
