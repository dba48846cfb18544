package accountability

import (
	"testing"
	"time"
)

func TestParseBallotNeedsAProperRanking(t *testing.T) {
	t.Parallel()
	drafts := []string{"a", "b", "c"}
	b, errs := ParseBallot("pl", drafts, map[string]string{"a": "2", "b": "1", "c": "3"}, map[string]string{"b": "  Ważne  "})
	if len(errs) != 0 || b.Places["a"] != 2 || b.Places["b"] != 1 || b.Places["c"] != 3 || b.Comments["b"] != "Ważne" || len(b.Comments) != 1 || b.Lang != "pl" {
		t.Fatalf("good ballot: %+v %v", b, errs)
	}
	for name, tc := range map[string]struct {
		places map[string]string
		field  string
		key    string
	}{
		"missing":      {map[string]string{"a": "1", "b": "", "c": "2"}, "rank-b", "review.error_rank_missing"},
		"repeated":     {map[string]string{"a": "1", "b": "1", "c": "2"}, "rank-b", "review.error_rank_repeated"},
		"out of range": {map[string]string{"a": "1", "b": "4", "c": "2"}, "rank-b", "review.error_rank_choice"},
		"zero":         {map[string]string{"a": "0", "b": "1", "c": "2"}, "rank-a", "review.error_rank_choice"},
		"not a number": {map[string]string{"a": "1", "b": "x", "c": "2"}, "rank-b", "review.error_rank_choice"},
	} {
		_, errs := ParseBallot("en", drafts, tc.places, nil)
		if e := errs.For(tc.field); e == nil || e.Key != tc.key {
			t.Errorf("%s: %v", name, errs)
		}
	}
	long := make([]rune, MaxComment+1)
	for i := range long {
		long[i] = 'ż'
	}
	_, errs = ParseBallot("en", drafts, map[string]string{"a": "1", "b": "2", "c": "3"}, map[string]string{"c": string(long)})
	if e := errs.For("comment-c"); e == nil || e.Key != "review.error_too_long" {
		t.Errorf("overlong comment: %v", errs)
	}
	// Errors come in the page's order.
	_, errs = ParseBallot("en", drafts, map[string]string{}, nil)
	if len(errs) != 3 || errs[0].Field != "rank-a" || errs[2].Field != "rank-c" {
		t.Errorf("empty ballot: %v", errs)
	}
}

func TestEventInputValidate(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	communities := []string{"somali", "polish"}
	drafts := []string{"a", "b"}
	good := EventInput{Place: "Listening event at the Somali centre", HeldOn: "2026-12-05", Community: "somali", Participants: "12", Method: MethodRanks,
		Values: map[string]string{"a": "2", "b": "1"}}
	ev, errs := good.Validate(today, communities, drafts)
	if len(errs) != 0 || ev.Participants != 12 || ev.Values["b"] != 1 || !ev.HeldOn.Equal(time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("good: %+v %v", ev, errs)
	}
	dots := good
	dots.Method, dots.Values = MethodDots, map[string]string{"a": "7", "b": "0"}
	if ev, errs := dots.Validate(today, communities, drafts); len(errs) != 0 || ev.Values["a"] != 7 {
		t.Fatalf("dots: %+v %v", ev, errs)
	}
	cases := []struct {
		name  string
		edit  func(*EventInput)
		field string
	}{
		{"no name", func(in *EventInput) { in.Place = " " }, "place"},
		{"future", func(in *EventInput) { in.HeldOn = "2026-12-07" }, "held_on"},
		{"bad date", func(in *EventInput) { in.HeldOn = "5/12/2026" }, "held_on"},
		{"community", func(in *EventInput) { in.Community = "martian" }, "community"},
		{"nobody", func(in *EventInput) { in.Participants = "0" }, "participants"},
		{"too many", func(in *EventInput) { in.Participants = "10001" }, "participants"},
		{"method", func(in *EventInput) { in.Method = "vibes" }, "method"},
		{"repeated place", func(in *EventInput) { in.Values = map[string]string{"a": "1", "b": "1"} }, "value-b"},
		{"missing value", func(in *EventInput) { in.Values = map[string]string{"a": "1"} }, "value-b"},
		{"negative dots", func(in *EventInput) { in.Method, in.Values = MethodDots, map[string]string{"a": "-1", "b": "2"} }, "value-a"},
		{"no dots at all", func(in *EventInput) { in.Method, in.Values = MethodDots, map[string]string{"a": "0", "b": "0"} }, "value-a"},
	}
	for _, tc := range cases {
		in := good
		in.Values = map[string]string{"a": "2", "b": "1"}
		tc.edit(&in)
		if _, errs := in.Validate(today, communities, drafts); errs.For(tc.field) == nil {
			t.Errorf("%s: no error on %s: %v", tc.name, tc.field, errs)
		}
	}
}

