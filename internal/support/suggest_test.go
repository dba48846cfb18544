package support

import (
	"testing"
	"time"
)

func suggestDirectory() *Directory {
	mk := func(name string, langs, comms, stages, needs []string, area string) Service {
		return Service{ID: name, Name: name, Organisation: "Org", Summary: "Help", Languages: langs, Communities: comms, Stages: stages,
			Needs: needs, Area: area, Phone: "01632 960000"}
	}
	return NewDirectory([]Service{
		mk("Polish drop-in", []string{"en", "pl"}, []string{"eastern-european"}, nil, []string{"peer"}, "local"),
		mk("Polish after-treatment group", []string{"pl"}, nil, []string{"living-with-after"}, []string{"emotional"}, "local"),
		mk("Urdu carers circle", []string{"en", "ur"}, []string{"south-asian"}, nil, []string{"carers"}, "local"),
		mk("National cancer line", []string{"en"}, nil, nil, []string{"emotional", "information"}, "national"),
		mk("National carers line", []string{"en"}, nil, nil, []string{"carers"}, "national"),
		mk("Local English group", []string{"en"}, nil, nil, []string{"emotional"}, "local"),
		mk("Somali women's group", []string{"so"}, []string{"black-african"}, nil, []string{"peer"}, "local"),
	}, "v1", time.Now())
}

func names(s Suggestions) []string {
	var out []string
	for _, x := range s.Services {
		out = append(out, x.Name)
	}
	return out
}

func TestSuggestRanksByMainLanguageCommunityAndStage(t *testing.T) {
	d := suggestDirectory()

	// An Urdu-speaking South Asian carer writing in English: the Urdu
	// carers' circle first, in Urdu; never the Polish drop-in.
	got := d.Suggest(Person{Languages: []string{"ur", "en"}, Community: "south-asian", Stage: "treatment", Needs: []string{"carers", "emotional"}}, 4)
	if got.General || len(got.Services) == 0 || got.Services[0].Name != "Urdu carers circle" || got.Services[0].Lang != "ur" {
		t.Fatalf("Urdu-speaking South Asian carer: %q (general %v)", names(got), got.General)
	}
	for _, s := range got.Services {
		if s.Name == "Polish drop-in" || s.Name == "Somali women's group" {
			t.Errorf("Urdu-speaking South Asian carer offered %q", s.Name)
		}
		if s.Lang == "pl" {
			t.Errorf("%q offered as in the person's language (Polish)", s.Name)
		}
	}

	// A Polish reader at the treatment stage is offered what exists in
	// Polish, even a group written for another stage.
	got = d.Suggest(Person{Languages: []string{"pl", "pl"}, Stage: "treatment", Needs: []string{"emotional", "information"}}, 3)
	polish := 0
	for _, s := range got.Services {
		if s.Lang == "pl" {
			polish++
		}
	}
	if got.General || polish == 0 || got.Services[0].Lang != "pl" {
		t.Fatalf("Polish reader at treatment: %q (general %v)", names(got), got.General)
	}

	// Nothing in Bengali and nothing for the person's community: only
	// national services open to everyone, and General says so.
	got = d.Suggest(Person{Languages: []string{"bn", "en"}, Community: "black-caribbean", Stage: "screening", Needs: []string{"emotional"}}, 4)
	if !got.General || len(got.Services) != 2 {
		t.Fatalf("no match: %q (general %v), want the two national services", names(got), got.General)
	}
	for _, s := range got.Services {
		if s.Area != "national" || len(s.Communities) > 0 {
			t.Errorf("general suggestion %q is not a national service for everyone", s.Name)
		}
	}
}
