package abuse

import "errors"

// Verdict is Guard's decision about one submission of a public form.
//
// How the web layer should respond to each:
//
//	Allow          Store the submission; show the normal confirmation.
//
//	ReshowTooFast  Store nothing. Re-show the form with 200 OK, every
//	               answer kept, a fresh token, and a short, neutral
//	               message ("Please check your answers and send the form
//	               again"). Real people land here only rarely (autofill
//	               plus an instant click), so the message must not accuse.
//
//	ReshowExpired  Store nothing. Re-show the form with 200 OK, every
//	               answer kept, a fresh token, and a clear message ("This
//	               page was open for a long time, so for your security
//	               please send it again — your answers are still here").
//	               Covers missing, invalid and expired tokens: for someone
//	               who left the form open for hours it is the friendly
//	               path, and for a forger it costs a page render.
//
//	BlockSilently  Store nothing, log only the verdict (never the address
//	               or the answers), and show the same generic page whatever
//	               the cause, with 200 OK (not 429: a status code would tell
//	               a bot which check fired). Causes: the honeypot was
//	               filled in, the address is over its rate limit, or the
//	               token was already used (a double click or a replay —
//	               the first copy was stored). Because a person can get
//	               here too (a double click; many residents at one
//	               library's Wi-Fi), word the page so it is true for them:
//	               "Thank you. If you have just sent us something it has
//	               reached us; if it did not go through, please try again
//	               later or contact us", with the council's phone number.
//
// Never show different pages for the BlockSilently causes, and never
// reveal the honeypot or the limits.
type Verdict int

const (
	// Allow: accept and store the submission.
	Allow Verdict = iota
	// ReshowTooFast: re-show the form, answers kept (submitted sooner
	// than the signer's minimum age).
	ReshowTooFast
	// ReshowExpired: re-show the form, answers kept, with a message
	// (token missing, invalid, for another form, or expired).
	ReshowExpired
	// BlockSilently: store nothing and show the generic page (honeypot
	// tripped, rate limit reached, or token already used).
	BlockSilently
)

func (v Verdict) String() string {
	switch v {
	case Allow:
		return "allow"
	case ReshowTooFast:
		return "reshow-too-fast"
	case ReshowExpired:
		return "reshow-expired"
	case BlockSilently:
		return "block-silently"
	}
	return "verdict(?)"
}

// Guard composes the token, honeypot and rate limit checks for a public
// form handler. Safe for concurrent use; build one per process and share
// it between handlers.
//
//	g := abuse.NewGuard(signer, limiter, abuse.NewSeen(0))
//	// GET:  data.FormToken = signer.Issue("share")
//	// POST: switch g.Check("share", r.PostFormValue(abuse.TokenField),
//	//               r.PostFormValue(abuse.HoneypotField), clientIP) { ... }
type Guard struct {
	signer  *Signer
	limiter *Limiter
	seen    *Seen
}

// NewGuard returns a Guard. signer is required. With a nil limiter no rate
// limit is applied; with a nil seen, final submits are not single use.
func NewGuard(signer *Signer, limiter *Limiter, seen *Seen) *Guard {
	if signer == nil {
		panic("abuse: NewGuard: nil signer")
	}
	return &Guard{signer: signer, limiter: limiter, seen: seen}
}

// Signer returns the guard's signer, for issuing tokens when rendering.
func (g *Guard) Signer() *Signer { return g.signer }

// Check decides on the final submission of form, where token is the
// submitted TokenField, honeypot the submitted HoneypotField and ip the
// client address. In order:
//
//  1. Every submission costs one unit of the address's rate limit for
//     form, whatever its outcome, so a bot that keeps re-posting with a
//     stale token or too fast is soon blocked too. Over the limit:
//     BlockSilently.
//  2. Honeypot filled in: BlockSilently.
//  3. Token: missing, invalid, other form or expired: ReshowExpired; too
//     fast: ReshowTooFast; already used: BlockSilently. Otherwise the token
//     is recorded as used (if the guard has a Seen set) and the verdict is
//     Allow.
//
// Call Check only once per request, and only for the step that stores
// anything; use CheckStep for the earlier steps of a multi-step form.
func (g *Guard) Check(form, token, honeypot, ip string) Verdict {
	return g.CheckIn(form, []string{form}, token, honeypot, ip)
}

// CheckIn is Check with the rate limit taken from each of buckets
// instead of form's own: for example a registration spends one unit of
// the address's bucket for that event and one of its bucket for all
// events, so that a venue's shared address can register a hall full of
// people for one event while a script flooding every event is still
// stopped. Every bucket is spent, whatever the outcome.
func (g *Guard) CheckIn(form string, buckets []string, token, honeypot, ip string) Verdict {
	v, _ := g.CheckInReplay(form, buckets, token, honeypot, ip)
	return v
}

// CheckInReplay is CheckIn that also reports when the only reason for
// BlockSilently is that the token was already used (the form sent twice,
// usually a double click), for a page that must tell a person what
// became of the first copy rather than that nothing was taken. A tripped
// honeypot or a spent limit never reports a replay.
func (g *Guard) CheckInReplay(form string, buckets []string, token, honeypot, ip string) (Verdict, bool) {
	allowed := true
	if g.limiter != nil {
		for _, b := range buckets {
			allowed = g.limiter.Allow(b, ip) && allowed
		}
	}
	if !allowed || Tripped(honeypot) {
		return BlockSilently, false
	}
	err := g.signer.CheckOnce(token, form, g.seen)
	return verdictFor(err), errors.Is(err, ErrTokenReplayed)
}

// CheckStep decides on an intermediate step of a multi-step form, which
// stores nothing: the honeypot and the token are checked, but the token is
// not consumed (the same token is carried through every step and consumed
// by Check on the final submit) and no rate limit is spent. A token already
// consumed by Check yields BlockSilently here too.
func (g *Guard) CheckStep(form, token, honeypot string) Verdict {
	if Tripped(honeypot) {
		return BlockSilently
	}
	if err := g.signer.Check(token, form); err != nil {
		return verdictFor(err)
	}
	if g.signer.used(token, g.seen) {
		return BlockSilently
	}
	return Allow
}

func verdictFor(err error) Verdict {
	switch {
	case err == nil:
		return Allow
	case errors.Is(err, ErrTooFast):
		return ReshowTooFast
	case errors.Is(err, ErrTokenReplayed):
		return BlockSilently
	default: // ErrTokenMissing, ErrTokenInvalid, ErrTokenExpired
		return ReshowExpired
	}
}
