package workdays

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestCalendarCoversTheYearsItSays(t *testing.T) {
	t.Parallel()
	first, last := Covered()
	if first != 2024 || last != 2028 {
		t.Fatalf("covered %d-%d, want 2024-2028", first, last)
	}
	perYear := map[int]int{}
	for ds := range holidays {
		d := date(ds)
		perYear[d.Year()]++
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s is a %s: GOV.UK lists the substitute weekday, not the weekend day", ds, wd)
		}
	}
	for y := first; y <= last; y++ {
		if perYear[y] != 8 {
			t.Errorf("%d has %d bank holidays, want England and Wales's 8", y, perYear[y])
		}
	}
}

func TestIsWorkingDay(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		date string
		want bool
	}{
		{"2026-12-24", true},  // Thursday
		{"2026-12-25", false}, // Christmas Day, Friday
		{"2026-12-26", false}, // Saturday
		{"2026-12-28", false}, // Boxing Day substitute, Monday
		{"2026-12-29", true},
		{"2027-03-29", false}, // Easter Monday
		{"2028-01-03", false}, // New Year's Day substitute
		{"2028-01-04", true},
	} {
		if got := IsWorkingDay(date(c.date)); got != c.want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", c.date, got, c.want)
		}
	}
}

func TestNextAndAdd(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, from string
		n          int
		want       string
	}{
		{"Thursday before Christmas 2026, next", "2026-12-24", 1, "2026-12-29"},
		{"Good Friday 2027, next", "2027-03-26", 1, "2027-03-30"},
		{"five working days over a bank holiday weekend", "2026-05-21", 5, "2026-05-29"},
		{"zero from a Saturday", "2026-12-05", 0, "2026-12-07"},
		{"back one from a Monday", "2026-12-07", -1, "2026-12-04"},
	} {
		if got := Add(date(c.from), c.n).Format(time.DateOnly); got != c.want {
			t.Errorf("%s: Add(%s, %d) = %s, want %s", c.name, c.from, c.n, got, c.want)
		}
	}
	if got := Next(date("2026-12-24")).Format(time.DateOnly); got != "2026-12-29" {
		t.Errorf("Next(2026-12-24) = %s", got)
	}
	// A time late in the evening counts as its own date.
	late := time.Date(2026, 12, 24, 23, 59, 0, 0, time.UTC)
	if got := OnOrNext(late).Format(time.DateOnly); got != "2026-12-24" {
		t.Errorf("OnOrNext(late 24 Dec) = %s", got)
	}
}
