package programme

import (
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/equality"
)

const withCensus = `{"settings":{"name":"Anytown Voices"},"languages":[{"code":"en","native_name":"English","english_name":"English"},{"code":"pl","native_name":"Polski","english_name":"Polish"}],
"communities":[{"slug":"roma","active":true,"names":{"en":"Roma"}},{"slug":"polish","active":true,"names":{"en":"Polish"}}],"pathway_stages":[],"organisations":[],
"census":{"area":"Anytown","tables":[
 {"measure":"ethnic_group","table":"TS021","release":"Census 2021","source":"https://example.org/ts021","total":1000,
  "categories":[{"slug":"roma","population":100,"match":["roma"],"names":{"en":"Roma"}},{"slug":"white","population":900,"match":["polish"],"names":{"en":"White"}}]},
 {"measure":"main_language","table":"TS024","release":"Census 2021","source":"https://example.org/ts024","total":1000,
  "categories":[{"slug":"english","population":800,"match":["en"],"names":{"en":"English"}},{"slug":"polish","population":150,"match":["pl"],"names":{"en":"Polish"}},{"slug":"other","population":50,"match":["another-language"],"names":{"en":"Other"}}]}
]}}`

func TestCensusParsesAndFindsItsTables(t *testing.T) {
	c, err := Parse([]byte(withCensus))
	if err != nil {
		t.Fatal(err)
	}
	lt, ok := c.Census.Table(CensusMainLanguage)
	if !ok || lt.Table != "TS024" || lt.Sum() != 1000 || lt.Categories[1].Name("pl") != "Polish" {
		t.Fatalf("%+v", lt)
	}
	if got := c.Census.Measures(); strings.Join(got, ",") != "ethnic_group,main_language" {
		t.Errorf("measures %v", got)
	}
	var none *Census
	if _, ok := none.Table(CensusEthnicGroup); ok || len(none.Measures()) != 0 {
		t.Error("a programme without a census has a table")
	}
	if AnotherLanguage != equality.AnotherLanguage {
		t.Errorf("the main-language answer 'another' is %q here and %q in equality", AnotherLanguage, equality.AnotherLanguage)
	}
}

// TestCensusThatDoesNotAddUpIsRefused: a table whose categories do not
// come to its total is refused with a message that says by how much and
// where to check; so is an uncited table or a match to nothing.
func TestCensusThatDoesNotAddUpIsRefused(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(withCensus, `"population":100,`, `"population":110,`, 1)))
	if err == nil {
		t.Fatal("a census table that does not add up was accepted")
	}
	for _, want := range []string{`census table "TS021" (ethnic_group) does not add up`, "come to 1010 but its total is 1000", "https://example.org/ts021"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %v", want, err)
		}
	}
	for name, doc := range map[string]string{
		"no source":         strings.Replace(withCensus, `"source":"https://example.org/ts024",`, `"source":" ",`, 1),
		"no release":        strings.Replace(withCensus, `"release":"Census 2021","source":"https://example.org/ts021"`, `"release":"","source":"https://example.org/ts021"`, 1),
		"unknown community": strings.Replace(withCensus, `"match":["roma"]`, `"match":["romany"]`, 1),
		"unknown language":  strings.Replace(withCensus, `"match":["pl"]`, `"match":["de"]`, 1),
		"matched twice":     strings.Replace(withCensus, `"match":["polish"]`, `"match":["roma"]`, 1),
		"unknown measure":   strings.Replace(withCensus, `"measure":"main_language"`, `"measure":"religion"`, 1),
		"negative":          strings.Replace(withCensus, `"population":50,`, `"population":-50,`, 1),
		"no total": strings.Replace(withCensus, `"total":1000,
  "categories":[{"slug":"english"`, `"total":0,
  "categories":[{"slug":"english"`, 1),
		"repeated measure": strings.Replace(withCensus, `"measure":"main_language"`, `"measure":"ethnic_group"`, 1),
		"no area":          strings.Replace(withCensus, `"area":"Anytown"`, `"area":""`, 1),
		"category no name": strings.Replace(withCensus, `"names":{"en":"Other"}`, `"names":{}`, 1),
		"no categories":    strings.Replace(withCensus, `"categories":[{"slug":"english","population":800,"match":["en"],"names":{"en":"English"}},{"slug":"polish","population":150,"match":["pl"],"names":{"en":"Polish"}},{"slug":"other","population":50,"match":["another-language"],"names":{"en":"Other"}}]`, `"categories":[]`, 1),
		"unknown field":    strings.Replace(withCensus, `"area":"Anytown"`, `"area":"Anytown","year":2021`, 1),
	} {
		if doc == withCensus {
			t.Fatalf("%s: the test's replacement did not apply", name)
		}
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
