// Package equality holds the optional equality monitoring questions a
// resident may answer after sharing an experience of cancer services:
// ethnic group, age band, sex, gender identity, disability, religion,
// main language, community and postcode district.
//
// The rules the package enforces:
//
//   - Every question is optional. An empty answer means "not answered".
//   - Every question offers "Prefer not to say" ([PreferNotToSay]), which
//     is stored as an answer in its own right (it is not the same as
//     skipping the question).
//   - Answers are stored as stable codes (slugs), never as label text, so
//     changing or translating a label never changes stored data.
//   - Free text is allowed only with the option that asks for it (an "Any
//     other ..." option, "African", "No" to the gender identity question,
//     "Any other religion", "Another language"), is at most
//     [MaxTextRunes] characters, and is normalised (control characters
//     stripped, whitespace collapsed, NFC).
//   - Only the postcode district (outward code, such as "LU1") is ever
//     accepted. A full postcode is refused with [ErrPostcodeFull] and the
//     field is cleared, so it cannot be stored by accident.
//
// Answers are kept apart from the narrative (the story) and are only ever
// published as counts through internal/disclosure. The question wording
// follows the ONS Census 2021 for England and Wales and the GSS harmonised
// standards: see docs/equality-monitoring.md for sources.
//
// The package is pure domain code: no HTTP, no storage. Labels are
// translation keys; the English, Polish, Romanian, Urdu, Bengali and Somali
// texts are in labels.*.toml in this directory (see [LabelFiles]).
package equality

import "slices"

// PreferNotToSay is the code every question accepts for "Prefer not to say".
const PreferNotToSay = "prefer-not-to-say"

// MaxTextRunes is the longest free-text answer accepted, in characters
// (Unicode code points, after normalisation).
const MaxTextRunes = 100

// Answers is one resident's equality monitoring answers. Every field may be
// empty (not answered) or [PreferNotToSay]. The *Other fields are free text
// that goes with an option that allows it.
type Answers struct {
	EthnicGroup       string // an ethnic category code, such as "white-roma"
	EthnicOther       string // free text for an "Any other ..." option or "African"
	AgeBand           string // such as "45-54"
	Sex               string // "female" or "male"
	GenderSameAsBirth string // "yes" or "no"
	GenderOther       string // free text, only with GenderSameAsBirth "no"
	Disability        string // "yes" or "no": long-lasting condition or illness
	DisabilityImpact  string // "yes-a-lot", "yes-a-little", "not-at-all"; only with Disability "yes"
	Religion          string // such as "no-religion", "muslim", "any-other"
	ReligionOther     string // free text, only with Religion "any-other"
	MainLanguage      string // a programme language code, or "another-language"
	LanguageOther     string // free text, only with MainLanguage "another-language"
	Community         string // a programme community slug, or "none-of-these"
	PostcodeDistrict  string // outward code only, upper case, such as "LU1"
}

// IsEmpty reports whether no question was answered at all (not even with
// "Prefer not to say"), so there is nothing to store.
func (a Answers) IsEmpty() bool {
	return a == Answers{}
}

// Form field names: the keys of the map [Answers.Validate] returns, and
// the names templates should give the inputs.
const (
	FieldEthnicGroup       = "ethnic_group"
	FieldEthnicOther       = "ethnic_other"
	FieldAgeBand           = "age_band"
	FieldSex               = "sex"
	FieldGenderSameAsBirth = "gender_same_as_birth"
	FieldGenderOther       = "gender_other"
	FieldDisability        = "disability"
	FieldDisabilityImpact  = "disability_impact"
	FieldReligion          = "religion"
	FieldReligionOther     = "religion_other"
	FieldMainLanguage      = "main_language"
	FieldLanguageOther     = "language_other"
	FieldCommunity         = "community"
	FieldPostcodeDistrict  = "postcode_district"
)

// Error translation keys returned by [Answers.Validate].
const (
	ErrUnknownOption             = "equality.error.unknown_option"
	ErrTextTooLong               = "equality.error.text_too_long"
	ErrEthnicTextWithoutOption   = "equality.error.ethnic_text_without_option"
	ErrGenderTextWithoutOption   = "equality.error.gender_text_without_option"
	ErrReligionTextWithoutOption = "equality.error.religion_text_without_option"
	ErrLanguageTextWithoutOption = "equality.error.language_text_without_option"
	ErrPostcodeFull              = "equality.error.postcode_full"
	ErrPostcodeInvalid           = "equality.error.postcode_invalid"
)

// Fixed codes that are not drawn from a list.
const (
	Yes              = "yes"
	No               = "no"
	AnotherLanguage  = "another-language" // main language not in the programme's list
	NoneOfThese      = "none-of-these"    // community not in the programme's list
	AnyOtherReligion = "any-other"        // religion: "Any other religion"
)

