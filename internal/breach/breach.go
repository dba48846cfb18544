// Package breach is the register of personal data breaches (UK GDPR
// Article 33(5): every breach is documented, reported or not). Each
// entry says what happened, when, when the programme became aware (the
// ICO must be told within 72 hours of that, where the breach is likely to
// risk people's rights and freedoms), who and what was affected, the
// likely consequences, what was done, whether it was reported and why,
// and whether the people were told. Entries change as facts emerge; the
// store keeps every version. No HTTP here.
package breach

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/field"
)

// ReportWindow is how long after awareness a reportable breach must reach
// the ICO (Article 33(1)).
const ReportWindow = 72 * time.Hour

// Answer is a yes/no still to be decided ("").
type Answer string

const (
	Undecided Answer = ""
	Yes       Answer = "yes"
	No        Answer = "no"
)

// Limits, in characters.
const (
	MaxSummary   = 300
	MaxText      = 4000
	MaxReference = 60
	MaxCount     = 100_000_000
)

// Field errors are translation keys (locales/rights.*.toml).
var (
	ErrSummaryMissing = errors.New("breaches.error.summary_missing")
	ErrTooLong        = errors.New("breaches.error.too_long")
	ErrTimeInvalid    = errors.New("breaches.error.time_invalid")
	ErrTimeFuture     = errors.New("breaches.error.time_future")
	ErrAwareMissing   = errors.New("breaches.error.aware_missing")
	ErrAwareEarly     = errors.New("breaches.error.aware_before_occurred")
	ErrCountInvalid   = errors.New("breaches.error.count_invalid")
	ErrAnswerInvalid  = errors.New("breaches.error.answer_invalid")
	ErrReasonMissing  = errors.New("breaches.error.reason_missing")
	ErrRefNeeded      = errors.New("breaches.error.reference_needed")
)

// Breach is one entry of the register, as it stands now.
type Breach struct {
	ID              string
	Version         int
	Summary         string     // what happened
	OccurredAt      *time.Time // when it happened, if known
	AwareAt         time.Time  // when the programme became aware
	DataAffected    string     // kinds of personal data
	RecordsAffected *int       // approximate
	PeopleAffected  *int       // approximate
	Consequences    string
	Actions         string
	Reported        Answer // reported to the ICO
	ReportReason    string // why, either way
	ICOReference    string
	PeopleTold      Answer
	PeopleToldWhy   string
	UpdatedAt       time.Time
	UpdatedBy       string // a user id
}

// Deadline is when the 72 hours from awareness end.
func (b Breach) Deadline() time.Time { return b.AwareAt.Add(ReportWindow) }

// Clock is the 72-hour clock at a moment: stopped once the reporting
// decision is made, else time left or time overdue.
type Clock struct {
	Decided bool          // reported, or decided not to report
	Overdue bool          // undecided and past the deadline
	Left    time.Duration // time left (undecided, not overdue)
	Over    time.Duration // time past the deadline (overdue)
}

// ClockAt returns the clock at now.
func (b Breach) ClockAt(now time.Time) Clock {
	if b.Reported != Undecided {
		return Clock{Decided: true}
	}
	left := b.Deadline().Sub(now)
	if left < 0 {
		return Clock{Overdue: true, Over: -left}
	}
	return Clock{Left: left}
}

// HoursMinutes splits a duration into whole hours and minutes, for the
// clock's text.
func HoursMinutes(d time.Duration) (int, int) {
	m := int(d / time.Minute)
	return m / 60, m % 60
}

// Form is the breach form as typed: times in the programme's zone as
// "2006-01-02T15:04" (an <input type="datetime-local">), counts as
// digits.
type Form struct {
	Summary, Occurred, Aware, DataAffected, Records, People string
	Consequences, Actions                                   string
	Reported, ReportReason, ICOReference                    string
	PeopleTold, PeopleToldWhy                               string
}

// FormOf is b shown in the form, times in loc.
func FormOf(b Breach, loc *time.Location) Form {
	f := Form{Summary: b.Summary, Aware: b.AwareAt.In(loc).Format(localLayout), DataAffected: b.DataAffected,
		Consequences: b.Consequences, Actions: b.Actions, Reported: string(b.Reported), ReportReason: b.ReportReason,
		ICOReference: b.ICOReference, PeopleTold: string(b.PeopleTold), PeopleToldWhy: b.PeopleToldWhy}
	if b.OccurredAt != nil {
		f.Occurred = b.OccurredAt.In(loc).Format(localLayout)
	}
	if b.RecordsAffected != nil {
		f.Records = strconv.Itoa(*b.RecordsAffected)
	}
	if b.PeopleAffected != nil {
		f.People = strconv.Itoa(*b.PeopleAffected)
	}
	return f
}

