package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/hearme-project/hearme/internal/abuse"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
	"github.com/hearme-project/hearme/internal/web/form"
)

// Following the public report by email (issue 13, item 7;
// docs/accountability.md): a public form, no account. The address is
// sealed at once and kept with its lookup hash only; a confirmation
// email with a signed link leads to a page with a button (a mail
// scanner that fetches the link confirms nothing); every digest carries
// a one-click unsubscribe link (RFC 8058) that deletes the address.

// linkKey is the derived key that signs subscription links (pinned
// across key rotations: sealed.DerivePurposes; the literal lets
// TestDerivePurposesListed check it).
func (s *Server) linkKey() []byte { return s.keys.Derive("subscription-links") }

func (s *Server) subscriptionRoutes() []Route {
	return []Route{
		{"GET /report/subscribe", public, s.handleSubscribeForm},
		{"POST /report/subscribe", public, s.handleSubscribe},
		{"GET /report/subscribe/sent", public, s.handleSubscribeSent},
		{"GET /report/subscribe/confirm/{token}", public, s.handleSubscriptionLink(subscription.PurposeConfirm)},
		{"POST /report/subscribe/confirm/{token}", public, s.handleConfirmSubscription},
		{"GET /report/unsubscribe/{token}", public, s.handleSubscriptionLink(subscription.PurposeUnsubscribe)},
		{"POST /report/unsubscribe/{token}", public, s.handleUnsubscribe},
	}
}

type followChoice struct {
	Value, Label string
}

type subscribeForm struct {
	Email, Follow string
}

// followChoices lists what can be followed: the whole report, each
// organisation, each active community.
func (s *Server) followChoices(p *Page) (all followChoice, orgs, communities []followChoice) {
	all = followChoice{string(subscription.ScopeAll), p.T("subscriptions.follow_all")}
	for _, o := range s.programme().Organisations {
		orgs = append(orgs, followChoice{subscription.Follow{Scope: subscription.ScopeOrganisation, Target: o.Slug}.String(), o.Name})
	}
	for _, c := range s.inviteCommunities(p) { // active, without the catch-all "another community"
		communities = append(communities, followChoice{subscription.Follow{Scope: subscription.ScopeCommunity, Target: c.Slug}.String(), c.Name(p.Lang)})
	}
	return all, orgs, communities
}

func (s *Server) subscribePage(r *http.Request, f subscribeForm) *Page {
	p := s.newPage(r)
	p.Form = f
	all, orgs, communities := s.followChoices(p)
	p.Data = struct {
		All             followChoice
		Organisations   []followChoice
		Communities     []followChoice
		Token, Honeypot string
	}{all, orgs, communities, s.forms.Signer().Issue("subscribe"), abuse.HoneypotField}
	return p
}

func (s *Server) handleSubscribeForm(w http.ResponseWriter, r *http.Request) {
	// A link from a community's or an organisation's page chooses it.
	f := subscribeForm{Follow: form.Clean(r.URL.Query().Get("follow"), 100)}
	s.render(w, r, http.StatusOK, "subscribe", s.subscribePage(r, f))
}

func (s *Server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	if err := form.Parse(r); err != nil {
		s.formError(w, r, err)
		return
	}
	f := subscribeForm{Email: form.Value(r, "email", 300), Follow: form.Value(r, "follow", 100)}
	p := s.subscribePage(r, f)
	all, orgs, communities := s.followChoices(p)
	choices := []string{all.Value}
	for _, c := range append(orgs, communities...) {
		choices = append(choices, c.Value)
	}
	req := subscription.Request{Email: f.Email, Follow: f.Follow, Lang: reqCtx(r).lang}
	p.Errors = req.Validate(choices)
	if len(p.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "subscribe", p)
		return
	}
	if !s.guardPublicForm(w, r, publicForm{"subscribe", "subscribe", func() *Page { return s.subscribePage(r, f) }, "/report/subscribe/sent", nil}) {
		return
	}
	follow, _ := subscription.ParseFollow(req.Follow)
	sealedEmail, err := s.keys.Seal(req.Email)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	label := s.followLabel(p, follow)
	_, err = s.store.Subscribe(r.Context(), store.NewSubscription{ID: store.NewID(), Email: req.Email, EmailSealed: sealedEmail, Lang: req.Lang, Follow: follow},
		func(id string) (mail.Queued, error) {
			link := s.subscriptionURL(subscription.PurposeConfirm, id, req.Lang)
			return s.mail.Compose(req.Lang, req.Email, "subscription_confirm", struct{ Follow, URL string }{label, link})
		})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// The same page whether the address was new, waiting or already
	// following: it tells nobody whether an address subscribes.
	redirect(w, r, "/report/subscribe/sent")
}

func (s *Server) handleSubscribeSent(w http.ResponseWriter, r *http.Request) {
	s.renderStatic(w, r, "subscribe_sent", func(p *Page) {})
}

// subscriptionURL is the absolute signed link of purpose for a
// subscription, opening in its language.
func (s *Server) subscriptionURL(purpose, id, lang string) string {
	tok := subscription.Token(s.linkKey(), purpose, id)
	return s.cfg.PublicURL() + subscription.Path(purpose, tok) + "?lang=" + url.QueryEscape(lang)
}

