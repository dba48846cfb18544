package equality

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/hearme-project/hearme/internal/field"
)

// Validate normalises the answers in place and checks them. communities and
// languages are the codes the programme offers (community slugs and
// language codes). It returns the problems in the order of the questions
// (Questions, each choice before its free text), keyed by the form's input
// ids; no problems means the answers can be stored.
//
// Normalisation: invalid UTF-8 and control characters are removed, codes
// are trimmed, free text has its whitespace collapsed and is put in NFC,
// and the postcode district is upper-cased.
//
// Validate clears a value when keeping it could not help the resident and
// could only do harm: an unknown code (no input on the form shows it), a
// refused postcode (a full postcode must never reach storage, even if a
// caller ignores the errors), and a disability impact answer when the
// first disability question was not answered "Yes" (the impact question is
// only for people who said yes; a radio button cannot be unticked without
// JavaScript, so this is not treated as an error). Free text is kept when
// it is refused, so the resident can correct it.
func (a *Answers) Validate(communities, languages []string) field.Errors {
	errs := map[string]string{} // by field, put in page order at the end

	codes := []*string{&a.EthnicGroup, &a.AgeBand, &a.Sex, &a.GenderSameAsBirth, &a.Disability,
		&a.DisabilityImpact, &a.Religion, &a.MainLanguage, &a.Community}
	for _, p := range codes {
		*p = cleanCode(*p)
	}
	texts := []*string{&a.EthnicOther, &a.GenderOther, &a.ReligionOther, &a.LanguageOther}
	for _, p := range texts {
		*p = CleanText(*p)
	}

	choose := func(field string, v *string, known func(string) bool) {
		if *v != "" && *v != PreferNotToSay && !known(*v) {
			errs[field] = ErrUnknownOption
			*v = ""
		}
	}
	choose(FieldEthnicGroup, &a.EthnicGroup, func(c string) bool { return EthnicHighLevel(c) != "" })
	choose(FieldAgeBand, &a.AgeBand, inOptions(AgeBandOptions()))
	choose(FieldSex, &a.Sex, inOptions(SexOptions()))
	choose(FieldGenderSameAsBirth, &a.GenderSameAsBirth, inOptions(GenderOptions()))
	choose(FieldDisability, &a.Disability, inOptions(DisabilityOptions()))
	if a.Disability != Yes {
		a.DisabilityImpact = ""
	}
	choose(FieldDisabilityImpact, &a.DisabilityImpact, inOptions(DisabilityImpactOptions()))
	choose(FieldReligion, &a.Religion, inOptions(ReligionOptions()))
	choose(FieldMainLanguage, &a.MainLanguage, inOptions(LanguageOptions(choices(languages))))
	choose(FieldCommunity, &a.Community, inOptions(CommunityOptions(choices(communities))))

	text := func(field string, v *string, allowed bool, withoutOption string) {
		switch {
		case *v == "":
		case !allowed:
			errs[field] = withoutOption
		case utf8.RuneCountInString(*v) > MaxTextRunes:
			errs[field] = ErrTextTooLong
		}
	}
	text(FieldEthnicOther, &a.EthnicOther, allowsText(EthnicOptions(), a.EthnicGroup), ErrEthnicTextWithoutOption)
	text(FieldGenderOther, &a.GenderOther, allowsText(GenderOptions(), a.GenderSameAsBirth), ErrGenderTextWithoutOption)
	text(FieldReligionOther, &a.ReligionOther, allowsText(ReligionOptions(), a.Religion), ErrReligionTextWithoutOption)
	text(FieldLanguageOther, &a.LanguageOther, a.MainLanguage == AnotherLanguage, ErrLanguageTextWithoutOption)

	if a.PostcodeDistrict = cleanCode(a.PostcodeDistrict); a.PostcodeDistrict != PreferNotToSay {
		d, key := PostcodeDistrict(a.PostcodeDistrict)
		a.PostcodeDistrict = d
		if key != "" {
			errs[FieldPostcodeDistrict] = key
		}
	}
	var out field.Errors
	for _, q := range Questions() {
		for _, f := range []string{q.Field, q.TextField} {
			if key, bad := errs[f]; bad && f != "" {
				out.Add(f, key)
			}
		}
	}
	return out
}

func choices(codes []string) []Choice {
	out := make([]Choice, len(codes))
	for i, c := range codes {
		out[i] = Choice{Code: c, Label: c}
	}
	return out
}

func inOptions(opts []Option) func(string) bool {
	return func(code string) bool {
		for _, o := range opts {
			if o.Code == code && code != PreferNotToSay {
				return true
			}
		}
		return false
	}
}

func allowsText(opts []Option, code string) bool {
	for _, o := range opts {
		if o.Code == code {
			return o.FreeText
		}
	}
	return false
}

// cleanCode removes invalid UTF-8 and control characters and trims spaces.
func cleanCode(s string) string {
	return strings.TrimSpace(strip(s))
}

// CleanText normalises free text: invalid UTF-8, control characters and
// explicit bidirectional formatting characters (which could reorder the
// text around it on a page) are removed; line breaks, tabs and runs of
// spaces become one space; the result is trimmed and in Unicode NFC.
// Zero-width joiners and non-joiners, which Bengali and Urdu spelling can
// need, are kept.
func CleanText(s string) string {
	s = norm.NFC.String(strip(s))
	return strings.Join(strings.Fields(s), " ")
}

// strip drops invalid UTF-8 and unwanted characters, turning whitespace
// control characters into spaces.
func strip(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			return ' '
		case unicode.IsControl(r):
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0xFEFF:
			return -1
		}
		return r
	}, s)
}

// outwardRE is a UK postcode outward code (the postcode district), in
// the six formats A9, A99, AA9, AA99, A9A and AA9A, with the Royal Mail
// letter rules: Q, V and X never first; I, J and Z never second; only
// A–H, J, K, P, S, T, U, W third in A9A; only A, B, E, H, M, N, P, R, V, W,
// X, Y fourth in AA9A.
var outwardRE = regexp.MustCompile(`^(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])$`)

// IsPostcodeDistrict reports whether s is a postcode district exactly as
// stored: an outward code in upper case with no spaces.
func IsPostcodeDistrict(s string) bool {
	return outwardRE.MatchString(s)
}

// PostcodeDistrict normalises a postcode district answer. It returns the
// district in upper case (" lu4 " → "LU4") and "", or "" and an error key:
// [ErrPostcodeFull] when s holds more than the district (a full postcode
// such as "LU1 2BQ" or "LU12BQ", or a sector such as "LU1 2"), and
// [ErrPostcodeInvalid] when it is not a UK outward code. An empty s is not
// an error (the question was not answered).
//
// A full postcode is refused rather than cut down to its district: cutting
// it down silently would teach nobody, and a form that accepts a full
// postcode invites people to give one. "LU12" is accepted as the district
// LU12: without a space it cannot be told apart from the sector "LU1 2".
func PostcodeDistrict(s string) (string, string) {
	s = strings.Join(strings.Fields(strip(s)), " ")
	if s == "" {
		return "", ""
	}
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c >= utf8.RuneSelf:
			return "", ErrPostcodeInvalid
		}
	}
	s = string(b)
	if outwardRE.MatchString(s) {
		return s, ""
	}
	compact := strings.ReplaceAll(s, " ", "")
	for n := 2; n <= 4 && n < len(compact); n++ {
		if outwardRE.MatchString(compact[:n]) && compact[n] >= '0' && compact[n] <= '9' {
			return "", ErrPostcodeFull
		}
	}
	return "", ErrPostcodeInvalid
}
