package champion

import (
	"strings"
	"testing"
	"time"
)

func TestStageMoves(t *testing.T) {
	allowed := map[[2]Stage]bool{
		{Applied, Contacted}: true, {Applied, Left}: true, {Contacted, Training}: true, {Contacted, Left}: true,
		{Training, Active}: true, {Training, Paused}: true, {Training, Left}: true, {Active, Paused}: true, {Active, Left}: true,
		{Paused, Training}: true, {Paused, Active}: true, {Paused, Left}: true,
	}
	for _, from := range append(Stages, "bogus") {
		for _, to := range append(Stages, "bogus") {
			if got := from.CanMoveTo(to); got != allowed[[2]Stage{from, to}] {
				t.Errorf("%s -> %s: %v", from, to, got)
			}
		}
	}
	if Applied.Proceeded() || Contacted.Proceeded() || Left.Proceeded() || !Training.Proceeded() {
		t.Error("proceeded is reaching training or beyond")
	}
}

func TestApplicationValidate(t *testing.T) {
	a := Application{Name: "  Rina ", Email: " Rina@Example.ORG ", Communities: []string{"south-asian"}, Motivation: "To help", Consent: true}
	if errs := a.Validate([]string{"south-asian"}); len(errs) != 0 || a.Name != "Rina" || a.Email != "rina@example.org" {
		t.Fatalf("good application: %v %+v", errs, a)
	}
	bad := Application{Email: "x@", Phone: "call me", Communities: []string{"elsewhere"}, Availability: []string{"never"}, LivedExperience: strings.Repeat("é", MaxText+1)}
	errs := bad.Validate([]string{"south-asian"})
	for _, f := range []string{"name", "email", "phone", "communities", "availability", "motivation", "lived_experience", "consent"} {
		if errs.Key(f) == "" {
			t.Errorf("no error on %s: %v", f, errs)
		}
	}
	if errs := (&Application{Name: "A", Communities: []string{"c"}, Motivation: "m", Consent: true}).Validate([]string{"c"}); errs.Key("email") != "champions.error.contact_required" {
		t.Errorf("no way to reach them: %v", errs)
	}
}

func TestParseOutreach(t *testing.T) {
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	o, errs := ParseOutreach(OutreachInput{Date: "2026-11-28", Community: "somali", Place: " Library ", PeopleReached: "12", Hours: "1:30"}, []string{"somali"}, today)
	if len(errs) != 0 || o.Minutes != 90 || o.PeopleReached != 12 || o.Place != "Library" || o.Date != "2026-11-28" {
		t.Fatalf("%+v %v", o, errs)
	}
	for in, field := range map[OutreachInput]string{
		{Date: "2026-11-30", Community: "somali", Place: "x", PeopleReached: "1"}:               "date",
		{Date: "2026-02-30", Community: "somali", Place: "x", PeopleReached: "1"}:               "date",
		{Date: "2020-01-01", Community: "somali", Place: "x", PeopleReached: "1"}:               "date",
		{Date: "2026-11-28", Community: "nowhere", Place: "x", PeopleReached: "1"}:              "community",
		{Date: "2026-11-28", Community: "somali", PeopleReached: "1"}:                           "place",
		{Date: "2026-11-28", Community: "somali", Place: "x", PeopleReached: "-3"}:              "people_reached",
		{Date: "2026-11-28", Community: "somali", Place: "x", PeopleReached: "999999"}:          "people_reached",
		{Date: "2026-11-28", Community: "somali", Place: "x", PeopleReached: "1", Hours: "25"}:  "hours",
		{Date: "2026-11-28", Community: "somali", Place: "x", PeopleReached: "1", Hours: "NaN"}: "hours",
	} {
		if _, errs := ParseOutreach(in, []string{"somali"}, today); errs.Key(field) == "" {
			t.Errorf("%+v: no error on %s (%v)", in, field, errs)
		}
	}
	for in, want := range map[string]int{"2": 120, "1.5": 90, "1,5": 90, "0:45": 45} {
		if m, ok := parseHours(in); !ok || m != want {
			t.Errorf("hours %q = %d %v", in, m, ok)
		}
	}
	if FormatHours(90) != "1.5" || FormatHours(120) != "2" {
		t.Error("FormatHours")
	}
}

func FuzzParseOutreach(f *testing.F) {
	f.Add("2026-11-28", "somali", "12", "1.5")
	f.Add("\xff", "", "1e9", "1:99")
	today := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, date, community, people, hours string) {
		o, errs := ParseOutreach(OutreachInput{Date: date, Community: community, Place: "x", PeopleReached: people, Hours: hours}, []string{"somali"}, today)
		if len(errs) == 0 && (o.PeopleReached < 0 || o.PeopleReached > MaxPeople || o.Minutes < 0 || o.Minutes > 24*60 || o.Community != "somali") {
			t.Fatalf("accepted %+v", o)
		}
	})
}
