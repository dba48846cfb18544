package event

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
)

func london(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Skip("no time zone database")
	}
	return loc
}

func TestICS(t *testing.T) {
	loc := london(t)
	// 14 July 2027 10:00 BST is 09:00 UTC.
	start, ok := ParseLocal("2027-07-14", "10:00", loc)
	if !ok || start.Hour() != 9 {
		t.Fatalf("ParseLocal: %v %v", start, ok)
	}
	c := Calendar{UID: "abc@hearme.example", Title: "Ascultă-mă; întâlnire, Luton", Description: "Line one\nLine two \\ " + strings.Repeat("ă", 60),
		Location: "Example Hall, 1 Example Street, Luton LU1 1AA", URL: "https://hearme.example/events/abc", Start: start, End: start.Add(2 * time.Hour),
		Stamp: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}
	out := string(c.ICS(loc))
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "TZID:Europe/London\r\n", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n",
		"DTSTART;TZID=Europe/London:20270714T100000\r\n", "DTEND;TZID=Europe/London:20270714T120000\r\n",
		`SUMMARY:Ascultă-mă\; întâlnire\, Luton` + "\r\n", `DESCRIPTION:Line one\nLine two \\ `, "LOCATION:Example Hall\\, 1 Example Street\\, Luton LU1 1AA",
		"STATUS:CONFIRMED\r\n", "END:VCALENDAR\r\n", "DTSTAMP:20270101T000000Z\r\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Fatal("a bare LF")
	}
	for _, l := range strings.Split(out, "\r\n") {
		if len(l) > 75 {
			t.Fatalf("line over 75 octets: %q", l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("folding split a character: %q", l)
		}
	}
	// Unfolding gives back the escaped text.
	unfolded := strings.ReplaceAll(out, "\r\n ", "")
	if !strings.Contains(unfolded, strings.Repeat("ă", 60)) {
		t.Fatal("unfolding lost text")
	}
	// Winter: GMT, the local time is the UTC time.
	w, _ := ParseLocal("2027-01-14", "18:30", loc)
	c.Start, c.End, c.Cancelled = w, w.Add(time.Hour), true
	out = string(c.ICS(loc))
	if !strings.Contains(out, "DTSTART;TZID=Europe/London:20270114T183000\r\n") || !strings.Contains(out, "STATUS:CANCELLED") {
		t.Fatalf("winter or cancelled:\n%s", out)
	}
	// Another zone: UTC times.
	out = string(c.ICS(time.UTC))
	if !strings.Contains(out, "DTSTART:20270114T183000Z\r\n") || strings.Contains(out, "VTIMEZONE") {
		t.Fatalf("utc:\n%s", out)
	}
}

func TestParseLocalRefusesMissingHour(t *testing.T) {
	loc := london(t)
	if _, ok := ParseLocal("2027-03-28", "01:30", loc); ok {
		t.Fatal("01:30 on the day clocks go forward does not exist")
	}
	for _, bad := range [][2]string{{"2027-02-30", "10:00"}, {"14/07/2027", "10:00"}, {"2027-07-14", "25:00"}, {"", ""}} {
		if _, ok := ParseLocal(bad[0], bad[1], loc); ok {
			t.Errorf("accepted %v", bad)
		}
	}
}

func TestEventValidate(t *testing.T) {
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	good := func() *Event {
		return &Event{Kind: KindListening, Visibility: Public, Languages: []string{"en"}, Start: now.Add(time.Hour), End: now.Add(2 * time.Hour),
			VenueName: "Hall", VenueAddress: "Street", Capacity: 10, Texts: map[string]Text{"en": {Title: "T"}}}
	}
	langs, comms := []string{"en", "ro"}, []string{"south-asian"}
	if errs := good().Validate(now, langs, comms, 0, true); len(errs) != 0 {
		t.Fatalf("good event refused: %v", errs)
	}
	cases := []struct {
		name, field, key string
		edit             func(e *Event)
		confirmed        int
	}{
		{"past", "date", "events.error.date_past", func(e *Event) { e.Start, e.End = now.Add(-time.Hour), now }, 0},
		{"end before start", "minutes", "events.error.end_before_start", func(e *Event) { e.End = e.Start.Add(-time.Minute) }, 0},
		{"capacity below", "capacity", "events.error.capacity_below", func(e *Event) { e.Capacity = 3 }, 5},
		{"no title", "title_en", "events.error.title_required", func(e *Event) { e.Texts = map[string]Text{"ro": {Title: "x"}} }, 0},
		{"bad kind", "kind", "events.error.kind", func(e *Event) { e.Kind = "party" }, 0},
		{"forged community", "community", "events.error.choose", func(e *Event) { e.Community = "<script>" }, 0},
		{"forged access", "access", "events.error.choose", func(e *Event) { e.Access = []string{"x"} }, 0},
		{"bad agenda time", "agenda_at_0", "events.error.agenda_time", func(e *Event) { e.Agenda = []AgendaItem{{At: "9am", Activity: "a"}} }, 0},
	}
	for _, c := range cases {
		e := good()
		c.edit(e)
		if got := e.Validate(now, langs, comms, c.confirmed, true).Key(c.field); got != c.key {
			t.Errorf("%s: %s = %q, want %q", c.name, c.field, got, c.key)
		}
	}
}

