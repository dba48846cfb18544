package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/moderation"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Moderation: connectors check each new submission, redact the details
// that could identify someone (flagged by the scanner), and approve it
// into the evidence or reject it with a reason. Nothing reaches analysis
// before approval, and every look at an unredacted submission is audited.

// segment is a piece of an answer: plain text, or a flagged span with
// the checkbox that redacts it.
type segment struct {
	Text    string
	Kind    moderation.Kind
	Value   string // "field:start:end" for the redact checkbox
	Flagged bool
}

type modField struct {
	Name, LabelKey string
	Segments       []segment
}

// modCorrection is a correction the person added, scanned like the answers.
type modCorrection struct {
	store.Correction
	Segments []segment
}

// correctionField names a correction in a redact value ("correction.<id>:start:end").
func correctionField(id string) string { return "correction." + id }

// moderatedFields are the free-text answers a moderator checks.
var moderatedFields = []struct{ name, labelKey string }{
	{"what_happened", "share.what_happened"}, {"went_well", "share.went_well"}, {"could_be_better", "share.could_be_better"},
	{"idea", "idea.idea"}, {"cancer_type", "share.cancer_type"},
}

func fieldText(sub *experience.Submission, name string) *string {
	switch name {
	case "what_happened":
		return &sub.WhatHappened
	case "went_well":
		return &sub.WentWell
	case "could_be_better":
		return &sub.CouldBeBetter
	case "idea":
		return &sub.Idea
	case "cancer_type":
		return &sub.CancerType
	}
	return nil
}

