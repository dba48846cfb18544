package i18n

import (
	"slices"
	"testing"
)

// Catalogues are parsed on first use, so every one must parse: one that
// does not is found here rather than on its language's first request.
func TestEveryCatalogueParses(t *testing.T) {
	t.Parallel()
	c, err := Load(map[string][]byte{"pl": []byte("[extra_test_key]\nother = \"dodatkowy\"\n")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.LoadAll(); err != nil {
		t.Fatal(err)
	}
	if got := c.Parsed(); !slices.Equal(got, []string{"bn", "en", "pl", "ro", "so", "ur"}) {
		t.Errorf("parsed %v, want the six languages", got)
	}
	if got := c.Localizer("pl").T("extra_test_key"); got != "dodatkowy" {
		t.Errorf("an extra message file's message = %q", got)
	}
	bad, err := Load(map[string][]byte{"ro": []byte("not = [valid")})
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.LoadAll(); err == nil {
		t.Error("a malformed catalogue parsed")
	}
}

// Loading the catalogues parses none of them (six languages' messages
// held about 9 MB of an idle server); a language is parsed when first
// asked for, with English, every message's fallback.
func TestCataloguesAreParsedOnFirstUse(t *testing.T) {
	t.Parallel()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("ur") || !c.Has("en") || c.Has("fr") {
		t.Error("Has does not list the catalogues' languages")
	}
	if got := c.Parsed(); len(got) != 0 {
		t.Fatalf("parsed at load: %v", got)
	}
	if got := c.Localizer("pl").T("site.footer_run_by", "Organisation", "X"); got == "site.footer_run_by" {
		t.Fatalf("Polish footer not translated: %q", got)
	}
	if got := c.Parsed(); !slices.Equal(got, []string{"en", "pl"}) {
		t.Errorf("parsed after one Polish message: %v, want en and pl", got)
	}
	// A language with no catalogue shows English.
	if got, want := c.Localizer("fr").T("site.footer_run_by", "Organisation", "X"), c.Localizer("en").T("site.footer_run_by", "Organisation", "X"); got != want {
		t.Errorf("fr = %q, want the English %q", got, want)
	}
}
