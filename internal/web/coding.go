package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

func (s *Server) handleCodingQueue(w http.ResponseWriter, r *http.Request) {
	items, total, err := s.store.CodingQueue(r.Context(), 50)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	model, check := s.suggestions(r.Context())
	accepted, rejected, err := s.store.SuggestionCounts(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	d := struct {
		Items                 []store.CodingQueueItem
		Total                 int
		Learned, Codes        int
		Check                 analysis.Evaluation
		Accepted, Rejected    int
		AcceptRate, Precision string
		Reference             string
	}{Items: items, Total: total, Accepted: accepted, Rejected: rejected, Check: check}
	if model != nil {
		d.Learned, d.Codes = model.Examples(), len(model.Codes())
	}
	if accepted+rejected > 0 {
		d.AcceptRate = fmt.Sprintf("%.0f%%", 100*float64(accepted)/float64(accepted+rejected))
	}
	if check.Experiences > 0 {
		d.Precision = fmt.Sprintf("%.2f", check.PrecisionAt3)
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "staff_coding_queue", p)
}

func (s *Server) handleCodingFind(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	ref := experience.NormaliseCode(form.Value(r, "reference", 40))
	if len(ref) == 10 && strings.HasPrefix(ref, "HM") {
		ref = "HM-" + ref[2:6] + "-" + ref[6:]
	}
	id, err := s.store.ApprovedByReference(r.Context(), ref)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		items, total, qerr := s.store.CodingQueue(r.Context(), 50)
		if qerr != nil {
			s.serverError(w, r, qerr)
			return
		}
		p := s.newPage(r)
		p.Errors.Add("reference", "analysis.error.reference_unknown")
		p.Data = struct {
			Items                 []store.CodingQueueItem
			Total                 int
			Learned, Codes        int
			Check                 analysis.Evaluation
			Accepted, Rejected    int
			AcceptRate, Precision string
			Reference             string
		}{Items: items, Total: total, Reference: form.Value(r, "reference", 40)}
		s.render(w, r, http.StatusUnprocessableEntity, "staff_coding_queue", p)
		return
	}
	redirect(w, r, "/staff/analysis/code/"+url.PathEscape(id))
}

// answerView is one answer of the experience as the coder sees it.
type answerView struct {
	Field, Heading, Text, Lang string
	Translation                bool // an English rendering
	Sentences                  []sentenceView
	Codings                    []codingView
	Rendering                  *store.Translation // the rendering of this answer, if any
	RenderingField             string
	// The apply form as last posted for this answer, kept on error.
	FormCode             string
	FormWhole, FormQuote bool
	FormSentences        map[string]bool
	FormTranslation      string
}

type sentenceView struct {
	Value, Text string // Value is "start-end" in code points
}

type codingView struct {
	store.Coding
	Code, Colour, Words string
}

// suggestionView is a suggested code with its reasons.
type suggestionView struct {
	ID, Path, Colour string
	Why              string
}

// codingPage is everything the coding page shows.
type codingPage struct {
	View        store.CodingView
	Answers     []answerView
	Codes       []analysis.Node
	Suggestions []suggestionView
	Model       string
	SampleID    string
	SampleName  string
	Quotable    bool
	Stamp       string
	Form        codingForm
	Next        string
}

// codingForm is the apply form as posted, kept on error.
type codingForm struct {
	Field, Code, Start, End string
	Sentences               []string
	Whole, Quote            bool
	Memo                    string
	Translation             map[string]string
}

var answerHeadings = map[string]string{
	"what_happened": "share.what_happened", "went_well": "share.went_well", "could_be_better": "share.could_be_better", "idea": "idea.label",
}