func TestAnswersValidate(t *testing.T) {
	e := &Event{Capacity: 5}
	langs := []string{"en", "pl"}
	ok := Answers{Name: "Ana", Email: "ana@example.org", Reminders: true, Places: "2", Interpreter: "pl", HeardAbout: "radio"}
	r, errs := ok.Validate(e, "ro", langs)
	if len(errs) != 0 || r.Places != 2 || r.Lang != "ro" {
		t.Fatalf("%+v %v", r, errs)
	}
	cases := []struct {
		a     Answers
		field string
		key   string
	}{
		{Answers{Name: ""}, "name", "events.error.name_required"},
		{Answers{Name: "A", Email: "not an email", Reminders: true}, "email", "events.error.email_invalid"},
		{Answers{Name: "A", Email: "a@b", Reminders: true}, "email", "events.error.email_invalid"},
		{Answers{Name: "A", Email: "Ana <a@example.org>", Reminders: true}, "email", "events.error.email_invalid"},
		{Answers{Name: "A", Phone: "12ab", Reminders: true}, "phone", "events.error.phone_invalid"},
		{Answers{Name: "A", Phone: "0123", Reminders: true}, "phone", "events.error.phone_invalid"},
		{Answers{Name: "A", Reminders: true}, "email", "events.error.contact_for_reminders"},
		{Answers{Name: "A", Email: "a@example.org"}, "reminders", "events.error.consent_for_contact"},
		{Answers{Name: "A", Places: "0"}, "places", "events.error.places_range"},
		{Answers{Name: "A", Places: "6"}, "places", "events.error.places_over_capacity"},
		{Answers{Name: "A", Places: "1e3"}, "places", "events.error.places_range"},
		{Answers{Name: "A", Interpreter: "xx"}, "interpreter", "events.error.choose"},
		{Answers{Name: "A", HeardAbout: "<b>"}, "heard_about", "events.error.choose"},
	}
	for _, c := range cases {
		if _, errs := c.a.Validate(e, "en", langs); errs.Key(c.field) != c.key {
			t.Errorf("%+v: %s = %q, want %q", c.a, c.field, errs.Key(c.field), c.key)
		}
	}
	for _, p := range []string{"07700 900123", "+44 7700 900123", "01582 123456", "+48 601 234 567"} {
		if !contact.ValidPhone(p) {
			t.Errorf("refused %q", p)
		}
	}
	k1, p1 := DedupeKeys([]byte("k"), "Ana@Example.org ", "+44 7700 900123")
	k2, p2 := DedupeKeys([]byte("k"), "ana@example.org", "07700900123")
	if k1 != k2 || p1 != p2 || k1 == "" {
		t.Fatal("normalised contact details should give the same keys")
	}
	if a, b := CancelToken([]byte("k"), "id1"), CancelToken([]byte("k"), "id2"); a == b || !ValidToken(a) {
		t.Fatal("cancel tokens")
	}
}

func FuzzICSFold(f *testing.F) {
	f.Add("Ascultă-mă; \\ ,\n" + strings.Repeat("ă", 50))
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := fold("SUMMARY:" + escape(s))
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 || !utf8.ValidString(l) || strings.ContainsAny(l, "\n\r") {
				t.Fatalf("bad line %q", l)
			}
		}
	})
}

// FuzzAnswers: whatever is posted, Validate never panics, and what it
// accepts is within the rules.
func FuzzAnswers(f *testing.F) {
	f.Add("Ana", "ana@example.org", "07700 900123", true, "2", "wheelchair", "pl", "radio")
	f.Add("<script>", "a@b", "++44", false, "-1", strings.Repeat("x", 2000), "zz", "other")
	e := &Event{Capacity: 5}
	f.Fuzz(func(t *testing.T, name, email, phone string, reminders bool, places, needs, interp, heard string) {
		r, errs := Answers{name, email, phone, reminders, places, needs, interp, heard}.Validate(e, "en", []string{"en", "pl"})
		if len(errs) > 0 {
			return
		}
		if r.Name == "" || len([]rune(r.Name)) > MaxName || r.Places < 1 || r.Places > MaxPlaces || r.Places > e.Capacity ||
			r.Email != "" && !contact.ValidEmail(r.Email) || r.Phone != "" && !contact.ValidPhone(r.Phone) || (r.Email != "" || r.Phone != "") && !r.Reminders {
			t.Fatalf("accepted %+v", r)
		}
	})
}
