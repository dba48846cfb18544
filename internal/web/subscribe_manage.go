package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
	"github.com/hearme-project/hearme/internal/web/form"
)

// The manage page a digest links to (issue 13, item 7): a subscriber
// changes the language of their emails or what they follow without
// unsubscribing and starting again. No account: the link carries a
// signed token of its own purpose (subscription.PurposeManage), like the
// unsubscribe link, and nothing else that names anyone; the page is a
// public form (time token, honeypot, rate limit) and works without
// JavaScript. A change is audited (store.ChangeSubscription).

func (s *Server) subscriptionManageRoutes() []Route {
	return []Route{
		{"GET /report/subscribe/manage/{token}", public, s.handleManageSubscriptionForm},
		{"POST /report/subscribe/manage/{token}", public, s.handleManageSubscription},
	}
}

// manageForm is the manage page's answers.
type manageForm struct {
	Follow, Language string
}

type manageLanguage struct {
	Code, NativeName, Dir string
}

// managePage builds the manage page for a subscription with the answers f.
func (s *Server) managePage(r *http.Request, sub *subscription.Subscription, f manageForm, saved bool) *Page {
	p := s.newPage(r)
	p.Form = f
	all, orgs, communities := s.followChoices(p)
	var langs []manageLanguage
	for _, l := range s.programme().Languages {
		langs = append(langs, manageLanguage{l.Code, l.NativeName, l.Dir()})
	}
	unsub := subscription.Path(subscription.PurposeUnsubscribe, subscription.Token(s.linkKey(), subscription.PurposeUnsubscribe, sub.ID)) + "?lang=" + url.QueryEscape(p.Lang)
	p.Data = struct {
		All                 followChoice
		Organisations       []followChoice
		Communities         []followChoice
		Languages           []manageLanguage
		Current             string // what the subscription follows now, named
		Action, Unsubscribe string
		Saved               bool
		Token, Honeypot     string
	}{all, orgs, communities, langs, s.followLabel(p, sub.Follow), r.URL.Path + "?lang=" + url.QueryEscape(p.Lang), unsub, saved,
		s.forms.Signer().Issue("subscribe-manage"), abuse.HoneypotField}
	return p
}

// manageChoices lists the values the manage form offers: what can be
// followed and the programme's languages.
func (s *Server) manageChoices(p *Page) (follows, langs []string) {
	all, orgs, communities := s.followChoices(p)
	follows = []string{all.Value}
	for _, c := range append(orgs, communities...) {
		follows = append(follows, c.Value)
	}
	for _, l := range s.programme().Languages {
		langs = append(langs, l.Code)
	}
	return follows, langs
}

// manageHeaders keep the page, whose address holds the token, out of
// caches and out of other sites' Referer headers.
func manageHeaders(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
}

// manageLink reads the subscription the link names: a link that is not
// ours is not found; one whose subscription is gone (unsubscribed)
// says so. ok is false when the request has been answered.
func (s *Server) manageLink(w http.ResponseWriter, r *http.Request) (*subscription.Subscription, bool) {
	sub, _, ok := s.subscriptionLink(w, r, subscription.PurposeManage)
	if !ok {
		return nil, false
	}
	if sub == nil {
		p := s.newPage(r)
		s.renderLink(w, r, http.StatusGone, linkPage{Title: p.T("subscriptions.already_unsubscribed_title"), Body: p.T("subscriptions.manage_gone_body"), Again: true})
		return nil, false
	}
	return sub, true
}

func (s *Server) handleManageSubscriptionForm(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.manageLink(w, r)
	if !ok {
		return
	}
	lang := sub.Lang
	if lang == "" {
		lang = "en"
	}
	manageHeaders(w)
	p := s.managePage(r, sub, manageForm{Follow: sub.Follow.String(), Language: lang}, r.URL.Query().Get("saved") == "1")
	s.render(w, r, http.StatusOK, "subscribe_manage", p)
}

func (s *Server) handleManageSubscription(w http.ResponseWriter, r *http.Request) {
	sub, ok := s.manageLink(w, r)
	if !ok {
		return
	}
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	manageHeaders(w)
	f := manageForm{Follow: form.Value(r, "follow", 100), Language: form.Value(r, "language", 20)}
	p := s.managePage(r, sub, f, false)
	follows, langs := s.manageChoices(p)
	p.Errors = subscription.Choices{Follow: f.Follow, Lang: f.Language}.Validate(follows, langs)
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe_manage", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"subscribe-manage", "subscribe_manage", func() *Page { return s.managePage(r, sub, f, false) }, r.URL.Path, nil}) {
		return
	}
	follow, _ := subscription.ParseFollow(f.Follow)
	switch err := s.store.ChangeSubscription(r.Context(), sub.ID, f.Language, follow); {
	case err == nil:
		// The page again in the language chosen, saying it is saved.
		redirect(w, r, r.URL.Path+"?lang="+url.QueryEscape(f.Language)+"&saved=1")
	case errors.Is(err, store.ErrAlreadyFollowing):
		p := s.managePage(r, sub, f, false)
		p.Errors.Add("follow", "subscriptions.error.already_following")
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe_manage", p)
	case errors.Is(err, store.ErrNotFound):
		p := s.newPage(r)
		s.renderLink(w, r, http.StatusGone, linkPage{Title: p.T("subscriptions.already_unsubscribed_title"), Body: p.T("subscriptions.manage_gone_body"), Again: true})
	default:
		s.serverError(w, r, err)
	}
}
