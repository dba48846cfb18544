// Package subscription holds the rules of following the public report by
// email (issue 13, item 7): what a subscription follows (the whole
// report, one stakeholder organisation or one community), the form's
// rule, the signed links of the confirmation and unsubscribe emails, and
// which published changes go into whose digest. No net/http, no store.
//
// A subscription is double opt-in: it is stored unconfirmed, a
// confirmation email carries a signed link, and only a confirmed
// subscription receives digests. Every digest carries a one-click
// unsubscribe link (RFC 8058); unsubscribing deletes the address at once,
// and an unconfirmed one is deleted after seven days (retention). Digests
// link to the report and carry no quotes: a quote withdrawn later could
// not be recalled from an inbox.
package subscription

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Scope is what a subscription follows.
type Scope string

const (
	ScopeAll          Scope = "all"          // the whole report
	ScopeOrganisation Scope = "organisation" // one stakeholder organisation (Target: its slug)
	ScopeCommunity    Scope = "community"    // one community (Target: its slug)
)

// Follow is what a subscription follows, as the form's one choice
// writes it: "all", "organisation/<slug>" or "community/<slug>".
type Follow struct {
	Scope  Scope
	Target string
}

// ParseFollow reads a choice of the form; ok is false for anything else.
func ParseFollow(s string) (Follow, bool) {
	if s == string(ScopeAll) {
		return Follow{Scope: ScopeAll}, true
	}
	scope, target, found := strings.Cut(s, "/")
	if !found || target == "" || len(target) > 80 {
		return Follow{}, false
	}
	switch Scope(scope) {
	case ScopeOrganisation, ScopeCommunity:
		return Follow{Scope: Scope(scope), Target: target}, true
	}
	return Follow{}, false
}

// String is the form's value for f.
func (f Follow) String() string {
	if f.Scope == ScopeAll || f.Scope == "" {
		return string(f.Scope)
	}
	return string(f.Scope) + "/" + f.Target
}

// UnconfirmedFor is how long an unconfirmed subscription (and so its
// address) is kept: the confirmation link stops working with it.
const UnconfirmedFor = 7 * 24 * time.Hour

// Request is what the subscribe form asks.
type Request struct {
	Email  string
	Follow string // as posted: Follow.String()
	Lang   string
}

// Validate checks the request in the order the page shows its fields:
// what to follow (one of choices, the Follow.String of each offered),
// then the email address (contact.ValidEmail). It normalises the address
// (trimmed, lower case).
func (r *Request) Validate(choices []string) field.Errors {
	var errs field.Errors
	if r.Follow == "" {
		errs.Add("follow", "subscriptions.error.follow_required")
	} else if _, ok := ParseFollow(r.Follow); !ok || !slices.Contains(choices, r.Follow) {
		errs.Add("follow", "subscriptions.error.follow_required")
	}
	email := strings.TrimSpace(r.Email)
	switch {
	case email == "":
		errs.Add("email", "subscriptions.error.email_required")
	case len(email) > contact.MaxEmail:
		errs.Add("email", "subscriptions.error.email_too_long", "Max", contact.MaxEmail)
	default:
		norm, ok := contact.NormaliseEmail(email)
		if !ok {
			errs.Add("email", "subscriptions.error.email_invalid")
		} else {
			r.Email = norm
		}
	}
	return errs
}

// Link purposes: a confirmation link and an unsubscribe link for the same
// subscription are different tokens.
const (
	PurposeConfirm     = "confirm"
	PurposeUnsubscribe = "unsubscribe"
	PurposeManage      = "manage" // a digest's link to change the language or what is followed
)

// Token signs a link for a subscription: "<id>.<mac>", the MAC an
// HMAC-SHA-256 under key (a derived key pinned across key rotations) of
// the purpose and the id. It names no person: the id is a random UUID.
// A link is checked by Verify without any stored secret, so a link used
// twice (the subscription already confirmed, or already deleted) can be
// told from a forged one and answered clearly.
func Token(key []byte, purpose, id string) string {
	return id + "." + mac(key, purpose, id)
}