// Option is one answer a question offers, in display order.
type Option struct {
	Code     string // the value stored, and the input's value
	LabelKey string // translation key of the label; "" when Label is set
	Label    string // literal label for programme-configured options (a language or community name); "" otherwise
	Group    string // code of the heading the option sits under (ethnic groups only); "" otherwise
	FreeText bool   // choosing this option allows the question's free-text field
}

// OptionGroup is a heading with its options (the ethnic group question has
// five: one per high-level group).
type OptionGroup struct {
	Code     string
	LabelKey string
	Options  []Option
}

// Choice is a programme-configured answer: a language the programme works
// in (Code "pl", Label "polski") or a community it serves (Code a slug,
// Label its name in the page language).
type Choice struct {
	Code  string
	Label string
}

// Question describes one question for templates: its field names and the
// translation keys of its texts.
type Question struct {
	Field        string // the radio group or text input
	QuestionKey  string // the question, used as the legend or label
	HintKey      string // hint under the question; "" for none
	TextField    string // the free-text field that goes with it; "" for none
	TextLabelKey string // label of the free-text field; "" for none
}

var preferNotToSay = Option{Code: PreferNotToSay, LabelKey: "equality.prefer_not_to_say"}

// Ethnic groups and categories: ONS Census 2021, England and Wales, in the
// order of the GOV.UK "List of ethnic groups" (high-level groups
// alphabetical, "Other ethnic group" last; categories as on the census
// form). 5 groups, 19 categories.
var ethnicGroups = []OptionGroup{
	{Code: "asian", LabelKey: "equality.ethnic.group_asian", Options: []Option{
		{Code: "asian-indian"},
		{Code: "asian-pakistani"},
		{Code: "asian-bangladeshi"},
		{Code: "asian-chinese"},
		{Code: "asian-other", FreeText: true},
	}},
	{Code: "black", LabelKey: "equality.ethnic.group_black", Options: []Option{
		{Code: "black-caribbean"},
		{Code: "black-african", FreeText: true}, // Census 2021 added a write-in for African
		{Code: "black-other", FreeText: true},
	}},
	{Code: "mixed", LabelKey: "equality.ethnic.group_mixed", Options: []Option{
		{Code: "mixed-white-black-caribbean"},
		{Code: "mixed-white-black-african"},
		{Code: "mixed-white-asian"},
		{Code: "mixed-other", FreeText: true},
	}},
	{Code: "white", LabelKey: "equality.ethnic.group_white", Options: []Option{
		{Code: "white-british"},
		{Code: "white-irish"},
		{Code: "white-gypsy-irish-traveller"},
		{Code: "white-roma"}, // new in 2021
		{Code: "white-other", FreeText: true},
	}},
	{Code: "other", LabelKey: "equality.ethnic.group_other", Options: []Option{
		{Code: "other-arab"},
		{Code: "other-any", FreeText: true},
	}},
}

func init() {
	for gi := range ethnicGroups {
		g := &ethnicGroups[gi]
		for oi := range g.Options {
			o := &g.Options[oi]
			o.Group = g.Code
			o.LabelKey = "equality.ethnic." + underscore(o.Code)
		}
	}
}

func underscore(code string) string {
	b := []byte(code)
	for i, c := range b {
		if c == '-' {
			b[i] = '_'
		}
	}
	return string(b)
}

// EthnicGroups returns the 5 high-level ethnic groups, each with its
// categories (19 in all), in the official order. "Prefer not to say" is
// not in a group: add it after the groups (see [EthnicOptions]).
func EthnicGroups() []OptionGroup {
	out := slices.Clone(ethnicGroups)
	for i := range out {
		out[i].Options = slices.Clone(out[i].Options)
	}
	return out
}

// EthnicOptions returns the 19 ethnic categories in order, each with its
// Group, then "Prefer not to say".
func EthnicOptions() []Option {
	var out []Option
	for _, g := range ethnicGroups {
		out = append(out, g.Options...)
	}
	return append(out, preferNotToSay)
}

// EthnicHighLevel returns the high-level group code ("asian", "black",
// "mixed", "white", "other") of an ethnic category code, or "" for an
// unknown code or "Prefer not to say". Figures are usually published for
// the 5 groups: 19 categories split small numbers further, and more of
// them would be suppressed.
func EthnicHighLevel(code string) string {
	for _, g := range ethnicGroups {
		for _, o := range g.Options {
			if o.Code == code {
				return g.Code
			}
		}
	}
	return ""
}

// AgeBands are the age band codes, youngest first. See
// docs/equality-monitoring.md for why these bands.
var ageBands = []string{"under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84", "85-and-over"}

// AgeBandOptions returns the age bands, youngest first, then "Prefer not to say".
func AgeBandOptions() []Option {
	out := make([]Option, 0, len(ageBands)+1)
	for _, b := range ageBands {
		out = append(out, Option{Code: b, LabelKey: "equality.age." + underscore(b)})
	}
	return append(out, preferNotToSay)
}

// SexOptions returns the ONS Census 2021 answers to "What is your sex?"
// (Female, Male), then "Prefer not to say".
func SexOptions() []Option {
	return []Option{
		{Code: "female", LabelKey: "equality.sex.female"},
		{Code: "male", LabelKey: "equality.sex.male"},
		preferNotToSay,
	}
}

