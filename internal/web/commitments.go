package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/programme"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Responses, commitments and progress updates (/staff/commitments): a
// stakeholder answers, for its own organisation only, the published
// recommendations addressed to it, commits to what it accepts and
// reports progress; connectors review every claimed change before it is
// public (/staff/commitments/reviews). Rules in internal/accountability;
// another organisation's recommendation, commitment or update is a plain
// 404, whatever the form says.

var (
	stakeholders = Access{Roles: []account.Role{account.Stakeholder}}
	reviewers    = Access{Roles: []account.Role{account.Admin, account.Connector}}
)

func (s *Server) commitmentRoutes() []Route {
	return []Route{
		{"GET /staff/commitments", stakeholders, s.handleCommitments},
		{"GET /staff/commitments/r/{reference}", stakeholders, s.handleCommitmentRecommendation},
		{"POST /staff/commitments/r/{reference}/response", stakeholders, s.handleResponseSave},
		{"POST /staff/commitments/r/{reference}/commitments", stakeholders, s.handleCommitmentAdd},
		{"GET /staff/commitments/c/{reference}", stakeholders, s.handleCommitment},
		{"POST /staff/commitments/c/{reference}", stakeholders, s.handleCommitmentEdit},
		{"POST /staff/commitments/c/{reference}/updates", stakeholders, s.handleUpdateAdd},
		{"GET /staff/commitments/updates/{id}", stakeholders, s.handleUpdateAnswerForm},
		{"POST /staff/commitments/updates/{id}", stakeholders, s.handleUpdateAnswer},
		{"GET /staff/commitments/drafts/{id}", stakeholders, s.handleSharedDraft},
		{"POST /staff/commitments/drafts/{id}", stakeholders, s.handleSharedDraftNote},
		{"GET /staff/commitments/reviews", reviewers, s.handleReviews},
		{"POST /staff/commitments/reviews/{id}", reviewers, s.handleReview},
		{"POST /staff/recommendations/{id}/share", recommendationDrafters, s.handleRecommendationShare},
	}
}

// myOrganisation is the signed-in stakeholder's organisation.
func (s *Server) myOrganisation(r *http.Request) (programme.Organisation, bool) {
	u := reqCtx(r).user
	if u == nil || u.Role != account.Stakeholder || u.OrganisationID == "" {
		return programme.Organisation{}, false
	}
	for _, o := range s.programme().Organisations {
		if o.ID == u.OrganisationID {
			return o, true
		}
	}
	return programme.Organisation{}, false
}

// orgName names a programme organisation by its slug.
func (s *Server) orgName(slug string) string {
	for _, o := range s.programme().Organisations {
		if o.Slug == slug {
			return o.Name
		}
	}
	return slug
}

// ownRecommendation reads a published recommendation addressed to the
// stakeholder's organisation, or answers 404.
func (s *Server) ownRecommendation(w http.ResponseWriter, r *http.Request) (accountability.Recommendation, programme.Organisation, bool) {
	org, ok := s.myOrganisation(r)
	ref := r.PathValue("reference")
	if !ok || !accountability.ValidReference(ref) {
		s.errorPage(w, r, http.StatusNotFound)
		return accountability.Recommendation{}, org, false
	}
	rec, err := s.store.PublishedRecommendation(r.Context(), ref)
	if s.storeFailed(w, r, err) {
		return rec, org, false
	}
	for _, o := range rec.Organisations {
		if o == org.Slug {
			return rec, org, true
		}
	}
	s.errorPage(w, r, http.StatusNotFound)
	return rec, org, false
}

// ownCommitment reads one of the stakeholder's organisation's
// commitments by reference, or answers 404.
func (s *Server) ownCommitment(w http.ResponseWriter, r *http.Request) (accountability.Commitment, programme.Organisation, bool) {
	org, ok := s.myOrganisation(r)
	ref := r.PathValue("reference")
	if !ok || !accountability.ValidCommitmentReference(ref) {
		s.errorPage(w, r, http.StatusNotFound)
		return accountability.Commitment{}, org, false
	}
	c, err := s.store.CommitmentByReference(r.Context(), ref)
	if s.storeFailed(w, r, err) {
		return c, org, false
	}
	if c.Organisation != org.Slug {
		s.errorPage(w, r, http.StatusNotFound)
		return c, org, false
	}
	return c, org, true
}

