// Package workdays counts working days in England and Wales: Monday to
// Friday, less the bank holidays in the embedded GOV.UK calendar
// (england-and-wales.txt, https://www.gov.uk/bank-holidays). Dates are
// calendar dates: a time's clock and zone are ignored.
package workdays

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// Source is where the calendar comes from.
const Source = "https://www.gov.uk/bank-holidays"

//go:embed england-and-wales.txt
var calendarFile string

// holidays maps a date to its bank holiday's title.
var holidays, firstYear, lastYear = mustParse(calendarFile)

func mustParse(text string) (map[string]string, int, int) {
	out := map[string]string{}
	first, last := 0, 0
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		date, title, _ := strings.Cut(line, " ")
		d, err := time.Parse(time.DateOnly, date)
		if err != nil || title == "" {
			panic(fmt.Sprintf("workdays: england-and-wales.txt line %d: %q", n, line))
		}
		out[date] = title
		if first == 0 || d.Year() < first {
			first = d.Year()
		}
		last = max(last, d.Year())
	}
	return out, first, last
}

// Covered returns the first and last years the calendar holds. Outside
// them only weekends are known, so a date there may land on a bank
// holiday the calendar does not list.
func Covered() (first, last int) { return firstYear, lastYear }

// day is d's calendar date at midnight UTC.
func day(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
}

// BankHoliday returns the title of the bank holiday on d's date, if any.
func BankHoliday(d time.Time) (string, bool) {
	t, ok := holidays[d.Format(time.DateOnly)]
	return t, ok
}

// IsWorkingDay reports whether d's date is a weekday that is not a bank
// holiday.
func IsWorkingDay(d time.Time) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	_, holiday := BankHoliday(d)
	return !holiday
}

// OnOrNext returns d's date if it is a working day, else the next
// working day: how a deadline that falls on a weekend or bank holiday
// moves.
func OnOrNext(d time.Time) time.Time {
	d = day(d)
	for !IsWorkingDay(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// Next returns the first working day after d's date.
func Next(d time.Time) time.Time { return OnOrNext(day(d).AddDate(0, 0, 1)) }

// Add returns the date n working days after d's date (n 0: d's date
// itself, moved on to a working day). A negative n counts back.
func Add(d time.Time, n int) time.Time {
	d = day(d)
	if n == 0 {
		return OnOrNext(d)
	}
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDate(0, 0, step)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}