const localLayout = "2006-01-02T15:04"

// Parse validates the form in its order and returns the breach it
// describes (ID, Version and the Updated fields are the store's). now
// is the current time; loc the programme's time zone.
func (f Form) Parse(now time.Time, loc *time.Location) (Breach, field.Errors) {
	var errs field.Errors
	var b Breach
	b.Summary = strings.TrimSpace(f.Summary)
	switch {
	case b.Summary == "":
		errs.Add("summary", ErrSummaryMissing.Error())
	case utf8.RuneCountInString(b.Summary) > MaxSummary:
		errs.Add("summary", ErrTooLong.Error())
	}
	if t, ok := parseTime(&errs, "occurred", f.Occurred, false, now, loc); ok {
		b.OccurredAt = &t
	}
	if t, ok := parseTime(&errs, "aware", f.Aware, true, now, loc); ok {
		b.AwareAt = t
		if b.OccurredAt != nil && t.Before(*b.OccurredAt) {
			errs.Add("aware", ErrAwareEarly.Error())
		}
	}
	b.DataAffected = text(&errs, "data", f.DataAffected, MaxText)
	b.RecordsAffected = count(&errs, "records", f.Records)
	b.PeopleAffected = count(&errs, "people", f.People)
	b.Consequences = text(&errs, "consequences", f.Consequences, MaxText)
	b.Actions = text(&errs, "actions", f.Actions, MaxText)
	b.Reported = answer(&errs, "reported", f.Reported)
	b.ReportReason = text(&errs, "report-reason", f.ReportReason, MaxText)
	if b.Reported != Undecided && b.ReportReason == "" && !errs.Has("report-reason") {
		errs.Add("report-reason", ErrReasonMissing.Error())
	}
	b.ICOReference = text(&errs, "ico-reference", f.ICOReference, MaxReference)
	if b.ICOReference != "" && b.Reported != Yes && !errs.Has("ico-reference") {
		errs.Add("ico-reference", ErrRefNeeded.Error())
	}
	b.PeopleTold = answer(&errs, "told", f.PeopleTold)
	b.PeopleToldWhy = text(&errs, "told-why", f.PeopleToldWhy, MaxText)
	return b, errs
}

func text(errs *field.Errors, id, s string, limit int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > limit {
		errs.Add(id, ErrTooLong.Error())
	}
	return s
}

func count(errs *field.Errors, id, s string) *int {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > MaxCount {
		errs.Add(id, ErrCountInvalid.Error())
		return nil
	}
	return &n
}

func answer(errs *field.Errors, id, s string) Answer {
	switch a := Answer(strings.TrimSpace(s)); a {
	case Undecided, Yes, No:
		return a
	}
	errs.Add(id, ErrAnswerInvalid.Error())
	return Undecided
}

func parseTime(errs *field.Errors, id, s string, required bool, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		if required {
			errs.Add(id, ErrAwareMissing.Error())
		}
		return time.Time{}, false
	}
	t, err := time.ParseInLocation(localLayout, s, loc)
	if err != nil {
		errs.Add(id, ErrTimeInvalid.Error())
		return time.Time{}, false
	}
	if t.After(now.Add(time.Minute)) {
		errs.Add(id, ErrTimeFuture.Error())
		return time.Time{}, false
	}
	return t.UTC(), true
}

// Changed names the facts that differ between two versions of an entry
// (for the audit trail, which records which facts changed, not what they
// say).
func Changed(old, cur Breach) []string {
	var out []string
	same := func(a, b *time.Time) bool { return (a == nil) == (b == nil) && (a == nil || a.Equal(*b)) }
	sameN := func(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	for _, c := range []struct {
		name string
		eq   bool
	}{
		{"summary", old.Summary == cur.Summary},
		{"occurred", same(old.OccurredAt, cur.OccurredAt)},
		{"aware", old.AwareAt.Equal(cur.AwareAt)},
		{"data", old.DataAffected == cur.DataAffected},
		{"records", sameN(old.RecordsAffected, cur.RecordsAffected)},
		{"people", sameN(old.PeopleAffected, cur.PeopleAffected)},
		{"consequences", old.Consequences == cur.Consequences},
		{"actions", old.Actions == cur.Actions},
		{"reported", old.Reported == cur.Reported},
		{"report-reason", old.ReportReason == cur.ReportReason},
		{"ico-reference", old.ICOReference == cur.ICOReference},
		{"told", old.PeopleTold == cur.PeopleTold},
		{"told-why", old.PeopleToldWhy == cur.PeopleToldWhy},
	} {
		if !c.eq {
			out = append(out, c.name)
		}
	}
	return out
}
