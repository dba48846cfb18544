package event

import (
	"fmt"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
)

// Translate returns a message in a language (the catalogue's T).
type Translate func(lang, key string, pairs ...any) string

// When says when an event is, in a language: the weekday, the date (the
// month's name in English, figures in the UK order elsewhere, as the
// rest of the site) and the local times.
func When(start, end time.Time, loc *time.Location, lang string, t Translate) string {
	s, e := start.In(loc), end.In(loc)
	day := t(lang, "events.weekday."+strings.ToLower(s.Weekday().String()))
	date := s.Format("02/01/2006")
	if lang == "en" {
		date = s.Format("2 January 2006")
	}
	return t(lang, "events.when", "Day", day, "Date", date, "Start", s.Format("15:04"), "End", e.Format("15:04"))
}

// Venue is the venue on one line.
func (e *Event) Venue() string {
	parts := []string{e.VenueName, e.VenueAddress}
	if e.VenuePostcode != "" {
		parts = append(parts, e.VenuePostcode)
	}
	return strings.Join(parts, ", ")
}

// MailData is what the event emails show.
type MailData struct {
	Name, Title, When, Venue, Message string
	EventURL, CancelURL, CalendarURL  string
	Places, Ahead                     int
	Status                            string
}

// Mailer composes the emails about registrations.
type Mailer struct {
	Compose   func(lang, to, kind string, data any) (mail.Queued, error)
	Keys      *sealed.Keyring
	CancelKey []byte // the key cancellation tokens are derived with
	BaseURL   string
	Loc       *time.Location
	T         Translate
}

// CancelPath is the path of a registration's cancellation link.
func CancelPath(eventID, token string) string { return "/events/" + eventID + "/cancel/" + token }

// For returns the function the store calls to compose an email about a
// registration for e. Only a person who gave an email and agreed to be
// contacted is written to; everyone else gets nothing.
func (m Mailer) For(e *Event) func(kind string, r Registration) ([]mail.Queued, error) {
	return func(kind string, r Registration) ([]mail.Queued, error) {
		if r.EmailSealed == "" || !r.Reminders {
			return nil, nil
		}
		to, err := m.Keys.Open(r.EmailSealed)
		if err != nil {
			return nil, fmt.Errorf("open email: %w", err)
		}
		var name string
		if r.NameSealed != "" {
			if name, err = m.Keys.Open(r.NameSealed); err != nil {
				return nil, fmt.Errorf("open name: %w", err)
			}
		}
		lang := r.Lang
		base := strings.TrimRight(m.BaseURL, "/")
		d := MailData{Name: name, Title: e.Text(lang).Title, When: When(e.Start, e.End, m.Loc, lang, m.T), Venue: e.Venue(),
			Message: e.StatusMessage, Places: r.Places, Ahead: r.WaitingAhead, Status: string(e.Status),
			EventURL: base + "/events/" + e.ID, CalendarURL: base + "/events/" + e.ID + "/calendar.ics",
			CancelURL: base + CancelPath(e.ID, CancelToken(m.CancelKey, r.ID))}
		if e.Visibility == Invitation && e.InviteKey != "" {
			// The event's pages answer only with the invitation's key.
			d.EventURL += "?k=" + e.InviteKey
			d.CalendarURL += "?k=" + e.InviteKey
		}
		q, err := m.Compose(lang, to, kind, d)
		if err != nil {
			return nil, err
		}
		return []mail.Queued{q}, nil
	}
}
