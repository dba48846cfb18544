// Package invitation is a community group's invitation to the
// connectors: to come to the group's own gathering, or to bring a mini
// "hear me" event to it. Staff triage each request along a fixed path
// (new, contacted, scheduled, done, or declined with a reason); the
// requester hears by email at each step. The requester's contact
// details are sealed before they reach the store and removed a fixed
// period after the request closes. No HTTP here.
package invitation

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Kind is what the group asks for.
type Kind string

const (
	// KindGathering: come to our own gathering (a coffee morning, a
	// faith group, a community meeting) and listen there.
	KindGathering Kind = "gathering"
	// KindMiniEvent: bring a mini "hear me" event to us.
	KindMiniEvent Kind = "mini-event"
)

// Kinds in the order the form offers them.
var Kinds = []Kind{KindGathering, KindMiniEvent}

// Status is where a request is in triage.
type Status string

const (
	StatusNew       Status = "new"
	StatusContacted Status = "contacted"
	StatusScheduled Status = "scheduled"
	StatusDone      Status = "done"
	StatusDeclined  Status = "declined"
)

// Statuses in board order.
var Statuses = []Status{StatusNew, StatusContacted, StatusScheduled, StatusDone, StatusDeclined}

// next lists the moves allowed from each status: a request is contacted
// before it is scheduled, scheduled before it is done, and may be
// declined (with a reason) at any step before it is done.
var next = map[Status][]Status{
	StatusNew:       {StatusContacted, StatusDeclined},
	StatusContacted: {StatusScheduled, StatusDeclined},
	StatusScheduled: {StatusDone, StatusDeclined},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// Closed reports whether the request is finished (done or declined).
func (s Status) Closed() bool { return s == StatusDone || s == StatusDeclined }

// Next returns the statuses a request may move to from s.
func (s Status) Next() []Status { return next[s] }

// CanMove reports whether a request may go from one status to another.
func CanMove(from, to Status) bool {
	for _, n := range next[from] {
		if n == to {
			return true
		}
	}
	return false
}

// Limits of the free-text answers, stated on the form.
const (
	MaxShort       = 200  // group, names, venue, preferred dates
	MaxLong        = 2000 // anything the connectors should know
	MaxReason      = 1000 // a decline reason, a staff note
	MaxExpected    = 5000
	OtherCommunity = "other"
)

// ContactRetention is how long a closed request keeps its contact
// details and the requester's free text: 90 days after it was done or
// declined, long enough for a follow-up and a complaint, no longer (the
// retention rule "invitation-contacts" enforces it).
const ContactRetention = 90 * 24 * time.Hour

// Contact is how to reach the person who asked (sealed in the store).
type Contact struct {
	Name, Email, Phone string
}

// Request is what the group tells us.
type Request struct {
	Kind           Kind
	Group          string // the group or organisation
	Community      string // a programme community slug, or "other"
	CommunityOther string
	Expected       int      // how many people they expect
	Languages      []string // programme language codes spoken by the group
	OtherLanguages string   // languages the programme does not list
	PreferredDates string
	Venue          string
	Notes          string // anything the connectors should know
	Contact        Contact
	Lang           string // the language the request was made in: its emails use it
}

// Validate checks a request against the programme's communities and
// languages, returning its problems in the order of the invitation form,
// keyed by the form's input ids. It normalises in place. expected is the
// number as typed, so a mistake can be told apart from an empty answer.
func (r *Request) Validate(expected string, communities, languages []string) field.Errors {
	var errs field.Errors
	for _, p := range []*string{&r.Group, &r.CommunityOther, &r.OtherLanguages, &r.PreferredDates, &r.Venue, &r.Notes,
		&r.Contact.Name, &r.Contact.Email, &r.Contact.Phone} {
		*p = strings.TrimSpace(*p)
	}
	short := func(field, v string) {
		if utf8.RuneCountInString(v) > MaxShort {
			errs.Add(field, "invitations.error.too_long", "Max", MaxShort)
		}
	}
	if r.Kind != KindGathering && r.Kind != KindMiniEvent {
		errs.Add("kind", "invitations.error.kind_required")
	}
	if r.Group == "" {
		errs.Add("group", "invitations.error.group_required")
	}
	short("group", r.Group)
	switch {
	case r.Community == OtherCommunity:
		if r.CommunityOther == "" {
			errs.Add("community_other", "invitations.error.community_other_required")
		}
	case !contains(communities, r.Community):
		errs.Add("community", "invitations.error.community_required")
	default:
		r.CommunityOther = ""
	}
	short("community_other", r.CommunityOther)
	expected = strings.TrimSpace(expected)
	n, err := strconv.Atoi(expected)
	switch {
	case expected == "":
		errs.Add("expected", "invitations.error.expected_required")
	case err != nil || n < 1 || n > MaxExpected:
		errs.Add("expected", "invitations.error.expected_invalid")
	default:
		r.Expected = n
	}
	var langs []string
	for _, l := range r.Languages {
		if contains(languages, l) && !contains(langs, l) {
			langs = append(langs, l)
		}
	}
	r.Languages = langs
	if len(r.Languages) == 0 && r.OtherLanguages == "" {
		errs.Add("languages", "invitations.error.languages_required")
	}
	short("other_languages", r.OtherLanguages)
	short("preferred_dates", r.PreferredDates)
	if r.Venue == "" && r.Kind == KindGathering {
		errs.Add("venue", "invitations.error.venue_required")
	}
	short("venue", r.Venue)
	if utf8.RuneCountInString(r.Notes) > MaxLong {
		errs.Add("notes", "invitations.error.too_long", "Max", MaxLong)
	}
	if r.Contact.Name == "" {
		errs.Add("contact_name", "invitations.error.name_required")
	}
	short("contact_name", r.Contact.Name)
	switch {
	case r.Contact.Email == "":
		errs.Add("contact_email", "invitations.error.email_required")
	case utf8.RuneCountInString(r.Contact.Email) > MaxShort:
		errs.Add("contact_email", "invitations.error.too_long", "Max", MaxShort)
	case !contact.ValidEmail(r.Contact.Email):
		errs.Add("contact_email", "invitations.error.email_invalid")
	}
	switch {
	case utf8.RuneCountInString(r.Contact.Phone) > contact.MaxPhone:
		errs.Add("contact_phone", "invitations.error.too_long", "Max", contact.MaxPhone)
	case r.Contact.Phone != "" && !contact.ValidPhone(r.Contact.Phone):
		errs.Add("contact_phone", "invitations.error.phone_invalid")
	}
	return errs
}

// CheckMove checks a status change, returning a translation key when it
// is refused: an illegal move, or a decline without a reason.
func CheckMove(from, to Status, reason string) string {
	if !CanMove(from, to) {
		return "invitations.error.illegal_move"
	}
	if to == StatusDeclined && strings.TrimSpace(reason) == "" {
		return "invitations.error.reason_required"
	}
	if utf8.RuneCountInString(reason) > MaxReason {
		return "invitations.error.too_long"
	}
	return ""
}

// Invitation is a stored request with its triage state.
type Invitation struct {
	ID string
	Request
	Status        Status
	DeclineReason string
	OwnerID       string
	OwnerName     string
	EventID       string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	ClosedAt      *time.Time
	ContactGone   bool // removed by the retention rule
	History       []Entry
}

// EntryKind tells a staff note from a recorded change.
type EntryKind string

const (
	EntryNote   EntryKind = "note"
	EntryStatus EntryKind = "status"
	EntryOwner  EntryKind = "owner"
)

// Entry is one line of a request's history: a note, a status change
// (Text is the new status, Reason the decline reason) or a new owner
// (Text is the owner's name).
type Entry struct {
	ID         string
	Kind       EntryKind
	AuthorID   string
	AuthorName string
	Text       string
	Reason     string
	At         time.Time
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
