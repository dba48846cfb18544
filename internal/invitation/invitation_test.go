package invitation

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hearme-project/hearme/internal/contact"
)

func TestTriagePath(t *testing.T) {
	allowed := map[[2]Status]bool{
		{StatusNew, StatusContacted}: true, {StatusNew, StatusDeclined}: true,
		{StatusContacted, StatusScheduled}: true, {StatusContacted, StatusDeclined}: true,
		{StatusScheduled, StatusDone}: true, {StatusScheduled, StatusDeclined}: true,
	}
	for _, from := range Statuses {
		for _, to := range append(Statuses, "archived") {
			if got := CanMove(from, to); got != allowed[[2]Status{from, to}] {
				t.Errorf("CanMove(%s, %s) = %v", from, to, got)
			}
		}
	}
	if CheckMove(StatusNew, StatusDeclined, " ") != "invitations.error.reason_required" || CheckMove(StatusNew, StatusDeclined, "No connector free") != "" ||
		CheckMove(StatusNew, StatusDone, "") != "invitations.error.illegal_move" || CheckMove(StatusContacted, StatusDeclined, strings.Repeat("x", MaxReason+1)) == "" {
		t.Error("CheckMove")
	}
	if !StatusDone.Closed() || !StatusDeclined.Closed() || StatusScheduled.Closed() {
		t.Error("Closed")
	}
}

func TestValidate(t *testing.T) {
	ok := Request{Kind: KindGathering, Group: " Coffee morning ", Community: "south-asian", Languages: []string{"ur", "xx", "ur"},
		Venue: "Hall", Contact: Contact{Name: "Amina", Email: "amina@example.org"}}
	if errs := ok.Validate(" 25 ", []string{"south-asian"}, []string{"en", "ur"}); len(errs) != 0 || ok.Expected != 25 || ok.Group != "Coffee morning" || strings.Join(ok.Languages, ",") != "ur" {
		t.Fatalf("valid request: %v %+v", errs, ok)
	}
	bad := Request{Kind: "party", Community: "nowhere", Contact: Contact{Email: "amina at example"}}
	errs := bad.Validate("0", []string{"south-asian"}, []string{"en"})
	for _, f := range []string{"kind", "group", "community", "expected", "languages", "contact_name", "contact_email"} {
		if errs.Key(f) == "" {
			t.Errorf("no error on %s: %v", f, errs)
		}
	}
	other := Request{Kind: KindMiniEvent, Group: "G", Community: OtherCommunity, OtherLanguages: "Pashto", Contact: Contact{Name: "A", Email: "a@b.org"}}
	if errs := other.Validate("3", nil, nil); errs.Key("community_other") == "" || errs.Key("venue") != "" {
		t.Errorf("another community without a name, and a mini event needs no venue: %v", errs)
	}
}

// FuzzValidate: no input panics, and whatever passes is within limits.
func FuzzValidate(f *testing.F) {
	f.Add("gathering", "Group", "south-asian", "", "25", "ur", "Hall", "notes", "A", "a@b.org")
	f.Add("mini-event", "\x00<script>", "other", "\xff", "-1", "zz", "", strings.Repeat("é", 3000), "", "@")
	f.Fuzz(func(t *testing.T, kind, group, community, communityOther, expected, lang, venue, notes, name, email string) {
		r := Request{Kind: Kind(kind), Group: group, Community: community, CommunityOther: communityOther, Languages: []string{lang},
			Venue: venue, Notes: notes, Contact: Contact{Name: name, Email: email}}
		errs := r.Validate(expected, []string{"south-asian"}, []string{"en", "ur"})
		if len(errs) > 0 {
			return
		}
		if r.Expected < 1 || r.Expected > MaxExpected || utf8.RuneCountInString(r.Notes) > MaxLong || utf8.RuneCountInString(r.Group) > MaxShort ||
			!contact.ValidEmail(r.Contact.Email) || (len(r.Languages) == 0 && r.OtherLanguages == "") {
			t.Fatalf("accepted out of limits: %+v", r)
		}
	})
}

// TestValidateContactPhone: the phone number is checked by the product's
// one phone rule (it was only capped at 40 characters).
func TestValidateContactPhone(t *testing.T) {
	for phone, want := range map[string]string{"": "", "07700 900123": "", "+48 601 234 567": "", "call me": "invitations.error.phone_invalid",
		"0123": "invitations.error.phone_invalid", strings.Repeat("0", 41): "invitations.error.too_long"} {
		r := Request{Kind: KindMiniEvent, Group: "G", Community: "c", Languages: []string{"en"}, Contact: Contact{Name: "A", Email: "a@b.org", Phone: phone}}
		if got := r.Validate("3", []string{"c"}, []string{"en"}).Key("contact_phone"); got != want {
			t.Errorf("%q: %q, want %q", phone, got, want)
		}
	}
}