// GenderOptions returns the ONS Census 2021 answers to "Is the gender you
// identify with the same as your sex registered at birth?" (Yes; No, with
// an optional write-in), then "Prefer not to say".
func GenderOptions() []Option {
	return []Option{
		{Code: Yes, LabelKey: "equality.gender.yes"},
		{Code: No, LabelKey: "equality.gender.no", FreeText: true},
		preferNotToSay,
	}
}

// DisabilityOptions returns the answers to the long-lasting health
// conditions and illnesses question (Yes, No), then "Prefer not to say".
func DisabilityOptions() []Option {
	return []Option{
		{Code: Yes, LabelKey: "equality.disability.yes"},
		{Code: No, LabelKey: "equality.disability.no"},
		preferNotToSay,
	}
}

// DisabilityImpactOptions returns the answers to the activity restriction
// question, asked only of people who answered Yes to the first: Yes, a lot;
// Yes, a little; Not at all; then "Prefer not to say".
func DisabilityImpactOptions() []Option {
	return []Option{
		{Code: "yes-a-lot", LabelKey: "equality.disability.impact_a_lot"},
		{Code: "yes-a-little", LabelKey: "equality.disability.impact_a_little"},
		{Code: "not-at-all", LabelKey: "equality.disability.impact_not_at_all"},
		preferNotToSay,
	}
}

// ReligionOptions returns the ONS Census 2021 religion answers in census
// order (No religion first), then "Prefer not to say".
func ReligionOptions() []Option {
	return []Option{
		{Code: "no-religion", LabelKey: "equality.religion.no_religion"},
		{Code: "christian", LabelKey: "equality.religion.christian"},
		{Code: "buddhist", LabelKey: "equality.religion.buddhist"},
		{Code: "hindu", LabelKey: "equality.religion.hindu"},
		{Code: "jewish", LabelKey: "equality.religion.jewish"},
		{Code: "muslim", LabelKey: "equality.religion.muslim"},
		{Code: "sikh", LabelKey: "equality.religion.sikh"},
		{Code: AnyOtherReligion, LabelKey: "equality.religion.any_other", FreeText: true},
		preferNotToSay,
	}
}

// LanguageOptions returns the programme's languages (labelled with their
// own names, as given), then "Another language" (with free text), then
// "Prefer not to say". Empty, repeated or reserved codes are skipped.
func LanguageOptions(languages []Choice) []Option {
	return configured(languages, Option{Code: AnotherLanguage, LabelKey: "equality.language.another", FreeText: true})
}

// CommunityOptions returns the programme's communities (labelled with the
// names given, already in the page language), then "None of these", then
// "Prefer not to say". Empty, repeated or reserved codes are skipped.
func CommunityOptions(communities []Choice) []Option {
	return configured(communities, Option{Code: NoneOfThese, LabelKey: "equality.community.none_of_these"})
}

func configured(choices []Choice, extra Option) []Option {
	out := make([]Option, 0, len(choices)+2)
	seen := map[string]bool{extra.Code: true, PreferNotToSay: true}
	for _, c := range choices {
		if c.Code == "" || seen[c.Code] {
			continue
		}
		seen[c.Code] = true
		label := c.Label
		if label == "" {
			label = c.Code
		}
		out = append(out, Option{Code: c.Code, Label: label})
	}
	return append(out, extra, preferNotToSay)
}

// Questions returns every question in the order a form should ask them.
func Questions() []Question {
	return []Question{
		{Field: FieldEthnicGroup, QuestionKey: "equality.ethnic.question", HintKey: "equality.ethnic.hint", TextField: FieldEthnicOther, TextLabelKey: "equality.ethnic.describe"},
		{Field: FieldAgeBand, QuestionKey: "equality.age.question"},
		{Field: FieldSex, QuestionKey: "equality.sex.question"},
		{Field: FieldGenderSameAsBirth, QuestionKey: "equality.gender.question", TextField: FieldGenderOther, TextLabelKey: "equality.gender.describe"},
		{Field: FieldDisability, QuestionKey: "equality.disability.question", HintKey: "equality.disability.hint"},
		{Field: FieldDisabilityImpact, QuestionKey: "equality.disability.impact_question", HintKey: "equality.disability.impact_hint"},
		{Field: FieldReligion, QuestionKey: "equality.religion.question", TextField: FieldReligionOther, TextLabelKey: "equality.religion.describe"},
		{Field: FieldMainLanguage, QuestionKey: "equality.language.question", HintKey: "equality.language.hint", TextField: FieldLanguageOther, TextLabelKey: "equality.language.describe"},
		{Field: FieldCommunity, QuestionKey: "equality.community.question", HintKey: "equality.community.hint"},
		{Field: FieldPostcodeDistrict, QuestionKey: "equality.postcode.question", HintKey: "equality.postcode.hint"},
	}
}
