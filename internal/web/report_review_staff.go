package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/moderation"
	"github.com/hearme-project/hearme/internal/safeguarding"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The staff side of community review: the overview (/staff/reviews),
// a listening event's result (connectors and administrators), and the
// moderation of residents' comments, scanned for identifying details
// like experiences are.

// reviewPriority is what the community said of one recommendation,
// ready to show: disclosure-controlled figures only.
type reviewPriority struct {
	Reference, Title string
	Online           accountability.Online
	Ranked           bool
	Events           []reviewEventLine
}

type reviewEventLine struct {
	accountability.EventLine
	CommunityName, On string
}

// Said reports whether there is anything to show.
func (p *reviewPriority) Said() bool { return p != nil && (p.Ranked || len(p.Events) > 0) }

// priorities reads what the community said of each of recs.
func (s *Server) priorities(r *http.Request, p *Page, recs []accountability.Recommendation) (map[string]*reviewPriority, error) {
	ranks, err := s.store.ReviewRanks(r.Context())
	if err != nil {
		return nil, err
	}
	events, err := s.store.ReviewEvents(r.Context())
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, rec := range recs {
		ids = append(ids, rec.ID)
	}
	out := map[string]*reviewPriority{}
	for i, pr := range accountability.Priorities(ids, ranks, events) {
		if !pr.Said() {
			continue
		}
		title, _, _ := recs[i].In(p.Lang)
		v := &reviewPriority{Reference: recs[i].Reference, Title: title, Online: pr.Online, Ranked: pr.Ranked}
		for _, ev := range pr.Events {
			v.Events = append(v.Events, reviewEventLine{EventLine: ev, CommunityName: s.communityName(p, ev.Community), On: p.Date(ev.HeldOn)})
		}
		out[recs[i].ID] = v
	}
	return out, nil
}

// priorityOf reads what the community said of one recommendation (nil:
// nothing).
func (s *Server) priorityOf(r *http.Request, p *Page, rec accountability.Recommendation) (*reviewPriority, error) {
	m, err := s.priorities(r, p, []accountability.Recommendation{rec})
	return m[rec.ID], err
}

func (s *Server) communityName(p *Page, slug string) string {
	for _, c := range s.programme().Communities {
		if c.Slug == slug {
			return c.Name(p.Lang)
		}
	}
	return slug
}

// Priority pairs the page with a recommendation's priorities for the
// "review-priorities" template.
func (p *Page) Priority(v *reviewPriority) struct {
	Page *Page
	P    *reviewPriority
} {
	return struct {
		Page *Page
		P    *reviewPriority
	}{p, v}
}

// reviewBox is the review part of a draft's staff page.
type reviewBox struct {
	Open             bool
	OpenedAt, Closed string
	Priority         *reviewPriority
	Comments         []store.ReviewComment
}

// reviewBoxOf reads a draft's review for its staff page.
func (s *Server) reviewBoxOf(r *http.Request, p *Page, rec accountability.Recommendation) (*reviewBox, error) {
	if rec.ID == "" {
		return nil, nil
	}
	rv, err := s.store.ReviewOf(r.Context(), rec.ID)
	if err != nil {
		return nil, err
	}
	b := &reviewBox{Open: rv.Open()}
	if !rv.OpenedAt.IsZero() {
		b.OpenedAt = p.DateTime(rv.OpenedAt)
	}
	if !rv.ClosedAt.IsZero() {
		b.Closed = p.DateTime(rv.ClosedAt)
	}
	if b.Priority, err = s.priorityOf(r, p, rec); err != nil {
		return nil, err
	}
	b.Comments, err = s.store.ApprovedReviewComments(r.Context(), rec.ID)
	return b, err
}

type staffReviews struct {
	Drafts     []accountability.Recommendation
	Priorities []*reviewPriority
	Pending    []pendingComment
	CanRecord  bool
}

// pendingComment is a comment in the moderation list, marked when it
// holds a phrase suggesting a risk of harm.
type pendingComment struct {
	store.ReviewComment
	Safeguarding bool
}

