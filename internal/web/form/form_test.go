package form

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func post(values url.Values) *http.Request {
	r := httptest.NewRequest("POST", "/", strings.NewReader(values.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ParseForm()
	return r
}

func TestParseLogin(t *testing.T) {
	f, errs := ParseLogin(post(url.Values{"email": {"  a@b.org "}, "password": {" pw "}}))
	if len(errs) != 0 || f.Email != "a@b.org" || f.Password != " pw " {
		t.Fatalf("%+v %v (passwords are kept exactly, emails trimmed)", f, errs)
	}
	_, errs = ParseLogin(post(url.Values{}))
	if len(errs) != 2 || errs[0].Field != "email" || errs[1].Field != "password" {
		t.Fatalf("empty form errors: %+v", errs)
	}
}

func TestParseUser(t *testing.T) {
	_, n, errs := ParseUser(post(url.Values{"name": {"Kofi"}, "email": {"KOFI@example.org"}, "role": {"stakeholder"}}), true)
	if len(errs) != 1 || errs[0].Field != "organisation" {
		t.Fatalf("stakeholder without organisation: %+v", errs)
	}
	if n.Email != "kofi@example.org" {
		t.Fatalf("email not normalised: %q", n.Email)
	}
	_, _, errs = ParseUser(post(url.Values{"name": {""}, "email": {"x"}, "role": {"root"}}), true)
	if len(errs) != 3 || errs[0].Field != "name" || errs[1].Field != "email" || errs[2].Field != "role" {
		t.Fatalf("errors out of order or missing: %+v", errs)
	}
}

func TestParsePasswordNeverKeepsThePassword(t *testing.T) {
	f, _, errs := ParsePassword(post(url.Values{"password": {"plum orchard lantern 42"}, "confirm": {"plum orchard lantern 43"}}), false)
	if f.Password != "" || f.Confirm != "" {
		t.Fatal("password kept in the form values that are shown again")
	}
	if len(errs) != 1 || errs[0].Field != "confirm" {
		t.Fatalf("mismatch: %+v", errs)
	}
	_, _, errs = ParsePassword(post(url.Values{"password": {"password1234"}, "confirm": {"password1234"}}), false)
	if len(errs) != 1 || errs[0].Key != "error.password_weak" {
		t.Fatalf("common password: %+v", errs)
	}
}

func FuzzClean(f *testing.F) {
	f.Add("hello\x00world\r\n", 10)
	f.Add("\xff\xfe", 5)
	f.Add(strings.Repeat("é", 50), 3)
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 1000 {
			return
		}
		got := Clean(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8 from %q", s)
		}
		if utf8.RuneCountInString(got) > max {
			t.Fatalf("%d runes, max %d", utf8.RuneCountInString(got), max)
		}
		for _, r := range got {
			if (r < 0x20 && r != '\n' && r != '\t') || r == 0x7f {
				t.Fatalf("control character %U kept", r)
			}
		}
	})
}

func FuzzParseForms(f *testing.F) {
	f.Add("email=a%40b.org&password=x&name=A&role=admin&organisation=z&code=123+456")
	f.Add("%zz&&==")
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if Parse(r) != nil {
			return
		}
		l, _ := ParseLogin(r)
		if !utf8.ValidString(l.Email) {
			t.Fatal("invalid email text")
		}
		ParseCode(r)
		ParseUser(r, true)
		ParsePassword(r, true)
	})
}