func segments(field, text string, fs []moderation.Finding) []segment {
	var out []segment
	pos := 0
	for _, f := range fs {
		if f.Start > pos {
			out = append(out, segment{Text: text[pos:f.Start]})
		}
		out = append(out, segment{Text: text[f.Start:f.End], Kind: f.Kind, Flagged: true, Value: fmt.Sprintf("%s:%d:%d", field, f.Start, f.End)})
		pos = f.End
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out
}

func (s *Server) handleModerationQueue(w http.ResponseWriter, r *http.Request) {
	items, err := s.store.ModerationQueue(r.Context(), 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Items with a safeguarding flag nobody has escalated come first,
	// whatever their moderation status.
	flagged, err := s.store.OpenSafeguardingFlags(r.Context(), 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	p.Data = struct {
		Items   []store.QueueItem
		Flagged []store.OpenFlag
	}{items, flagged}
	s.render(w, r, http.StatusOK, "moderation_queue", p)
}

// moderationPage loads a submission (auditing the look) with its flags.
func (s *Server) moderationPage(w http.ResponseWriter, r *http.Request) (*Page, store.HeldExperience, bool) {
	h, err := s.store.ExperienceForModeration(r.Context(), r.PathValue("id"), reqCtx(r).user.ID)
	if s.storeFailed(w, r, err) {
		return nil, h, false
	}
	var fields []modField
	for _, f := range moderatedFields {
		text := *fieldText(&h.Submission, f.name)
		if text != "" {
			fields = append(fields, modField{f.name, f.labelKey, segments(f.name, text, moderation.Scan(text))})
		}
	}
	var corrections []modCorrection
	for _, c := range h.Corrections {
		corrections = append(corrections, modCorrection{c, segments(correctionField(c.ID), c.Text, moderation.Scan(c.Text))})
	}
	p := s.newPage(r)
	p.Form = moderationForm{}
	var stages []string
	for _, st := range s.programme().Stages {
		if slices.Contains(h.Submission.Stages, st.Slug) {
			stages = append(stages, st.Name(p.Lang))
		}
	}
	role := ""
	for _, c := range roleChoices {
		if c.Code == string(h.Submission.Role) {
			role = c.LabelKey
		}
	}
	sg, err := s.safeguardingView(r, h.ID)
	if err != nil {
		s.serverError(w, r, err)
		return nil, h, false
	}
	p.Data = struct {
		Held         store.HeldExperience
		Fields       []modField
		Corrections  []modCorrection
		Stages       []string
		RoleKey      string
		Safeguarding safeguardingView
	}{h, fields, corrections, stages, role, sg}
	return p, h, true
}

// moderationForm is what the moderator typed: a reason for rejecting, or
// a passage of their own choosing to remove.
type moderationForm struct {
	Reason, Passage     string
	EscalatedTo, Action string // recording a safeguarding escalation
}

// passageFindings are the places where a passage the moderator chose
// appears in text, to be replaced like the scanner's findings.
func passageFindings(text, passage string) []moderation.Finding {
	var out []moderation.Finding
	if passage == "" {
		return nil
	}
	for from := 0; ; {
		i := strings.Index(text[from:], passage)
		if i < 0 {
			return out
		}
		start := from + i
		out = append(out, moderation.Finding{Start: start, End: start + len(passage), Text: passage})
		from = start + len(passage)
	}
}

func (s *Server) handleModerationView(w http.ResponseWriter, r *http.Request) {
	if p, _, ok := s.moderationPage(w, r); ok {
		// What the last action on this item did ("redacted", "recorded").
		p.Flash = s.sessions.PopString(r.Context(), sessFlash)
		s.render(w, r, http.StatusOK, "moderation_item", p)
	}
}

// handleModerationRedact removes the ticked spans and any passage the
// moderator chose (typed, pasted or selected on the page), wherever it
// appears in the answers and corrections. Only spans the scanner finds
// in the current text are accepted as ticks, so a forged value removes
// nothing it should not.
func (s *Server) handleModerationRedact(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	h, err := s.store.ExperienceForModeration(r.Context(), r.PathValue("id"), reqCtx(r).user.ID)
	if s.storeFailed(w, r, err) {
		return
	}
	chosen := map[string]bool{}
	for _, v := range r.PostForm["redact"] {
		chosen[v] = true
	}
	passage := strings.TrimSpace(form.Value(r, "passage", 2000))
	original := h.Submission
	redacted := h.Submission
	changed, passageFound := false, false
	// redact applies the ticked findings and the passage to one text.
	redact := func(field string, text *string) {
		var pick []moderation.Finding
		for _, fd := range moderation.Scan(*text) {
			if chosen[fmt.Sprintf("%s:%d:%d", field, fd.Start, fd.End)] {
				pick = append(pick, fd)
			}
		}
		own := passageFindings(*text, passage)
		passageFound = passageFound || len(own) > 0
		if pick = append(pick, own...); len(pick) > 0 {
			*text = moderation.Redact(*text, pick)
			changed = true
		}
	}
	for _, f := range moderatedFields {
		redact(f.name, fieldText(&redacted, f.name))
	}
	corrections := slices.Clone(h.Corrections)
	for i := range corrections {
		redact(correctionField(corrections[i].ID), &corrections[i].Text)
	}
	if passage != "" && !passageFound {
		p, _, ok := s.moderationPage(w, r)
		if !ok {
			return
		}
		p.Form = moderationForm{Passage: passage}
		p.Errors.Add("passage", "moderation.error.passage_not_found")
		s.render(w, r, http.StatusUnprocessableEntity, "moderation_item", p)
		return
	}
	if changed {
		b, _ := json.Marshal(struct {
			WhatHappened, WentWell, CouldBeBetter, Idea, CancerType string
			Corrections                                             []store.Correction
		}{original.WhatHappened, original.WentWell, original.CouldBeBetter, original.Idea, original.CancerType, h.Corrections})
		sealed, err := s.keys.Seal(string(b))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if err := s.store.RedactExperience(r.Context(), reqCtx(r).user.ID, h.ID, redacted, corrections, sealed); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.sessions.Put(r.Context(), sessFlash, "moderation.redacted")
	}
	redirect(w, r, "/staff/moderation/"+h.ID)
}

func (s *Server) handleModerationApprove(w http.ResponseWriter, r *http.Request) {
	s.decide(w, r, experience.StatusApproved, "")
}

func (s *Server) handleModerationReject(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	reason := form.Value(r, "reason", 1000)
	if strings.TrimSpace(reason) == "" {
		p, _, ok := s.moderationPage(w, r)
		if !ok {
			return
		}
		p.Form = moderationForm{Reason: reason}
		p.Errors.Add("reason", "moderation.error.reason_required")
		s.render(w, r, http.StatusUnprocessableEntity, "moderation_item", p)
		return
	}
	s.decide(w, r, experience.StatusRejected, reason)
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request, status experience.Status, reason string) {
	err := s.store.DecideExperience(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), status, reason)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "moderation.decided_"+string(status))
	redirect(w, r, "/staff/moderation")
}

// flagList pairs the page with one text's segments for the
// "moderation-flags" template (the scanner's findings to tick).
type flagList struct {
	Page     *Page
	Segments []segment
}

// Flags describes one text's findings for the "moderation-flags" template.
func (p *Page) Flags(segs []segment) flagList { return flagList{p, segs} }
