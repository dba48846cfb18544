package contact

import (
	"strings"
	"testing"
	"unicode"
)

func TestEmail(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"a@example.org", "a.b+c@sub.example.co.uk", "amina.o'neil@council.gov.uk", "x@b.org"} {
		if !ValidEmail(s) {
			t.Errorf("refused %q", s)
		}
	}
	for _, s := range []string{"", "a", "a@b", "a@b.", "a@.b", "Amina <a@b.org>", "a@@b.org", "a b@c.org", "a@b.org,c@d.org",
		"a@b.org\r\nBcc: x@y.org", "\"a\"@b.org", strings.Repeat("a", 250) + "@b.org", "@b.org", "a@"} {
		if ValidEmail(s) {
			t.Errorf("accepted %q", s)
		}
	}
	if got, ok := NormaliseEmail(" Amina@Example.ORG "); !ok || got != "amina@example.org" {
		t.Errorf("NormaliseEmail = %q, %v", got, ok)
	}
}

func TestPhone(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"07700 900123":        "07700900123",
		"07700-900-123":       "07700900123",
		"+44 7700 900123":     "07700900123",
		"+44 (0)7700 900123":  "07700900123",
		"0044 7700 900123":    "07700900123",
		"01582 123456":        "01582123456",
		"(01582) 123456":      "01582123456",
		"(020) 7946 0000":     "02079460000",
		"+44 (0)20 7946 0000": "02079460000",
		"0300 123 1801":       "03001231801",
		"0808 808 00 00":      "08088080000",
		"0800 090 2309":       "08000902309",
		"0800 1111":           "08001111",
		"0116 496 0123":       "01164960123",
		"+48 601 234 567":     "+48601234567",
		"0048 601 234 567":    "+48601234567",
		"+1 (202) 555-0143":   "+12025550143",
		"+252 61 123 4567":    "+252611234567",
		"111":                 "111",
		"116 123":             "116123",
		" 07700.900.123 ":     "07700900123",
	}
	for in, want := range good {
		if !ValidPhone(in) {
			t.Errorf("refused %q", in)
		}
		if got := NormPhone(in); got != want {
			t.Errorf("NormPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for _, s := range []string{"", "0123", "12ab", "123", "7700 900123", "0770090012345", "+44 7700", "++44 7700 900123",
		"07700 900123 ext 4", "07700+900123", "+0 123 456 789", "+1234567890123456", "116 12", "999 999", "020 7946\n0000",
		"tel:07700900123", strings.Repeat("0", 41), "٠٧٧٠٠٩٠٠١٢٣"} {
		if ValidPhone(s) {
			t.Errorf("accepted %q", s)
		}
	}
}

// FuzzEmail: nothing panics; what is accepted is one plain address that
// cannot break a mail header, and normalising is idempotent.
func FuzzEmail(f *testing.F) {
	for _, s := range []string{"a@b.org", "Amina <a@b.org>", "\x00@\xff.org", "a@b.org\r\nBcc: c@d.org", " A@B.ORG "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidEmail(s) {
			if len(s) > MaxEmail || strings.ContainsAny(s, " <>\",;\r\n\x00") || strings.Count(s, "@") < 1 || strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("accepted %q", s)
			}
		}
		if got, ok := NormaliseEmail(s); ok {
			if again, ok2 := NormaliseEmail(got); !ok2 || again != got || got != strings.ToLower(got) {
				t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
			}
		}
	})
}

// FuzzPhone: nothing panics; what is accepted normalises to digits (with
// at most a leading +) that are themselves accepted, unchanged.
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"07700 900123", "+44 (0)20 7946 0000", "0048 601 234 567", "116 123", "++", "(0)", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !ValidPhone(s) {
			return
		}
		d := NormPhone(s)
		if len(d) < 3 || len(d) > 16 || strings.TrimLeft(strings.TrimPrefix(d, "+"), "0123456789") != "" {
			t.Fatalf("%q normalised to %q", s, d)
		}
		if !ValidPhone(d) || NormPhone(d) != d {
			t.Fatalf("%q -> %q is not stable", s, d)
		}
	})
}
