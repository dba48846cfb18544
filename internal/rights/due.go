package rights

import (
	"time"

	"github.com/hearme-project/hearme/internal/workdays"
)

// The ICO's rule for the time limit (UK GDPR Article 12(3); ICO, "Right
// of access" (SAR checklist, https://ico.org.uk/global/sar-checklist-for-smes/i-need-to-complete-a-sar):
// one calendar month from the day the request arrives, or from the day
// identity or clarification arrives if that is later; the same date in
// the next month, or that month's last day when it has no such date; a
// deadline on a weekend or bank holiday moves to the next working day.
// A complex request may be extended by a further two months, the person
// being told why within the first month.

// dateOf is t's calendar date at midnight UTC.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// addMonths returns the same date n months on, or that month's last
// day when it is shorter (31 January + 1 month = 28 or 29 February).
func addMonths(d time.Time, n int) time.Time {
	d = dateOf(d)
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d.Day(), last), 0, 0, 0, 0, time.UTC)
}

// DueDate is the answer's due date for a clock that started on start.
func DueDate(start time.Time) time.Time {
	return workdays.OnOrNext(addMonths(start, 1))
}

// ExtendedDue is the due date after the two-month extension: three
// calendar months from the start, moved to a working day.
func ExtendedDue(start time.Time) time.Time {
	return workdays.OnOrNext(addMonths(start, 3))
}
