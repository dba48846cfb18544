// Package rights is the log of people's data protection rights requests
// (UK GDPR Articles 15 to 21): what was asked, how and when it arrived,
// when the person's identity was checked, when the answer is due under
// the ICO's one-calendar-month rule, and how it was closed. The
// requester's contact detail is sealed before it reaches the store. No
// HTTP here.
package rights

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// Kind is the right the person is using.
type Kind string

const (
	KindAccess      Kind = "access"      // Article 15
	KindCorrection  Kind = "correction"  // Article 16 (rectification)
	KindErasure     Kind = "erasure"     // Article 17
	KindRestriction Kind = "restriction" // Article 18
	KindObjection   Kind = "objection"   // Article 21
	KindPortability Kind = "portability" // Article 20
)

// Kinds in the order the form offers them.
var Kinds = []Kind{KindAccess, KindCorrection, KindErasure, KindRestriction, KindObjection, KindPortability}

// Channel is how the request arrived. A request is valid however it
// arrives, by word of mouth included (ICO guidance).
type Channel string

const (
	ChannelEmail     Channel = "email"
	ChannelPost      Channel = "post"
	ChannelPhone     Channel = "phone"
	ChannelInPerson  Channel = "in-person"
	ChannelWebsite   Channel = "website"
	ChannelThirdPart Channel = "third-party"
)

// Channels in the order the form offers them.
var Channels = []Channel{ChannelEmail, ChannelPost, ChannelPhone, ChannelInPerson, ChannelWebsite, ChannelThirdPart}

func validKind(k Kind) bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

func validChannel(c Channel) bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

// Limits of the free-text fields, in characters.
const (
	MaxReference = 40
	MaxContact   = 200
	MaxText      = 2000
)

// Field errors are translation keys (locales/rights.*.toml).
var (
	ErrKindMissing       = errors.New("rights.error.kind")
	ErrChannelMissing    = errors.New("rights.error.channel")
	ErrReceivedMissing   = errors.New("rights.error.received_missing")
	ErrDateInvalid       = errors.New("rights.error.date_invalid")
	ErrDateFuture        = errors.New("rights.error.date_future")
	ErrWhoMissing        = errors.New("rights.error.who_missing")
	ErrTooLong           = errors.New("rights.error.too_long")
	ErrIdentityEarly     = errors.New("rights.error.identity_before_received")
	ErrReasonMissing     = errors.New("rights.error.reason_missing")
	ErrExtendTooLate     = errors.New("rights.error.extend_too_late")
	ErrAlreadyExtended   = errors.New("rights.error.already_extended")
	ErrOutcomeMissing    = errors.New("rights.error.outcome_missing")
	ErrAlreadyClosed     = errors.New("rights.error.already_closed")
	ErrClosedBeforeStart = errors.New("rights.error.closed_before_received")
)

// Request is one logged rights request.
type Request struct {
	ID              string
	Kind            Kind
	Channel         Channel
	ReceivedOn      time.Time  // the date it arrived
	Reference       string     // the person's reference code, if they gave one
	ContactSealed   string     // a contact detail, sealed; empty if none
	Notes           string     // what was asked, in staff's words
	IdentityOn      *time.Time // when identity (or clarification) was confirmed
	Extended        bool
	ExtensionReason string
	ExtendedOn      *time.Time
	ClosedOn        *time.Time
	Outcome         string // what was done
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Start is the day the clock starts: the later of receipt and the
// identity or clarification check.
func (r Request) Start() time.Time {
	if r.IdentityOn != nil && r.IdentityOn.After(r.ReceivedOn) {
		return *r.IdentityOn
	}
	return r.ReceivedOn
}

// Due is the date the answer is due (extended if the request was).
func (r Request) Due() time.Time {
	if r.Extended {
		return ExtendedDue(r.Start())
	}
	return DueDate(r.Start())
}

// Overdue reports whether an open request is past its due date on today.
func (r Request) Overdue(today time.Time) bool {
	return r.ClosedOn == nil && dateOf(today).After(r.Due())
}

// DaysLeft is the number of calendar days from today to the due date
// (negative when overdue).
func (r Request) DaysLeft(today time.Time) int {
	return int(r.Due().Sub(dateOf(today)).Hours() / 24)
}

// New is what staff log when a request arrives. Contact is the plain
// contact detail, sealed by the caller after Validate.
type New struct {
	Kind       Kind
	Channel    Channel
	ReceivedOn string // YYYY-MM-DD
	Reference  string
	Contact    string
	Notes      string
	IdentityOn string // YYYY-MM-DD, optional

	Received, Identity time.Time // parsed by Validate
}

// Validate checks a new request in the form's order: kind, channel,
// received date, reference or contact, notes, identity date. today is
// the programme's current date: no date may be later.
func (n *New) Validate(today time.Time) field.Errors {
	var errs field.Errors
	if !validKind(n.Kind) {
		errs.Add("kind", ErrKindMissing.Error())
	}
	if !validChannel(n.Channel) {
		errs.Add("channel", ErrChannelMissing.Error())
	}
	n.Received = checkDate(&errs, "received", n.ReceivedOn, true, today)
	n.Reference = strings.ToUpper(strings.TrimSpace(n.Reference))
	n.Contact = strings.TrimSpace(n.Contact)
	switch {
	case n.Reference == "" && n.Contact == "":
		errs.Add("reference", ErrWhoMissing.Error())
	case utf8.RuneCountInString(n.Reference) > MaxReference:
		errs.Add("reference", ErrTooLong.Error())
	}
	if utf8.RuneCountInString(n.Contact) > MaxContact {
		errs.Add("contact", ErrTooLong.Error())
	}
	n.Notes = strings.TrimSpace(n.Notes)
	if utf8.RuneCountInString(n.Notes) > MaxText {
		errs.Add("notes", ErrTooLong.Error())
	}
	n.Identity = checkDate(&errs, "identity", n.IdentityOn, false, today)
	if !n.Identity.IsZero() && !n.Received.IsZero() && n.Identity.Before(n.Received) {
		errs.Add("identity", ErrIdentityEarly.Error())
	}
	return errs
}

// checkDate parses a YYYY-MM-DD date that may not be after today.
func checkDate(errs *field.Errors, id, s string, required bool, today time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			errs.Add(id, ErrReceivedMissing.Error())
		}
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		errs.Add(id, ErrDateInvalid.Error())
		return time.Time{}
	}
	if d.After(dateOf(today)) {
		errs.Add(id, ErrDateFuture.Error())
		return time.Time{}
	}
	return d
}