func (s *Server) codingPage(r *http.Request, id, sampleID string, f codingForm) (*Page, error) {
	user := reqCtx(r).user
	v, err := s.store.ExperienceForCoding(r.Context(), id, user.ID, sampleID)
	if err != nil {
		return nil, err
	}
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, err
	}
	names := map[string]analysis.Node{}
	for _, n := range book.Walk(true) {
		names[n.ID] = n
	}
	d := codingPage{View: v, Codes: book.Walk(false), SampleID: sampleID, Quotable: v.Experience.Submission.Consent.Quote,
		Stamp: v.Stamp.UTC().Format(time.RFC3339Nano), Form: f}
	if sampleID != "" {
		d.SampleName = sampleID
	}
	var all []string
	for _, fieldName := range analysis.AnswerFields {
		text := v.Answers[fieldName]
		if text == "" {
			continue
		}
		all = append(all, text)
		av := answerView{Field: fieldName, Heading: answerHeadings[fieldName], Text: text, Lang: v.Experience.Submission.Lang, RenderingField: analysis.TranslationPrefix + fieldName}
		if t, ok := v.Translations[fieldName]; ok {
			t := t
			av.Rendering = &t
		}
		d.Answers = append(d.Answers, av)
		if t, ok := v.Translations[fieldName]; ok && t.Text != "" {
			all = append(all, t.Text)
			d.Answers = append(d.Answers, answerView{Field: analysis.TranslationPrefix + fieldName, Heading: answerHeadings[fieldName], Text: t.Text, Lang: "en", Translation: true})
		}
	}
	for i := range d.Answers {
		a := &d.Answers[i]
		if a.Field == f.Field {
			a.FormCode, a.FormWhole, a.FormQuote = f.Code, f.Whole, f.Quote
			a.FormSentences = map[string]bool{}
			for _, v := range f.Sentences {
				a.FormSentences[v] = true
			}
		}
		a.FormTranslation = f.Translation[a.Field]
		runes := []rune(a.Text)
		for _, sp := range analysis.Sentences(a.Text) {
			a.Sentences = append(a.Sentences, sentenceView{Value: fmt.Sprintf("%d-%d", sp.Start, sp.End), Text: string(runes[sp.Start:sp.End])})
		}
		for _, c := range v.Codings {
			if c.Field != a.Field {
				continue
			}
			n := names[c.CodeID]
			a.Codings = append(a.Codings, codingView{Coding: c, Code: n.Path, Colour: n.Colour, Words: c.Passage.Text(a.Text)})
		}
	}
	if sampleID == "" {
		if model, _ := s.suggestions(r.Context()); model != nil {
			var applied []string
			for _, c := range v.Codings {
				applied = append(applied, book.Resolve(c.CodeID))
			}
			for _, sg := range model.Suggest(strings.Join(all, "\n"), analysis.SuggestCount, applied) {
				n, ok := names[sg.Code]
				if !ok || !n.Active() {
					continue
				}
				d.Suggestions = append(d.Suggestions, suggestionView{ID: sg.Code, Path: n.Path, Colour: n.Colour, Why: strings.Join(sg.Why, ", ")})
			}
			d.Model = model.Version
		}
	}
	p := s.newPage(r)
	p.Data = d
	return p, nil
}

func (s *Server) handleCoding(w http.ResponseWriter, r *http.Request) {
	sample := form.Clean(r.URL.Query().Get("sample"), 64)
	if sample != "" && !s.mayCodeSample(w, r, sample) {
		return
	}
	p, err := s.codingPage(r, r.PathValue("id"), sample, codingForm{})
	if s.storeFailed(w, r, err) {
		return
	}
	p.Flash = s.sessions.PopString(r.Context(), sessAnalysisFlash)
	s.render(w, r, http.StatusOK, "staff_coding", p)
}

