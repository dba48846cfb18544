package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Community review of draft recommendations (issue 13 item 9,
// docs/accountability.md "Communities shape the recommendations"):
// drafters open a draft for review and close it; residents rank the
// drafts open for review and comment on them at /report/review, with no
// account, in their language, with JavaScript off, one ranking per
// browser; a connector records a listening event's result. What the
// community said is shown beside the evidence to stakeholders and on the
// public report, through disclosure control (accountability.Priorities).

// reviewCookie holds a random id for this browser; only its keyed hash
// is stored, beside the browser's ranks.
const reviewCookie = "hearme_review"

func (s *Server) reviewRoutes() []Route {
	return []Route{
		{"GET /report/review", public, s.handleReviewPage},
		{"POST /report/review", public, s.handleReviewSend},
		{"GET /report/review/thanks", public, s.handleReviewThanks},
		{"POST /staff/recommendations/{id}/review/open", recommendationDrafters, s.handleReviewOpen},
		{"POST /staff/recommendations/{id}/review/close", recommendationDrafters, s.handleReviewClose},
		{"GET /staff/reviews", recommendationDrafters, s.handleStaffReviews},
		{"GET /staff/reviews/events/new", reviewers, s.handleReviewEventForm},
		{"POST /staff/reviews/events", reviewers, s.handleReviewEventSave},
		{"GET /staff/reviews/comments/{id}", moderators, s.handleReviewComment},
		{"POST /staff/reviews/comments/{id}", moderators, s.handleReviewCommentModerate},
	}
}

// reviewOpenCache remembers for a few seconds whether any draft is open
// for review, so the home page does not ask the database on every
// request. Opening or closing on this instance forgets it at once.
type reviewOpenCache struct {
	mu   sync.Mutex
	at   time.Time
	open bool
}

func (s *Server) anyReviewOpen(r *http.Request) bool {
	c := &s.reviewOpen
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); now.Sub(c.at) > 5*time.Second {
		open, err := s.store.AnyReviewOpen(r.Context())
		if err != nil {
			s.log.Warn("review: whether a review is open", "error", err)
			return false
		}
		c.open, c.at = open, now
	}
	return c.open
}

func (s *Server) forgetReviewOpen() {
	s.reviewOpen.mu.Lock()
	s.reviewOpen.at = time.Time{}
	s.reviewOpen.mu.Unlock()
}

// browserKey returns the keyed hash of this browser's review cookie, or
// "" when it has none.
func (s *Server) browserKey(r *http.Request) string {
	c, err := r.Cookie(reviewCookie)
	if err != nil || len(c.Value) < 16 || len(c.Value) > 64 {
		return ""
	}
	m := hmac.New(sha256.New, s.keys.Derive("review-browser"))
	m.Write([]byte(c.Value))
	return hex.EncodeToString(m.Sum(nil))
}

// giveBrowserCookie sets a random id on a browser that has none.
func (s *Server) giveBrowserCookie(w http.ResponseWriter, r *http.Request) {
	if s.browserKey(r) != "" {
		return
	}
	b := make([]byte, 18)
	rand.Read(b)
	http.SetCookie(w, &http.Cookie{Name: reviewCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: "/report/review",
		MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: s.cfg.Secure(), SameSite: http.SameSiteLaxMode})
}

// reviewDraft is one draft on the public review page.
type reviewDraft struct {
	ID, Reference, Title, Text string
	Fallback                   bool
	Organisations              []string
	Evidence                   reportItem // for the "report-evidence" template
	Place, Comment             string     // as typed
}

type reviewPage struct {
	Drafts          []reviewDraft
	Places          []int
	Token, Honeypot string
	Ranked          bool // this browser has ranked the open drafts
}

// reviewDrafts reads the drafts open for review, ready to show in the
// reader's language: the figures frozen when each was opened, the
// consented quotes (redacted, a withdrawn one gone) read now.
func (s *Server) reviewDrafts(r *http.Request, p *Page) ([]accountability.Recommendation, []reviewDraft, error) {
	recs, err := s.store.DraftsInReview(r.Context())
	if err != nil || len(recs) == 0 {
		return recs, nil, err
	}
	book, _, err := s.codebook(r)
	if err != nil {
		return nil, nil, err
	}
	quotes, err := s.store.ConsentedQuotes(r.Context(), 300)
	if err != nil {
		return nil, nil, err
	}
	var out []reviewDraft
	for _, rec := range recs {
		figures, err := s.store.ReviewFigures(r.Context(), rec.ID)
		if err != nil {
			return nil, nil, err
		}
		ev := accountability.Evidence{Figures: figures}
		for _, id := range rec.Quotes {
			for _, q := range quotes {
				if q.CodingID == id {
					ev.Quotes = append(ev.Quotes, accountability.Quote{ThemeName: themeName(book, q.CodeID), Lang: q.Lang, Words: q.Words, Translation: q.Translation})
				}
			}
		}
		it := s.reportItem(p, rec, ev)
		out = append(out, reviewDraft{ID: rec.ID, Reference: rec.Reference, Title: it.Title, Text: it.Text, Fallback: it.Fallback, Organisations: it.Organisations, Evidence: it})
	}
	return recs, out, nil
}