// commitmentsHome is the stakeholder's list.
type commitmentsHome struct {
	Organisation string
	Rows         []commitmentsRow
	Returned     []returnedUpdate
	Drafts       []accountability.Recommendation
}

type commitmentsRow struct {
	Reference, Title, Decision, Due string
	Answered, Overdue               bool
	Commitments                     int
}

type returnedUpdate struct {
	ID, Commitment, Question string
}

func (s *Server) handleCommitments(w http.ResponseWriter, r *http.Request) {
	org, ok := s.myOrganisation(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	rep, err := s.store.Report(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	mine := rep.ForOrganisation(org.Slug)
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	loc := s.site.Load().loc
	home := commitmentsHome{Organisation: org.Name}
	count := map[string]int{}
	for _, c := range mine.Commitments {
		if c.ParentID == "" {
			count[c.RecommendationID]++
		}
	}
	for _, a := range mine.Answers(s.policy, s.today(), loc) {
		i := 0
		for i < len(mine.Recommendations) && mine.Recommendations[i].ID != a.RecommendationID {
			i++
		}
		rec := mine.Recommendations[i]
		row := commitmentsRow{Reference: rec.Reference, Title: rec.Title, Due: p.Date(a.Due), Overdue: a.Overdue, Commitments: count[rec.ID]}
		if a.Response != nil {
			row.Answered, row.Decision = true, p.T("accountability.decision_"+string(a.Response.Decision))
		}
		home.Rows = append(home.Rows, row)
	}
	returned, err := s.store.UpdatesInReview(r.Context(), accountability.ReviewReturned, org.Slug)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	refs := map[string]string{}
	for _, c := range mine.Commitments {
		refs[c.ID] = c.Reference
	}
	for _, u := range returned {
		home.Returned = append(home.Returned, returnedUpdate{ID: u.ID, Commitment: refs[u.CommitmentID], Question: u.Question})
	}
	if home.Drafts, err = s.store.SharedDrafts(r.Context(), org.Slug); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = home
	s.render(w, r, http.StatusOK, "staff_commitments", p)
}

// commitmentRecPage is a recommendation as its stakeholder answers it.
type commitmentRecPage struct {
	Item            reportItem
	Organisation    string
	Due             string
	Overdue         bool
	Response        accountability.Response
	DecisionOptions []radioOption
	Trees           []reportTree
	New             commitmentForm
	Parents         []accountability.Commitment
}

type commitmentForm struct {
	Text, Owner, Due, Weight, Parent string
}

func (s *Server) commitmentRecPage(r *http.Request, rec accountability.Recommendation, org programme.Organisation, resp accountability.Response, nf commitmentForm, errs field.Errors) (*Page, error) {
	p := s.newPage(r)
	p.Errors = errs
	ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
	if err != nil {
		return nil, err
	}
	cs, err := s.store.Commitments(r.Context(), store.CommitmentFilter{Organisation: org.Slug, RecommendationID: rec.ID})
	if err != nil {
		return nil, err
	}
	due := s.policy.ResponseDue(accountability.Day(rec.PublishedAt, s.site.Load().loc))
	d := commitmentRecPage{Item: s.reportItem(p, rec, ev), Organisation: org.Name, Due: p.Date(due), Overdue: resp.ID == "" && s.today().After(due),
		Response: resp, New: nf}
	for _, dec := range accountability.Decisions {
		d.DecisionOptions = append(d.DecisionOptions, radioOption{string(dec), p.T("accountability.decision_" + string(dec))})
	}
	if d.Item.Community, err = s.priorityOf(r, p, rec); err != nil {
		return nil, err
	}
	d.Trees = s.reportTrees(p, cs)
	for _, c := range cs {
		if c.ParentID == "" && !c.Kind.Closed() {
			d.Parents = append(d.Parents, c)
		}
	}
	p.Data = d
	return p, nil
}

func (s *Server) handleCommitmentRecommendation(w http.ResponseWriter, r *http.Request) {
	rec, org, ok := s.ownRecommendation(w, r)
	if !ok {
		return
	}
	resp, err := s.store.Response(r.Context(), rec.ID, org.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	p, err := s.commitmentRecPage(r, rec, org, resp, commitmentForm{}, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_commitment_recommendation", p)
}

func (s *Server) handleResponseSave(w http.ResponseWriter, r *http.Request) {
	rec, org, ok := s.ownRecommendation(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	old, err := s.store.Response(r.Context(), rec.ID, org.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	resp := accountability.Response{ID: old.ID, RecommendationID: rec.ID, Organisation: org.Slug,
		Decision: accountability.Decision(form.Value(r, "decision", 40)), Reasons: form.Value(r, "reasons", accountability.MaxReasons+100)}
	resp.Version, _ = strconv.Atoi(form.Value(r, "version", 10))
	errs := resp.Validate()
	if len(errs) == 0 {
		_, err := s.store.SaveResponse(r.Context(), reqCtx(r).user.ID, resp)
		switch {
		case errors.Is(err, store.ErrConflict):
			errs.Add("decision", "accountability.error_conflict_response")
		case errors.Is(err, accountability.ErrNotAddressed):
			s.errorPage(w, r, http.StatusNotFound)
			return
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.response_saved")
			redirect(w, r, "/staff/commitments/r/"+rec.Reference)
			return
		}
	}
	p, err := s.commitmentRecPage(r, rec, org, resp, commitmentForm{}, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_commitment_recommendation", p)
}

func (s *Server) handleCommitmentAdd(w http.ResponseWriter, r *http.Request) {
	rec, org, ok := s.ownRecommendation(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	resp, err := s.store.Response(r.Context(), rec.ID, org.Slug)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	nf := commitmentForm{Text: form.Value(r, "commitment", accountability.MaxCommitment+100), Owner: form.Value(r, "owner", accountability.MaxOwnerRole+50),
		Due: form.Value(r, "due", 20), Weight: form.Value(r, "weight", 10), Parent: form.Clean(r.PostFormValue("parent"), 64)}
	c := accountability.Commitment{RecommendationID: rec.ID, Organisation: org.Slug, Text: nf.Text, OwnerRole: nf.Owner, ParentID: nf.Parent, CreatedOn: s.today()}
	var errs field.Errors
	if !resp.Decision.Commits() {
		errs.Add("commitment", "accountability.error_not_accepted")
	}
	for _, e := range c.Validate(s.today(), time.Time{}, nf.Due, nf.Weight) {
		errs.Add(e.Field, e.Key, e.Args...)
	}
	if len(errs) == 0 {
		_, err := s.store.AddCommitment(r.Context(), reqCtx(r).user.ID, c, s.policy.Planned())
		switch {
		case errors.Is(err, accountability.ErrNotAccepted):
			errs.Add("commitment", "accountability.error_not_accepted")
		case errors.Is(err, accountability.ErrDropped):
			errs.Add("parent", "accountability.error_closed")
		case errors.Is(err, store.ErrNotFound):
			errs.Add("parent", "accountability.error_choice")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.commitment_saved")
			redirect(w, r, "/staff/commitments/r/"+rec.Reference)
			return
		}
	}
	p, err := s.commitmentRecPage(r, rec, org, resp, nf, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_commitment_recommendation", p)
}

// commitmentPage is one commitment as its organisation keeps it.
type commitmentPage struct {
	C              accountability.Commitment
	Tree           reportTree
	Recommendation string
	Edit           commitmentForm
	Update         accountability.UpdateInput
	Statuses       []radioOption
	Claims         []radioOption
	Updates        []reportUpdate
	NextDue        string
	Closed         bool
}

func (s *Server) statusOptions(p *Page) []radioOption {
	var out []radioOption
	for _, st := range s.policy.Statuses {
		out = append(out, radioOption{st.Slug, s.statusLabel(p, st.Slug)})
	}
	return out
}

func claimOptions(p *Page) []radioOption {
	return []radioOption{{"", p.T("accountability.claim_option_none")}, {string(accountability.ClaimPlanned), p.T("accountability.claim_option_planned")},
		{string(accountability.ClaimMade), p.T("accountability.claim_option_made")}}
}

// statusLabel names a status in the reader's language (a programme's own
// status without a translation shows its slug).
func (s *Server) statusLabel(p *Page, slug string) string {
	key := "accountability.cstatus_" + slug
	if v := p.T(key); v != key && v != "" {
		return v
	}
	return slug
}

func (s *Server) commitmentPage(r *http.Request, c accountability.Commitment, edit commitmentForm, up accountability.UpdateInput, errs field.Errors) (*Page, error) {
	p := s.newPage(r)
	p.Errors = errs
	all, err := s.store.Commitments(r.Context(), store.CommitmentFilter{Organisation: c.Organisation, RecommendationID: c.RecommendationID})
	if err != nil {
		return nil, err
	}
	var family []accountability.Commitment
	for _, x := range all {
		if x.ID == c.ID || x.ParentID == c.ID {
			family = append(family, x)
		}
	}
	ups, err := s.store.Updates(r.Context(), c.ID, false)
	if err != nil {
		return nil, err
	}
	d := commitmentPage{C: c, Edit: edit, Update: up, Statuses: s.statusOptions(p), Claims: claimOptions(p), Closed: c.Kind.Closed()}
	if trees := s.reportTrees(p, family); len(trees) > 0 {
		d.Tree = trees[0]
	}
	if !d.Closed {
		d.NextDue = p.Date(s.policy.NextUpdateDue(c))
	}
	for _, u := range ups {
		d.Updates = append(d.Updates, s.reportUpdate(p, u))
	}
	rec, err := s.store.Recommendation(r.Context(), c.RecommendationID)
	if err != nil {
		return nil, err
	}
	d.Recommendation = rec.Reference
	p.Data = d
	return p, nil
}

func editForm(c accountability.Commitment) commitmentForm {
	return commitmentForm{Text: c.Text, Owner: c.OwnerRole, Due: c.Due.Format(time.DateOnly), Weight: strconv.Itoa(c.Weight)}
}

func (s *Server) handleCommitment(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.ownCommitment(w, r)
	if !ok {
		return
	}
	p, err := s.commitmentPage(r, c, editForm(c), accountability.UpdateInput{Date: s.today().Format(time.DateOnly), Status: c.Status, Progress: strconv.Itoa(c.Progress)}, nil)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, http.StatusOK, "staff_commitment", p)
}

func (s *Server) handleCommitmentEdit(w http.ResponseWriter, r *http.Request) {
	c, _, ok := s.ownCommitment(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ef := commitmentForm{Text: form.Value(r, "commitment", accountability.MaxCommitment+100), Owner: form.Value(r, "owner", accountability.MaxOwnerRole+50),
		Due: form.Value(r, "due", 20), Weight: form.Value(r, "weight", 10)}
	changed := c
	changed.Text, changed.OwnerRole = ef.Text, ef.Owner
	changed.Version, _ = strconv.Atoi(form.Value(r, "version", 10))
	var errs field.Errors
	if c.Kind.Closed() {
		errs.Add("commitment", "accountability.error_closed")
	}
	for _, e := range changed.Validate(s.today(), c.Due, ef.Due, ef.Weight) {
		errs.Add(e.Field, e.Key, e.Args...)
	}
	if len(errs) == 0 {
		_, err := s.store.EditCommitment(r.Context(), reqCtx(r).user.ID, changed)
		switch {
		case errors.Is(err, store.ErrConflict):
			errs.Add("commitment", "accountability.error_conflict_commitment")
		case errors.Is(err, accountability.ErrDropped):
			errs.Add("commitment", "accountability.error_closed")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.commitment_changed")
			redirect(w, r, "/staff/commitments/c/"+c.Reference)
			return
		}
	}
	p, err := s.commitmentPage(r, c, ef, accountability.UpdateInput{Date: s.today().Format(time.DateOnly), Status: c.Status, Progress: strconv.Itoa(c.Progress)}, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_commitment", p)
}

func (s *Server) handleUpdateAdd(w http.ResponseWriter, r *http.Request) {
	c, org, ok := s.ownCommitment(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	in := accountability.UpdateInput{Date: form.Value(r, "date", 20), Status: form.Value(r, "status", 40), Progress: form.Value(r, "progress", 10),
		Text: form.Value(r, "text", accountability.MaxUpdateText+100), Reason: form.Value(r, "reason", accountability.MaxReasons+100),
		Claim: form.Value(r, "claim", 20), WhatChanged: form.Value(r, "what-changed", accountability.MaxWhatChanged+100),
		EvidenceURL: form.Value(r, "evidence-url", accountability.MaxEvidenceURL+50)}
	u, errs := in.Validate(s.policy, c, s.today())
	if len(errs) == 0 {
		_, err := s.store.AddUpdate(r.Context(), reqCtx(r).user.ID, org.Slug, u)
		switch {
		case errors.Is(err, accountability.ErrDropped):
			errs.Add("date", "accountability.error_closed")
		case s.storeFailed(w, r, err):
			return
		default:
			flash := "accountability.update_published"
			if u.Review == accountability.ReviewPending {
				flash = "accountability.update_in_review"
			}
			s.sessions.Put(r.Context(), sessFlash, flash)
			redirect(w, r, "/staff/commitments/c/"+c.Reference)
			return
		}
	}
	p, err := s.commitmentPage(r, c, editForm(c), in, errs)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_commitment", p)
}

// ownUpdate reads a returned update of the stakeholder's organisation.
func (s *Server) ownUpdate(w http.ResponseWriter, r *http.Request) (accountability.Update, accountability.Commitment, programme.Organisation, bool) {
	org, ok := s.myOrganisation(r)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return accountability.Update{}, accountability.Commitment{}, org, false
	}
	u, err := s.store.CommitmentUpdate(r.Context(), form.Clean(r.PathValue("id"), 64))
	if s.storeFailed(w, r, err) {
		return u, accountability.Commitment{}, org, false
	}
	c, err := s.store.Commitment(r.Context(), u.CommitmentID)
	if s.storeFailed(w, r, err) {
		return u, c, org, false
	}
	if c.Organisation != org.Slug {
		s.errorPage(w, r, http.StatusNotFound)
		return u, c, org, false
	}
	return u, c, org, true
}

type answerPage struct {
	U                         reportUpdate
	C                         accountability.Commitment
	Returned                  bool
	Answer, WhatChanged, Link string
}

func (s *Server) renderAnswer(w http.ResponseWriter, r *http.Request, status int, u accountability.Update, c accountability.Commitment, a answerPage, errs field.Errors) {
	p := s.newPage(r)
	p.Errors = errs
	a.U, a.C, a.Returned = s.reportUpdate(p, u), c, u.Review == accountability.ReviewReturned
	p.Data = a
	s.render(w, r, status, "staff_commitment_answer", p)
}

func (s *Server) handleUpdateAnswerForm(w http.ResponseWriter, r *http.Request) {
	u, c, _, ok := s.ownUpdate(w, r)
	if !ok {
		return
	}
	s.renderAnswer(w, r, http.StatusOK, u, c, answerPage{WhatChanged: u.WhatChanged, Link: u.EvidenceURL}, nil)
}

func (s *Server) handleUpdateAnswer(w http.ResponseWriter, r *http.Request) {
	u, c, org, ok := s.ownUpdate(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	a := answerPage{Answer: form.Value(r, "answer", accountability.MaxQuestion+100), WhatChanged: form.Value(r, "what-changed", accountability.MaxWhatChanged+100),
		Link: form.Value(r, "evidence-url", accountability.MaxEvidenceURL+50)}
	if u.Review != accountability.ReviewReturned {
		s.errorPage(w, r, http.StatusConflict) // answered already, or reviewed
		return
	}
	errs := accountability.CheckAnswer(a.Answer, a.WhatChanged, a.Link)
	if len(errs) == 0 {
		err := s.store.AnswerUpdate(r.Context(), reqCtx(r).user.ID, org.Slug, u.ID, a.Answer, a.WhatChanged, a.Link)
		switch {
		case errors.Is(err, accountability.ErrNotPending):
			s.errorPage(w, r, http.StatusConflict)
			return
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.update_in_review")
			redirect(w, r, "/staff/commitments/c/"+c.Reference)
			return
		}
	}
	s.renderAnswer(w, r, http.StatusUnprocessableEntity, u, c, a, errs)
}

// sharedDraftPage is a draft shared for a factual-accuracy check:
// read-only, with the organisation's notes.
type sharedDraftPage struct {
	Rec    accountability.Recommendation
	Item   reportItem
	Notes  []accountability.Note
	Note   string
	Themes []string
}

func (s *Server) renderSharedDraft(w http.ResponseWriter, r *http.Request, status int, rec accountability.Recommendation, org programme.Organisation, note string, errs field.Errors) {
	p := s.newPage(r)
	p.Errors = errs
	notes, err := s.store.Notes(r.Context(), rec.ID, org.Slug)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	book, _, err := s.codebook(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := sharedDraftPage{Rec: rec, Item: s.reportItem(p, rec, accountability.Evidence{}), Notes: notes, Note: note}
	if d.Item.Community, err = s.priorityOf(r, p, rec); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, t := range rec.Themes {
		d.Themes = append(d.Themes, themeName(book, t))
	}
	p.Data = d
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, status, "staff_commitment_draft", p)
}

func (s *Server) sharedDraft(w http.ResponseWriter, r *http.Request) (accountability.Recommendation, programme.Organisation, bool) {
	org, ok := s.myOrganisation(r)
	id := form.Clean(r.PathValue("id"), 64)
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return accountability.Recommendation{}, org, false
	}
	shared, err := s.store.SharedWith(r.Context(), id, org.Slug)
	if err != nil {
		s.serverError(w, r, err)
		return accountability.Recommendation{}, org, false
	}
	if !shared {
		s.errorPage(w, r, http.StatusNotFound)
		return accountability.Recommendation{}, org, false
	}
	rec, err := s.store.Recommendation(r.Context(), id)
	if s.storeFailed(w, r, err) {
		return rec, org, false
	}
	return rec, org, true
}

func (s *Server) handleSharedDraft(w http.ResponseWriter, r *http.Request) {
	rec, org, ok := s.sharedDraft(w, r)
	if ok {
		s.renderSharedDraft(w, r, http.StatusOK, rec, org, "", nil)
	}
}

func (s *Server) handleSharedDraftNote(w http.ResponseWriter, r *http.Request) {
	rec, org, ok := s.sharedDraft(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	note := form.Value(r, "note", accountability.MaxNote+100)
	errs := accountability.CheckNote(note)
	if len(errs) == 0 {
		err := s.store.AddNote(r.Context(), reqCtx(r).user.ID, accountability.Note{RecommendationID: rec.ID, Organisation: org.Slug, Text: note})
		switch {
		case errors.Is(err, accountability.ErrNotAddressed):
			s.errorPage(w, r, http.StatusNotFound)
			return
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "accountability.note_saved")
			redirect(w, r, "/staff/commitments/drafts/"+rec.ID)
			return
		}
	}
	s.renderSharedDraft(w, r, http.StatusUnprocessableEntity, rec, org, note, errs)
}

// handleRecommendationShare shares a draft with the organisations it is
// addressed to for a factual-accuracy check.
func (s *Server) handleRecommendationShare(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	id := form.Clean(r.PathValue("id"), 64)
	err := s.store.ShareForCheck(r.Context(), reqCtx(r).user.ID, id)
	switch {
	case errors.Is(err, store.ErrNotDraft):
		s.errorPage(w, r, http.StatusConflict)
		return
	case s.storeFailed(w, r, err):
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "accountability.shared")
	redirect(w, r, "/staff/recommendations/"+id)
}

// reviewItem is one claimed change waiting for a connector.
type reviewItem struct {
	U            reportUpdate
	Commitment   string
	CommitText   string
	Organisation string
	Question     string
}

func (s *Server) renderReviews(w http.ResponseWriter, r *http.Request, status int, errs field.Errors, questions map[string]string) {
	p := s.newPage(r)
	p.Errors = errs
	pending, err := s.store.UpdatesInReview(r.Context(), accountability.ReviewPending, "")
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var items []reviewItem
	for _, u := range pending {
		c, err := s.store.Commitment(r.Context(), u.CommitmentID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		items = append(items, reviewItem{U: s.reportUpdate(p, u), Commitment: c.Reference, CommitText: c.Text, Organisation: s.orgName(c.Organisation), Question: questions[u.ID]})
	}
	p.Data = struct{ Items []reviewItem }{items}
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	s.render(w, r, status, "staff_commitment_reviews", p)
}

func (s *Server) handleReviews(w http.ResponseWriter, r *http.Request) {
	s.renderReviews(w, r, http.StatusOK, nil, nil)
}

func (s *Server) handleReview(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	id := form.Clean(r.PathValue("id"), 64)
	approve := r.PostFormValue("decision") == "approve"
	question := form.Value(r, "question-"+id, accountability.MaxQuestion+100) // the page holds one question box per update
	var errs field.Errors
	if !approve {
		for _, e := range accountability.CheckQuestion(question) {
			errs.Add("question-"+id, e.Key, e.Args...)
		}
	}
	if len(errs) == 0 {
		err := s.store.ReviewUpdate(r.Context(), reqCtx(r).user.ID, id, approve, question)
		switch {
		case errors.Is(err, accountability.ErrNotPending):
			errs.Add("question-"+id, "accountability.error_not_pending")
		case s.storeFailed(w, r, err):
			return
		default:
			flash := "accountability.review_approved"
			if !approve {
				flash = "accountability.review_returned"
			}
			s.sessions.Put(r.Context(), sessFlash, flash)
			redirect(w, r, "/staff/commitments/reviews")
			return
		}
	}
	s.renderReviews(w, r, http.StatusUnprocessableEntity, errs, map[string]string{id: question})
}
