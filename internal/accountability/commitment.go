package accountability

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
	"github.com/hearme-project/hearme/internal/workdays"
)

// The second part of the Account step: each organisation a published
// recommendation is addressed to answers it (a Response), turns what it
// accepts into Commitments ("We will ..."), and reports progress on each
// (Updates). An Update that claims a change was planned or made is
// public only once a connector has reviewed it.
//
// Dates here (a commitment's due date, an update's date, a response's
// deadline) are calendar dates: a time.Time at midnight UTC, as
// workdays returns them. Day turns a moment into the date it falls on in
// the programme's time zone.

// Decision is an organisation's answer to a recommendation.
type Decision string

const (
	Accepted       Decision = "accepted"
	PartlyAccepted Decision = "partly-accepted"
	NotAccepted    Decision = "not-accepted"
)

// Decisions lists the answers in the order the form offers them.
var Decisions = []Decision{Accepted, PartlyAccepted, NotAccepted}

// Commits reports whether the decision leads to commitments.
func (d Decision) Commits() bool { return d == Accepted || d == PartlyAccepted }

// Limits of the texts of this part, in characters.
const (
	MaxReasons     = 4000
	MaxCommitment  = 1000
	MaxOwnerRole   = 120
	MaxUpdateText  = 2000
	MaxWhatChanged = 2000
	MaxEvidenceURL = 500
	MaxQuestion    = 1000
	MaxNote        = 2000
	MaxWeight      = 100
)

// Errors of the rules the store enforces inside its transactions.
var (
	// ErrNotAddressed: the recommendation is not published, or not
	// addressed to the organisation that tries to answer it.
	ErrNotAddressed = errors.New("accountability: the recommendation is not addressed to this organisation")
	// ErrNotAccepted: a commitment for a recommendation its organisation
	// has not accepted, even in part.
	ErrNotAccepted = errors.New("accountability: the organisation has not accepted the recommendation")
	// ErrDropped: an update or a change to a commitment the organisation
	// has said it is not doing (or has done).
	ErrDropped = errors.New("accountability: the commitment is closed")
	// ErrNotPending: a review of an update that is not waiting for one.
	ErrNotPending = errors.New("accountability: the update is not waiting for review")
)

// Response is one organisation's answer to one recommendation.
type Response struct {
	ID, RecommendationID string
	Organisation         string // the programme organisation's slug
	Decision             Decision
	Reasons              string
	Version              int
	RespondedBy          string
	RespondedAt          time.Time
	// Translations of the reasons (translation.go).
	Translations []TextTranslation
}

// Validate checks a response in page order. Reasons are required unless
// the recommendation is accepted in full.
func (r *Response) Validate() field.Errors {
	var errs field.Errors
	r.Reasons = strings.TrimSpace(r.Reasons)
	if !slices.Contains(Decisions, r.Decision) {
		errs.Add("decision", "accountability.error_decision")
	}
	checkText(&errs, "reasons", r.Reasons, MaxReasons, r.Decision != Accepted)
	return errs
}

// StatusKind is what a commitment status means to the report: the
// configured statuses each have one.
type StatusKind string

const (
	KindPlanned StatusKind = "planned" // not started
	KindActive  StatusKind = "active"  // under way, on track
	KindLate    StatusKind = "late"    // delayed
	KindDone    StatusKind = "done"    // done
	KindDropped StatusKind = "dropped" // not doing, with the reason
	kindUnknown StatusKind = "unknown" // a status no longer configured
)

var kinds = []StatusKind{KindPlanned, KindActive, KindLate, KindDone, KindDropped}

// Closed reports whether a commitment in this kind of status takes no
// more updates.
func (k StatusKind) Closed() bool { return k == KindDone || k == KindDropped }

// CommitmentStatus is one configured commitment status: its slug (the label is the
// translation "accountability.cstatus_<slug>") and what it means.
type CommitmentStatus struct {
	Slug string
	Kind StatusKind
}

// Policy is the programme's configuration of this part.
type Policy struct {
	// ResponseDays is how many working days an organisation has to
	// answer a recommendation from its publication (default 20, as
	// Healthwatch reports require).
	ResponseDays int
	// UpdateDays is how many working days may pass between updates on
	// an open commitment before one is due (default 20).
	UpdateDays int
	// RemindBefore is how many working days before a deadline the "due"
	// reminder is sent (default 5).
	RemindBefore int
	// Statuses are the statuses an update may give, in the form's order.
	Statuses []CommitmentStatus
}

// DefaultStatuses are planned, in progress, delayed, done, not doing.
var DefaultStatuses = []CommitmentStatus{{"planned", KindPlanned}, {"in-progress", KindActive}, {"delayed", KindLate}, {"done", KindDone}, {"not-doing", KindDropped}}