func TestPrioritiesGoThroughDisclosureControl(t *testing.T) {
	t.Parallel()
	var ranks []Rank
	// 12 people rank a first and b second; 3 rank c (alone, later).
	for range 11 {
		ranks = append(ranks, Rank{"a", 1, 2, 1}, Rank{"b", 2, 2, 0})
	}
	ranks = append(ranks, Rank{"a", 1, 2, 1}, Rank{"b", 2, 2, 1}) // a count of 0 is one browser
	ranks = append(ranks, Rank{"c", 1, 1, 3})
	events := []EventResult{
		{Place: "Somali centre", Community: "somali", Method: MethodRanks, Participants: 12, Values: map[string]int{"a": 2, "b": 1}},
		{Place: "Polish club", Community: "polish", Method: MethodDots, Participants: 5, Values: map[string]int{"a": 4, "b": 1}},
		{Place: "Library", Community: "polish", Method: MethodDots, Participants: 23, Values: map[string]int{"a": 13, "b": 3}},
	}
	ps := Priorities([]string{"a", "b", "c", "d"}, ranks, events)
	a, b, c, d := ps[0], ps[1], ps[2], ps[3]
	if a.Online.People.String() != "10" || a.Online.FirstChoice.String() != "10" || a.Online.MeanPlace.String() != "1.0" || a.Online.Of != 2 {
		t.Errorf("a online: %s %s %s", a.Online.People, a.Online.FirstChoice, a.Online.MeanPlace)
	}
	if b.Online.FirstChoice.String() != "0" || b.Online.MeanPlace.String() != "2.0" {
		t.Errorf("b online: %s %s", b.Online.FirstChoice, b.Online.MeanPlace)
	}
	// Three people: withheld, never "3".
	if c.Online.People.String() != "*" || c.Online.MeanPlace.String() != "*" || c.Online.FirstChoice.String() != "*" || !c.Ranked {
		t.Errorf("c online not withheld: %s %s %s", c.Online.People, c.Online.MeanPlace, c.Online.FirstChoice)
	}
	if d.Said() || d.Online.People.String() != "0" {
		t.Errorf("d: %+v", d)
	}
	if len(a.Events) != 3 || a.Events[0].Value != "2" || a.Events[0].People.String() != "10" || a.Events[0].Of != 2 {
		t.Errorf("a at the Somali centre: %+v", a.Events[0])
	}
	// Five people at the Polish club: the result is withheld.
	if !a.Events[1].Withheld || a.Events[1].Value != "" || a.Events[1].People.String() != "*" {
		t.Errorf("a at the Polish club: %+v", a.Events[1])
	}
	// Dots are published as counts: 13 -> 15, 3 -> *.
	if a.Events[2].Value != "15" || b.Events[2].Value != "*" || a.Events[2].People.String() != "25" {
		t.Errorf("dots: %+v %+v", a.Events[2], b.Events[2])
	}
}