func (s *Server) reviewPageFor(r *http.Request, drafts []reviewDraft) *Page {
	p := s.newPage(r)
	d := reviewPage{Drafts: drafts, Token: s.forms.Signer().Issue("review"), Honeypot: abuse.HoneypotField}
	for i := range drafts {
		d.Places = append(d.Places, i+1)
	}
	p.Data = d
	return p
}

func (s *Server) handleReviewPage(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(r)
	_, drafts, err := s.reviewDrafts(r, p)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p = s.reviewPageFor(r, drafts)
	if key := s.browserKey(r); key != "" && len(drafts) > 0 {
		ranked, err := s.store.Ranked(r.Context(), key)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d := p.Data.(reviewPage)
		d.Ranked = ranked
		p.Data = d
	}
	s.giveBrowserCookie(w, r)
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "report_review", p)
}

// handleReviewSend stores a resident's ranking and comments: a proper
// ranking of every open draft, the public forms' checks, once per
// browser.
func (s *Server) handleReviewSend(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	p0 := s.newPage(r)
	recs, drafts, err := s.reviewDrafts(r, p0)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(recs) == 0 {
		redirect(w, r, "/report/review")
		return
	}
	var ids []string
	places, comments := map[string]string{}, map[string]string{}
	for i, rec := range recs {
		ids = append(ids, rec.ID)
		places[rec.ID] = form.Value(r, accountability.RankField(rec.ID), 8)
		comments[rec.ID] = form.Value(r, accountability.CommentField(rec.ID), accountability.MaxComment+100)
		drafts[i].Place, drafts[i].Comment = places[rec.ID], comments[rec.ID]
	}
	reshow := func() *Page { return s.reviewPageFor(r, drafts) }
	ballot, errs := accountability.ParseBallot(reqCtx(r).lang, ids, places, comments)
	key := s.browserKey(r)
	if key == "" {
		errs.Add("send", "review.error_cookie")
		s.giveBrowserCookie(w, r)
	}
	if len(errs) > 0 {
		p := reshow()
		p.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, "report_review", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"review", "report_review", reshow, "/report/review/thanks", nil}) {
		return
	}
	err = s.store.SaveBallot(r.Context(), key, ballot)
	switch {
	case errors.Is(err, accountability.ErrAlreadyRanked):
		p := reshow()
		d := p.Data.(reviewPage)
		d.Ranked = true
		p.Data = d
		s.render(w, r, http.StatusConflict, "report_review", p)
	case errors.Is(err, accountability.ErrNotInReview):
		p := reshow()
		p.Errors.Add("send", "review.error_closed")
		s.render(w, r, http.StatusUnprocessableEntity, "report_review", p)
	case err != nil:
		s.serverError(w, r, err)
	default:
		redirect(w, r, "/report/review/thanks")
	}
}

func (s *Server) handleReviewThanks(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "report_review_thanks", s.newPage(r))
}

// handleReviewOpen opens a draft for community review, freezing the
// figures residents will see as disclosure control publishes them.
func (s *Server) handleReviewOpen(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	rec, err := s.store.Recommendation(r.Context(), r.PathValue("id"))
	if s.storeFailed(w, r, err) {
		return
	}
	figures, err := s.freezeFigures(r, rec.Themes)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.OpenReview(r.Context(), reqCtx(r).user.ID, rec.ID, figures)
	switch {
	case errors.Is(err, store.ErrNotDraft):
		s.errorPage(w, r, http.StatusConflict)
		return
	case errors.Is(err, store.ErrConflict):
		// Already open: nothing to do.
	case s.storeFailed(w, r, err):
		return
	}
	s.forgetReviewOpen()
	s.sessions.Put(r.Context(), sessFlash, "review.opened")
	redirect(w, r, "/staff/recommendations/"+rec.ID)
}

func (s *Server) handleReviewClose(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	id := form.Clean(r.PathValue("id"), 64)
	err := s.store.CloseReview(r.Context(), reqCtx(r).user.ID, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if errors.Is(err, store.ErrNotFound) {
		if _, err := s.store.Recommendation(r.Context(), id); s.storeFailed(w, r, err) {
			return
		}
	}
	s.forgetReviewOpen()
	s.sessions.Put(r.Context(), sessFlash, "review.closed")
	redirect(w, r, "/staff/recommendations/"+id)
}