func (s *Server) handleStaffReviews(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	p.Flash = s.sessions.PopString(r.Context(), sessFlash)
	drafts, err := s.store.DraftsInReview(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	all, err := s.store.Recommendations(r.Context(), false)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	pr, err := s.priorities(r, p, all)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := staffReviews{Drafts: drafts, CanRecord: allowedTo(reviewers, reqCtx(r).user.Role)}
	for _, rec := range all {
		if v := pr[rec.ID]; v != nil {
			d.Priorities = append(d.Priorities, v)
		}
	}
	if allowedTo(moderators, reqCtx(r).user.Role) {
		pending, err := s.store.PendingReviewComments(r.Context(), 200)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, c := range pending {
			d.Pending = append(d.Pending, pendingComment{c, safeguarding.Flagged(c.Text)})
		}
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "staff_reviews", p)
}

// reviewEventForm is the listening event form's view.
type reviewEventForm struct {
	In          accountability.EventInput
	Drafts      []accountability.Recommendation
	Communities []radioOption
}

func (s *Server) reviewEventPage(r *http.Request, in accountability.EventInput, drafts []accountability.Recommendation, errs field.Errors) *Page {
	p := s.newPage(r)
	p.Errors = errs
	f := reviewEventForm{In: in, Drafts: drafts}
	for _, c := range s.programme().Communities {
		f.Communities = append(f.Communities, radioOption{c.Slug, c.Name(p.Lang)})
	}
	p.Form = f
	return p
}

func (s *Server) handleReviewEventForm(w http.ResponseWriter, r *http.Request) {
	drafts, err := s.store.DraftsInReview(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "staff_review_event", s.reviewEventPage(r, accountability.EventInput{Values: map[string]string{}}, drafts, nil))
}

// handleReviewEventSave records a listening event's result for the
// drafts open for review.
func (s *Server) handleReviewEventSave(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	drafts, err := s.store.DraftsInReview(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	in := accountability.EventInput{Place: form.Value(r, "place", accountability.MaxEventName+50), HeldOn: form.Value(r, "held_on", 20),
		Community: form.Value(r, "community", 64), Participants: form.Value(r, "participants", 12), Method: form.Value(r, "method", 10), Values: map[string]string{}}
	var ids []string
	for _, d := range drafts {
		ids = append(ids, d.ID)
		in.Values[d.ID] = form.Value(r, accountability.ValueField(d.ID), 12)
	}
	var communities []string
	for _, c := range s.programme().Communities {
		communities = append(communities, c.Slug)
	}
	ev, errs := in.Validate(s.today(), communities, ids)
	if len(ids) == 0 {
		errs.Add("place", "review.error_none_open")
	}
	if len(errs) == 0 {
		_, err := s.store.RecordEventResult(r.Context(), reqCtx(r).user.ID, ev)
		switch {
		case errors.Is(err, accountability.ErrNotInReview):
			errs.Add("place", "review.error_closed")
		case s.storeFailed(w, r, err):
			return
		default:
			s.sessions.Put(r.Context(), sessFlash, "review.event_recorded")
			redirect(w, r, "/staff/reviews")
			return
		}
	}
	s.render(w, r, http.StatusUnprocessableEntity, "staff_review_event", s.reviewEventPage(r, in, drafts, errs))
}

// reviewCommentView is a comment on its moderation page: its words with
// the scanner's findings as boxes to tick.
type reviewCommentView struct {
	Comment  store.ReviewComment
	Segments []segment
	Decision string
	// Safeguarding: the phrases suggesting a risk of harm found in it
	// (internal/safeguarding, as for experiences): a prompt for the
	// moderator to act, docs/safeguarding.md.
	Safeguarding []string
}

func (s *Server) reviewCommentPage(r *http.Request, c store.ReviewComment, decision string, errs field.Errors) *Page {
	p := s.newPage(r)
	p.Errors = errs
	v := reviewCommentView{Comment: c, Segments: segments("comment", c.Text, moderation.Scan(c.Text)), Decision: decision}
	for _, m := range safeguarding.Assess(c.Text) {
		v.Safeguarding = append(v.Safeguarding, m.Phrase)
	}
	p.Form = v
	return p
}

func (s *Server) handleReviewComment(w http.ResponseWriter, r *http.Request) {
	c, err := s.store.ReviewCommentByID(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	if c.Status != store.CommentPending {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	s.render(w, r, http.StatusOK, "staff_review_comment", s.reviewCommentPage(r, c, "", nil))
}

// handleReviewCommentModerate approves a comment with the ticked
// findings redacted (only spans the scanner finds in the words are
// accepted, so a forged value removes nothing it should not), or rejects
// it, which also drops its words.
func (s *Server) handleReviewCommentModerate(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	c, err := s.store.ReviewCommentByID(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	decision := form.Value(r, "decision", 20)
	var errs field.Errors
	if decision != store.CommentApproved && decision != store.CommentRejected {
		errs.Add("decision", "review.error_decision")
		s.render(w, r, http.StatusUnprocessableEntity, "staff_review_comment", s.reviewCommentPage(r, c, decision, errs))
		return
	}
	text := ""
	if decision == store.CommentApproved {
		chosen := r.PostForm["redact"]
		var pick []moderation.Finding
		for _, f := range moderation.Scan(c.Text) {
			if slices.Contains(chosen, segmentValue("comment", f)) {
				pick = append(pick, f)
			}
		}
		text = strings.TrimSpace(moderation.Redact(c.Text, pick))
	}
	err = s.store.ModerateReviewComment(r.Context(), reqCtx(r).user.ID, c.ID, decision, text)
	switch {
	case errors.Is(err, store.ErrConflict):
		errs.Add("decision", "review.error_moderated")
		s.render(w, r, http.StatusUnprocessableEntity, "staff_review_comment", s.reviewCommentPage(r, c, decision, errs))
		return
	case s.storeFailed(w, r, err):
		return
	}
	s.sessions.Put(r.Context(), sessFlash, "review.comment_"+decision)
	redirect(w, r, "/staff/reviews")
}

// segmentValue is a finding's redact box value, as segments gives it.
func segmentValue(field string, f moderation.Finding) string {
	return field + ":" + strconv.Itoa(f.Start) + ":" + strconv.Itoa(f.End)
}

// allowedTo reports whether role is one of a's roles.
func allowedTo(a Access, role account.Role) bool { return slices.Contains(a.Roles, role) }

// rankingsOnIndex adds to the report's main page how the community
// ranked each recommendation, and whether drafts are open for review.
func (s *Server) rankingsOnIndex(r *http.Request, p *Page, rep accountability.Report, idx *reportIndex) error {
	idx.ReviewOpen = s.anyReviewOpen(r)
	recs := make([]accountability.Recommendation, len(rep.Recommendations))
	for i, rec := range rep.Recommendations {
		recs[i] = rec.Recommendation
	}
	pr, err := s.priorities(r, p, recs)
	if err != nil || len(pr) == 0 {
		return err
	}
	byRef := map[string]*reviewPriority{}
	for _, v := range pr {
		byRef[v.Reference] = v
	}
	for i := range idx.Items {
		idx.Items[i].Community = byRef[idx.Items[i].Reference]
	}
	return nil
}

// ReviewMethods are the ways a listening event ranks the drafts.
func (p *Page) ReviewMethods() []radioOption {
	return []radioOption{{accountability.MethodRanks, p.T("review.method_ranks")}, {accountability.MethodDots, p.T("review.method_dots")}}
}

// ReviewDecisions are what a moderator may do with a comment.
func (p *Page) ReviewDecisions() []radioOption {
	return []radioOption{{store.CommentApproved, p.T("review.decision_approve")}, {store.CommentRejected, p.T("review.decision_reject")}}
}

// ReviewBox pairs the page with a draft's review box.
func (p *Page) ReviewBox(id string, b *reviewBox) struct {
	Page *Page
	ID   string
	Box  *reviewBox
} {
	return struct {
		Page *Page
		ID   string
		Box  *reviewBox
	}{p, id, b}
}
