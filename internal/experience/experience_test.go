package experience

import (
	"strings"
	"testing"
)

func TestReferenceAndSecret(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		r := NewReference()
		if len(r) != 12 || !strings.HasPrefix(r, "HM-") || seen[r] {
			t.Fatalf("reference %q", r)
		}
		seen[r] = true
	}
	s := NewSecret()
	if HashSecret(s) != HashSecret(strings.ToLower(strings.ReplaceAll(s, "-", " "))) {
		t.Fatal("a secret typed in lower case with spaces does not match")
	}
	if NormaliseCode("hm-0oIl") != "HM0011" || NormaliseCode("HM-ÄÖ") != "" {
		t.Fatalf("normalise: %q %q", NormaliseCode("hm-0oIl"), NormaliseCode("HM-ÄÖ"))
	}
}

func TestValidate(t *testing.T) {
	stages := []string{"screening", "treatment"}
	ok := Submission{Kind: KindExperience, Role: "friend", Stages: []string{"screening"}, WentWell: " kind staff ",
		Consent: Consent{Version: "v1", Evidence: true}}
	if errs := ok.Validate(stages, nil, nil); len(errs) != 0 || ok.WentWell != "kind staff" {
		t.Fatalf("valid submission: %v %q", errs, ok.WentWell)
	}
	cases := map[string]func(s *Submission){
		"role":             func(s *Submission) { s.Role = "king" },
		"stages":           func(s *Submission) { s.Stages = []string{"astrology"} },
		"what_happened":    func(s *Submission) { s.WentWell = "  " },
		"consent_evidence": func(s *Submission) { s.Consent.Evidence = false },
		"contact_email":    func(s *Submission) { s.Consent.Contact = true },
		"year":             func(s *Submission) { s.Year = 3000 },
		"services":         func(s *Submission) { s.Services = []string{"spa"} },
		"went_well":        func(s *Submission) { s.WentWell = strings.Repeat("a", MaxTextRunes+1) },
	}
	for field, mutate := range cases {
		s := ok
		mutate(&s)
		if errs := s.Validate(stages, nil, nil); errs.Key(field) == "" {
			t.Errorf("%s: no error (%v)", field, errs)
		}
	}
	idea := Submission{Kind: KindIdea, Consent: Consent{Version: "v1", Evidence: true}}
	if errs := idea.Validate(stages, nil, nil); errs.Key("idea") == "" {
		t.Error("empty idea accepted")
	}
}

// TestValidateContactDetails: a contact detail left with a story is
// checked by the product's one email and phone rules (it was not checked).
func TestValidateContactDetails(t *testing.T) {
	for _, c := range []struct{ email, phone, field, key string }{
		{"amina@example.org", "", "", ""},
		{"", "07700 900123", "", ""},
		{"amina at example", "", "contact_email", "share.error.email_invalid"},
		{"", "call after six", "contact_phone", "share.error.phone_invalid"},
		{"", "", "contact_email", "share.error.contact_required"},
	} {
		s := Submission{Kind: KindIdea, Idea: "More evening clinics", Consent: Consent{Version: "v", Evidence: true, Contact: true},
			Contact: Contact{Email: c.email, Phone: c.phone}}
		errs := s.Validate(nil, nil, nil)
		if c.field == "" && len(errs) != 0 || c.field != "" && errs.Key(c.field) != c.key {
			t.Errorf("%q %q: %+v", c.email, c.phone, errs)
		}
	}
}