// DefaultPolicy is the policy with every default.
func DefaultPolicy() Policy {
	return Policy{ResponseDays: 20, UpdateDays: 20, RemindBefore: 5, Statuses: slices.Clone(DefaultStatuses)}
}

// WithDefaults fills the zero fields of p.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy()
	if p.ResponseDays <= 0 {
		p.ResponseDays = d.ResponseDays
	}
	if p.UpdateDays <= 0 {
		p.UpdateDays = d.UpdateDays
	}
	if p.RemindBefore <= 0 {
		p.RemindBefore = d.RemindBefore
	}
	if len(p.Statuses) == 0 {
		p.Statuses = d.Statuses
	}
	return p
}

// ParseStatuses reads a configured list of statuses: comma-separated
// slugs, each one of the defaults' or "slug:kind" for a status of the
// programme's own (kind one of planned, active, late, done, dropped).
// Exactly one status must be planned (the status of a new commitment)
// and at least one dropped (so "not doing" can always be said).
func ParseStatuses(s string) ([]CommitmentStatus, error) {
	var out []CommitmentStatus
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		slug, kind, custom := strings.Cut(part, ":")
		st := CommitmentStatus{Slug: slug, Kind: StatusKind(kind)}
		if !custom {
			i := slices.IndexFunc(DefaultStatuses, func(d CommitmentStatus) bool { return d.Slug == slug })
			if i < 0 {
				return nil, fmt.Errorf("unknown status %q (give it a kind: %s:active)", slug, slug)
			}
			st = DefaultStatuses[i]
		}
		if !validSlug(st.Slug) || !slices.Contains(kinds, st.Kind) {
			return nil, fmt.Errorf("bad status %q", part)
		}
		if slices.ContainsFunc(out, func(o CommitmentStatus) bool { return o.Slug == st.Slug }) {
			return nil, fmt.Errorf("status %q twice", st.Slug)
		}
		out = append(out, st)
	}
	count := func(k StatusKind) int {
		n := 0
		for _, s := range out {
			if s.Kind == k {
				n++
			}
		}
		return n
	}
	if count(KindPlanned) != 1 || count(KindDropped) < 1 {
		return nil, errors.New("statuses need exactly one of kind planned and at least one of kind dropped")
	}
	return out, nil
}

func validSlug(s string) bool {
	if s == "" || len(s) > 30 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// Kind returns what a status means (kindUnknown for one not configured).
func (p Policy) Kind(slug string) StatusKind {
	for _, s := range p.Statuses {
		if s.Slug == slug {
			return s.Kind
		}
	}
	return kindUnknown
}

// Planned is the status of a new commitment.
func (p Policy) Planned() string {
	for _, s := range p.Statuses {
		if s.Kind == KindPlanned {
			return s.Slug
		}
	}
	return "planned"
}

// ResponseDue is the last day of an organisation's answer to a
// recommendation published at published (a date in the programme's
// time zone): ResponseDays working days later.
func (p Policy) ResponseDue(published time.Time) time.Time {
	return workdays.Add(published, p.ResponseDays)
}

// NextUpdateDue is the day the next update on an open commitment is due:
// UpdateDays working days after the last one (or after the commitment was
// made), and never after the commitment's own due date.
func (p Policy) NextUpdateDue(c Commitment) time.Time {
	from := c.CreatedOn
	if !c.LastUpdateOn.IsZero() && c.LastUpdateOn.After(from) {
		from = c.LastUpdateOn
	}
	next := workdays.Add(from, p.UpdateDays)
	if !c.Due.IsZero() && c.Due.Before(next) && c.Due.After(from) {
		next = c.Due
	}
	return next
}

// RemindFrom is the first day of the "due" reminder for a deadline.
func (p Policy) RemindFrom(due time.Time) time.Time { return workdays.Add(due, -p.RemindBefore) }

// Day is the calendar date (midnight UTC) that t falls on in loc.
func Day(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ParseDate reads a YYYY-MM-DD date.
func ParseDate(s string) (time.Time, bool) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	return d, err == nil
}

// Commitment is one thing an organisation says it will do about a
// recommendation it accepted, or a sub-commitment of one (ParentID set;
// one level only). Status and Progress are those of its latest public
// update (planned and 0 before any).
type Commitment struct {
	ID, Reference        string // R-2026-001.2, R-2026-001.2.1 for a sub-commitment
	RecommendationID     string
	Organisation         string
	ParentID             string
	Text                 string // "We will ..."
	OwnerRole            string // "Head of Patient Experience"
	Due                  time.Time
	Weight               int // a sub-commitment's share of its parent's progress
	Status               string
	Kind                 StatusKind
	Progress             int
	Version              int
	CreatedOn            time.Time // the date it was made
	LastUpdateOn         time.Time // the date of its latest public update
	CreatedAt, UpdatedAt time.Time
	// Translations of its words (translation.go).
	Translations []TextTranslation
}

// Validate checks a commitment in page order. A new due date (or a
// changed one) may not be in the past: today is the programme's date.
// oldDue is the due date it had before (zero for a new commitment).
func (c *Commitment) Validate(today, oldDue time.Time, dueText, weightText string) field.Errors {
	var errs field.Errors
	c.Text, c.OwnerRole = strings.TrimSpace(c.Text), strings.TrimSpace(c.OwnerRole)
	checkText(&errs, "commitment", c.Text, MaxCommitment, true)
	checkText(&errs, "owner", c.OwnerRole, MaxOwnerRole, true)
	d, ok := ParseDate(dueText)
	switch {
	case strings.TrimSpace(dueText) == "":
		errs.Add("due", "accountability.error_date_required")
	case !ok:
		errs.Add("due", "accountability.error_date")
	case d.Before(today) && !d.Equal(oldDue):
		errs.Add("due", "accountability.error_date_past")
	case d.Year() > today.Year()+20:
		errs.Add("due", "accountability.error_date")
	default:
		c.Due = d
	}
	c.Weight = 1
	if w := strings.TrimSpace(weightText); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > MaxWeight {
			errs.Add("weight", "accountability.error_weight", "Max", MaxWeight)
		} else {
			c.Weight = n
		}
	}
	return errs
}

