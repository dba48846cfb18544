package equality

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidate feeds arbitrary strings to every field. Validate must never
// panic; an accepted postcode district is always an outward code and never
// a full postcode; a valid result is clean and stable.
func FuzzValidate(f *testing.F) {
	f.Add("white-other", "Polish", "LU1", "no", "Non-binary", "pl")
	f.Add("black-african", "Somali", "lu4", "yes", "", "another-language")
	f.Add("xx", strings.Repeat("é", 101), "LU1 2BQ", "prefer-not-to-say", "\x00\u202e", "ur")
	f.Add("", "", "SW1A2AA", "", "", "")
	f.Add("other-any", "\xff\xfe", "ec1a", "no", "  ", "bangladeshi")
	f.Add("asian-other", "a\u0301", "ſw1a", "yes", "x", "none-of-these")
	f.Fuzz(func(t *testing.T, code, text, postcode, yesNo, other, listed string) {
		a := Answers{
			EthnicGroup: code, EthnicOther: text,
			AgeBand: code, Sex: code,
			GenderSameAsBirth: yesNo, GenderOther: other,
			Disability: yesNo, DisabilityImpact: code,
			Religion: code, ReligionOther: other,
			MainLanguage: listed, LanguageOther: text,
			Community:        listed,
			PostcodeDistrict: postcode,
		}
		errs := a.Validate(testCommunities, testLanguages)

		// Postcode: accepted means a district; refused means cleared.
		d := a.PostcodeDistrict
		if errs.Has(FieldPostcodeDistrict) && d != "" {
			t.Fatalf("postcode %q refused but %q kept", postcode, d)
		}
		if d != "" && d != PreferNotToSay {
			if !IsPostcodeDistrict(d) || len(d) > 4 {
				t.Fatalf("postcode %q accepted as %q, not an outward code", postcode, d)
			}
			if fullPostcodeRE.MatchString(d) {
				t.Fatalf("postcode %q accepted as full postcode %q", postcode, d)
			}
			// A district with any inward code after it is a full postcode: refused.
			for _, full := range []string{d + " 2BQ", d + "2BQ", strings.ToLower(d) + " 9zz"} {
				if got, key := PostcodeDistrict(full); got != "" || key != ErrPostcodeFull {
					t.Fatalf("PostcodeDistrict(%q) = %q, %q; want a refusal", full, got, key)
				}
			}
		}
		if got, key := PostcodeDistrict(postcode); got != "" && (key != "" || !IsPostcodeDistrict(got) || fullPostcodeRE.MatchString(got)) {
			t.Fatalf("PostcodeDistrict(%q) = %q, %q", postcode, got, key)
		}

		// Every kept code is known (or prefer-not-to-say, or empty).
		lists := allOptionLists()
		for field, v := range map[string]string{
			FieldEthnicGroup: a.EthnicGroup, FieldAgeBand: a.AgeBand, FieldSex: a.Sex,
			FieldGenderSameAsBirth: a.GenderSameAsBirth, FieldDisability: a.Disability,
			FieldDisabilityImpact: a.DisabilityImpact, FieldReligion: a.Religion,
			FieldMainLanguage: a.MainLanguage, FieldCommunity: a.Community,
		} {
			if v == "" {
				continue
			}
			found := false
			for _, o := range lists[field] {
				found = found || o.Code == v
			}
			if !found {
				t.Fatalf("%s: unknown code %q kept", field, v)
			}
		}
		if a.DisabilityImpact != "" && a.Disability != Yes {
			t.Fatalf("impact %q kept without yes", a.DisabilityImpact)
		}

		// Free text is always clean, whether accepted or not.
		for _, s := range []string{a.EthnicOther, a.GenderOther, a.ReligionOther, a.LanguageOther} {
			if !utf8.ValidString(s) || s != strings.TrimSpace(s) || strings.Contains(s, "  ") {
				t.Fatalf("free text not normalised: %q", s)
			}
			for _, r := range s {
				if unicode.IsControl(r) || r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 {
					t.Fatalf("free text kept %U: %q", r, s)
				}
			}
		}

		if len(errs) == 0 {
			for _, s := range []string{a.EthnicOther, a.GenderOther, a.ReligionOther, a.LanguageOther} {
				if utf8.RuneCountInString(s) > MaxTextRunes {
					t.Fatalf("accepted free text of %d characters", utf8.RuneCountInString(s))
				}
			}
			b := a
			if again := b.Validate(testCommunities, testLanguages); len(again) != 0 || b != a {
				t.Fatalf("valid answers changed or failed on a second Validate: %v\n%+v\n%+v", again, a, b)
			}
		}
	})
}
