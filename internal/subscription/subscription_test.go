package subscription

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	choices := []string{"all", "organisation/icb", "community/polish"}
	cases := []struct {
		r          Request
		field, key string
	}{
		{Request{Email: "", Follow: ""}, "follow", "subscriptions.error.follow_required"},
		{Request{Email: "a@example.org", Follow: "community/nowhere"}, "follow", "subscriptions.error.follow_required"},
		{Request{Email: "", Follow: "all"}, "email", "subscriptions.error.email_required"},
		{Request{Email: "not an address", Follow: "all"}, "email", "subscriptions.error.email_invalid"},
		{Request{Email: "a@localhost", Follow: "all"}, "email", "subscriptions.error.email_invalid"},
		{Request{Email: strings.Repeat("a", 250) + "@example.org", Follow: "all"}, "email", "subscriptions.error.email_too_long"},
	}
	for _, c := range cases {
		r := c.r
		errs := r.Validate(choices)
		if len(errs) == 0 || errs[0].Field != c.field || errs[0].Key != c.key {
			t.Errorf("%+v: got %+v, want %s %s first", c.r, errs, c.field, c.key)
		}
	}
	r := Request{Email: "  Ana@Example.ORG ", Follow: "community/polish"}
	if errs := r.Validate(choices); len(errs) != 0 {
		t.Fatalf("good request refused: %+v", errs)
	}
	if r.Email != "ana@example.org" {
		t.Errorf("address not normalised: %q", r.Email)
	}
}

// TestChoicesValidate: the manage page's choices are checked in the
// page's order, each against what is offered.
func TestChoicesValidate(t *testing.T) {
	t.Parallel()
	follows := []string{"all", "organisation/icb", "community/polish"}
	langs := []string{"en", "pl", "ur"}
	cases := []struct {
		c      Choices
		fields string
	}{
		{Choices{}, "follow,language"},
		{Choices{Follow: "community/nowhere", Lang: "pl"}, "follow"},
		{Choices{Follow: "organisation/", Lang: "pl"}, "follow"},
		{Choices{Follow: "all", Lang: "de"}, "language"},
		{Choices{Follow: "all", Lang: ""}, "language"},
		{Choices{Follow: "community/polish", Lang: "ur"}, ""},
	}
	for _, c := range cases {
		var got []string
		for _, e := range c.c.Validate(follows, langs) {
			got = append(got, e.Field)
		}
		if strings.Join(got, ",") != c.fields {
			t.Errorf("%+v: fields %v, want %q", c.c, got, c.fields)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	id := "01938a7b-0c1d-7e2f-8a9b-0c1d2e3f4a5b"
	tok := Token(key, PurposeConfirm, id)
	if got, ok := Verify(key, PurposeConfirm, tok); !ok || got != id {
		t.Fatalf("Verify(own token) = %q, %v", got, ok)
	}
	if _, ok := Verify(key, PurposeUnsubscribe, tok); ok {
		t.Error("a confirmation token was accepted as an unsubscribe token")
	}
	if _, ok := Verify(key, PurposeManage, Token(key, PurposeUnsubscribe, id)); ok {
		t.Error("an unsubscribe token was accepted as a manage token")
	}
	if _, ok := Verify(key, PurposeUnsubscribe, Token(key, PurposeManage, id)); ok {
		t.Error("a manage token was accepted as an unsubscribe token")
	}
	if p := Path(PurposeManage, "tok"); p != "/report/subscribe/manage/tok" {
		t.Errorf("manage path %q", p)
	}
	if _, ok := Verify([]byte("another key, another key, anothe"), PurposeConfirm, tok); ok {
		t.Error("a token signed with another key was accepted")
	}
	other := "01938a7b-0c1d-7e2f-8a9b-0c1d2e3f4a5c"
	if _, ok := Verify(key, PurposeConfirm, other+tok[len(id):]); ok {
		t.Error("a token's signature was accepted for another id")
	}
	for _, bad := range []string{"", ".", id, id + ".", "x" + tok, strings.Repeat("a", 200)} {
		if _, ok := Verify(key, PurposeConfirm, bad); ok {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
}

func TestFollowMatches(t *testing.T) {
	t.Parallel()
	rec := Change{Kind: ChangeRecommendation, Organisations: []string{"icb", "council"}, Communities: []string{"polish"}}
	resp := Change{Kind: ChangeResponse, Organisation: "icb", Organisations: []string{"icb", "council"}, Communities: []string{"polish"}}
	upd := Change{Kind: ChangeUpdate, Organisation: "council", Communities: []string{"urdu"}}
	for _, c := range []struct {
		follow string
		want   int
	}{{"all", 3}, {"organisation/icb", 2}, {"organisation/council", 3}, {"organisation/trust", 0}, {"community/polish", 2}, {"community/urdu", 1}} {
		f, ok := ParseFollow(c.follow)
		if !ok || f.String() != c.follow {
			t.Fatalf("ParseFollow(%q) = %+v, %v", c.follow, f, ok)
		}
		if got := len(For(f, []Change{rec, resp, upd})); got != c.want {
			t.Errorf("%s is told of %d changes, want %d", c.follow, got, c.want)
		}
	}
	for _, bad := range []string{"", "organisation", "organisation/", "everything", "community"} {
		if _, ok := ParseFollow(bad); ok {
			t.Errorf("ParseFollow(%q) accepted", bad)
		}
	}
}

func TestDue(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	if !Due(time.Time{}, now) {
		t.Error("no digest yet: one is due")
	}
	if Due(now.Add(-Every+time.Minute), now) {
		t.Error("a digest a minute short of a week ago: none is due")
	}
	if !Due(now.Add(-Every), now) {
		t.Error("a digest a week ago: one is due")
	}
}