// CommitmentReference is the n-th commitment made on a recommendation
// (R-2026-001.3), or the n-th sub-commitment of one (R-2026-001.3.1).
func CommitmentReference(parent string, n int) string { return fmt.Sprintf("%s.%d", parent, n) }

// ValidCommitmentReference reports whether s has the form of a
// commitment's reference.
func ValidCommitmentReference(s string) bool {
	if len(s) > 32 {
		return false
	}
	rec, rest, ok := strings.Cut(s, ".")
	if !ok || !ValidReference(rec) {
		return false
	}
	parts := strings.Split(rest, ".")
	if len(parts) > 2 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || strconv.Itoa(n) != p {
			return false
		}
	}
	return true
}

// Rollup is a commitment's progress with its sub-commitments: their
// progress weighted by their weights (those not being done left out),
// or its own when it has none that count.
func Rollup(c Commitment, subs []Commitment) int {
	total, weights := 0, 0
	for _, s := range subs {
		if s.Kind == KindDropped {
			continue
		}
		total += s.Progress * s.Weight
		weights += s.Weight
	}
	if weights == 0 {
		return c.Progress
	}
	return (total + weights/2) / weights
}

// Overdue reports whether an open commitment is past its due date.
func (c Commitment) Overdue(today time.Time) bool {
	return !c.Kind.Closed() && !c.Due.IsZero() && today.After(c.Due)
}

// OnTrack reports whether an open commitment is neither delayed nor
// overdue.
func (c Commitment) OnTrack(today time.Time) bool {
	return !c.Kind.Closed() && c.Kind != KindLate && !c.Overdue(today)
}

// Claim is what an update says changed.
type Claim string

const (
	ClaimNone    Claim = ""
	ClaimPlanned Claim = "planned" // a change is planned (dated, decided)
	ClaimMade    Claim = "made"    // a change was made
)

// Review is where an update is in its review.
type Review string

const (
	// ReviewNone: no change claimed, public at once.
	ReviewNone Review = "none"
	// ReviewPending: a change claimed, waiting for a connector.
	ReviewPending Review = "pending"
	// ReviewApproved: a change claimed and accepted by a connector; public.
	ReviewApproved Review = "approved"
	// ReviewReturned: sent back with a question; not public.
	ReviewReturned Review = "returned"
)

// Public reports whether an update in this state is on the report.
func (r Review) Public() bool { return r == ReviewNone || r == ReviewApproved }

// Update is one dated progress update on a commitment.
type Update struct {
	ID, CommitmentID string
	On               time.Time // the date it speaks of
	Status           string
	Kind             StatusKind
	Progress         int
	Text             string // what happened
	Reason           string // why not, for a status of kind dropped
	Claim            Claim
	WhatChanged      string // what changed, for a claim
	EvidenceURL      string // a link to evidence of the change (optional)
	Review           Review
	Question         string // a connector's question, when returned
	Answer           string // the organisation's answer to it
	Version          int
	CreatedBy        string
	CreatedAt        time.Time
	ReviewedAt       time.Time
	// Translations of its words (translation.go).
	Translations []TextTranslation
}

// UpdateInput is an update as typed, before it is checked.
type UpdateInput struct {
	Date, Status, Progress, Text, Reason, Claim, WhatChanged, EvidenceURL string
}

