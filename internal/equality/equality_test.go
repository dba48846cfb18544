package equality

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/field"
)

// The ONS Census 2021 ethnic group classification for England and Wales:
// 5 high-level groups and 19 categories, in the order of the GOV.UK "List
// of ethnic groups".
func TestEthnicGroupsAreTheONS2021List(t *testing.T) {
	wantGroups := []string{"asian", "black", "mixed", "white", "other"}
	want := []string{
		"asian-indian", "asian-pakistani", "asian-bangladeshi", "asian-chinese", "asian-other",
		"black-caribbean", "black-african", "black-other",
		"mixed-white-black-caribbean", "mixed-white-black-african", "mixed-white-asian", "mixed-other",
		"white-british", "white-irish", "white-gypsy-irish-traveller", "white-roma", "white-other",
		"other-arab", "other-any",
	}
	groups := EthnicGroups()
	var gotGroups, got []string
	for _, g := range groups {
		gotGroups = append(gotGroups, g.Code)
		for _, o := range g.Options {
			if o.Group != g.Code {
				t.Errorf("%s: Group %q, want %q", o.Code, o.Group, g.Code)
			}
			got = append(got, o.Code)
		}
	}
	if len(groups) != 5 || !slices.Equal(gotGroups, wantGroups) {
		t.Errorf("groups = %v, want the 5 ONS groups %v", gotGroups, wantGroups)
	}
	if len(got) != 19 || !slices.Equal(got, want) {
		t.Errorf("categories (%d) = %v\nwant the 19 ONS 2021 categories %v", len(got), got, want)
	}

	flat := EthnicOptions()
	if len(flat) != 20 || flat[19].Code != PreferNotToSay {
		t.Fatalf("EthnicOptions: %d options, last %q; want 19 categories then prefer-not-to-say", len(flat), flat[len(flat)-1].Code)
	}
	for i, o := range flat[:19] {
		if o.Code != want[i] {
			t.Errorf("EthnicOptions[%d] = %q, want %q", i, o.Code, want[i])
		}
	}

	// Free text goes with every "Any other" option and with African
	// (a write-in new in 2021), and nothing else.
	var free []string
	for _, o := range flat {
		if o.FreeText {
			free = append(free, o.Code)
		}
	}
	wantFree := []string{"asian-other", "black-african", "black-other", "mixed-other", "white-other", "other-any"}
	if !slices.Equal(free, wantFree) {
		t.Errorf("free-text options = %v, want %v", free, wantFree)
	}

	if EthnicHighLevel("white-roma") != "white" || EthnicHighLevel("other-arab") != "other" ||
		EthnicHighLevel(PreferNotToSay) != "" || EthnicHighLevel("white") != "" {
		t.Error("EthnicHighLevel maps codes to the wrong group")
	}
}

func TestOptionListsAreCopies(t *testing.T) {
	g := EthnicGroups()
	g[0].Options[0].Code = "changed"
	if EthnicGroups()[0].Options[0].Code != "asian-indian" {
		t.Fatal("changing a returned group changed the package's list")
	}
	o := EthnicOptions()
	o[0].Code = "changed"
	if EthnicOptions()[0].Code != "asian-indian" {
		t.Fatal("changing returned options changed the package's list")
	}
}

var (
	testCommunities = []string{"bangladeshi", "polish", "african-caribbean"}
	testLanguages   = []string{"en", "pl", "ro", "ur", "bn", "so"}
)

// allOptionLists returns every question's option list.
func allOptionLists() map[string][]Option {
	return map[string][]Option{
		FieldEthnicGroup:       EthnicOptions(),
		FieldAgeBand:           AgeBandOptions(),
		FieldSex:               SexOptions(),
		FieldGenderSameAsBirth: GenderOptions(),
		FieldDisability:        DisabilityOptions(),
		FieldDisabilityImpact:  DisabilityImpactOptions(),
		FieldReligion:          ReligionOptions(),
		FieldMainLanguage:      LanguageOptions(choices(testLanguages)),
		FieldCommunity:         CommunityOptions(choices(testCommunities)),
	}
}

