package accountability

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// Status is where a recommendation is in its life.
type Status string

const (
	Draft     Status = "draft"
	Published Status = "published"
)

// Limits of a recommendation's texts, in characters.
const (
	MaxTitle = 200
	MaxText  = 6000
	// MaxQuotes is how many quotes one recommendation may carry.
	MaxQuotes = 12
)

// Translation is a recommendation's title and text in one programme
// language other than English.
type Translation struct {
	Lang, Title, Text string
}

// Recommendation is a finding and what the programme asks of the
// organisations it is addressed to, with the evidence behind it.
type Recommendation struct {
	ID, Reference string
	Status        Status
	Title, Text   string // English, always
	Translations  []Translation
	Organisations []string // programme organisations' slugs
	Themes        []string // top-level codes
	Quotes        []string // codings marked as consented quotes
	Version       int
	CreatedAt     time.Time
	PublishedAt   time.Time
	// SharedAt is when the draft was shared with the organisations it
	// is addressed to for a factual-accuracy check (zero: not shared).
	SharedAt time.Time
}

// Choices are what a recommendation may name: the programme's languages
// other than English, its organisations, the codebook's themes and the
// consented quotes on offer.
type Choices struct {
	Languages, Organisations, Themes, Quotes []string
}

// Validate checks a draft in the order the page shows its fields. A
// translation is optional, but one with a text needs its title and the
// other way round. Every organisation, theme and quote must be one on
// offer (a quote whose consent was withdrawn is no longer on offer).
func (r *Recommendation) Validate(c Choices) field.Errors {
	var errs field.Errors
	r.Title, r.Text = strings.TrimSpace(r.Title), strings.TrimSpace(r.Text)
	checkText(&errs, "title", r.Title, MaxTitle, true)
	checkText(&errs, "text", r.Text, MaxText, true)
	kept := r.Translations[:0]
	for _, t := range r.Translations {
		t.Title, t.Text = strings.TrimSpace(t.Title), strings.TrimSpace(t.Text)
		if !slices.Contains(c.Languages, t.Lang) {
			continue
		}
		if t.Title == "" && t.Text == "" {
			continue
		}
		checkText(&errs, "title-"+t.Lang, t.Title, MaxTitle, true)
		checkText(&errs, "text-"+t.Lang, t.Text, MaxText, true)
		kept = append(kept, t)
	}
	r.Translations = kept
	if len(r.Organisations) == 0 {
		errs.Add("organisations", "accountability.error_organisations")
	}
	for _, o := range r.Organisations {
		if !slices.Contains(c.Organisations, o) {
			errs.Add("organisations", "accountability.error_choice")
		}
	}
	for _, t := range r.Themes {
		if !slices.Contains(c.Themes, t) {
			errs.Add("themes", "accountability.error_choice")
		}
	}
	if len(r.Quotes) > MaxQuotes {
		errs.Add("quotes", "accountability.error_too_many_quotes", "Max", MaxQuotes)
	}
	for _, q := range r.Quotes {
		if !slices.Contains(c.Quotes, q) {
			errs.Add("quotes", "accountability.error_quote_gone")
		}
	}
	return errs
}

func checkText(errs *field.Errors, id, v string, limit int, required bool) {
	switch {
	case required && v == "":
		errs.Add(id, "accountability.error_required")
	case utf8.RuneCountInString(v) > limit:
		errs.Add(id, "accountability.error_too_long", "Max", limit)
	case !utf8.ValidString(v):
		errs.Add(id, "accountability.error_required")
	}
}

// CanPublish says what stops a draft being published: it must be a
// draft, and it must carry evidence (a theme or a quote).
func (r Recommendation) CanPublish() field.Errors {
	var errs field.Errors
	if r.Status != Draft {
		errs.Add("publish", "accountability.error_already_published")
	}
	if len(r.Themes) == 0 && len(r.Quotes) == 0 {
		errs.Add("themes", "accountability.error_no_evidence")
	}
	return errs
}

// In returns the title and text in lang, or the English ones with
// fallback true when there is no translation.
func (r Recommendation) In(lang string) (title, text string, fallback bool) {
	for _, t := range r.Translations {
		if t.Lang == lang {
			return t.Title, t.Text, false
		}
	}
	return r.Title, r.Text, lang != "en"
}

// Reference is the n-th recommendation of a year: R-2026-001.
func Reference(year, n int) string { return fmt.Sprintf("R-%d-%03d", year, n) }

// ValidReference reports whether s has the form of a reference, so a
// public URL that is not one is a plain "not found".
func ValidReference(s string) bool {
	var y, n int
	if len(s) < 10 || len(s) > 16 {
		return false
	}
	_, err := fmt.Sscanf(s, "R-%4d-%d", &y, &n)
	return err == nil && Reference(y, n) == s
}
