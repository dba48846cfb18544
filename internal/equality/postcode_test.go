package equality

import (
	"regexp"
	"testing"
)

func TestPostcodeDistrict(t *testing.T) {
	cases := []struct {
		in, want, err string
	}{
		// accepted, normalised to upper case
		{"LU1", "LU1", ""},
		{"lu4", "LU4", ""},
		{"  Lu4\t", "LU4", ""},
		{"SW1A", "SW1A", ""}, // AA9A
		{"EC1A", "EC1A", ""}, // AA9A
		{"W1A", "W1A", ""},   // A9A
		{"E1W", "E1W", ""},   // A9A
		{"M1", "M1", ""},     // A9
		{"B33", "B33", ""},   // A99
		{"CR2", "CR2", ""},   // AA9
		{"DN55", "DN55", ""}, // AA99
		{"BL0", "BL0", ""},
		{"LU12", "LU12", ""}, // a valid outward code (see PostcodeDistrict)
		{"", "", ""},
		{"   ", "", ""},

		// full postcodes and sectors: refused
		{"LU1 2BQ", "", ErrPostcodeFull},
		{"lu1 2bq", "", ErrPostcodeFull},
		{"LU12BQ", "", ErrPostcodeFull},
		{" LU1   2BQ ", "", ErrPostcodeFull},
		{"LU1 2", "", ErrPostcodeFull},
		{"SW1A 2AA", "", ErrPostcodeFull},
		{"SW1A2AA", "", ErrPostcodeFull},
		{"EC1A 1BB", "", ErrPostcodeFull},
		{"W1A 1HQ", "", ErrPostcodeFull},
		{"M1 1AA", "", ErrPostcodeFull},
		{"DN55 1PT", "", ErrPostcodeFull},
		{"LU1 2BQX", "", ErrPostcodeFull},

		// not outward codes
		{"XYZ", "", ErrPostcodeInvalid},
		{"LU", "", ErrPostcodeInvalid},
		{"12", "", ErrPostcodeInvalid},
		{"Q1", "", ErrPostcodeInvalid},    // Q never first
		{"V1", "", ErrPostcodeInvalid},    // V never first
		{"X1", "", ErrPostcodeInvalid},    // X never first
		{"AI1", "", ErrPostcodeInvalid},   // I never second
		{"AZ1", "", ErrPostcodeInvalid},   // Z never second
		{"W1I", "", ErrPostcodeInvalid},   // I not allowed third in A9A
		{"SW1C", "", ErrPostcodeInvalid},  // C not allowed fourth in AA9A
		{"SW1AA", "", ErrPostcodeInvalid}, // too long, and no sector digit
		{"LU123", "", ErrPostcodeFull},    // more than a district
		{"LU1-2BQ", "", ErrPostcodeInvalid},
		{"L U1", "", ErrPostcodeInvalid},
		{"ＬＵ１", "", ErrPostcodeInvalid},  // full-width letters
		{"ſw1a", "", ErrPostcodeInvalid}, // long s would upper-case to S: refused
		{"GIR 0AA", "", ErrPostcodeInvalid},
		{"BFPO 1", "", ErrPostcodeInvalid},
		{PreferNotToSay, "", ErrPostcodeInvalid}, // handled by Validate, not here
	}
	for _, c := range cases {
		got, err := PostcodeDistrict(c.in)
		if got != c.want || err != c.err {
			t.Errorf("PostcodeDistrict(%q) = %q, %q; want %q, %q", c.in, got, err, c.want, c.err)
		}
		if got != "" && !IsPostcodeDistrict(got) {
			t.Errorf("PostcodeDistrict(%q) accepted %q, which is not a district", c.in, got)
		}
	}
}

// fullPostcodeRE matches a full postcode (outward code, optional space,
// inward code), for the tests: nothing accepted may ever match it.
var fullPostcodeRE = regexp.MustCompile(`(?i)[A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2}`)

func TestNoFullPostcodeIsAccepted(t *testing.T) {
	for _, s := range []string{"LU1 2BQ", "LU4 9AB", "SW1A 1AA", "EC1A1BB", "w1a 1hq", "B33 8TH", "CR2 6XH", "DN55 1PT"} {
		a := Answers{PostcodeDistrict: s}
		errs := a.Validate(nil, nil)
		if errs.Key(FieldPostcodeDistrict) != ErrPostcodeFull || a.PostcodeDistrict != "" {
			t.Errorf("%q: error %q, stored %q", s, errs.Key(FieldPostcodeDistrict), a.PostcodeDistrict)
		}
	}
}