// Every question offers "Prefer not to say", last, exactly once, and
// Validate accepts it for every field (postcode included).
func TestPreferNotToSayOnEveryQuestion(t *testing.T) {
	lists := allOptionLists()
	for _, q := range Questions() {
		if q.Field == FieldPostcodeDistrict {
			continue // a text input: prefer-not-to-say is checked through Validate below
		}
		opts, ok := lists[q.Field]
		if !ok {
			t.Errorf("question %s has no option list in this test", q.Field)
			continue
		}
		n := 0
		for _, o := range opts {
			if o.Code == PreferNotToSay {
				n++
				if o.LabelKey != "equality.prefer_not_to_say" || o.FreeText || o.Group != "" {
					t.Errorf("%s: prefer-not-to-say option is %+v", q.Field, o)
				}
			}
		}
		if n != 1 || opts[len(opts)-1].Code != PreferNotToSay {
			t.Errorf("%s: prefer-not-to-say appears %d times, last option %q", q.Field, n, opts[len(opts)-1].Code)
		}
	}
	if len(lists) != len(Questions())-1 {
		t.Errorf("%d option lists for %d questions", len(lists), len(Questions()))
	}

	p := PreferNotToSay
	a := Answers{EthnicGroup: p, AgeBand: p, Sex: p, GenderSameAsBirth: p, Disability: p, DisabilityImpact: p,
		Religion: p, MainLanguage: p, Community: p, PostcodeDistrict: p}
	errs := a.Validate(testCommunities, testLanguages)
	if len(errs) != 0 {
		t.Fatalf("prefer-not-to-say everywhere: errors %v", errs)
	}
	want := Answers{EthnicGroup: p, AgeBand: p, Sex: p, GenderSameAsBirth: p, Disability: p,
		Religion: p, MainLanguage: p, Community: p, PostcodeDistrict: p}
	if a != want {
		t.Errorf("after Validate: %+v\nwant %+v (impact dropped: the first disability answer was not yes)", a, want)
	}
}

func TestOptionCodesAreSlugsAndUnique(t *testing.T) {
	for field, opts := range allOptionLists() {
		seen := map[string]bool{}
		for _, o := range opts {
			if seen[o.Code] {
				t.Errorf("%s: code %q repeated", field, o.Code)
			}
			seen[o.Code] = true
			if o.Code != strings.ToLower(o.Code) || strings.ContainsAny(o.Code, " _") {
				t.Errorf("%s: code %q is not a lower-case slug", field, o.Code)
			}
			if (o.LabelKey == "") == (o.Label == "") {
				t.Errorf("%s: option %q must have exactly one of LabelKey and Label", field, o.Code)
			}
		}
	}
}