func (s *Server) followLabel(p *Page, f subscription.Follow) string {
	return subscription.Label(f, p.T, s.orgName, func(slug string) string {
		for _, c := range s.programme().Communities {
			if c.Slug == slug {
				return c.Name(p.Lang)
			}
		}
		return slug
	})
}

// linkPage is what a confirmation or unsubscribe link shows: a question
// with its button, or the outcome.
type linkPage struct {
	Title, Body, Button, Action string
	Again                       bool // offer to follow again
}

// subscriptionLink reads the subscription a link names. ok is false
// (and a 404 answered) for a link that is not ours; sub is nil when the
// subscription no longer exists.
func (s *Server) subscriptionLink(w http.ResponseWriter, r *http.Request, purpose string) (*subscription.Subscription, string, bool) {
	id, ok := subscription.Verify(s.linkKey(), purpose, r.PathValue("token"))
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return nil, "", false
	}
	sub, err := s.store.Subscription(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, id, true
	}
	if s.storeFailed(w, r, err) {
		return nil, id, false
	}
	return &sub, id, true
}

func (s *Server) renderLink(w http.ResponseWriter, r *http.Request, status int, lp linkPage) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := s.newPage(r)
	p.Data = lp
	s.render(w, r, status, "subscribe_link", p)
}

// handleSubscriptionLink answers a GET of a confirmation or unsubscribe
// link: a page with a button that posts back to the same address, so a
// mail scanner or browser prefetch that fetches the link changes nothing.
// A link used before says so.
func (s *Server) handleSubscriptionLink(purpose string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sub, _, ok := s.subscriptionLink(w, r, purpose)
		if !ok {
			return
		}
		p := s.newPage(r)
		switch {
		case purpose == subscription.PurposeConfirm && sub == nil:
			s.renderLink(w, r, http.StatusGone, linkPage{Title: p.T("subscriptions.link_gone_title"), Body: p.T("subscriptions.link_gone_body"), Again: true})
		case purpose == subscription.PurposeConfirm && sub.ConfirmedAt != nil:
			s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.already_confirmed_title"),
				Body: p.T("subscriptions.already_confirmed_body", "Follow", s.followLabel(p, sub.Follow))})
		case purpose == subscription.PurposeConfirm:
			s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.confirm_title"),
				Body: p.T("subscriptions.confirm_body", "Follow", s.followLabel(p, sub.Follow)), Button: p.T("subscriptions.confirm_button"), Action: r.URL.Path + "?lang=" + p.Lang})
		case sub == nil:
			s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.already_unsubscribed_title"), Body: p.T("subscriptions.already_unsubscribed_body"), Again: true})
		default:
			s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.unsubscribe_title"),
				Body: p.T("subscriptions.unsubscribe_body", "Follow", s.followLabel(p, sub.Follow)), Button: p.T("subscriptions.unsubscribe_button"), Action: r.URL.Path + "?lang=" + p.Lang})
		}
	}
}

func (s *Server) handleConfirmSubscription(w http.ResponseWriter, r *http.Request) {
	sub, id, ok := s.subscriptionLink(w, r, subscription.PurposeConfirm)
	if !ok {
		return
	}
	p := s.newPage(r)
	var label string
	if sub != nil {
		label = s.followLabel(p, sub.Follow)
	}
	switch err := s.store.ConfirmSubscription(r.Context(), id); {
	case err == nil:
		s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.confirmed_title"), Body: p.T("subscriptions.confirmed_body", "Follow", label)})
	case errors.Is(err, store.ErrAlreadyConfirmed):
		s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.already_confirmed_title"), Body: p.T("subscriptions.already_confirmed_body", "Follow", label)})
	case errors.Is(err, store.ErrNotFound):
		s.renderLink(w, r, http.StatusGone, linkPage{Title: p.T("subscriptions.link_gone_title"), Body: p.T("subscriptions.link_gone_body"), Again: true})
	default:
		s.serverError(w, r, err)
	}
}

// handleUnsubscribe deletes the subscription: from the page's button, or
// from a mail program's one-click POST (RFC 8058: body
// "List-Unsubscribe=One-Click", no cookies, no form token). A link used
// twice says the address was deleted the first time.
func (s *Server) handleUnsubscribe(w http.ResponseWriter, r *http.Request) {
	id, ok := subscription.Verify(s.linkKey(), subscription.PurposeUnsubscribe, r.PathValue("token"))
	if !ok {
		s.errorPage(w, r, http.StatusNotFound)
		return
	}
	p := s.newPage(r)
	switch err := s.store.Unsubscribe(r.Context(), id); {
	case err == nil:
		s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.unsubscribed_title"), Body: p.T("subscriptions.unsubscribed_body"), Again: true})
	case errors.Is(err, store.ErrNotFound):
		s.renderLink(w, r, http.StatusOK, linkPage{Title: p.T("subscriptions.already_unsubscribed_title"), Body: p.T("subscriptions.already_unsubscribed_body"), Again: true})
	default:
		s.serverError(w, r, err)
	}
}
