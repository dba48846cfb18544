package programme

import (
	"strings"
	"testing"
)

const minimal = `{"settings":{"name":"Anytown Voices"},"languages":[{"code":"en","native_name":"English","english_name":"English"}],
"communities":[{"slug":"roma","active":true,"names":{"en":"Roma"}}],"pathway_stages":[],"organisations":[{"slug":"anytown-council","name":"Anytown Council","kind":"council"}]}`

func TestParseAnotherArea(t *testing.T) {
	c, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.Name != "Anytown Voices" || c.Communities[0].Name("pl") != "Roma" {
		t.Fatalf("%+v", c)
	}
}

func TestParseRejectsBadConfigurations(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown field":   strings.Replace(minimal, `"name":"Anytown Voices"`, `"name":"A","colour":"red"`, 1),
		"no name":         strings.Replace(minimal, `"name":"Anytown Voices"`, `"name":""`, 1),
		"not english":     strings.Replace(minimal, `"code":"en"`, `"code":"pl"`, 1),
		"bad slug":        strings.Replace(minimal, `"slug":"roma"`, `"slug":"Roma People"`, 1),
		"no english name": strings.Replace(minimal, `"names":{"en":"Roma"}`, `"names":{"pl":"Romowie"}`, 1),
		"not json":        `{"settings":`,
	} {
		if _, err := Parse([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil && (c.Settings.Name == "" || len(c.Languages) == 0) {
			t.Fatal("accepted an unusable configuration")
		}
	})
}

// TestValidateSettingsOrderAndContactRules: problems come in the form's
// order, and the contact details use the product's one email and phone
// rule (the email was only checked for an @, the phone not at all).
func TestValidateSettingsOrderAndContactRules(t *testing.T) {
	s := Settings{Name: "", ShortName: "Hear", Organisation: "Council", ContactEmail: "team@council", ContactPhone: "ring reception",
		DPOEmail: "dpo@example.org", TimeZone: "Mars/Olympus"}
	var got []string
	for _, e := range s.ValidateSettings() {
		got = append(got, e.Field+"="+e.Key)
	}
	want := "name=error.required contact_email=error.email_invalid contact_phone=error.phone_invalid time_zone=error.time_zone"
	if strings.Join(got, " ") != want {
		t.Fatalf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	ok := Settings{Name: "H", ShortName: "H", Organisation: "C", ContactEmail: "team@example.org", ContactPhone: "0300 123 1801",
		DPOEmail: "dpo@example.org", TimeZone: "Europe/London"}
	if errs := ok.ValidateSettings(); len(errs) != 0 {
		t.Fatalf("good settings refused: %+v", errs)
	}
}
