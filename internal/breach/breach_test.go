package breach

import (
	"testing"
	"time"
)

var london, _ = time.LoadLocation("Europe/London")

func TestClockCountsSeventyTwoHoursFromAwareness(t *testing.T) {
	t.Parallel()
	aware := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	b := Breach{AwareAt: aware}
	if got := b.Deadline(); !got.Equal(time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)) {
		t.Fatalf("deadline %v", got)
	}
	c := b.ClockAt(aware.Add(70*time.Hour + 15*time.Minute))
	if c.Overdue || c.Decided {
		t.Fatalf("clock %+v", c)
	}
	if h, m := HoursMinutes(c.Left); h != 1 || m != 45 {
		t.Fatalf("left %dh %dm", h, m)
	}
	c = b.ClockAt(aware.Add(75 * time.Hour))
	if !c.Overdue || c.Over != 3*time.Hour {
		t.Fatalf("overdue clock %+v", c)
	}
	b.Reported = No
	if c := b.ClockAt(aware.Add(100 * time.Hour)); !c.Decided || c.Overdue {
		t.Fatalf("a decision stops the clock: %+v", c)
	}
}

func TestFormParse(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 7, 10, 12, 0, 0, 0, time.UTC)
	_, errs := Form{}.Parse(now, london)
	if !errs.Has("summary") || !errs.Has("aware") {
		t.Fatalf("empty form: %v", errs)
	}
	// Times are typed in the programme's zone: 10:00 in London's summer is 09:00 UTC.
	b, errs := Form{Summary: "Email sent to the wrong list", Occurred: "2026-07-09T08:00", Aware: "2026-07-10T10:00",
		Records: "1,200", People: "40", Reported: "no", ReportReason: "No likely risk: addresses only, recalled"}.Parse(now, london)
	if len(errs) != 0 {
		t.Fatalf("valid form: %v", errs)
	}
	if !b.AwareAt.Equal(time.Date(2026, 7, 10, 9, 0, 0, 0, time.UTC)) || *b.RecordsAffected != 1200 || *b.PeopleAffected != 40 {
		t.Fatalf("parsed %+v", b)
	}
	for name, f := range map[string]Form{
		"aware before it happened":  {Summary: "x", Occurred: "2026-07-10T10:00", Aware: "2026-07-09T10:00"},
		"in the future":             {Summary: "x", Aware: "2026-07-11T10:00"},
		"a decision without reason": {Summary: "x", Aware: "2026-07-10T10:00", Reported: "yes"},
		"a reference unreported":    {Summary: "x", Aware: "2026-07-10T10:00", ICOReference: "IC-1"},
		"a negative count":          {Summary: "x", Aware: "2026-07-10T10:00", People: "-3"},
		"a made-up answer":          {Summary: "x", Aware: "2026-07-10T10:00", Reported: "maybe"},
	} {
		if _, errs := f.Parse(now, london); len(errs) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
	// FormOf shows the stored breach back in the programme's zone.
	if f := FormOf(b, london); f.Aware != "2026-07-10T10:00" || f.Records != "1200" {
		t.Fatalf("form of %+v", f)
	}
}
