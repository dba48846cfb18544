package i18n

import (
	"sort"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

func keys(t *testing.T, lang string, b []byte) map[string]bool {
	t.Helper()
	mf, err := goi18n.ParseMessageFileBytes(b, "active."+lang+".toml", map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	out := map[string]bool{}
	for _, m := range mf.Messages {
		out[m.ID] = true
	}
	return out
}

// Every catalogue has exactly the English keys: a missing key would show a
// page partly in English, an extra one is a typo.
func TestEveryCatalogueHasEveryKey(t *testing.T) {
	sets, err := Sets()
	if err != nil {
		t.Fatal(err)
	}
	if en := keys(t, "en", sets["active"]["en"]); len(en) < 100 {
		t.Fatalf("English core catalogue has only %d keys", len(en))
	}
	seen := map[string]string{} // key -> part, across parts
	for part, files := range sets {
		t.Run(part, func(t *testing.T) { checkPart(t, files) })
		for k := range keys(t, "en", files["en"]) {
			if other, dup := seen[k]; dup {
				t.Errorf("key %s is in both %s and %s", k, other, part)
			}
			seen[k] = part
		}
	}
}

func checkPart(t *testing.T, files map[string][]byte) {
	if files["en"] == nil {
		t.Fatal("no English catalogue")
	}
	en := keys(t, "en", files["en"])
	for _, lang := range []string{"pl", "ro", "ur", "bn", "so"} {
		b, ok := files[lang]
		if !ok {
			t.Errorf("no catalogue for %s", lang)
			continue
		}
		got := keys(t, lang, b)
		var missing, extra []string
		for k := range en {
			if !got[k] {
				missing = append(missing, k)
			}
		}
		for k := range got {
			if !en[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("%s is missing %d keys: %s", lang, len(missing), strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("%s has keys English lacks: %s", lang, strings.Join(extra, ", "))
		}
		if !strings.Contains(string(b), "awaiting review by a native speaker") {
			t.Errorf("%s catalogue does not say it awaits review by a native speaker", lang)
		}
	}
}

func TestPlaceholdersKeptInTranslations(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		got := c.Localizer(lang).T("site.footer_run_by", "Organisation", "ZZORG")
		if !strings.Contains(got, "ZZORG") {
			t.Errorf("%s: footer_run_by lost its placeholder: %q", lang, got)
		}
	}
}

func TestChoose(t *testing.T) {
	offered := []string{"en", "pl", "ro", "ur", "bn", "so"}
	cases := []struct{ explicit, cookie, accept, want string }{
		{"", "", "", "en"},
		{"ur", "pl", "ro", "ur"},
		{"", "pl", "ro", "pl"},
		{"xx", "", "ro-RO,ro;q=0.9,en;q=0.5", "ro"},
		{"", "", "pl-PL", "pl"},
		{"", "", "de-DE", "en"},
		{"<script>", "../../", "not a header ;;;", "en"},
		{"", "", strings.Repeat("a,", 600), "en"},
		{"UR", "", "", "ur"},
	}
	chooser := NewChooser(offered)
	for _, c := range cases {
		if got := chooser.Choose(c.explicit, c.cookie, c.accept); got != c.want {
			t.Errorf("Choose(%q,%q,%q) = %q, want %q", c.explicit, c.cookie, c.accept, got, c.want)
		}
	}
}

func FuzzChoose(f *testing.F) {
	f.Add("pl", "ur", "en-GB,en;q=0.8")
	f.Add("", "", "*")
	offered := []string{"en", "pl", "ur"}
	f.Fuzz(func(t *testing.T, explicit, cookie, accept string) {
		got := Choose(offered, explicit, cookie, accept)
		for _, o := range offered {
			if got == o {
				return
			}
		}
		t.Fatalf("Choose returned %q, not an offered language", got)
	})
}
