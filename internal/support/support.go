// Package support is the support directory: services people can turn to
// (emotional, practical and financial help, information, carers' support,
// faith and cultural support, support in a language, peer groups, end of
// life care), by need, area, language and community. It has the rules
// for a service's fields and the CSV format staff import and export; no
// net/http here. Messages are translation keys ("support.error.*").
package support

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
	"github.com/hearme-project/hearme/internal/field"
)

// Needs are the codes of what a service helps with; each has a label
// "support.need.<code>" in every catalogue.
var Needs = []string{"emotional", "practical", "information", "carers", "faith", "language", "peer", "end-of-life"}

// Areas are the codes of how far a service reaches; labels
// "support.area.<code>".
var Areas = []string{"local", "sub-regional", "regional", "national"}

// Places are where a service can be shown (and opened from), for the
// signposting counts.
var Places = []string{"directory", "experience", "event", "champion"}

// Service is one entry of the directory.
type Service struct {
	ID           string
	Name         string
	Organisation string
	Summary      string            // what the service does, in English
	Summaries    map[string]string // the summary in other languages, by code
	Needs        []string          // codes from Needs
	Stages       []string          // pathway stage slugs; none means every stage
	Area         string            // a code from Areas
	Languages    []string          // language codes support is given in (en, so, ur...)
	Communities  []string          // community slugs the service is for; none means everyone
	Phone        string
	Email        string
	Website      string // absolute http(s) URL, or ""
	Hours        string // opening hours, free text
	Eligibility  string
	Referral     string // how to get referred: self-referral, GP...
	CheckedAt    time.Time
	CheckedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// SummaryIn is the summary in lang, or in English.
func (s Service) SummaryIn(lang string) string {
	if v := s.Summaries[lang]; v != "" {
		return v
	}
	return s.Summary
}

// Offers reports whether the service gives support in lang.
func (s Service) Offers(lang string) bool { return slices.Contains(s.Languages, lang) }

// Allowed are the codes a service may use beyond the fixed ones: the
// programme's pathway stages and communities.
type Allowed struct {
	Stages      []string
	Communities []string
}

// Limits on the fields, in runes.
const (
	maxName    = 200
	maxSummary = 1000
	maxText    = 500
	maxURL     = 500
	maxCodes   = 30
)

var (
	langRE = regexp.MustCompile(`^[a-z]{2,3}$`)
	idRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// ValidID reports whether id has the shape of a service id (UUID text).
func ValidID(id string) bool { return idRE.MatchString(id) }

// Normalise trims the text fields, drops control characters, lower-cases
// and sorts the codes, and removes duplicates.
func (s *Service) Normalise() {
	for _, p := range []*string{&s.Name, &s.Organisation, &s.Summary, &s.Area, &s.Phone, &s.Email, &s.Website, &s.Hours, &s.Eligibility, &s.Referral} {
		*p = clean(*p)
	}
	s.Area = strings.ToLower(s.Area)
	s.Email = strings.ToLower(s.Email)
	for _, p := range []*[]string{&s.Needs, &s.Stages, &s.Languages, &s.Communities} {
		*p = codes(*p)
	}
	for k, v := range s.Summaries {
		if v = clean(v); v == "" || !langRE.MatchString(k) {
			delete(s.Summaries, k)
		} else {
			s.Summaries[k] = v
		}
	}
}

// clean keeps valid UTF-8 without control characters (but newlines),
// trimmed.
func clean(v string) string {
	if !utf8.ValidString(v) {
		v = strings.ToValidUTF8(v, "")
	}
	v = strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\n') || r == 0x7f {
			return -1
		}
		return r
	}, v)
	return strings.TrimSpace(v)
}

func codes(in []string) []string {
	var out []string
	for _, c := range in {
		c = strings.ToLower(clean(c))
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

// Validate normalises the service and returns its problems in the order
// the fields appear on the staff form, keyed by the form's input ids (a
// language code that is not one of the boxes was typed in the
// "languages_other" input).
func (s *Service) Validate(a Allowed) field.Errors {
	s.Normalise()
	var errs field.Errors
	text := func(name, v string, max int, required bool) {
		switch {
		case required && v == "":
			errs.Add(name, "support.error."+name+"_required")
		case utf8.RuneCountInString(v) > max:
			errs.Add(name, "support.error.too_long")
		}
	}
	text("name", s.Name, maxName, true)
	text("organisation", s.Organisation, maxName, true)
	text("summary", s.Summary, maxSummary, true)
	for _, v := range s.Summaries {
		if utf8.RuneCountInString(v) > maxSummary {
			errs.Add("summary", "support.error.too_long")
			break
		}
	}
	switch {
	case len(s.Needs) == 0:
		errs.Add("needs", "support.error.needs_required")
	case !subset(s.Needs, Needs) || len(s.Needs) > maxCodes:
		errs.Add("needs", "support.error.code_unknown")
	}
	switch {
	case s.Area == "":
		errs.Add("area", "support.error.area_required")
	case !slices.Contains(Areas, s.Area):
		errs.Add("area", "support.error.code_unknown")
	}
	switch {
	case len(s.Languages) == 0:
		errs.Add("languages", "support.error.languages_required")
	case len(s.Languages) > maxCodes:
		errs.Add("languages", "support.error.code_unknown")
	default:
		for _, l := range s.Languages {
			if !langRE.MatchString(l) {
				errs.Add("languages_other", "support.error.language_code")
				break
			}
		}
	}
	if !subset(s.Communities, a.Communities) || len(s.Communities) > maxCodes {
		errs.Add("communities", "support.error.code_unknown")
	}
	if !subset(s.Stages, a.Stages) || len(s.Stages) > maxCodes {
		errs.Add("stages", "support.error.code_unknown")
	}
	switch {
	case s.Phone == "" && s.Email == "" && s.Website == "":
		errs.Add("phone", "support.error.contact_required")
	case s.Phone != "" && !contact.ValidPhone(s.Phone):
		errs.Add("phone", "support.error.phone_invalid")
	}
	if s.Email != "" && !contact.ValidEmail(s.Email) {
		errs.Add("email", "support.error.email_invalid")
	}
	if s.Website != "" && !SafeURL(s.Website) {
		errs.Add("website", "support.error.website_invalid")
	}
	text("hours", s.Hours, maxText, false)
	text("eligibility", s.Eligibility, maxText, false)
	text("referral", s.Referral, maxText, false)
	return errs
}

// SafeURL reports whether u is an absolute http or https URL with a host,
// of a sensible length, with no user information: the only kind of
// address the directory links to or redirects to.
func SafeURL(u string) bool {
	if len(u) > maxURL || strings.ContainsAny(u, " \t\r\n\\") {
		return false
	}
	p, err := url.Parse(u)
	if err != nil || p.User != nil || p.Host == "" || p.Opaque != "" {
		return false
	}
	return p.Scheme == "http" || p.Scheme == "https"
}

func subset(xs, of []string) bool {
	for _, x := range xs {
		if !slices.Contains(of, x) {
			return false
		}
	}
	return true
}

// Filter is a directory search.
type Filter struct {
	Text      string // in the name, organisation or summary
	Need      string
	Area      string
	Language  string
	Community string
	Stage     string
	// UncheckedBefore, when set, keeps only services never checked or
	// last checked before it (the staff list's review filter).
	UncheckedBefore time.Time
	Limit           int
	Offset          int
}

// Month is the signposting month of t: "2006-01" in UTC.
func Month(t time.Time) string { return t.UTC().Format("2006-01") }
