// Package event holds the rules of community events and their
// registrations: the kinds of event, their states, the access features
// of a venue, validation (errors are translation keys, so they show in
// the person's language) and the calendar file (RFC 5545). It knows
// nothing of HTTP or the database.
package event

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Kind is what sort of event it is.
type Kind string

const (
	KindHearMe     Kind = "hear-me"         // a "hear me" event
	KindMiniHearMe Kind = "mini-hear-me"    // a smaller "hear me" event
	KindListening  Kind = "listening"       // a listening session
	KindAwareness  Kind = "awareness-talk"  // an awareness talk
	KindGathering  Kind = "community-visit" // connectors attending a community's own gathering
)

// Kinds lists the kinds in the order they are offered.
var Kinds = []Kind{KindHearMe, KindMiniHearMe, KindListening, KindAwareness, KindGathering}

// Status is the state of an event.
type Status string

const (
	StatusScheduled Status = "scheduled"
	StatusPostponed Status = "postponed"
	StatusCancelled Status = "cancelled"
)

// Visibility says who can find and register for an event.
type Visibility string

const (
	Public     Visibility = "public"
	Invitation Visibility = "invitation" // not listed; registration needs the invitation link
)

// Access features of a venue, in the order they are shown.
const (
	AccessStepFree        = "step-free"
	AccessHearingLoop     = "hearing-loop"
	AccessParking         = "parking"
	AccessPublicTransport = "public-transport"
	AccessPrayerSpace     = "prayer-space"
	AccessWomenOnly       = "women-only"
	AccessChildcare       = "childcare"
)

// AccessFeatures lists every access feature.
var AccessFeatures = []string{AccessStepFree, AccessHearingLoop, AccessParking, AccessPublicTransport, AccessPrayerSpace, AccessWomenOnly, AccessChildcare}

// Text is an event's title and description in one language.
type Text struct {
	Title, Body string
}

// AgendaItem is one part of the programme of an event.
type AgendaItem struct {
	At       string // HH:MM local time, or empty
	Activity string
	Speaker  string
}

// Event is one event.
type Event struct {
	ID            string
	Kind          Kind
	Status        Status
	StatusMessage string // why it was cancelled or postponed, to those registered
	Visibility    Visibility
	InviteKey     string // for invitation-only events: the key the invitation link carries
	Community     string // a community slug; "" means everyone
	Languages     []string
	Interpreters  []string
	Start, End    time.Time // UTC
	VenueName     string
	VenueAddress  string
	VenuePostcode string
	Access        []string
	AccessNotes   string
	Capacity      int
	WalkIns       int
	Texts         map[string]Text // by language code; English is the fallback
	Agenda        []AgendaItem
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Filled when read from the store.
	Confirmed int // places confirmed
	Waiting   int // places on the waiting list
}

// Text returns the event's title and description in lang, falling back
// to English, then to any language it has.
func (e *Event) Text(lang string) Text {
	if t, ok := e.Texts[lang]; ok && t.Title != "" {
		return t
	}
	if t, ok := e.Texts["en"]; ok && t.Title != "" {
		return t
	}
	for _, l := range slices.Sorted(mapKeys(e.Texts)) {
		if e.Texts[l].Title != "" {
			return e.Texts[l]
		}
	}
	return Text{}
}

// HasText reports whether the event has its own title in lang.
func (e *Event) HasText(lang string) bool { return e.Texts[lang].Title != "" }

func mapKeys(m map[string]Text) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// Free is how many places are left.
func (e *Event) Free() int {
	if n := e.Capacity - e.Confirmed; n > 0 {
		return n
	}
	return 0
}

// Full reports whether new registrations go on the waiting list.
func (e *Event) Full() bool { return e.Free() == 0 || e.Waiting > 0 }

// Open reports whether people may register at now: the event is
// scheduled and has not started.
func (e *Event) Open(now time.Time) bool { return e.Status == StatusScheduled && now.Before(e.Start) }

// HasAccess reports whether the venue has an access feature.
func (e *Event) HasAccess(feature string) bool { return slices.Contains(e.Access, feature) }

// Duration is how long the event lasts.
func (e *Event) Duration() time.Duration { return e.End.Sub(e.Start) }

// Limits on what an event holds.
const (
	MaxTitle       = 150
	MaxBody        = 4000
	MaxVenue       = 150
	MaxAddress     = 300
	MaxNotes       = 1000
	MaxMessage     = 1000
	MaxCapacity    = 5000
	MaxAgenda      = 30
	MaxDuration    = 12 * time.Hour
	MaxPlaces      = 10 // places one registration may ask for
	MaxName        = 100
	MaxAccessNeeds = 1000
)

