package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/store"
)

// The public report (/report): the published recommendations, each with
// the organisations it is addressed to and its frozen evidence. Nothing
// here is computed from experiences: the figures are the strings
// disclosure control published on the day, the quotes the words frozen
// then, gone if the person withdrew them.

// reportItem is one published recommendation ready to show in the
// reader's language.
type reportItem struct {
	Reference, Title, Text, Published string
	Fallback                          bool // shown in English: not translated into the reader's language
	Organisations                     []string
	Themes                            []reportTheme
	Quotes                            []accountability.Quote
	Communities                       []string // the column heads of the figures by community
	Answers                           []reportAnswer
	Community                         *reviewPriority // what the community said of it (report_review_staff.go)
}

type reportTheme struct {
	Name, Total string
	Cells       []string
}

func (s *Server) reportItem(p *Page, rec accountability.Recommendation, ev accountability.Evidence) reportItem {
	title, text, fallback := rec.In(p.Lang)
	it := reportItem{Reference: rec.Reference, Title: title, Text: text, Fallback: fallback, Published: p.Date(rec.PublishedAt), Quotes: ev.Quotes}
	prog := s.programme()
	for _, slug := range rec.Organisations {
		name := slug
		for _, o := range prog.Organisations {
			if o.Slug == slug {
				name = o.Name
			}
		}
		it.Organisations = append(it.Organisations, name)
	}
	communityName := func(slug string) string {
		for _, c := range prog.Communities {
			if c.Slug == slug {
				return c.Name(p.Lang)
			}
		}
		if slug == "prefer-not-to-say" {
			return p.T("analysis.prefer_not_to_say")
		}
		return slug
	}
	for i, t := range ev.ByTheme() {
		rt := reportTheme{Name: t.ThemeName, Total: t.Total}
		for _, f := range t.ByCommunity {
			rt.Cells = append(rt.Cells, f.Value)
			if i == 0 {
				it.Communities = append(it.Communities, communityName(f.Community))
			}
		}
		it.Themes = append(it.Themes, rt)
	}
	return it
}

func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	period, err := strconv.Atoi(r.URL.Query().Get("period"))
	if err != nil || period < 1 {
		period = 0
	}
	p := s.newPage(r)
	idx := s.reportIndex(p, rep, period, pageParam(r), "/report")
	idx.Communities = s.communityLinks(p)
	if err := s.rankingsOnIndex(r, p, rep, &idx); err != nil {
		s.serverError(w, r, err)
		return
	}
	p.Data = idx
	s.render(w, r, http.StatusOK, "report", p)
}

func (s *Server) handleReportRecommendation(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("reference")
	if !accountability.ValidReference(ref) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	rec, err := s.store.PublishedRecommendation(r.Context(), ref)
	if s.storeFailed(w, r, err) {
		return
	}
	s.renderReportRecommendation(w, r, rec, "report_recommendation")
}

