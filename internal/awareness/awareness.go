// Package awareness holds the short, staff-managed information pages of
// a programme (screening programmes, signs and symptoms, how to ask for an
// interpreter), one text per language, written in Markdown and shown as
// sanitised HTML. It has no HTTP and no storage of its own.
package awareness

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// Limits on what staff may write.
const (
	MaxSlug     = 60
	MaxTitle    = 150
	MaxSummary  = 300
	MaxBody     = 20000
	MaxReviewer = 120
	MaxPosition = 999
)

// ReviewEvery is how long a reviewed text stays current: after this, the
// staff list shows it as due for review and the public page says when the
// next review was due.
const ReviewEvery = 12 // months

// Audit actions (who changed what; never the text itself).
const (
	ActionCreated     = "awareness.page_created"
	ActionSaved       = "awareness.text_saved"
	ActionPublished   = "awareness.published"
	ActionUnpublished = "awareness.unpublished"
)

// DateLayout is how review dates are written and stored.
const DateLayout = "2006-01-02"

// Page is one awareness page with its texts, one per language.
type Page struct {
	ID        string
	Slug      string
	Position  int
	Published bool
	CreatedAt time.Time
	Texts     []Text // in no particular order; use Text(lang)
}

// Text is a page in one language.
type Text struct {
	Lang       string
	Title      string
	Summary    string
	Markdown   string    // what staff wrote
	HTML       string    // the sanitised rendering, made when saved
	ReviewedOn time.Time // a date (midnight UTC)
	Reviewer   string    // a member of staff's name or role
	UpdatedBy  string    // staff account id
	UpdatedAt  time.Time
}

// Text returns the page's text in lang, if it has one.
func (p Page) Text(lang string) (Text, bool) {
	for _, t := range p.Texts {
		if t.Lang == lang {
			return t, true
		}
	}
	return Text{}, false
}

// Shown is what the public sees of a page in a language: the text in that
// language, or the English one with Fallback set.
type Shown struct {
	Text
	Fallback bool // the page is not (yet) in the wanted language; this is English
}

// In picks the text to show in lang, falling back to fallback (English).
// ok is false when the page has neither.
func (p Page) In(lang, fallback string) (Shown, bool) {
	if t, ok := p.Text(lang); ok {
		return Shown{Text: t}, true
	}
	if t, ok := p.Text(fallback); ok {
		return Shown{Text: t, Fallback: lang != fallback}, true
	}
	return Shown{}, false
}

// Status is the state of one language of a page, for the staff overview.
type Status string

const (
	StatusMissing  Status = "missing"  // no text in this language
	StatusCurrent  Status = "current"  // reviewed, and not older than the English text's review
	StatusOutdated Status = "outdated" // reviewed before the English text was last reviewed
	StatusDue      Status = "due"      // its review is more than ReviewEvery old
)

// StatusOf says whether the text in lang is missing, behind the English
// text (reviewed before the English was), due for review, or current.
func (p Page) StatusOf(lang, fallback string, today time.Time) Status {
	t, ok := p.Text(lang)
	if !ok {
		return StatusMissing
	}
	if en, ok := p.Text(fallback); ok && lang != fallback && t.ReviewedOn.Before(en.ReviewedOn) {
		return StatusOutdated
	}
	if !NextReview(t.ReviewedOn).After(today) {
		return StatusDue
	}
	return StatusCurrent
}

// NextReview is when a text reviewed on d should be reviewed again.
func NextReview(d time.Time) time.Time { return d.AddDate(0, ReviewEvery, 0) }

var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// ValidSlug reports whether s can name a page in a URL: lower-case
// letters, digits and single hyphens, at most MaxSlug characters.
func ValidSlug(s string) bool { return len(s) <= MaxSlug && slugRE.MatchString(s) }

// ParseDate reads a review date written as 2025-06-30 (what a date input
// sends) or 30/06/2025 (the UK order people type). It returns midnight UTC.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{DateLayout, "2/1/2006", "02/01/2006", "2.1.2006", "2-1-2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Draft is a text as staff sent it, before it is checked.
type Draft struct {
	Title, Summary, Markdown, ReviewedOn, Reviewer string
}

// Check validates a draft; today is the date in the programme's time zone
// (a review date may not be after it). It returns the text to save
// (rendered) or the problems, in the order of the form's fields, keyed by
// its input ids.
func Check(d Draft, today time.Time) (Text, field.Errors) {
	var errs field.Errors
	add := func(f, k string) { errs.Add(f, k) }
	switch {
	case d.Title == "":
		add("title", "awareness.error.title_required")
	case utf8.RuneCountInString(d.Title) > MaxTitle:
		add("title", "awareness.error.title_long")
	}
	switch {
	case d.Summary == "":
		add("summary", "awareness.error.summary_required")
	case utf8.RuneCountInString(d.Summary) > MaxSummary:
		add("summary", "awareness.error.summary_long")
	}
	var html string
	switch {
	case strings.TrimSpace(d.Markdown) == "":
		add("body", "awareness.error.body_required")
	case utf8.RuneCountInString(d.Markdown) > MaxBody:
		add("body", "awareness.error.body_long")
	default:
		html = Render(d.Markdown)
	}
	reviewed, ok := ParseDate(d.ReviewedOn)
	todayDate := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case d.ReviewedOn == "":
		add("reviewed_on", "awareness.error.reviewed_required")
	case !ok:
		add("reviewed_on", "awareness.error.reviewed_invalid")
	case reviewed.After(todayDate):
		add("reviewed_on", "awareness.error.reviewed_future")
	case reviewed.Year() < 2000:
		add("reviewed_on", "awareness.error.reviewed_invalid")
	}
	switch {
	case d.Reviewer == "":
		add("reviewer", "awareness.error.reviewer_required")
	case utf8.RuneCountInString(d.Reviewer) > MaxReviewer:
		add("reviewer", "awareness.error.reviewer_long")
	}
	if len(errs) > 0 {
		return Text{}, errs
	}
	return Text{Title: d.Title, Summary: d.Summary, Markdown: d.Markdown, HTML: html, ReviewedOn: reviewed, Reviewer: d.Reviewer}, nil
}
