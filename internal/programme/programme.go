// Package programme is the configuration that makes hearme one
// programme rather than another: its name and contact details, the
// languages it works in, the communities it serves, the cancer pathway
// stages it listens along and the stakeholder organisations it holds to
// account. Nothing here is Luton's: the demo file supplies that.
package programme

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Settings are the programme's own facts, shown on public pages.
type Settings struct {
	Name            string `json:"name"`
	ShortName       string `json:"short_name"`
	Organisation    string `json:"organisation"` // the data controller
	ContactEmail    string `json:"contact_email"`
	ContactPhone    string `json:"contact_phone"`
	Address         string `json:"address"`
	TimeZone        string `json:"time_zone"`
	DPOEmail        string `json:"dpo_email"`
	ICORegistration string `json:"ico_registration"`
	// EndDate is the day the programme ends (YYYY-MM-DD, optional); the
	// experiences are deleted a configured period after it.
	EndDate string `json:"end_date,omitempty"`
}

// Language is one language the public pages are offered in.
type Language struct {
	Code        string `json:"code"` // BCP 47, matching a catalogue
	NativeName  string `json:"native_name"`
	EnglishName string `json:"english_name"`
	RTL         bool   `json:"rtl"`
}

// Dir returns the HTML dir attribute for the language.
func (l Language) Dir() string {
	if l.RTL {
		return "rtl"
	}
	return "ltr"
}

// Item is a configurable list entry (a community or a pathway stage) with
// its name in each language; English is required, others fall back to it.
type Item struct {
	Slug   string            `json:"slug"`
	Names  map[string]string `json:"names"`
	Active bool              `json:"active"`
}

// Name returns the item's name in lang, or in English.
func (i Item) Name(lang string) string {
	if n := i.Names[lang]; n != "" {
		return n
	}
	return i.Names["en"]
}

// Organisation is a stakeholder the programme addresses.
type Organisation struct {
	ID      string `json:"id,omitempty"`
	Slug    string `json:"slug"`
	Name    string `json:"name"`
	Kind    string `json:"kind"` // nhs-trust, icb, council, cancer-alliance, healthwatch, charity, national
	Website string `json:"website"`
}

// Kinds of configurable items.
const (
	KindCommunity = "community"
	KindStage     = "stage"
)

// Config is a whole programme configuration, as loaded from a file.
type Config struct {
	Settings      Settings       `json:"settings"`
	Languages     []Language     `json:"languages"`
	Communities   []Item         `json:"communities"`
	Stages        []Item         `json:"pathway_stages"`
	Organisations []Organisation `json:"organisations"`
	Safeguarding  Safeguarding   `json:"safeguarding"`
	// Census is the area's population by ethnic group and main
	// language, for the breakdowns' comparison (census.go); optional.
	Census *Census `json:"census,omitempty"`
}

// Safeguarding is the programme's escalation path: whom a moderator tells
// when a story suggests a risk of harm (docs/safeguarding.md). Staff see
// it on every flagged item.
type Safeguarding struct {
	LeadRole   string `json:"lead_role"` // "Safeguarding lead, Public Health"
	LeadName   string `json:"lead_name,omitempty"`
	Phone      string `json:"phone"`
	Email      string `json:"email,omitempty"`
	OutOfHours string `json:"out_of_hours,omitempty"` // whom to call when the lead cannot be reached
	// Example marks an invented value (the demo's): staff are told to
	// ask for the real one before the programme goes live.
	Example bool `json:"example,omitempty"`
}

// Configured reports whether staff have someone to call.
func (s Safeguarding) Configured() bool {
	return strings.TrimSpace(s.LeadRole) != "" && strings.TrimSpace(s.Phone) != ""
}

// ValidateSettings checks the facts an administrator edits, returning
// the problems in the order of the settings form, keyed by its input ids.
func (s *Settings) ValidateSettings() field.Errors {
	var errs field.Errors
	trim := func(p *string, name string, max int, required bool) {
		*p = strings.TrimSpace(*p)
		switch {
		case required && *p == "":
			errs.Add(name, "error.required")
		case len([]rune(*p)) > max:
			errs.Add(name, "error.too_long")
		}
	}
	email := func(p *string, name string) {
		trim(p, name, contact.MaxEmail, true)
		if *p != "" && !contact.ValidEmail(*p) {
			errs.Add(name, "error.email_invalid")
		}
	}
	trim(&s.Name, "name", 120, true)
	trim(&s.ShortName, "short_name", 60, true)
	trim(&s.Organisation, "organisation", 120, true)
	email(&s.ContactEmail, "contact_email")
	trim(&s.ContactPhone, "contact_phone", contact.MaxPhone, false)
	if s.ContactPhone != "" && !contact.ValidPhone(s.ContactPhone) {
		errs.Add("contact_phone", "error.phone_invalid")
	}
	trim(&s.Address, "address", 200, false)
	email(&s.DPOEmail, "dpo_email")
	trim(&s.ICORegistration, "ico_registration", 20, false)
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		errs.Add("time_zone", "error.time_zone")
	}
	s.EndDate = strings.TrimSpace(s.EndDate)
	if s.EndDate != "" {
		if _, err := time.Parse("2006-01-02", s.EndDate); err != nil {
			errs.Add("end_date", "error.date_invalid")
		}
	}
	return errs
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// Parse reads and validates a configuration file.
func Parse(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("programme config: %w", err)
	}
	return c, c.Validate()
}

// Validate checks the configuration is usable.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Settings.Name) == "" {
		errs = append(errs, errors.New("settings.name is required"))
	}
	if len(c.Languages) == 0 || c.Languages[0].Code != "en" {
		errs = append(errs, errors.New("languages must start with English (en), the fallback language"))
	}
	seen := map[string]bool{}
	for _, l := range c.Languages {
		if l.Code == "" || seen[l.Code] {
			errs = append(errs, fmt.Errorf("language %q is empty or listed twice", l.Code))
		}
		seen[l.Code] = true
	}
	for _, list := range []struct {
		name  string
		items []Item
	}{{"communities", c.Communities}, {"pathway_stages", c.Stages}} {
		slugs := map[string]bool{}
		for _, it := range list.items {
			if !slugRE.MatchString(it.Slug) || slugs[it.Slug] {
				errs = append(errs, fmt.Errorf("%s: slug %q is invalid or repeated", list.name, it.Slug))
			}
			slugs[it.Slug] = true
			if it.Names["en"] == "" {
				errs = append(errs, fmt.Errorf("%s: %q needs an English name", list.name, it.Slug))
			}
		}
	}
	for field, v := range map[string]string{"lead_role": c.Safeguarding.LeadRole, "lead_name": c.Safeguarding.LeadName,
		"phone": c.Safeguarding.Phone, "email": c.Safeguarding.Email, "out_of_hours": c.Safeguarding.OutOfHours} {
		if len([]rune(v)) > 300 {
			errs = append(errs, fmt.Errorf("safeguarding.%s is longer than 300 characters", field))
		}
	}
	orgs := map[string]bool{}
	for _, o := range c.Organisations {
		if !slugRE.MatchString(o.Slug) || orgs[o.Slug] || o.Name == "" {
			errs = append(errs, fmt.Errorf("organisations: %q is invalid or repeated", o.Slug))
		}
		orgs[o.Slug] = true
	}
	errs = append(errs, c.validateCensus()...)
	return errors.Join(errs...)
}
