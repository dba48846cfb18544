package event

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// RegStatus is where a registration stands.
type RegStatus string

const (
	RegConfirmed RegStatus = "confirmed"
	RegWaiting   RegStatus = "waiting"
	RegCancelled RegStatus = "cancelled"
)

// HeardAbout lists the answers to "how did you hear about it".
var HeardAbout = []string{"community-group", "place-of-worship", "friend-family", "gp-nhs", "social-media", "poster-leaflet", "radio", "elsewhere"}

// Answers is what a person writes on the registration form, as typed.
type Answers struct {
	Name        string
	Email       string
	Phone       string
	Reminders   bool // consent to be sent a confirmation and reminder
	Places      string
	AccessNeeds string
	Interpreter string
	HeardAbout  string
}

// Request is a validated registration, ready to store (before sealing).
type Request struct {
	Name, Email, Phone string
	Reminders          bool
	Places             int
	AccessNeeds        string
	Interpreter        string
	HeardAbout         string
	Lang               string
}

// Validate checks the answers against the event and returns the request
// with its problems in the order of the registration form, keyed by the
// form's input ids. Contact details are kept only with consent: a person
// who typed them without ticking the box is asked to tick it or clear
// them, rather than having them silently used or dropped.
func (a Answers) Validate(e *Event, lang string, programmeLangs []string) (Request, field.Errors) {
	var errs field.Errors
	r := Request{Name: strings.TrimSpace(a.Name), Email: strings.TrimSpace(a.Email), Phone: strings.TrimSpace(a.Phone),
		Reminders: a.Reminders, AccessNeeds: strings.TrimSpace(a.AccessNeeds), Interpreter: a.Interpreter, HeardAbout: a.HeardAbout, Lang: lang}
	switch {
	case r.Name == "":
		errs.Add("name", "events.error.name_required")
	case len([]rune(r.Name)) > MaxName || hasControl(r.Name):
		errs.Add("name", "events.error.name_invalid")
	}
	n, err := strconv.Atoi(strings.TrimSpace(a.Places))
	switch {
	case strings.TrimSpace(a.Places) == "":
		n = 1
	case err != nil || n < 1 || n > MaxPlaces:
		errs.Add("places", "events.error.places_range")
	case e != nil && n > e.Capacity:
		errs.Add("places", "events.error.places_over_capacity")
	}
	r.Places = n
	emailBad := r.Email != "" && !contact.ValidEmail(r.Email)
	phoneBad := r.Phone != "" && !contact.ValidPhone(r.Phone)
	if !emailBad && !phoneBad && !r.Reminders && (r.Email != "" || r.Phone != "") {
		errs.Add("reminders", "events.error.consent_for_contact")
	}
	switch {
	case emailBad:
		errs.Add("email", "events.error.email_invalid")
	case !phoneBad && r.Reminders && r.Email == "" && r.Phone == "":
		errs.Add("email", "events.error.contact_for_reminders")
	}
	if phoneBad {
		errs.Add("phone", "events.error.phone_invalid")
	}
	if len([]rune(r.AccessNeeds)) > MaxAccessNeeds {
		errs.Add("access_needs", "events.error.too_long")
	}
	if r.Interpreter != "" && !slices.Contains(programmeLangs, r.Interpreter) {
		errs.Add("interpreter", "events.error.choose")
	}
	if r.HeardAbout != "" && !slices.Contains(HeardAbout, r.HeardAbout) {
		errs.Add("heard_about", "events.error.choose")
	}
	return r, errs
}

// Registration is one person's (or family's) registration as stored.
// The name, contact details and access needs are sealed; the store
// never sees them in the clear.
type Registration struct {
	ID                string
	EventID           string
	Status            RegStatus
	Places            int
	Position          int // order of arrival within the event
	Lang              string
	NameSealed        string
	EmailSealed       string
	PhoneSealed       string
	Reminders         bool
	AccessNeedsSealed string
	Interpreter       string
	HeardAbout        string
	CreatedAt         time.Time
	CancelledAt       *time.Time
	PromotedAt        *time.Time
	ReminderSentAt    *time.Time
	AttendedAt        *time.Time
	DetailsRemovedAt  *time.Time
	WaitingAhead      int // for a waiting registration: places waiting before it
}