// renderReportRecommendation shows one published recommendation as the
// public reads it (also the staff view of a published one).
func (s *Server) renderReportRecommendation(w http.ResponseWriter, r *http.Request, rec accountability.Recommendation, page string) {
	ev, err := s.store.RecommendationEvidence(r.Context(), rec.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	it := s.reportItem(p, rec, ev)
	if it.Community, err = s.priorityOf(r, p, rec); err != nil {
		s.serverError(w, r, err)
		return
	}
	if rec.Status == accountability.Published {
		rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		rep = rep.ForRecommendation(rec.ID)
		it.Answers = s.reportAnswers(p, rep, rec.ID, rep.Answers(s.policy, s.today(), s.site.Load().loc))
	}
	p.Data = it
	s.render(w, r, http.StatusOK, page, p)
}

// reportPart pairs the page with a recommendation for the "report-text"
// and "report-evidence" templates (Full: the figures by community too).
type reportPart struct {
	Page *Page
	Item reportItem
	Full bool
}

// Report pairs the page with a recommendation.
func (p *Page) Report(it reportItem, full bool) reportPart { return reportPart{p, it, full} }

// reportTree is a commitment ready to show, with its sub-commitments.
type reportTree struct {
	Reference, Text, Owner, Status, Kind, Due string
	Line                                      string // status, progress and due date in one line (the main page's)
	Progress                                  int    // rolled up from its sub-commitments, if any
	Overdue                                   bool
	Changes                                   int // public claims of a change made, with evidence
	Subs                                      []reportTree
	WordsMark
}

// WordsMark says how an organisation's words are shown in the reader's
// language: translated (Mark "translated", TranslatedOn its date) or in
// English (Fallback: the element gets lang="en", Mark "in English"); in
// English to an English reader, neither.
type WordsMark struct {
	Fallback     bool
	Mark         string // the short visible note beside the words
	TranslatedOn string
}

// markWords picks the words to show in the reader's language and how to
// mark them (accountability.Translated).
func markWords(p *Page, english accountability.Words, ts []accountability.TextTranslation) (accountability.Words, WordsMark) {
	w, t, fallback := accountability.Translated(english, ts, p.Lang)
	var m WordsMark
	switch {
	case fallback:
		m.Fallback, m.Mark = true, p.cachedT("\x00in-english", func() string { return p.T("reportlang.in_english") })
	case t != nil:
		m.Mark, m.TranslatedOn = p.cachedT("\x00translated", func() string { return p.T("reportlang.translated") }), p.Date(t.At)
	}
	return w, m
}

func (s *Server) reportTreeOf(p *Page, c accountability.Commitment, progress int, today time.Time) reportTree {
	w, mark := markWords(p, c.Words(), c.Translations)
	return reportTree{Reference: c.Reference, Text: w.Text, Owner: c.OwnerRole, Status: p.cachedT(c.Status, func() string { return s.statusLabel(p, c.Status) }),
		Kind: string(c.Kind), Due: p.cachedT(c.Due.Format(time.DateOnly), func() string { return p.Date(c.Due) }), Progress: progress, Overdue: c.Overdue(today), WordsMark: mark}
}

// cachedT returns what make returns for key, made once per page: a page
// listing a thousand commitments names a handful of statuses and dates.
func (p *Page) cachedT(key string, make func() string) string {
	if p.memo == nil {
		p.memo = map[string]string{}
	}
	if v, ok := p.memo[key]; ok {
		return v
	}
	v := make()
	p.memo[key] = v
	return v
}

// reportTrees groups commitments under their parents, ready to show.
func (s *Server) reportTrees(p *Page, cs []accountability.Commitment) []reportTree {
	today := s.today()
	var out []reportTree
	for _, t := range accountability.Trees(cs, today) {
		rt := s.reportTreeOf(p, t.Commitment, t.Rollup, today)
		for _, sub := range t.Subs {
			rt.Subs = append(rt.Subs, s.reportTreeOf(p, sub, sub.Progress, today))
		}
		out = append(out, rt)
	}
	return out
}

// reportUpdate is a progress update ready to show.
type reportUpdate struct {
	ID, On, Status, Kind, Text, Reason, Claim, WhatChanged, EvidenceURL, Review, Question, Answer string
	Progress                                                                                      int
	WordsMark
}

func (s *Server) reportUpdate(p *Page, u accountability.Update) reportUpdate {
	w, mark := markWords(p, u.Words(), u.Translations)
	return reportUpdate{ID: u.ID, On: p.Date(u.On), Status: s.statusLabel(p, u.Status), Kind: string(u.Kind), Text: w.Text, Reason: w.Reason, Claim: string(u.Claim),
		WhatChanged: w.WhatChanged, EvidenceURL: u.EvidenceURL, Review: string(u.Review), Question: u.Question, Answer: u.Answer, Progress: u.Progress, WordsMark: mark}
}

// reportAnswer is one organisation's answer to one recommendation and
// its commitments, ready to show.
type reportAnswer struct {
	Organisation, OrgName, Decision, Reasons, Due, Answered string
	Summary                                                 string // the answer in one line (the main page's)
	HasResponse, OnTime, Overdue                            bool
	Trees                                                   []reportTree
	ReasonsMark                                             WordsMark // how the reasons are shown
}

// reportAnswers lists the answers to rec in rep.
func (s *Server) reportAnswers(p *Page, rep accountability.Report, recID string, answers []accountability.Answer) []reportAnswer {
	return s.reportAnswersGrouped(p, rep, recID, answers, commitmentsByAnswer(rep.Commitments))
}

// reportAnswersGrouped is reportAnswers with rep's commitments already
// grouped by recommendation and organisation (commitmentsByAnswer), for
// a page that lists many recommendations.
func (s *Server) reportAnswersGrouped(p *Page, rep accountability.Report, recID string, answers []accountability.Answer, byAnswer map[[2]string][]accountability.Commitment) []reportAnswer {
	var out []reportAnswer
	for _, a := range answers {
		if a.RecommendationID != recID {
			continue
		}
		ra := reportAnswer{Organisation: a.Organisation, OrgName: s.orgName(a.Organisation), Due: p.Date(a.Due), OnTime: a.OnTime, Overdue: a.Overdue}
		if a.Response != nil {
			ra.HasResponse, ra.Decision, ra.Answered = true, p.T("accountability.decision_"+string(a.Response.Decision)), p.Date(a.Response.RespondedAt)
			if a.Response.Reasons != "" {
				var w accountability.Words
				w, ra.ReasonsMark = markWords(p, a.Response.Words(), a.Response.Translations)
				ra.Reasons = w.Text
			}
		}
		cs := byAnswer[[2]string{recID, a.Organisation}]
		ra.Trees = s.reportTrees(p, cs)
		ids := map[string]string{}
		for _, c := range cs {
			ids[c.Reference] = c.ID
		}
		for i := range ra.Trees {
			ra.Trees[i].Changes = rep.ChangesMade[ids[ra.Trees[i].Reference]]
		}
		out = append(out, ra)
	}
	return out
}

// commitmentsByAnswer groups commitments (in the order made) by
// recommendation and organisation.
func commitmentsByAnswer(cs []accountability.Commitment) map[[2]string][]accountability.Commitment {
	out := map[[2]string][]accountability.Commitment{}
	for _, c := range cs {
		k := [2]string{c.RecommendationID, c.Organisation}
		out[k] = append(out[k], c)
	}
	return out
}

// reportIndexItem is one recommendation on the report's main page: its
// title, the summary of its evidence, and each answer with its
// commitments' latest status (their texts cut short: each has its page).
type reportIndexItem struct {
	Reference, Title, Published string
	Fallback                    bool
	Totals                      []accountability.Figure
	Quotes                      int
	Answers                     []reportAnswer
	Community                   *reviewPriority // how the community ranked it (report_review_staff.go)
}

type periodLink struct {
	Year    int
	Current bool
}

// reportPageSize is how many recommendations one page of the report (or
// of a scorecard) lists: the headline figures above them are those of the
// whole period, and a page navigation leads to the others. 25 keep the
// page near 50 KB with five commitments a recommendation (docs/accountability.md,
// "The main page's size").
const reportPageSize = 25

// pageLink is one link of a report's page navigation.
type pageLink struct {
	N       int
	Href    string
	Current bool
}

// pager is a report's page navigation: which recommendations this page
// shows (From to To of Total) and the links to every page.
type pager struct {
	From, To, Total int
	Pages           []pageLink
	Prev, Next      string // "" on the first (last) page
}

// pageParam reads ?page= (1 when absent or not a page number).
func pageParam(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

// paginate cuts total items into pages of reportPageSize and returns the
// bounds of page n (the last page when n is beyond it) and the
// navigation, whose links are base with ?page= (or &page=) added.
func paginate(total, n int, base string) (from, to int, pg pager) {
	pages := max(1, (total+reportPageSize-1)/reportPageSize)
	n = min(max(n, 1), pages)
	from, to = (n-1)*reportPageSize, min(n*reportPageSize, total)
	pg = pager{From: from + 1, To: to, Total: total}
	if pages == 1 {
		return from, to, pg
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	href := func(i int) string {
		if i == 1 {
			return base
		}
		return base + sep + "page=" + strconv.Itoa(i)
	}
	for i := 1; i <= pages; i++ {
		pg.Pages = append(pg.Pages, pageLink{N: i, Href: href(i), Current: i == n})
	}
	if n > 1 {
		pg.Prev = href(n - 1)
	}
	if n < pages {
		pg.Next = href(n + 1)
	}
	return from, to, pg
}

// reportIndex is the report's main page.
type reportIndex struct {
	Periods  []periodLink
	Period   int
	Headline accountability.Headline
	Items    []reportIndexItem
	Scope    string // "" (the whole report) or an organisation's name (its scorecard)
	// Pager is the page navigation when the period has more than
	// reportPageSize recommendations.
	Pager pager
	// Communities link to each community's "you said, we did" page
	// (report_community.go); on the main page only.
	Communities []communityLink
	ReviewOpen  bool // drafts are open for community review: link to /report/review
}

// reportIndex is the report's main page (or a scorecard): period (a
// year, from ?period=) is kept when it is one with publications, else the
// latest is chosen (-1: every period). The headline figures are the whole
// period's; the recommendations listed are those of page (from ?page=),
// reportPageSize at a time, with links to the others based on base.
func (s *Server) reportIndex(p *Page, rep accountability.Report, period, page int, base string) reportIndex {
	loc := s.site.Load().loc
	idx := reportIndex{Period: period}
	periods := rep.Periods(loc)
	if period >= 0 && !slices.Contains(periods, period) {
		idx.Period = 0
		if len(periods) > 0 {
			idx.Period = periods[0]
		}
	}
	for _, y := range periods {
		idx.Periods = append(idx.Periods, periodLink{y, y == idx.Period})
	}
	if period < 0 {
		idx.Period = 0
	}
	rep = rep.InPeriod(idx.Period, loc)
	today := s.today()
	withinDeadline, afterDeadline := p.T("accountability.within_deadline"), p.T("accountability.after_deadline")
	idx.Headline = rep.Headline(s.policy, today, loc)
	answers := rep.Answers(s.policy, today, loc)
	byAnswer := commitmentsByAnswer(rep.Commitments)
	if idx.Period > 0 && len(idx.Periods) > 1 {
		base += "?period=" + strconv.Itoa(idx.Period)
	}
	from, to, pg := paginate(len(rep.Recommendations), page, base)
	idx.Pager = pg
	// Answers come in the recommendations' order: each takes its own.
	next := 0
	for i, rec := range rep.Recommendations {
		end := next
		for end < len(answers) && answers[end].RecommendationID == rec.ID {
			end++
		}
		mine := answers[next:end]
		next = end
		if i < from || i >= to {
			continue
		}
		title, _, fallback := rec.In(p.Lang)
		it := reportIndexItem{Reference: rec.Reference, Title: title, Fallback: fallback, Published: p.Date(rec.PublishedAt), Totals: rec.Totals, Quotes: rec.Quotes}
		it.Answers = s.reportAnswersGrouped(p, rep, rec.ID, mine, byAnswer)
		for i := range it.Answers {
			a := &it.Answers[i]
			switch {
			case a.HasResponse && a.OnTime:
				a.Summary = a.Decision + " · " + p.T("accountability.answered_on", "Date", a.Answered) + " (" + withinDeadline + ")"
			case a.HasResponse:
				a.Summary = a.Decision + " · " + p.T("accountability.answered_on", "Date", a.Answered) + " (" + afterDeadline + ")"
			default:
				a.Summary = p.T("accountability.awaiting", "Date", a.Due)
			}
			for j := range a.Trees {
				t := &a.Trees[j]
				t.Text, t.Line = accountability.Excerpt(t.Text, 70), t.Status+" · "+strconv.Itoa(t.Progress)+"% · "+t.Due
				for k := range t.Subs {
					sub := &t.Subs[k]
					sub.Text, sub.Line = accountability.Excerpt(sub.Text, 70), sub.Status+" · "+strconv.Itoa(sub.Progress)+"% · "+sub.Due
				}
			}
		}
		idx.Items = append(idx.Items, it)
	}
	return idx
}

// handleReportOrganisation is an organisation's scorecard: its answers,
// on time or not, and its commitments, in every period.
func (s *Server) handleReportOrganisation(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	known := false
	for _, o := range s.programme().Organisations {
		known = known || o.Slug == slug
	}
	if !known {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	rep, err := s.store.Report(r.Context(), reqCtx(r).lang)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	idx := s.reportIndex(p, rep.ForOrganisation(slug), -1, pageParam(r), "/report/organisations/"+slug)
	idx.Scope = s.orgName(slug)
	for i := range idx.Items {
		kept := idx.Items[i].Answers[:0]
		for _, a := range idx.Items[i].Answers {
			if a.Organisation == slug {
				kept = append(kept, a)
			}
		}
		idx.Items[i].Answers = kept
	}
	p.Data = idx
	s.render(w, r, http.StatusOK, "report_organisation", p)
}

// commitmentPublic is a commitment's own page: what it says now, its
// sub-commitments, and its whole public history.
type commitmentPublic struct {
	Tree           reportTree
	Organisation   string
	OrgName        string
	Recommendation string
	RecTitle       string
	RecFallback    bool
	History        []historyLine
	Parent         string
}

type historyLine struct {
	At      string
	Version int
	Text    string // what the commitment said in that version
	Owner   string
	Due     string
	First   bool
	Update  *reportUpdate
	WordsMark
}

func (s *Server) handleReportCommitment(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("reference")
	if !accountability.ValidCommitmentReference(ref) {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	c, err := s.store.CommitmentByReference(r.Context(), ref)
	if s.storeFailed(w, r, err) {
		return
	}
	rec, err := s.store.Recommendation(r.Context(), c.RecommendationID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	family, err := s.store.Commitments(r.Context(), store.CommitmentFilter{RecommendationID: c.RecommendationID, Organisation: c.Organisation})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var mine []accountability.Commitment
	parent := ""
	for _, x := range family {
		if x.ID == c.ID || x.ParentID == c.ID {
			mine = append(mine, x)
		}
		if x.ID == c.ParentID {
			parent = x.Reference
		}
	}
	hist, err := s.store.CommitmentHistory(r.Context(), c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := s.newPage(r)
	title, _, fallback := rec.In(p.Lang)
	d := commitmentPublic{Organisation: c.Organisation, OrgName: s.orgName(c.Organisation), Recommendation: rec.Reference, RecTitle: title, RecFallback: fallback, Parent: parent}
	if c.ParentID != "" {
		mine = []accountability.Commitment{{ID: c.ID}} // shown on its own
		d.Tree = s.reportTreeOf(p, c, c.Progress, s.today())
	} else if trees := s.reportTrees(p, mine); len(trees) > 0 {
		d.Tree = trees[0]
	}
	for i := len(hist) - 1; i >= 0; i-- { // newest first
		h := hist[i]
		line := historyLine{At: p.Date(h.At), Version: h.Version}
		if h.Update != nil {
			u := s.reportUpdate(p, *h.Update)
			line.Update = &u
		} else {
			w, mark := markWords(p, accountability.Words{Text: h.Before.Text}, c.Translations)
			line.Text, line.Owner, line.Due, line.First, line.WordsMark = w.Text, h.Before.OwnerRole, p.Date(h.Before.Due), h.Version == 1, mark
		}
		d.History = append(d.History, line)
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "report_commitment", p)
}

// commitmentLine pairs the page with a commitment for the
// "commitment-line" template; base is where its link goes.
type commitmentLine struct {
	Page *Page
	Tree reportTree
	Base string
}

// Line pairs the page with a commitment.
func (p *Page) Line(t reportTree, base string) commitmentLine { return commitmentLine{p, t, base} }

// commitmentTrees pairs the page with commitments for the
// "commitment-trees" template.
type commitmentTrees struct {
	Page  *Page
	Trees []reportTree
	Base  string
}

// Trees pairs the page with commitments.
func (p *Page) Trees(ts []reportTree, base string) commitmentTrees {
	return commitmentTrees{p, ts, base}
}

// reportAnswersPart pairs the page with answers for "report-answers".
type reportAnswersPart struct {
	Page    *Page
	Answers []reportAnswer
	Full    bool
}

// Answers pairs the page with answers (Full: with the reasons).
func (p *Page) Answers(as []reportAnswer, full bool) reportAnswersPart {
	return reportAnswersPart{p, as, full}
}

// UpdateItem pairs the page with an update for "update-item".
func (p *Page) UpdateItem(u reportUpdate) struct {
	Page *Page
	U    reportUpdate
} {
	return struct {
		Page *Page
		U    reportUpdate
	}{p, u}
}

// radioOption is one radio of an "acc-radios" group.
type radioOption struct{ Value, Label string }

// Radios pairs the page with a group of radios.
func (p *Page) Radios(name, legend, value string, options []radioOption) struct {
	Page                *Page
	Name, Legend, Value string
	Options             []radioOption
} {
	return struct {
		Page                *Page
		Name, Legend, Value string
		Options             []radioOption
	}{p, name, legend, value, options}
}

// Headline pairs the page with the headline figures of a period (0:
// every period).
func (p *Page) Headline(h accountability.Headline, period int) struct {
	Page   *Page
	H      accountability.Headline
	Period int
} {
	return struct {
		Page   *Page
		H      accountability.Headline
		Period int
	}{p, h, period}
}

// Pages pairs the page with a report's page navigation.
func (p *Page) Pages(pg pager) struct {
	Page  *Page
	Pager pager
} {
	return struct {
		Page  *Page
		Pager pager
	}{p, pg}
}

// WordsNote pairs the page with how some words are shown, for the
// "words-note" template: "not yet translated" under English words, or
// when they were translated.
func (p *Page) WordsNote(m WordsMark) struct {
	Page *Page
	Mark WordsMark
} {
	return struct {
		Page *Page
		Mark WordsMark
	}{p, m}
}
