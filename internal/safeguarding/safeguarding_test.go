package safeguarding

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestPhrasesByLanguage: in every language the programme works in, the
// sentences that should raise a flag do, and ordinary sentences about
// cancer care (including death, pain and the words near a phrase) do not.
func TestPhrasesByLanguage(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ flag, clean []string }{
		"en": {
			flag: []string{
				"Some nights I thought about suicide.",
				"I have felt suicidal since the diagnosis",
				"I don't want to live like this any more",
				"Honestly I just want to die.",
				"My family would be better off without me.",
				"I started cutting myself again after the chemo",
				"My husband hits me when he drinks",
				"I don’t feel safe at home.",
			},
			clean: []string{
				"My mum died of breast cancer in 2019.",
				"The waiting was killing me.",
				"I was dying to get home after the operation.",
				"The needle really hurt and my arm hurts me still.",
				"It hit me hard when they said the word cancer.",
				"The nurse explained the side effects of an overdose of paracetamol is not likely with this dose",
			},
		},
		"pl": {
			flag: []string{
				"Myślałam o samobójstwie.",
				"Nie chcę już żyć.",
				"nie chce zyc, mam dosc",
				"Czasem chcę umrzeć.",
				"Mąż mnie bije, bije mnie co tydzień.",
			},
			clean: []string{
				"Mój tata zmarł na raka płuc.",
				"Czekanie było straszne, ale lekarka była miła.",
				"Chcę żyć jak najdłużej dla moich dzieci.",
				"Bolało, kiedy pobierali krew.",
			},
		},
		"ro": {
			flag: []string{
				"M-am gândit la sinucidere.",
				"Nu mai vreau să trăiesc.",
				"nu mai vreau sa traiesc asa",
				"Uneori vreau să mor.",
				"Soțul meu mă bate.",
			},
			clean: []string{
				"Mama mea a murit de cancer.",
				"Am așteptat trei luni pentru programare.",
				"Vreau să trăiesc pentru copiii mei.",
				"M-a durut când mi-au luat sânge.",
			},
		},
		"ur": {
			flag: []string{
				"کبھی کبھی خودکشی کا خیال آتا ہے۔",
				"میں اب جینا نہیں چاہتی۔",
				"میں مرنا چاہتا ہوں۔",
				"میرا شوہر مجھے مارتا ہے۔",
				"kabhi kabhi khudkushi ka khayal aata hai",
			},
			clean: []string{
				"میری امی کینسر سے فوت ہو گئیں۔",
				"ڈاکٹر نے کہا کہ علاج سے فائدہ ہوگا۔",
				"میں اپنے بچوں کے لیے جینا چاہتی ہوں۔",
				"انجکشن سے درد ہوا۔",
			},
		},
		"bn": {
			flag: []string{
				"মাঝে মাঝে আত্মহত্যার কথা ভাবি।",
				"আমি আর বাঁচতে চাই না।",
				"আমি মরে যেতে চাই।",
				"আমার স্বামী আমাকে মারে।",
			},
			clean: []string{
				"আমার মা ক্যান্সারে মারা গেছেন।",
				"ডাক্তার বললেন চিকিৎসায় উপকার হবে।",
				"আমি আমার বাচ্চাদের জন্য বাঁচতে চাই।",
				"ইনজেকশনে ব্যথা লেগেছিল।",
			},
		},
		"so": {
			flag: []string{
				"Waxaan ka fikiray isdil.",
				"Mararka qaar waan dhiman rabaa.",
				"Ma rabo inaan noolaado.",
				"Ninkaygu wuu i garaacaa.",
			},
			clean: []string{
				"Hooyaday waxay u dhimatay kansar.",
				"Dhakhtarku wuxuu yiri daawadu way ku caawin doontaa.",
				"The cervix is dilated, the midwife said.",
				"Irbadda ayaa i xanuujisay.",
			},
		},
	}
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		c, ok := cases[lang]
		if !ok || len(c.flag) == 0 || len(c.clean) == 0 {
			t.Fatalf("%s: no positive or negative cases", lang)
		}
		if len(Phrases[lang]) == 0 {
			t.Fatalf("%s: no phrase list", lang)
		}
		for _, s := range c.flag {
			if m := Assess(s); len(m) == 0 {
				t.Errorf("%s: not flagged: %q", lang, s)
			}
		}
		for _, s := range c.clean {
			if m := Assess(s); len(m) > 0 {
				t.Errorf("%s: flagged %q by %v", lang, s, m)
			}
		}
	}
}

// TestAssessReportsPhraseAndLanguage: the match names the list's phrase
// and its language, each once, whichever text it came from.
func TestAssessReportsPhraseAndLanguage(t *testing.T) {
	t.Parallel()
	got := Assess("Nie chcę już żyć", "I want to die. I want to die.", "")
	want := []Match{{"en", "want to die"}, {"pl", "nie chce juz zyc"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Assess = %v, want %v", got, want)
	}
	if Flagged("", "the appointment was fine") {
		t.Error("ordinary text flagged")
	}
}

// TestFoldedSpellings: Arabic-keyboard letters and Bengali nukta forms
// match the lists' spellings.
func TestFoldedSpellings(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"خودكشي",                                         // Arabic kaf and yeh
		"গা\u09DFে হাত তোলে", "গা\u09AF\u09BCে হাত তোলে", // precomposed and decomposed য়
	} {
		if !Flagged(s) {
			t.Errorf("not flagged: %q", s)
		}
	}
}

type labelled struct {
	Lang string `json:"lang"`
	Text string `json:"text"`
	Risk bool   `json:"risk"`
}

// TestHoldoutSentences measures sentence-level precision and recall per
// language on testdata/holdout.jsonl, written after the lists and never
// used to tune them (docs/safeguarding.md records the figures). It fails
// below recall 0.7 or precision 0.7 overall.
func TestHoldoutSentences(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/holdout.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type counts struct{ tp, fp, fn, tn int }
	per := map[string]*counts{}
	var all counts
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex labelled
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatal(err)
		}
		c := per[ex.Lang]
		if c == nil {
			c = &counts{}
			per[ex.Lang] = c
		}
		got := Flagged(ex.Text)
		switch {
		case got && ex.Risk:
			c.tp++
			all.tp++
		case got && !ex.Risk:
			c.fp++
			all.fp++
			t.Logf("FALSE ALARM %s: %q %v", ex.Lang, ex.Text, Assess(ex.Text))
		case !got && ex.Risk:
			c.fn++
			all.fn++
			t.Logf("MISS %s: %q", ex.Lang, ex.Text)
		default:
			c.tn++
			all.tn++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 1
		}
		return float64(a) / float64(b)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| language | sentences | at risk | flagged | precision | recall |\n|---|---:|---:|---:|---:|---:|\n")
	row := func(name string, c counts) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %.2f | %.2f |\n", name, c.tp+c.fp+c.fn+c.tn, c.tp+c.fn, c.tp+c.fp, ratio(c.tp, c.tp+c.fp), ratio(c.tp, c.tp+c.fn))
	}
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		c := per[lang]
		if c == nil || c.tp+c.fn == 0 || c.fp+c.tn == 0 {
			t.Fatalf("%s: the hold-out set needs sentences with and without risk", lang)
		}
		row(lang, *c)
	}
	row("**all**", all)
	t.Log("\n" + b.String())
	if p, r := ratio(all.tp, all.tp+all.fp), ratio(all.tp, all.tp+all.fn); p < 0.7 || r < 0.7 {
		t.Errorf("precision %.2f, recall %.2f; want at least 0.7 each", p, r)
	}
}