// Validate checks an event a connector wrote, returning its problems in
// the order of the staff form, keyed by the form's input ids. now is the
// current time: newStart says the start is new or moved, and then it may
// not be in the past (an event that has begun may still be corrected).
// languages and communities are the programme's codes and slugs, in the
// form's order. confirmed is the number of places already confirmed
// (capacity may not go below it). A zero Start means the date could not
// be read, a zero End that the length could not (End is Start plus the
// length, so with an unreadable date it is the length after the zero time).
func (e *Event) Validate(now time.Time, languages, communities []string, confirmed int, newStart bool) field.Errors {
	var errs field.Errors
	if !slices.Contains(Kinds, e.Kind) {
		errs.Add("kind", "events.error.kind")
	}
	for lang := range e.Texts {
		if !slices.Contains(languages, lang) {
			delete(e.Texts, lang)
		}
	}
	if strings.TrimSpace(e.Texts["en"].Title) == "" {
		errs.Add("title_en", "events.error.title_required")
	}
	for _, lang := range languages {
		t, ok := e.Texts[lang]
		if !ok {
			continue
		}
		switch {
		case len([]rune(t.Title)) > MaxTitle:
			errs.Add("title_"+lang, "events.error.too_long")
		case t.Title == "" && t.Body != "":
			errs.Add("title_"+lang, "events.error.title_for_body")
		}
		if len([]rune(t.Body)) > MaxBody {
			errs.Add("body_"+lang, "events.error.too_long")
		}
	}
	switch {
	case e.Start.IsZero():
		errs.Add("date", "events.error.date_invalid")
	case newStart && !e.Start.After(now):
		errs.Add("date", "events.error.date_past")
	}
	switch {
	case e.End.IsZero():
		errs.Add("minutes", "events.error.duration_invalid")
	case e.Start.IsZero(): // nothing to compare the end with
	case !e.End.After(e.Start):
		errs.Add("minutes", "events.error.end_before_start")
	case e.End.Sub(e.Start) > MaxDuration:
		errs.Add("minutes", "events.error.too_long_event")
	}
	if strings.TrimSpace(e.VenueName) == "" {
		errs.Add("venue_name", "events.error.venue_required")
	} else if len([]rune(e.VenueName)) > MaxVenue {
		errs.Add("venue_name", "events.error.too_long")
	}
	if strings.TrimSpace(e.VenueAddress) == "" {
		errs.Add("venue_address", "events.error.address_required")
	} else if len([]rune(e.VenueAddress)) > MaxAddress {
		errs.Add("venue_address", "events.error.too_long")
	}
	if len([]rune(e.VenuePostcode)) > 10 {
		errs.Add("venue_postcode", "events.error.too_long")
	}
	for _, a := range e.Access {
		if !slices.Contains(AccessFeatures, a) {
			errs.Add("access", "events.error.choose")
		}
	}
	if len([]rune(e.AccessNotes)) > MaxNotes {
		errs.Add("access_notes", "events.error.too_long")
	}
	if e.Community != "" && !slices.Contains(communities, e.Community) {
		errs.Add("community", "events.error.choose")
	}
	if len(e.Languages) == 0 {
		errs.Add("languages", "events.error.languages_required")
	}
	for _, l := range append(slices.Clone(e.Languages), e.Interpreters...) {
		if !slices.Contains(languages, l) {
			errs.Add("languages", "events.error.choose")
		}
	}
	switch {
	case e.Capacity < 1 || e.Capacity > MaxCapacity:
		errs.Add("capacity", "events.error.capacity_range")
	case e.Capacity < confirmed:
		errs.Add("capacity", "events.error.capacity_below")
	}
	if e.Visibility != Public && e.Visibility != Invitation {
		errs.Add("visibility", "events.error.choose")
	}
	// The agenda's problems point at its first input.
	if len(e.Agenda) > MaxAgenda {
		errs.Add("agenda_at_0", "events.error.too_long")
	}
	for _, a := range e.Agenda {
		if a.At != "" {
			if _, err := time.Parse("15:04", a.At); err != nil {
				errs.Add("agenda_at_0", "events.error.agenda_time")
			}
		}
		if len([]rune(a.Activity)) > MaxTitle || len([]rune(a.Speaker)) > MaxTitle {
			errs.Add("agenda_at_0", "events.error.too_long")
		}
	}
	return errs
}

// ParseLocal reads a date (YYYY-MM-DD) and a time (HH:MM) in the
// programme's zone and returns the instant in UTC; ok is false if
// either is malformed or the time does not exist that day (the hour
// skipped when clocks go forward).
func ParseLocal(date, clock string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(date)+" "+strings.TrimSpace(clock), loc)
	if err != nil {
		return time.Time{}, false
	}
	if t.Format("2006-01-02 15:04") != strings.TrimSpace(date)+" "+strings.TrimSpace(clock) {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// ParseDuration reads a duration in minutes.
func ParseDuration(minutes string) (time.Duration, bool) {
	n, err := strconv.Atoi(strings.TrimSpace(minutes))
	if err != nil || n <= 0 || n > int(MaxDuration/time.Minute) {
		return 0, false
	}
	return time.Duration(n) * time.Minute, true
}

// NewInviteKey returns a fresh key for an invitation link.
func NewInviteKey() string { return randomToken(18) }

// CheckInviteKey compares keys in constant time.
func (e *Event) CheckInviteKey(k string) bool {
	return e.InviteKey != "" && hmac.Equal([]byte(e.InviteKey), []byte(k))
}

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

var idRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// ValidID reports whether s looks like an event id (a UUID), so a forged
// id is refused before it reaches the database.
func ValidID(s string) bool { return idRE.MatchString(s) }

// splitList reads a comma-separated list, dropping empty entries.
func SplitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// hasControl reports whether s has characters that have no place in a
// one-line answer.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) }) >= 0
}

// Hash returns the hex SHA-256 of a token; the store keeps only this.
func Hash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// normEmail is the form of an email address compared for duplicates.
func normEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// DedupeKeys returns keyed hashes of the normalised email and phone, so
// duplicates are found without keeping contact details in the clear.
// Empty inputs give empty keys.
func DedupeKeys(key []byte, email, phone string) (emailKey, phoneKey string) {
	h := func(kind, v string) string {
		if v == "" {
			return ""
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(kind + ":" + v))
		return hex.EncodeToString(m.Sum(nil))
	}
	return h("email", normEmail(email)), h("phone", contact.NormPhone(phone))
}

// CancelToken derives the token of a registration's cancellation link
// from a secret key and the registration's id: every email about the
// registration can carry the link, while the store keeps only its hash.
func CancelToken(key []byte, registrationID string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cancel:" + registrationID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

var tokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{20,64}$`)

// ValidToken reports whether s has the shape of a token.
func ValidToken(s string) bool { return tokenRE.MatchString(s) }
