package demo

import (
	"net/url"
	"strings"
	"testing"
)

// The demo directory: every service valid; every invented one clearly
// an example (its name says so, its website is example.org, its phone
// number is in Ofcom's drama range); and each community language has
// at least one service giving support in it.
func TestSupportServices(t *testing.T) {
	svs, err := SupportServices()
	if err != nil {
		t.Fatal(err)
	}
	langs := map[string]int{}
	for _, s := range svs {
		for _, l := range s.Languages {
			langs[l]++
		}
		if s.Area == "national" {
			continue
		}
		u, _ := url.Parse(s.Website)
		if !strings.Contains(s.Name, "(example)") || u.Host != "example.org" || !strings.HasPrefix(s.Phone, "01632 960") || !strings.Contains(s.Summary, "EXAMPLE") {
			t.Errorf("local service %q is not clearly an example: %s %s", s.Name, s.Website, s.Phone)
		}
	}
	for _, l := range []string{"so", "bn", "ur", "pl", "ro"} {
		if langs[l] == 0 {
			t.Errorf("no demo service gives support in %s", l)
		}
	}
}

// The demo offers Black Caribbean residents a real service for their
// community (issue 10: there was none), with its source cited in
// docs/support.md.
func TestSupportServicesForBlackCaribbeanResidents(t *testing.T) {
	svs, err := SupportServices()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range svs {
		for _, c := range s.Communities {
			if c == "black-caribbean" && !strings.Contains(s.Name, "(example)") {
				return
			}
		}
	}
	t.Fatal("no real demo support service for Black Caribbean residents")
}