// CheckIdentity validates the date identity was confirmed for r.
func CheckIdentity(r Request, on string, today time.Time) (time.Time, field.Errors) {
	var errs field.Errors
	d := checkDate(&errs, "identity", on, true, today)
	if !d.IsZero() && d.Before(r.ReceivedOn) {
		errs.Add("identity", ErrIdentityEarly.Error())
	}
	if r.ClosedOn != nil {
		errs.Add("identity", ErrAlreadyClosed.Error())
	}
	return d, errs
}

// CheckExtension says whether r may be extended on today with reason:
// only once, only while open, only within the first month (on or before
// the original due date), and with a reason the person will be told.
func CheckExtension(r Request, reason string, today time.Time) field.Errors {
	var errs field.Errors
	reason = strings.TrimSpace(reason)
	switch {
	case r.ClosedOn != nil:
		errs.Add("reason", ErrAlreadyClosed.Error())
	case r.Extended:
		errs.Add("reason", ErrAlreadyExtended.Error())
	case dateOf(today).After(DueDate(r.Start())):
		errs.Add("reason", ErrExtendTooLate.Error())
	case reason == "":
		errs.Add("reason", ErrReasonMissing.Error())
	case utf8.RuneCountInString(reason) > MaxText:
		errs.Add("reason", ErrTooLong.Error())
	}
	return errs
}

// CheckClose validates closing r on a date with what was done.
func CheckClose(r Request, on, outcome string, today time.Time) (time.Time, field.Errors) {
	var errs field.Errors
	d := checkDate(&errs, "closed", on, true, today)
	if !d.IsZero() && d.Before(r.ReceivedOn) {
		errs.Add("closed", ErrClosedBeforeStart.Error())
	}
	outcome = strings.TrimSpace(outcome)
	switch {
	case r.ClosedOn != nil:
		errs.Add("outcome", ErrAlreadyClosed.Error())
	case outcome == "":
		errs.Add("outcome", ErrOutcomeMissing.Error())
	case utf8.RuneCountInString(outcome) > MaxText:
		errs.Add("outcome", ErrTooLong.Error())
	}
	return d, errs
}

// ErrOpenRegistration refuses an erasure while the person holds a place
// (confirmed or waiting) at an event not yet over: erasing it silently
// would leave them expecting a place the programme no longer knows of,
// and the notice of a cancellation needs the address erasure removes.
// Cancel the place first (the person is told), then erase.
var ErrOpenRegistration = errors.New("rights.error.open_registration")

// ErrNothingFound means a rights action found nothing to act on.
var ErrNothingFound = errors.New("rights.error.nothing_found")

// ErrPackGone means a response pack was already downloaded, has expired,
// or was prepared by someone else: prepare another.
var ErrPackGone = errors.New("rights.error.pack_gone")

// ErrPackNotDownloaded refuses to mark as sent a pack never downloaded.
var ErrPackNotDownloaded = errors.New("rights.error.pack_not_downloaded")

// ErrDuplicate means an open request of the same kind for the same
// person is already logged.
var ErrDuplicate = errors.New("rights.error.duplicate")

// PackTTL is how long a prepared response pack can be downloaded.
const PackTTL = 15 * time.Minute

// Pack formats and the ways a pack reaches the person (never as an
// email attachment).
var (
	PackFormats = []string{"html", "json"}
	SentHows    = []string{"post", "in-person", "secure-transfer", "other"}
)
