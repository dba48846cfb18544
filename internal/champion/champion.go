// Package champion holds the rules of the cancer champions programme:
// applications and the onboarding pipeline (which stage may follow which),
// the validation of an application and of an outreach entry, with errors
// as translation keys. No HTTP here.
package champion

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Stage is where a champion is in the pipeline.
type Stage string

const (
	Applied   Stage = "applied"
	Contacted Stage = "contacted"
	Training  Stage = "training"
	Active    Stage = "active"
	Paused    Stage = "paused"
	Left      Stage = "left"
)

// Stages lists every stage in pipeline order.
var Stages = []Stage{Applied, Contacted, Training, Active, Paused, Left}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, k := range Stages {
		if s == k {
			return true
		}
	}
	return false
}

// next says which stages may follow each stage. "left" is the end: a
// person who comes back applies again.
var next = map[Stage][]Stage{
	Applied:   {Contacted, Left},
	Contacted: {Training, Left},
	Training:  {Active, Paused, Left},
	Active:    {Paused, Left},
	Paused:    {Training, Active, Left},
	Left:      nil,
}

// Next lists the stages that may follow s.
func (s Stage) Next() []Stage { return next[s] }

// CanMoveTo reports whether a champion at s may be moved to to.
func (s Stage) CanMoveTo(to Stage) bool {
	for _, n := range next[s] {
		if n == to {
			return true
		}
	}
	return false
}

// Proceeded reports whether reaching s means the application went ahead
// (training or beyond). An application that never proceeded is deleted
// by retention; a champion who proceeded and left keeps counts only.
func (s Stage) Proceeded() bool { return s == Training || s == Active || s == Paused }

// Availability choices on the application form.
var Availability = []string{"weekday_daytime", "weekday_evening", "weekend"}

// ConsentVersion is the wording of the consent to hold an applicant's
// details; change it when the wording changes.
const ConsentVersion = "champion-2026-1"

// Limits of free text, in characters.
const (
	MaxName  = 100
	MaxShort = 300
	MaxText  = 2000
)

// Application is what a person sends to become a champion.
type Application struct {
	Name             string
	Email            string
	Phone            string
	Communities      []string // community slugs from the programme
	Languages        string   // the languages they speak, in their words
	Availability     []string
	AvailabilityNote string
	Motivation       string // why they want to help
	LivedExperience  string // optional: what they choose to tell
	Consent          bool
	Lang             string // the language they applied in
}

// Details is the sensitive part of an application, sealed as one value.
type Details struct {
	Communities      []string `json:"communities,omitempty"`
	Languages        string   `json:"languages,omitempty"`
	Availability     []string `json:"availability,omitempty"`
	AvailabilityNote string   `json:"availability_note,omitempty"`
	Motivation       string   `json:"motivation,omitempty"`
	LivedExperience  string   `json:"lived_experience,omitempty"`
}

// Details returns the sealed part of the application.
func (a Application) Details() Details {
	return Details{a.Communities, a.Languages, a.Availability, a.AvailabilityNote, a.Motivation, a.LivedExperience}
}

// Validate checks an application against the programme's communities,
// returning its problems in the order of the application form, keyed by
// the form's input ids. It normalises in place.
func (a *Application) Validate(communities []string) field.Errors {
	var errs field.Errors
	a.Name = strings.TrimSpace(a.Name)
	a.Email, _ = contact.NormaliseEmail(a.Email)
	a.Phone = strings.TrimSpace(a.Phone)
	switch {
	case a.Name == "":
		errs.Add("name", "champions.error.name_required")
	case utf8.RuneCountInString(a.Name) > MaxName:
		errs.Add("name", "champions.error.too_long")
	}
	switch {
	case a.Email == "" && a.Phone == "":
		errs.Add("email", "champions.error.contact_required")
	case a.Email != "" && !contact.ValidEmail(a.Email):
		errs.Add("email", "champions.error.email_invalid")
	}
	if a.Phone != "" && !contact.ValidPhone(a.Phone) {
		errs.Add("phone", "champions.error.phone_invalid")
	}
	if len(a.Communities) == 0 {
		errs.Add("communities", "champions.error.communities_required")
	}
	for _, c := range a.Communities {
		if !contains(communities, c) {
			errs.Add("communities", "champions.error.communities_required")
		}
	}
	if utf8.RuneCountInString(a.Languages) > MaxShort {
		errs.Add("languages", "champions.error.too_long")
	}
	for _, v := range a.Availability {
		if !contains(Availability, v) {
			errs.Add("availability", "champions.error.availability_invalid")
		}
	}
	if utf8.RuneCountInString(a.AvailabilityNote) > MaxShort {
		errs.Add("availability_note", "champions.error.too_long")
	}
	switch {
	case a.Motivation == "":
		errs.Add("motivation", "champions.error.motivation_required")
	case utf8.RuneCountInString(a.Motivation) > MaxText:
		errs.Add("motivation", "champions.error.too_long")
	}
	if utf8.RuneCountInString(a.LivedExperience) > MaxText {
		errs.Add("lived_experience", "champions.error.too_long")
	}
	if !a.Consent {
		errs.Add("consent", "champions.error.consent_required")
	}
	return errs
}