func TestConfiguredOptions(t *testing.T) {
	got := LanguageOptions([]Choice{{"en", "English"}, {"pl", "polski"}, {"pl", "again"}, {"", "empty"},
		{PreferNotToSay, "reserved"}, {AnotherLanguage, "reserved"}, {"ur", ""}})
	var codes []string
	for _, o := range got {
		codes = append(codes, o.Code)
	}
	want := []string{"en", "pl", "ur", AnotherLanguage, PreferNotToSay}
	if !slices.Equal(codes, want) {
		t.Fatalf("LanguageOptions codes = %v, want %v", codes, want)
	}
	if got[1].Label != "polski" || got[1].LabelKey != "" || got[2].Label != "ur" {
		t.Errorf("configured labels wrong: %+v", got[:3])
	}
	if !got[3].FreeText || got[3].LabelKey != "equality.language.another" {
		t.Errorf("another-language option: %+v", got[3])
	}
	c := CommunityOptions(nil)
	if len(c) != 2 || c[0].Code != NoneOfThese || c[1].Code != PreferNotToSay {
		t.Errorf("CommunityOptions(nil) = %+v", c)
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("ą", MaxTextRunes+1)
	exact := strings.Repeat("ą", MaxTextRunes)
	cases := []struct {
		name string
		in   Answers
		errs map[string]string
		want *Answers // the answers after Validate, when it matters
	}{
		{name: "nothing answered", in: Answers{}, errs: nil, want: &Answers{}},
		{name: "everything answered", in: Answers{
			EthnicGroup: "white-roma", AgeBand: "45-54", Sex: "female", GenderSameAsBirth: "yes",
			Disability: "yes", DisabilityImpact: "yes-a-little", Religion: "muslim", MainLanguage: "ro",
			Community: "polish", PostcodeDistrict: "LU1",
		}},
		{name: "free text with its options", in: Answers{
			EthnicGroup: "other-any", EthnicOther: "Kurdish", GenderSameAsBirth: "no", GenderOther: "Non-binary",
			Religion: "any-other", ReligionOther: "Baháʼí", MainLanguage: "another-language", LanguageOther: "British Sign Language",
		}},
		{name: "African write-in (new in 2021)", in: Answers{EthnicGroup: "black-african", EthnicOther: "Somali"}},
		{name: "every Any other ethnic option takes text", in: Answers{EthnicGroup: "white-other", EthnicOther: "Polish"}},
		{name: "free text exactly at the limit", in: Answers{EthnicGroup: "asian-other", EthnicOther: exact}},
		{name: "none of these communities", in: Answers{Community: NoneOfThese}},
		{name: "normalised", in: Answers{
			EthnicGroup: "  mixed-other\t", EthnicOther: "  White\tand\n\n Chinese \x00", Sex: " male ",
			PostcodeDistrict: " lu4 ", MainLanguage: "another-language", LanguageOther: "Pa\u202Eshto\u2066",
		}, want: &Answers{
			EthnicGroup: "mixed-other", EthnicOther: "White and Chinese", Sex: "male",
			PostcodeDistrict: "LU4", MainLanguage: "another-language", LanguageOther: "Pashto",
		}},
		{name: "NFC", in: Answers{Religion: "any-other", ReligionOther: "Bahe\u0301"},
			want: &Answers{Religion: "any-other", ReligionOther: "Bah\u00e9"}},

		{name: "unknown ethnic code", in: Answers{EthnicGroup: "white"},
			errs: map[string]string{FieldEthnicGroup: ErrUnknownOption}, want: &Answers{}},
		{name: "unknown codes everywhere", in: Answers{
			EthnicGroup: "martian", AgeBand: "16-17", Sex: "other", GenderSameAsBirth: "maybe", Disability: "sometimes",
			Religion: "jedi", MainLanguage: "de", Community: "somewhere",
		}, errs: map[string]string{
			FieldEthnicGroup: ErrUnknownOption, FieldAgeBand: ErrUnknownOption, FieldSex: ErrUnknownOption,
			FieldGenderSameAsBirth: ErrUnknownOption, FieldDisability: ErrUnknownOption, FieldReligion: ErrUnknownOption,
			FieldMainLanguage: ErrUnknownOption, FieldCommunity: ErrUnknownOption,
		}, want: &Answers{}},
		{name: "codes are case-sensitive", in: Answers{Sex: "Female"}, errs: map[string]string{FieldSex: ErrUnknownOption}},
		{name: "unknown impact", in: Answers{Disability: "yes", DisabilityImpact: "very"},
			errs: map[string]string{FieldDisabilityImpact: ErrUnknownOption}, want: &Answers{Disability: "yes"}},
		{name: "impact without yes is dropped, not an error", in: Answers{Disability: "no", DisabilityImpact: "yes-a-lot"},
			want: &Answers{Disability: "no"}},
		{name: "impact without the first answer is dropped", in: Answers{DisabilityImpact: "not-at-all"}, want: &Answers{}},
		{name: "community not configured", in: Answers{Community: "romanian"},
			errs: map[string]string{FieldCommunity: ErrUnknownOption}},
		{name: "language not configured", in: Answers{MainLanguage: "gu"},
			errs: map[string]string{FieldMainLanguage: ErrUnknownOption}},

		{name: "ethnic text without an other option", in: Answers{EthnicGroup: "white-irish", EthnicOther: "Irish"},
			errs: map[string]string{FieldEthnicOther: ErrEthnicTextWithoutOption}},
		{name: "ethnic text without any option", in: Answers{EthnicOther: "Kurdish"},
			errs: map[string]string{FieldEthnicOther: ErrEthnicTextWithoutOption}},
		{name: "ethnic text with prefer not to say", in: Answers{EthnicGroup: PreferNotToSay, EthnicOther: "x"},
			errs: map[string]string{FieldEthnicOther: ErrEthnicTextWithoutOption}},
		{name: "gender text with yes", in: Answers{GenderSameAsBirth: "yes", GenderOther: "woman"},
			errs: map[string]string{FieldGenderOther: ErrGenderTextWithoutOption}},
		{name: "religion text without any other", in: Answers{Religion: "christian", ReligionOther: "Catholic"},
			errs: map[string]string{FieldReligionOther: ErrReligionTextWithoutOption}},
		{name: "language text with a listed language", in: Answers{MainLanguage: "pl", LanguageOther: "Polish"},
			errs: map[string]string{FieldLanguageOther: ErrLanguageTextWithoutOption}},
		{name: "text too long", in: Answers{GenderSameAsBirth: "no", GenderOther: long},
			errs: map[string]string{FieldGenderOther: ErrTextTooLong}},
		{name: "too long counts characters after cleaning", in: Answers{GenderSameAsBirth: "no", GenderOther: exact + "\x00\x01 \n"}},
		{name: "text that is only spaces is not an answer", in: Answers{EthnicOther: " \t\n "}, want: &Answers{}},
		{name: "unknown code with text: both reported", in: Answers{Religion: "jedi", ReligionOther: "Jedi"},
			errs: map[string]string{FieldReligion: ErrUnknownOption, FieldReligionOther: ErrReligionTextWithoutOption}},

		{name: "full postcode refused and cleared", in: Answers{PostcodeDistrict: "LU1 2BQ"},
			errs: map[string]string{FieldPostcodeDistrict: ErrPostcodeFull}, want: &Answers{}},
		{name: "not a postcode", in: Answers{PostcodeDistrict: "XYZ"},
			errs: map[string]string{FieldPostcodeDistrict: ErrPostcodeInvalid}, want: &Answers{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.in
			errs := a.Validate(testCommunities, testLanguages)
			if c.errs == nil {
				c.errs = map[string]string{}
			}
			if !maps.Equal(byField(errs), c.errs) {
				t.Errorf("errors = %v, want %v", errs, c.errs)
			}
			if c.want != nil && a != *c.want {
				t.Errorf("answers after Validate:\n got %+v\nwant %+v", a, *c.want)
			}
			// Validating again changes nothing and reports no more.
			b := a
			again := b.Validate(testCommunities, testLanguages)
			if b != a {
				t.Errorf("Validate is not idempotent:\n first %+v\nsecond %+v", a, b)
			}
			for _, e := range again {
				if !errs.Has(e.Field) {
					t.Errorf("second Validate reports a new error on %s", e.Field)
				}
			}
		})
	}
}

// byField is the errors as field → key, to compare with a case's.
func byField(errs field.Errors) map[string]string {
	m := map[string]string{}
	for _, e := range errs {
		m[e.Field] = e.Key
	}
	return m
}

// TestValidateInPageOrder: the problems come in the order of the
// questions, each choice before its free text.
func TestValidateInPageOrder(t *testing.T) {
	a := Answers{PostcodeDistrict: "XYZ", Community: "somewhere", Religion: "jedi", ReligionOther: "Jedi", EthnicGroup: "martian"}
	var got []string
	for _, e := range a.Validate(testCommunities, testLanguages) {
		got = append(got, e.Field)
	}
	want := []string{FieldEthnicGroup, FieldReligion, FieldReligionOther, FieldCommunity, FieldPostcodeDistrict}
	if !slices.Equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
}

func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"":                         "",
		"  a  b  ":                 "a b",
		"line\r\nbreak\u2028sep":   "line break sep",
		"bell\a and del\x7f":       "bell and del",
		"bad utf8 \xff\xfe here":   "bad utf8 here",
		"\ufeffBOM":                "BOM",
		"rtl \u202Eoverride\u202C": "rtl override",
		"isolate \u2066LU1\u2069":  "isolate LU1",
		"ZWNJ kept: ی\u200cی":      "ZWNJ kept: ی\u200cی",
		"e\u0301":                  "\u00e9",
	}
	for in, want := range cases {
		if got := CleanText(in); got != want {
			t.Errorf("CleanText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIsEmpty(t *testing.T) {
	if !(Answers{}).IsEmpty() {
		t.Error("zero Answers is not empty")
	}
	if (Answers{Sex: PreferNotToSay}).IsEmpty() {
		t.Error("prefer-not-to-say is an answer, not empty")
	}
}

func TestQuestionsCoverEveryField(t *testing.T) {
	fields := map[string]bool{}
	for _, q := range Questions() {
		for _, f := range []string{q.Field, q.TextField} {
			if f == "" {
				continue
			}
			if fields[f] {
				t.Errorf("field %s appears twice", f)
			}
			fields[f] = true
		}
	}
	want := []string{FieldEthnicGroup, FieldEthnicOther, FieldAgeBand, FieldSex, FieldGenderSameAsBirth, FieldGenderOther,
		FieldDisability, FieldDisabilityImpact, FieldReligion, FieldReligionOther, FieldMainLanguage, FieldLanguageOther,
		FieldCommunity, FieldPostcodeDistrict}
	if len(fields) != len(want) {
		t.Errorf("Questions covers %d fields, want %d", len(fields), len(want))
	}
	for _, f := range want {
		if !fields[f] {
			t.Errorf("no question for field %s", f)
		}
	}
}