func mac(key []byte, purpose, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("subscription-" + purpose + ":" + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// Verify returns the subscription id a token was signed for, or ok false
// for a token that is not one of ours.
func Verify(key []byte, purpose, token string) (id string, ok bool) {
	if len(token) > 100 {
		return "", false
	}
	id, sig, found := strings.Cut(token, ".")
	if !found || id == "" || sig == "" || strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'f')
	}) {
		return "", false
	}
	if !hmac.Equal([]byte(sig), []byte(mac(key, purpose, id))) {
		return "", false
	}
	return id, true
}

// Subscription is one stored subscription (the address stays sealed).
type Subscription struct {
	ID          string
	EmailSealed string
	Lang        string
	Follow      Follow
	CreatedAt   time.Time
	ConfirmedAt *time.Time
}

// Kinds of change a digest lists.
const (
	ChangeRecommendation = "recommendation" // a recommendation was published
	ChangeResponse       = "response"       // an organisation answered one (or changed its answer)
	ChangeUpdate         = "update"         // a public progress update on a commitment
)

// Change is one published change to the report: what a digest lists. It
// holds no free text that a resident wrote (no quote, no update's words):
// a reference, the recommendation's title, the organisation, a status,
// and where on the report to read it.
type Change struct {
	Kind             string
	At               time.Time // when it became public
	Reference        string    // of the recommendation, or of the commitment for an update
	RecommendationID string
	Organisation     string   // slug: the one that answered or updated ("" for a recommendation)
	Organisations    []string // a recommendation's addressees (for matching)
	Communities      []string // communities whose stories are in its frozen evidence
	Decision         string   // a response's: accepted, partly-accepted, not-accepted
	Status           string   // an update's status
	Progress         int      // an update's progress
}

// Matches reports whether a subscription that follows f is told of c.
func (f Follow) Matches(c Change) bool {
	switch f.Scope {
	case ScopeAll:
		return true
	case ScopeOrganisation:
		return c.Organisation == f.Target || slices.Contains(c.Organisations, f.Target)
	case ScopeCommunity:
		return slices.Contains(c.Communities, f.Target)
	}
	return false
}

// For lists the changes a subscription following f is told of, in order.
func For(f Follow, changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		if f.Matches(c) {
			out = append(out, c)
		}
	}
	return out
}

// Every is how often a digest is sent: one email a week at most to each
// subscriber, however many changes, never one per change.
const Every = 7 * 24 * time.Hour

// Due reports whether a new digest run should start at now, given when
// the last one covered changes until (zero: there has been none).
func Due(lastUntil, now time.Time) bool {
	return lastUntil.IsZero() || !now.Before(lastUntil.Add(Every))
}

// Label names what f follows in a reader's language: t translates
// (subscriptions.what_all), orgName and communityName name a slug.
func Label(f Follow, t func(key string, pairs ...any) string, orgName, communityName func(slug string) string) string {
	switch f.Scope {
	case ScopeOrganisation:
		return orgName(f.Target)
	case ScopeCommunity:
		return t("subscriptions.what_community", "Name", communityName(f.Target))
	}
	return t("subscriptions.what_all")
}

// Path is where a signed link of purpose leads on the site.
func Path(purpose, token string) string {
	switch purpose {
	case PurposeUnsubscribe:
		return "/report/unsubscribe/" + token
	case PurposeManage:
		return "/report/subscribe/manage/" + token
	}
	return "/report/subscribe/confirm/" + token
}

// Choices is what a subscriber asks to change on the manage page (a
// digest's manage link): what they follow and the language of their
// emails.
type Choices struct {
	Follow string // as posted: Follow.String()
	Lang   string // a programme language's code
}

// Validate checks the choices in the order the page shows them: what to
// follow (one of follows, the Follow.String of each offered), then the
// language (one of langs, the programme's languages).
func (c Choices) Validate(follows, langs []string) field.Errors {
	var errs field.Errors
	if _, ok := ParseFollow(c.Follow); !ok || !slices.Contains(follows, c.Follow) {
		errs.Add("follow", "subscriptions.error.follow_required")
	}
	if c.Lang == "" || !slices.Contains(langs, c.Lang) {
		errs.Add("language", "subscriptions.error.language_required")
	}
	return errs
}