// Outreach is one session of outreach a champion logs.
type Outreach struct {
	Date          string // YYYY-MM-DD
	Community     string // a community slug
	Place         string
	PeopleReached int
	Topics        string
	Materials     string
	FollowUp      string
	Minutes       int // time spent
}

// OutreachInput is the outreach form as typed.
type OutreachInput struct {
	Date, Community, Place, PeopleReached, Topics, Materials, FollowUp, Hours string
}

// MaxPeople is the most people one session can plausibly reach (a big
// festival stall); more is a typing mistake.
const MaxPeople = 5000

// ParseOutreach checks an outreach entry against the programme's
// communities and today's date, returning its problems in the order of
// the outreach form, keyed by the form's input ids.
func ParseOutreach(in OutreachInput, communities []string, today time.Time) (Outreach, field.Errors) {
	var errs field.Errors
	o := Outreach{Community: strings.TrimSpace(in.Community), Place: strings.TrimSpace(in.Place), Topics: strings.TrimSpace(in.Topics),
		Materials: strings.TrimSpace(in.Materials), FollowUp: strings.TrimSpace(in.FollowUp)}
	long := func(field, v string) {
		if utf8.RuneCountInString(v) > MaxShort*3 {
			errs.Add(field, "champions.error.too_long")
		}
	}
	d, err := time.Parse("2006-01-02", strings.TrimSpace(in.Date))
	switch {
	case strings.TrimSpace(in.Date) == "":
		errs.Add("date", "champions.error.date_required")
	case err != nil:
		errs.Add("date", "champions.error.date_invalid")
	case d.After(today):
		errs.Add("date", "champions.error.date_future")
	case d.Before(today.AddDate(-2, 0, 0)):
		errs.Add("date", "champions.error.date_invalid")
	default:
		o.Date = d.Format("2006-01-02")
	}
	if !contains(communities, o.Community) {
		errs.Add("community", "champions.error.community_required")
	}
	if o.Place == "" {
		errs.Add("place", "champions.error.place_required")
	}
	long("place", o.Place)
	n, err := strconv.Atoi(strings.TrimSpace(in.PeopleReached))
	switch {
	case strings.TrimSpace(in.PeopleReached) == "":
		errs.Add("people_reached", "champions.error.people_required")
	case err != nil || n < 0 || n > MaxPeople:
		errs.Add("people_reached", "champions.error.people_invalid")
	default:
		o.PeopleReached = n
	}
	if h := strings.TrimSpace(in.Hours); h != "" {
		m, ok := parseHours(h)
		if !ok {
			errs.Add("hours", "champions.error.hours_invalid")
		}
		o.Minutes = m
	}
	long("topics", o.Topics)
	long("materials", o.Materials)
	long("follow_up", o.FollowUp)
	return o, errs
}

// parseHours reads "2", "1.5", "1,5" or "1:30" as minutes, at most a day.
func parseHours(s string) (int, bool) {
	if h, m, ok := strings.Cut(s, ":"); ok {
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh*60+mm > 24*60 {
			return 0, false
		}
		return hh*60 + mm, true
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || f < 0 || f > 24 || f != f {
		return 0, false
	}
	return int(f*60 + 0.5), true
}

// FormatHours shows minutes as hours with at most one decimal ("1.5").
func FormatHours(minutes int) string {
	if minutes%60 == 0 {
		return strconv.Itoa(minutes / 60)
	}
	return strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64)
}

// Module is a training module staff configure.
type Module struct {
	ID       string
	Title    string
	Summary  string
	Required bool
	Position int
	Active   bool
}

// ValidateModule checks a module's title and summary, in the order of
// the module form.
func ValidateModule(m *Module) field.Errors {
	var errs field.Errors
	m.Title = strings.TrimSpace(m.Title)
	m.Summary = strings.TrimSpace(m.Summary)
	switch {
	case m.Title == "":
		errs.Add("title", "champions.error.title_required")
	case utf8.RuneCountInString(m.Title) > MaxShort:
		errs.Add("title", "champions.error.too_long")
	}
	if utf8.RuneCountInString(m.Summary) > MaxText {
		errs.Add("summary", "champions.error.too_long")
	}
	return errs
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