// Validate reads an update as typed into u, in page order. The
// commitment must be open; the date neither in the future nor before the
// commitment was made; the status one configured; the progress a whole
// number from 0 to 100; a status of kind dropped needs its reason, a
// claim what changed.
func (in UpdateInput) Validate(p Policy, c Commitment, today time.Time) (Update, field.Errors) {
	var errs field.Errors
	u := Update{CommitmentID: c.ID, Status: strings.TrimSpace(in.Status), Text: strings.TrimSpace(in.Text), Reason: strings.TrimSpace(in.Reason),
		Claim: Claim(strings.TrimSpace(in.Claim)), WhatChanged: strings.TrimSpace(in.WhatChanged), EvidenceURL: strings.TrimSpace(in.EvidenceURL)}
	if c.Kind.Closed() {
		errs.Add("date", "accountability.error_closed")
	}
	d, ok := ParseDate(in.Date)
	switch {
	case strings.TrimSpace(in.Date) == "":
		errs.Add("date", "accountability.error_date_required")
	case !ok:
		errs.Add("date", "accountability.error_date")
	case d.After(today):
		errs.Add("date", "accountability.error_date_future")
	case d.Before(c.CreatedOn):
		errs.Add("date", "accountability.error_date_before_commitment")
	default:
		u.On = d
	}
	u.Kind = p.Kind(u.Status)
	if u.Kind == kindUnknown {
		errs.Add("status", "accountability.error_choice")
	}
	n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Progress), "%")))
	switch {
	case strings.TrimSpace(in.Progress) == "":
		errs.Add("progress", "accountability.error_progress")
	case err != nil || n < 0 || n > 100:
		errs.Add("progress", "accountability.error_progress")
	case u.Kind == KindDone && n != 100:
		errs.Add("progress", "accountability.error_progress_done")
	default:
		u.Progress = n
	}
	checkText(&errs, "text", u.Text, MaxUpdateText, true)
	checkText(&errs, "reason", u.Reason, MaxReasons, u.Kind == KindDropped)
	if u.Kind != KindDropped {
		u.Reason = ""
	}
	switch u.Claim {
	case ClaimNone, ClaimPlanned, ClaimMade:
	default:
		errs.Add("claim", "accountability.error_choice")
	}
	if u.Claim == ClaimNone {
		u.WhatChanged, u.EvidenceURL = "", ""
		u.Review = ReviewNone
	} else {
		u.Review = ReviewPending
	}
	checkText(&errs, "what-changed", u.WhatChanged, MaxWhatChanged, u.Claim != ClaimNone)
	if u.EvidenceURL != "" && !validLink(u.EvidenceURL) {
		errs.Add("evidence-url", "accountability.error_link")
	}
	return u, errs
}

// validLink accepts an absolute http or https address of at most
// MaxEvidenceURL characters.
func validLink(s string) bool {
	if utf8.RuneCountInString(s) > MaxEvidenceURL || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// CheckAnswer checks a returned update's answer to the connector's
// question, with the claim's corrected words and link.
func CheckAnswer(answer, whatChanged, link string) field.Errors {
	var errs field.Errors
	checkText(&errs, "answer", strings.TrimSpace(answer), MaxQuestion, true)
	checkText(&errs, "what-changed", strings.TrimSpace(whatChanged), MaxWhatChanged, true)
	if l := strings.TrimSpace(link); l != "" && !validLink(l) {
		errs.Add("evidence-url", "accountability.error_link")
	}
	return errs
}

// CheckQuestion checks a connector's question when sending an update back.
func CheckQuestion(q string) field.Errors {
	var errs field.Errors
	checkText(&errs, "question", strings.TrimSpace(q), MaxQuestion, true)
	return errs
}

// CheckNote checks a stakeholder's factual-accuracy note on a draft.
func CheckNote(note string) field.Errors {
	var errs field.Errors
	checkText(&errs, "note", strings.TrimSpace(note), MaxNote, true)
	return errs
}

// HistoryEntry is one line of a commitment's public history: a version
// of its words (what it said, from when) or a public update.
type HistoryEntry struct {
	At      time.Time
	Version int         // a version of the commitment (0 for an update)
	Before  *Commitment // the commitment as it was said in that version
	Update  *Update
}

// Note is a stakeholder's factual-accuracy note on a draft shared with
// its organisation.
type Note struct {
	ID, RecommendationID, Organisation, Text, CreatedBy string
	CreatedAt                                           time.Time
}

// PolicyFrom builds the policy from the configuration's values (zero or
// empty: the default), refusing a bad list of statuses.
func PolicyFrom(responseDays, updateDays int, statuses string) (Policy, error) {
	p := Policy{ResponseDays: responseDays, UpdateDays: updateDays}
	if strings.TrimSpace(statuses) != "" {
		list, err := ParseStatuses(statuses)
		if err != nil {
			return p, fmt.Errorf("commitment statuses: %w", err)
		}
		p.Statuses = list
	}
	return p.WithDefaults(), nil
}
