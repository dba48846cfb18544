package account

import (
	"strings"
	"testing"
)

func TestNormaliseEmail(t *testing.T) {
	good := map[string]string{" Amina@Example.ORG ": "amina@example.org", "a.b+c@sub.example.co.uk": "a.b+c@sub.example.co.uk"}
	for in, want := range good {
		if got, err := NormaliseEmail(in); err != nil || got != want {
			t.Errorf("NormaliseEmail(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "Amina <a@b.org>", "a@@b.org", "a b@c.org", strings.Repeat("a", 250) + "@b.org"} {
		if _, err := NormaliseEmail(bad); err == nil {
			t.Errorf("NormaliseEmail(%q) accepted", bad)
		}
	}
}

func TestRolesAndSecondFactor(t *testing.T) {
	for _, r := range Roles {
		if !r.Valid() {
			t.Errorf("%s not valid", r)
		}
		if r.RequiresTOTP() == (r == Champion) {
			t.Errorf("%s: RequiresTOTP = %v", r, r.RequiresTOTP())
		}
	}
	if Role("root").Valid() {
		t.Error("unknown role valid")
	}
}

func FuzzNormaliseEmail(f *testing.F) {
	f.Add("a@b.org")
	f.Add("\x00@\xff.org")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormaliseEmail(s)
		if err != nil {
			return
		}
		if got != strings.ToLower(got) || strings.ContainsAny(got, " <>\x00") || len(got) > 254 {
			t.Fatalf("accepted %q as %q", s, got)
		}
		if again, err := NormaliseEmail(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q (%v)", got, again, err)
		}
	})
}
