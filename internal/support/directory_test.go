package support

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// More codes of a kind than a bitmask holds (languages here): the codes
// beyond the 64th are matched by comparing strings, with the same
// results as for the others.
func TestDirectoryManyLanguages(t *testing.T) {
	var svs []Service
	code := func(i int) string { return fmt.Sprintf("%c%c", 'a'+i/26, 'a'+i%26) }
	for i := range 200 {
		svs = append(svs, Service{ID: fmt.Sprintf("id-%03d", i), Name: fmt.Sprintf("Service %d", i%50), Summary: "Help",
			Needs: []string{Needs[i%len(Needs)]}, Area: Areas[i%len(Areas)], Languages: []string{code(i % 90), code((i * 7) % 90)}})
	}
	d := NewDirectory(svs, "v", time.Now())
	if !d.kinds[kindLanguage].overflow {
		t.Fatal("the test needs more than 64 languages")
	}
	if len(d.Languages()) != 90 {
		t.Fatalf("%d languages", len(d.Languages()))
	}
	for i := range 95 {
		lang := code(i)
		var want []string
		for _, sv := range d.services {
			if slices.Contains(sv.Languages, lang) {
				want = append(want, sv.ID)
			}
		}
		got, total := d.Search(Filter{Language: lang, Limit: 1000})
		var gotIDs []string
		for _, sv := range got {
			gotIDs = append(gotIDs, sv.ID)
		}
		if total != len(want) || !slices.Equal(gotIDs, want) {
			t.Fatalf("language %s: %d %v, want %v", lang, total, gotIDs, want)
		}
		if offer := d.Offer(lang, nil, "", 3); len(want) > 0 && (len(offer) == 0 || !offer[0].Offers(lang)) {
			t.Fatalf("offer in %s does not start with a service in it: %v", lang, offer)
		}
	}
}

// A free-text search finds each service once, however often its text
// matches, and never across two services' texts.
func TestDirectoryTextSearch(t *testing.T) {
	d := NewDirectory([]Service{
		{ID: "1", Name: "Care care care", Organisation: "Org", Summary: "x"},
		{ID: "2", Name: "Ab", Organisation: "Cd", Summary: "ef", Summaries: map[string]string{"so": "CARE"}},
		{ID: "3", Name: "Zed", Organisation: "end", Summary: "care"},
	}, "", time.Now())
	for q, want := range map[string]int{"care": 3, " CARE ": 3, "ef": 1, "x\x00ab": 0, "xab": 0, "end": 1, "zzz": 0, "": 3} {
		if _, n := d.Search(Filter{Text: q}); n != want {
			t.Errorf("%q: %d found, want %d", q, n, want)
		}
	}
	if got, n := d.Search(Filter{Text: "care", Offset: 1, Limit: 1}); n != 3 || len(got) != 1 || got[0].ID != "1" {
		t.Errorf("page 2 of 1: %d %+v", n, got)
	}
}
