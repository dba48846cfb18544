package equality

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/hearme-project/hearme/internal/i18n"
)

var labelLangs = []string{"en", "pl", "ro", "ur", "bn", "so"}

// messages parses a labels file the way the i18n catalogue does, and
// returns its message IDs with their (other) texts.
func messages(t *testing.T, lang string, b []byte) map[string]string {
	t.Helper()
	mf, err := goi18n.ParseMessageFileBytes(b, "labels."+lang+".toml", map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
	if err != nil {
		t.Fatalf("labels.%s.toml: %v", lang, err)
	}
	out := map[string]string{}
	for _, m := range mf.Messages {
		out[m.ID] = m.Other
	}
	// Cross-check with a plain TOML reading: if go-i18n had taken a table
	// for one plural message (a key named "other", "one", ...), the counts
	// would differ.
	var raw map[string]any
	if err := toml.Unmarshal(b, &raw); err != nil {
		t.Fatalf("labels.%s.toml: %v", lang, err)
	}
	leaves := 0
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			switch v := v.(type) {
			case map[string]any:
				walk(prefix+k+".", v)
			case string:
				leaves++
				if _, ok := out[prefix+k]; !ok {
					t.Errorf("labels.%s.toml: %s%s is not a message of its own (a go-i18n reserved key?)", lang, prefix, k)
				}
			default:
				t.Errorf("labels.%s.toml: %s%s is a %T, not a string", lang, prefix, k, v)
			}
		}
	}
	walk("", raw)
	if leaves != len(out) {
		t.Errorf("labels.%s.toml: %d strings but %d messages", lang, leaves, len(out))
	}
	return out
}

func labelMessages(t *testing.T) map[string]map[string]string {
	t.Helper()
	files, err := LabelFiles()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(labelLangs) {
		t.Errorf("%d label files, want %d (%v)", len(files), len(labelLangs), labelLangs)
	}
	out := map[string]map[string]string{}
	for _, lang := range labelLangs {
		b, ok := files[lang]
		if !ok {
			t.Fatalf("no labels.%s.toml", lang)
		}
		out[lang] = messages(t, lang, b)
	}
	return out
}

