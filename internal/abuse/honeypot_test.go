package abuse

import "testing"

func TestTripped(t *testing.T) {
	for _, tc := range []struct {
		v    string
		want bool
	}{
		{"", false},
		{" ", false},
		{"\t\r\n ", false},
		{"http://spam.example", true},
		{"a", true},
		{"  x  ", true},
		{"0", true},
		{"\u00a0", false}, // no-break space is white space to strings.TrimSpace
	} {
		if got := Tripped(tc.v); got != tc.want {
			t.Errorf("Tripped(%q) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

func TestHoneypotNames(t *testing.T) {
	// The field must not share a name with the token field or with a
	// name browsers autofill.
	for _, bad := range []string{TokenField, "email", "name", "tel", "phone", "address", "postcode"} {
		if HoneypotField == bad {
			t.Fatalf("HoneypotField = %q", bad)
		}
	}
}