// mayCodeSample lets only the sample's second coder code it, so the
// second coding stays blind and theirs.
func (s *Server) mayCodeSample(w http.ResponseWriter, r *http.Request, sampleID string) bool {
	samples, err := s.store.Samples(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	for _, x := range samples {
		if x.ID == sampleID {
			if x.SecondCoderID == reqCtx(r).user.ID {
				return true
			}
			s.errorPage(w, r, http.StatusForbidden)
			return false
		}
	}
	s.errorPage(w, r, http.StatusNotFound)
	return false
}

// codingBack is where a coding form returns to.
func codingBack(id, sample string) string {
	u := "/staff/analysis/code/" + url.PathEscape(id)
	if sample != "" {
		u += "?sample=" + url.QueryEscape(sample)
	}
	return u
}

// oneFieldError is a form's single problem, on one field.
func oneFieldError(fieldID, key string) field.Errors {
	var errs field.Errors
	errs.Add(fieldID, key)
	return errs
}

// codingFailed shows the coding page again with the problem and the
// coder's choices kept.
func (s *Server) codingFailed(w http.ResponseWriter, r *http.Request, sample string, f codingForm, errs field.Errors) {
	p, err := s.codingPage(r, r.PathValue("id"), sample, f)
	if s.storeFailed(w, r, err) {
		return
	}
	p.Errors = errs
	s.render(w, r, http.StatusUnprocessableEntity, "staff_coding", p)
}

func readCodingForm(r *http.Request) codingForm {
	f := codingForm{Field: form.Value(r, "field", 60), Code: form.Value(r, "code", 64), Start: form.Value(r, "start", 12), End: form.Value(r, "end", 12),
		Whole: r.PostForm.Get("whole") == "yes", Quote: r.PostForm.Get("quote") == "yes"}
	for _, v := range r.PostForm["sentence"] {
		if v = form.Clean(v, 30); v != "" && len(f.Sentences) < 200 {
			f.Sentences = append(f.Sentences, v)
		}
	}
	return f
}

// passages turns the form into passages: the highlighted range (with
// JavaScript), the sentences ticked, or the whole answer.
func (f codingForm) passages() ([]analysis.Passage, bool) {
	if f.Whole {
		return []analysis.Passage{{Field: f.Field, Whole: true}}, true
	}
	var out []analysis.Passage
	var start, end int
	if f.Start != "" && f.End != "" {
		if _, err := fmt.Sscanf(f.Start+" "+f.End, "%d %d", &start, &end); err != nil {
			return nil, false
		}
		return []analysis.Passage{{Field: f.Field, Start: start, End: end}}, true
	}
	// Adjacent ticked sentences become one passage.
	for _, v := range f.Sentences {
		if _, err := fmt.Sscanf(v, "%d-%d", &start, &end); err != nil {
			return nil, false
		}
		out = append(out, analysis.Passage{Field: f.Field, Start: start, End: end})
	}
	slices.SortFunc(out, func(a, b analysis.Passage) int { return a.Start - b.Start })
	var merged []analysis.Passage
	for _, p := range out {
		if n := len(merged); n > 0 && p.Start-merged[n-1].End <= 1 {
			merged[n-1].End = max(merged[n-1].End, p.End)
			continue
		}
		merged = append(merged, p)
	}
	return merged, len(merged) > 0
}

// codingErrorKey is the message for a refused coding, and the input of
// the answer's apply form it belongs to (code-F, quote-F, whole-F).
func codingErrorKey(err error, answer string) (string, string) {
	switch {
	case errors.Is(err, analysis.ErrNoQuoteConsent):
		return "quote-" + answer, "analysis.error.no_quote_consent"
	case errors.Is(err, analysis.ErrStoryChanged):
		return "code-" + answer, "analysis.error.story_changed"
	case errors.Is(err, analysis.ErrCodeInactive):
		return "code-" + answer, "analysis.error.code_inactive"
	case errors.Is(err, analysis.ErrCodeNotFound):
		return "code-" + answer, "analysis.error.code_required"
	case errors.Is(err, analysis.ErrPassageRange), errors.Is(err, analysis.ErrPassageEmpty), errors.Is(err, analysis.ErrPassageField):
		return "whole-" + answer, "analysis.error.passage"
	}
	return "", ""
}

func (s *Server) handleCodingApply(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	sample := form.Value(r, "sample", 64)
	if sample != "" && !s.mayCodeSample(w, r, sample) {
		return
	}
	f := readCodingForm(r)
	if !analysis.IsAnswerField(f.Field) {
		s.errorPage(w, r, http.StatusBadRequest) // the form names no answer: not a person's mistake
		return
	}
	var errs field.Errors
	ps, ok := f.passages()
	if !ok {
		errs.Add("whole-"+f.Field, "analysis.error.passage_required")
	}
	if f.Code == "" {
		errs.Add("code-"+f.Field, "analysis.error.code_required")
	}
	stamp, _ := time.Parse(time.RFC3339Nano, form.Value(r, "stamp", 60))
	if len(errs) == 0 {
		for _, p := range ps {
			_, err := s.store.AddCoding(r.Context(), reqCtx(r).user.ID, store.NewCoding{ExperienceID: r.PathValue("id"), CodeID: f.Code,
				Passage: p, Quote: f.Quote, SampleID: sample, Stamp: stamp})
			if fieldID, key := codingErrorKey(err, f.Field); key != "" {
				errs.Add(fieldID, key)
				break
			}
			if s.storeFailed(w, r, err) {
				return
			}
		}
	}
	if len(errs) > 0 {
		s.codingFailed(w, r, sample, f, errs)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.applied")
	redirect(w, r, codingBack(r.PathValue("id"), sample)+"#answers")
}

func (s *Server) handleCodingRemove(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	err := s.store.RemoveCoding(r.Context(), form.Value(r, "coding", 64))
	if err != nil && !errors.Is(err, store.ErrNotFound) { // already removed by someone else: fine
		s.serverError(w, r, err)
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.removed")
	redirect(w, r, codingBack(r.PathValue("id"), form.Value(r, "sample", 64))+"#answers")
}

func (s *Server) handleCodingQuote(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	err := s.store.SetQuote(r.Context(), form.Value(r, "coding", 64), r.PostForm.Get("quote") == "yes")
	if errors.Is(err, analysis.ErrNoQuoteConsent) {
		s.codingFailed(w, r, "", codingForm{}, oneFieldError("answers", "analysis.error.no_quote_consent"))
		return
	}
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.quote_saved")
	redirect(w, r, codingBack(r.PathValue("id"), "")+"#answers")
}

// handleCodingSuggestion records a coder's answer to a suggestion; an
// accepted one is applied to the whole of the first answer.
func (s *Server) handleCodingSuggestion(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	id, code, version := r.PathValue("id"), form.Value(r, "code", 64), form.Value(r, "model", 40)
	accepted := r.PostForm.Get("decision") == "accept"
	if code == "" || version == "" {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	if accepted {
		v, err := s.store.ExperienceForCoding(r.Context(), id, reqCtx(r).user.ID, "")
		if s.storeFailed(w, r, err) {
			return
		}
		fieldName := ""
		for _, f := range analysis.AnswerFields {
			if v.Answers[f] != "" {
				fieldName = f
				break
			}
		}
		_, err = s.store.AddCoding(r.Context(), reqCtx(r).user.ID, store.NewCoding{ExperienceID: id, CodeID: code, Passage: analysis.Passage{Field: fieldName, Whole: true}})
		if _, key := codingErrorKey(err, fieldName); key != "" {
			s.codingFailed(w, r, "", codingForm{}, oneFieldError("suggestions", key))
			return
		}
		if s.storeFailed(w, r, err) {
			return
		}
	}
	if err := s.store.RecordSuggestion(r.Context(), reqCtx(r).user.ID, id, code, version, accepted); s.storeFailed(w, r, err) {
		return
	}
	flash := "analysis.suggestion_rejected"
	if accepted {
		flash = "analysis.suggestion_accepted"
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, flash)
	redirect(w, r, codingBack(id, "")+"#suggestions")
}

func (s *Server) handleCodingMemo(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	text := form.Value(r, "memo", 5000)
	if text == "" {
		s.codingFailed(w, r, "", codingForm{}, oneFieldError("memo", "analysis.error.memo_required"))
		return
	}
	_, err := s.store.SaveMemo(r.Context(), reqCtx(r).user.ID, "", r.PathValue("id"), "", text)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.memo_saved")
	redirect(w, r, codingBack(r.PathValue("id"), "")+"#memos")
}

func (s *Server) handleCodingTranslation(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	fieldName := form.Value(r, "field", 40)
	text := form.Value(r, "translation", experience.MaxTextRunes)
	if !slices.Contains(analysis.AnswerFields, fieldName) {
		s.errorPage(w, r, http.StatusBadRequest)
		return
	}
	if text == "" {
		s.codingFailed(w, r, "", codingForm{Translation: map[string]string{fieldName: text}}, oneFieldError("translation-"+fieldName, "analysis.error.translation_required"))
		return
	}
	err := s.store.SaveTranslation(r.Context(), reqCtx(r).user.ID, r.PathValue("id"), fieldName, text)
	if s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.translation_saved")
	redirect(w, r, codingBack(r.PathValue("id"), "")+"#answers")
}

// handleCodingDone marks the coding finished and opens the next
// experience in the queue.
func (s *Server) handleCodingDone(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	id := r.PathValue("id")
	if sample := form.Value(r, "sample", 64); sample != "" {
		if !s.mayCodeSample(w, r, sample) {
			return
		}
		if err := s.store.MarkSampleItemDone(r.Context(), sample, id, true); s.storeFailed(w, r, err) {
			return
		}
		s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.sample_item_done")
		redirect(w, r, "/staff/analysis/agreement/"+url.PathEscape(sample))
		return
	}
	if err := s.store.MarkCoded(r.Context(), reqCtx(r).user.ID, id, true); s.storeFailed(w, r, err) {
		return
	}
	s.sessions.Put(r.Context(), sessAnalysisFlash, "analysis.done")
	items, _, err := s.store.CodingQueue(r.Context(), 1)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(items) > 0 {
		redirect(w, r, "/staff/analysis/code/"+url.PathEscape(items[0].ID))
		return
	}
	redirect(w, r, "/staff/analysis/code")
}