// All six files have exactly the same keys, all under equality., none
// empty; the translations say they await review.
func TestLabelFilesHaveTheSameKeys(t *testing.T) {
	all := labelMessages(t)
	en := all["en"]
	if len(en) < 80 {
		t.Fatalf("English labels have only %d keys", len(en))
	}
	for id, text := range en {
		if !strings.HasPrefix(id, "equality.") {
			t.Errorf("key %s is not under [equality]", id)
		}
		if strings.TrimSpace(text) == "" {
			t.Errorf("en: %s is empty", id)
		}
	}
	files, _ := LabelFiles()
	for _, lang := range labelLangs[1:] {
		got := all[lang]
		var missing, extra []string
		for k := range en {
			if _, ok := got[k]; !ok {
				missing = append(missing, k)
			}
		}
		for k, text := range got {
			if _, ok := en[k]; !ok {
				extra = append(extra, k)
			}
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
		}
		slices.Sort(missing)
		slices.Sort(extra)
		if len(missing) > 0 {
			t.Errorf("%s is missing %d keys: %s", lang, len(missing), strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("%s has keys English lacks: %s", lang, strings.Join(extra, ", "))
		}
		head, _, _ := strings.Cut(string(files[lang]), "\n[")
		if !strings.Contains(head, "awaiting review by a native speaker") {
			t.Errorf("labels.%s.toml does not start with a comment saying it is awaiting review by a native speaker", lang)
		}
	}
}

// Every key the code hands to templates exists in the English file.
func TestEveryKeyTheCodeUsesExists(t *testing.T) {
	en := labelMessages(t)["en"]
	var used []string
	for field, opts := range allOptionLists() {
		for _, o := range opts {
			if o.LabelKey != "" {
				used = append(used, o.LabelKey)
			} else if field != FieldMainLanguage && field != FieldCommunity {
				t.Errorf("%s: option %q has no LabelKey", field, o.Code)
			}
		}
	}
	for _, g := range EthnicGroups() {
		used = append(used, g.LabelKey)
	}
	for _, q := range Questions() {
		for _, k := range []string{q.QuestionKey, q.HintKey, q.TextLabelKey} {
			if k != "" {
				used = append(used, k)
			}
		}
	}
	used = append(used, ErrUnknownOption, ErrTextTooLong, ErrEthnicTextWithoutOption, ErrGenderTextWithoutOption,
		ErrReligionTextWithoutOption, ErrLanguageTextWithoutOption, ErrPostcodeFull, ErrPostcodeInvalid,
		"equality.title", "equality.lead", "equality.hint", "equality.kept_apart")
	for _, k := range used {
		if _, ok := en[k]; !ok {
			t.Errorf("key %s is used by the code but not in labels.en.toml", k)
		}
	}
	// The hint the brief asks for, word for word.
	if en["equality.hint"] != "This helps us check that services are fair for everyone. You can skip any question." {
		t.Errorf("equality.hint = %q", en["equality.hint"])
	}
}

// The limit in the error message is the limit Validate applies.
func TestTooLongMessageStatesTheLimit(t *testing.T) {
	for lang, msgs := range labelMessages(t) {
		if !strings.Contains(msgs[ErrTextTooLong], strconv.Itoa(MaxTextRunes)) {
			t.Errorf("%s: %s does not say %d", lang, ErrTextTooLong, MaxTextRunes)
		}
	}
}

// In Urdu every Latin letter is inside a left-to-right isolate
// (U+2066 ... U+2069), so "LU1" is not reordered in right-to-left text.
func TestUrduLatinIsIsolated(t *testing.T) {
	for id, text := range labelMessages(t)["ur"] {
		depth := 0
		for i, r := range text {
			switch {
			case r == '\u2066':
				depth++
			case r == '\u2069':
				if depth == 0 {
					t.Errorf("ur %s: unbalanced U+2069 at byte %d", id, i)
				}
				depth--
			case (r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') && depth == 0:
				t.Errorf("ur %s: Latin text outside \\u2066…\\u2069: %q", id, text)
			}
		}
		if depth != 0 {
			t.Errorf("ur %s: unclosed U+2066", id)
		}
	}
}

// The labels are meant to be merged into the i18n catalogues: none of
// their keys may be there already, and the merged files must still parse.
func TestLabelsMergeIntoTheCatalogues(t *testing.T) {
	sets, err := i18n.Sets()
	if err != nil {
		t.Fatal(err)
	}
	for part, files := range sets {
		for lang, b := range files {
			if strings.Contains(string(b), "[equality") {
				t.Errorf("catalogue %s.%s has equality keys", part, lang)
			}
		}
	}
	cats := sets["active"]
	labels, _ := LabelFiles()
	for _, lang := range labelLangs {
		cat, ok := cats[lang]
		if !ok {
			t.Errorf("no i18n catalogue for %s", lang)
			continue
		}
		mf, err := goi18n.ParseMessageFileBytes(cat, "active."+lang+".toml", map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Fatalf("catalogue %s: %v", lang, err)
		}
		for _, m := range mf.Messages {
			if m.ID == "equality" || strings.HasPrefix(m.ID, "equality.") {
				t.Errorf("catalogue %s already has %s", lang, m.ID)
			}
		}
		merged := append(append(slices.Clone(cat), '\n'), labels[lang]...)
		mm, err := goi18n.ParseMessageFileBytes(merged, "active."+lang+".toml", map[string]goi18n.UnmarshalFunc{"toml": toml.Unmarshal})
		if err != nil {
			t.Errorf("catalogue %s with labels appended does not parse: %v", lang, err)
			continue
		}
		if want := len(mf.Messages) + len(messages(t, lang, labels[lang])); len(mm.Messages) != want {
			t.Errorf("%s merged: %d messages, want %d", lang, len(mm.Messages), want)
		}
	}
}

func ExampleAnswers_Validate() {
	a := Answers{EthnicGroup: "white-roma", PostcodeDistrict: "lu1 2bq", Religion: "christian", ReligionOther: "Orthodox"}
	errs := a.Validate([]string{"roma"}, []string{"en", "ro"})
	fmt.Println(errs.Key(FieldPostcodeDistrict))
	fmt.Println(errs.Key(FieldReligionOther))
	fmt.Printf("%q\n", a.PostcodeDistrict)
	// Output:
	// equality.error.postcode_full
	// equality.error.religion_text_without_option
	// ""
}
