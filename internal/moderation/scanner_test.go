package moderation

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// kindCase: in text, the scanner must report exactly the spans want of
// kind (and, if want is empty, no span of that kind).
type kindCase struct {
	text string
	want []string
}

func texts(fs []Finding, k Kind) []string {
	var out []string
	for _, f := range fs {
		if f.Kind == k {
			out = append(out, f.Text)
		}
	}
	return out
}

func runKindCases(t *testing.T, k Kind, cases []kindCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.text, func(t *testing.T) {
			fs := Scan(c.text)
			checkInvariants(t, c.text, fs)
			got := texts(fs, k)
			if !slices.Equal(got, c.want) {
				t.Errorf("%s spans = %q, want %q (all findings: %v)", k, got, c.want, fs)
			}
		})
	}
}

func TestEmail(t *testing.T) {
	runKindCases(t, Email, []kindCase{
		{"My email is j.okafor@example.com, thanks", []string{"j.okafor@example.com"}},
		{"write to Grace.Adeyemi@Example.co.uk.", []string{"Grace.Adeyemi@Example.co.uk"}},
		{"a+b_c-d%e@mail-server.example.org", []string{"a+b_c-d%e@mail-server.example.org"}},
		{"two: a@b.co and c@d.info", []string{"a@b.co", "c@d.info"}},
		// negatives
		{"meet @ 5pm at the clinic", nil},
		{"my twitter is @anna", nil},
		{"foo@localhost is not an address", nil},
		{"x@y.1 has a numeric top-level domain", nil},
		{"@@@@ .@. a@.com", nil},
	})
}

func TestPhone(t *testing.T) {
	runKindCases(t, Phone, []kindCase{
		{"call 07700 900123 please", []string{"07700 900123"}},
		{"call 07700900123", []string{"07700900123"}},
		{"call 07700 900 123", []string{"07700 900 123"}},
		{"call 07700-900-123", []string{"07700-900-123"}},
		{"ring 01632 960 555 ext 204", []string{"01632 960 555"}},
		{"ring 0113 496 0123", []string{"0113 496 0123"}},
		{"ring 020 7946 0321 today", []string{"020 7946 0321"}},
		{"ring (01632) 960 777", []string{"(01632) 960 777"}},
		{"ring +44 7700 900456", []string{"+44 7700 900456"}},
		{"ring +44 (0)7700 900 456", []string{"+44 (0)7700 900 456"}},
		{"ring +44(0)20 7946 0999", []string{"+44(0)20 7946 0999"}},
		{"brother in Poland +48 601 234 567", []string{"+48 601 234 567"}},
		{"Numărul meu este +40 721 234 567.", []string{"+40 721 234 567"}},
		{"Somalia +252 61 5123456", []string{"+252 61 5123456"}},
		{"from abroad 0044 7700 900456", []string{"0044 7700 900456"}},
		{"Macmillan on 0808 808 0000", []string{"0808 808 0000"}},
		// negatives
		{"Call 999 or 111", nil},
		{"I had 20 mg at 9:30 and 10.30", nil},
		{"between 2019 2020 2021", nil},
		{"it cost £1,250.00", nil},
		{"pain 9/10, BP 150/90", nil},
		{"stage 3, grade 2, 12 cycles", nil},
		{"+1 2 3", nil},
	})
}

func TestNHSNumberKind(t *testing.T) {
	runKindCases(t, NHSNumber, []kindCase{
		{"NHS number 943 476 5919", []string{"943 476 5919"}},
		{"NHS number 9434765919.", []string{"9434765919"}},
		{"NHS no. 486 091 3906 – no letter", []string{"486 091 3906"}},
		{"nr 400 000 0020", []string{"400 000 0020"}},
		// negatives: wrong check digit, check digit 10, wrong grouping
		{"NHS number 943 476 5910", nil},
		{"NHS number 4000000085", nil},
		{"call 9434 765 919", nil},
	})
	// Invalid ten-digit runs are still flagged, as a generic number.
	runKindCases(t, Number, []kindCase{
		{"NHS number 943 476 5910", []string{"943 476 5910"}},
		{"ref 4768426841", []string{"4768426841"}},
		{"hospital number 7742195", []string{"7742195"}},
		{"hospital number RD12345678", []string{"RD12345678"}},
		{"CA125 was 340, HER2 positive, 1,000,000 cells", nil},
		{"123456 is six digits", nil},
	})
}

func TestValidNHSNumber(t *testing.T) {
	// check computes the expected check digit independently.
	check := func(d9 string) int {
		sum := 0
		for i, c := range d9 {
			sum += int(c-'0') * (10 - i)
		}
		c := 11 - sum%11
		if c == 11 {
			c = 0
		}
		return c // 10 means no valid number
	}
	cases := []struct {
		in   string
		want bool
	}{
		{"9434765919", true}, // the NHS's own example
		{"9434765910", false},
		{"4000000020", true}, // sum 44, 44 mod 11 = 0: check 11 -> 0
		{"4000000021", false},
		{"4000000080", false}, // sum 56, 56 mod 11 = 1: check 10 -> invalid
		{"4000000085", false},
		{"6260181590", true},
		{"4830166134", true},
		{"943476591", false},   // nine digits
		{"94347659190", false}, // eleven
		{"943476591a", false},
		{"943 476 5919", false}, // spaces are the caller's job
		{"", false},
	}
	for _, c := range cases {
		if got := ValidNHSNumber(c.in); got != c.want {
			t.Errorf("ValidNHSNumber(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	// Exhaustive agreement with the independent computation over a range.
	for n := 400000000; n < 400020000; n++ {
		d9 := fmt.Sprint(n)
		c := check(d9)
		for last := 0; last <= 9; last++ {
			want := c != 10 && last == c
			if got := ValidNHSNumber(fmt.Sprintf("%s%d", d9, last)); got != want {
				t.Fatalf("ValidNHSNumber(%s%d) = %v, want %v", d9, last, got, want)
			}
		}
	}
}

func TestPostcode(t *testing.T) {
	runKindCases(t, Postcode, []kindCase{
		{"I live at LU1 2BQ now", []string{"LU1 2BQ"}},
		{"postcode MK42 9BD.", []string{"MK42 9BD"}},
		{"postcode lu2 0sx please", []string{"lu2 0sx"}},
		{"London EC1A 1BB office", []string{"EC1A 1BB"}},
		{"W1A 1AA is the BBC", []string{"W1A 1AA"}},
		{"no space LU12BQ", []string{"LU12BQ"}},
		// negatives
		{"I live in LU4", nil},
		{"vitamin B12 and T2 N0 M0", nil},
		{"QQ1 2BQ is not an area", nil},
		{"LU1 2CI has bad inward letters", nil},
		{"Lu1 2BQ mixed case", nil},
	})
	// A bare outward code is a separate, lower-confidence kind.
	runKindCases(t, PostcodeDistrict, []kindCase{
		{"I live in LU4 and", []string{"LU4"}},
		{"from MK40, near", []string{"MK40"}},
		{"vitamin B12, T2 N0 M0, CA125, HER2, stage 3", nil},
		{"I live at LU1 2BQ now", nil}, // a full postcode, not a district
		{"lu4 in lower case", nil},
	})
}

func TestDate(t *testing.T) {
	runKindCases(t, Date, []kindCase{
		{"born 12/03/1961 in Lahore", []string{"12/03/1961"}},
		{"DOB 14.07.1949, they said", []string{"14.07.1949"}},
		{"DOB: 120361", []string{"120361"}},
		{"on 3-5-58", []string{"3-5-58"}},
		{"on 2023-06-21", []string{"2023-06-21"}},
		{"on 12/03 at 10am", []string{"12/03"}},
		{"born on 12 March 1961", []string{"12 March 1961"}},
		{"born on 3rd May and", []string{"3rd May"}},
		{"started on 2nd of October 2023.", []string{"2nd of October 2023"}},
		{"diagnosed on March 12, 1961", []string{"March 12, 1961"}},
		{"seen June 4th", []string{"June 4th"}},
		{"seen on Tuesday 4th", []string{"Tuesday 4th"}},
		{"Urodziłam się 12 marca 1961", []string{"12 marca 1961"}},
		{"M-am născut pe 3 martie 1958", []string{"3 martie 1958"}},
		{"scan 15 April ko hoga", []string{"15 April"}},
		// negatives: years, months, times, doses, scores
		{"diagnosed in 2023", nil},
		{"in March I had my first appointment", nil},
		{"in October 2022", nil},
		{"at 9:30 or 10.30", nil},
		{"20 mg twice", nil},
		{"pain 9/10, care 24/7, score 10/10", nil},
		{"In March 3 people were seen", nil},
		{"May God bless you", nil},
		{"32/13/2020 is not a date", nil},
		{"v1.2.3.4", nil},
	})
}

func TestAddress(t *testing.T) {
	runKindCases(t, Address, []kindCase{
		{"I live at 14 Marsh Road, Luton", []string{"14 Marsh Road"}},
		{"at 27 Cardigan Street", []string{"27 Cardigan Street"}},
		{"at 5 Farley Close", []string{"5 Farley Close"}},
		{"at 12a St Mary's Road", []string{"12a St Mary's Road"}},
		{"at 12-14 Castle Street", []string{"12-14 Castle Street"}},
		{"at 3 Willow Crescent", []string{"3 Willow Crescent"}},
		{"letters to 22 Leagrave High Street", []string{"22 Leagrave High Street"}},
		{"I live at 14 marsh road", []string{"14 marsh road"}},
		// negatives
		{"the surgery on Dunstable Road", nil},
		{"Ward 17 was clean", nil},
		{"I waited 3 long road trips", nil},
		{"level 4 of the tower block", nil},
	})
}

func TestNameAndStaff(t *testing.T) {
	runKindCases(t, Name, []kindCase{
		{"My husband Tomasz rang.", []string{"Tomasz"}},
		{"my husband tomasz rang", []string{"tomasz"}},
		{"My wife, Agnieszka, came", []string{"Agnieszka"}},
		{"Mrs Begum came with me", []string{"Begum"}},
		{"Mrs Ahmed's son rang", []string{"Ahmed"}},
		{"My neighbour Hodan Abdi translated", []string{"Hodan Abdi"}},
		{"Faduma and I waited", []string{"Faduma"}},
		{"I sat with Grace Okafor", []string{"Grace Okafor"}},
		{"I am Shabana Akhtar and", []string{"Shabana Akhtar"}},
		{"I'm Ngozi, 54", []string{"Ngozi"}},
		{"My husband's name is Mohammed Iqbal.", []string{"Mohammed Iqbal"}},
		{"Uncle Delroy pushed me", []string{"Delroy"}},
		// Polish, Romanian, Somali, Urdu transliteration
		{"Moja córka Magdalena tłumaczyła", []string{"Magdalena"}},
		{"Nazywam się Katarzyna Wiśniewska", []string{"Katarzyna Wiśniewska"}},
		{"Soțul meu Ion m-a dus", []string{"Ion"}},
		{"Tatăl meu, Vasile, a murit", []string{"Vasile"}},
		{"Numele meu este Andreea", []string{"Andreea"}},
		{"Hooyaday Sahra waxay ku jirtay isbitaalka", []string{"Sahra"}},
		{"Magacaygu waa Ifrah, waxaan qabay", []string{"Ifrah"}},
		{"Meri beti Ayesha ne translate kiya", []string{"Ayesha"}},
		{"Then Ionescu called", []string{"Ionescu"}},
		// negatives
		{"In March I went to the Luton and Dunstable Hospital.", nil},
		{"The Macmillan nurse was lovely.", nil},
		{"Marie Curie nurses came at the end.", nil},
		{"The Sue Ryder hospice was calm.", nil},
		{"They moved me to Victoria Ward.", nil},
		{"I had surgery at St Albans City Hospital and St Mary's.", nil},
		{"The Queen Elizabeth Hospital did it.", nil},
		{"Grace is what got me through.", nil},
		{"Will I ever feel normal? May God help. June was bad.", nil},
		{"I went to Maggie's for tea, and the Maggie's centre.", nil},
		{"I am Black and I am Muslim.", nil},
		{"My husband came. My mum cannot read English.", nil},
		{"The GP referred me on the 2WW pathway; A&E was busy.", nil},
		{"Doctor sahib ne kaha ke sab theek hai.", nil},
		{"ANNA IN CAPITALS IS NOT FOUND", nil},
	})
	runKindCases(t, Staff, []kindCase{
		{"Dr Khan explained", []string{"Khan"}},
		{"Dr. Bello did not look at me", []string{"Bello"}},
		{"Dr J. Smith was kind", []string{"J. Smith"}},
		{"The oncologist, Dr Nkem Eze, gave us time", []string{"Nkem Eze"}},
		{"Consultant Mr Patel told me", []string{"Patel"}},
		{"The nurse called Anna stayed", []string{"Anna"}},
		{"A nurse named Grace held my hand", []string{"Grace"}},
		{"Receptionist Sarah was rude", []string{"Sarah"}},
		{"The receptionist, Kelly, told me", []string{"Kelly"}},
		{"Nurse Joy was amazing", []string{"Joy"}},
		{"Sister Jones on the ward", []string{"Jones"}},
		{"I spoke to Lorraine, my CNS, who", []string{"Lorraine"}},
		{"Miss Ogunleye, the breast surgeon, explained", []string{"Ogunleye"}},
		{"Ms Kaur from the council came", []string{"Kaur"}},
		{"My keyworker Priya rang", []string{"Priya"}},
		{"The health visitor, Bernie, noticed", []string{"Bernie"}},
		{"Pani doktor Kowalska mówiła po polsku", []string{"Kowalska"}},
		{"Pielęgniarka Ewa zawsze pytała", []string{"Ewa"}},
		{"Doamna doctor Popescu a fost amabilă", []string{"Popescu"}},
		{"Asistenta Elena de la oncologie", []string{"Elena"}},
		{"Dhakhtarka, Dr Warsame, wuxuu ii sharaxay", []string{"Warsame"}},
		// negatives
		{"My sister Nasreen came", nil},
		{"The nurse was kind. The doctor said wait.", nil},
		{"The GP Practice and the Interpreter Service", nil},
		{"Nobody asked if I needed a Somali interpreter.", nil},
	})
}

func TestScanMixedSentence(t *testing.T) {
	text := "I'm Ewelina (NHS 628 194 8211), 14 Marsh Road, LU3 2QR; call 07700 900123 or e-mail ewelina.k@example.com. Dr Khan saw me on 12 March 2024."
	got := Scan(text)
	checkInvariants(t, text, got)
	want := []Finding{
		{Kind: Name, Text: "Ewelina"},
		{Kind: NHSNumber, Text: "628 194 8211"},
		{Kind: Address, Text: "14 Marsh Road"},
		{Kind: Postcode, Text: "LU3 2QR"},
		{Kind: Phone, Text: "07700 900123"},
		{Kind: Email, Text: "ewelina.k@example.com"},
		{Kind: Staff, Text: "Khan"},
		{Kind: Date, Text: "12 March 2024"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Text != want[i].Text {
			t.Errorf("finding %d = %s %q, want %s %q", i, got[i].Kind, got[i].Text, want[i].Kind, want[i].Text)
		}
	}
	red := Redact(text, got)
	wantRed := "I'm [name] (NHS [nhs_number]), [address], [postcode]; call [phone] or e-mail [email]. Dr [staff] saw me on [date]."
	if red != wantRed {
		t.Errorf("Redact =\n%q, want\n%q", red, wantRed)
	}
}

func TestOverlapPriority(t *testing.T) {
	// "Grace" is a listed name but here part of an address: one span, address.
	text := "I live at 14 Grace Road now"
	got := Scan(text)
	if len(got) != 1 || got[0].Kind != Address || got[0].Text != "14 Grace Road" {
		t.Errorf("got %v", got)
	}
	// An email containing a capitalised name is one email span.
	text = "write to Anna.Kowalska@example.com"
	got = Scan(text)
	if len(got) != 1 || got[0].Kind != Email || got[0].Text != "Anna.Kowalska@example.com" {
		t.Errorf("got %v", got)
	}
	// merge: overlapping spans are united under the higher-priority kind.
	m := mergeFindings("0123456789", []Finding{{Kind: Name, Start: 2, End: 5}, {Kind: Phone, Start: 4, End: 8}, {Kind: Number, Start: 8, End: 9}})
	want := []Finding{{Kind: Phone, Start: 2, End: 8, Text: "234567"}, {Kind: Number, Start: 8, End: 9, Text: "8"}}
	if !slices.Equal(m, want) {
		t.Errorf("merge = %v, want %v", m, want)
	}
}

func TestRedactRobust(t *testing.T) {
	text := "abc Dr Khan def"
	cases := []struct {
		fs   []Finding
		want string
	}{
		{nil, text},
		{[]Finding{{Kind: Staff, Start: 7, End: 11}}, "abc Dr [staff] def"},
		// unsorted, overlapping, out of range, empty, inverted
		{[]Finding{{Kind: Name, Start: 12, End: 100}, {Kind: Staff, Start: 7, End: 11}, {Kind: Name, Start: 8, End: 10}, {Kind: Name, Start: 3, End: 3}, {Kind: Name, Start: 5, End: 2}, {Kind: Name, Start: -5, End: 1}},
			"[name]bc Dr [staff] [name]"},
	}
	for _, c := range cases {
		if got := Redact(text, c.fs); got != c.want {
			t.Errorf("Redact(%v) = %q, want %q", c.fs, got, c.want)
		}
	}
	if got := RedactText("My husband Tomasz rang 07700 900123."); got != "My husband [name] rang [phone]." {
		t.Errorf("RedactText = %q", got)
	}
}

func TestHostileInput(t *testing.T) {
	inputs := []string{
		"",
		"\x00\x01\x02 Dr \xff\xfe Khan \x80 07700 900123\x00",
		"Dr \xe2\x80 Khan", // truncated multi-byte rune
		"My husband\u2028Tomasz\u00a0rang 07700\u00a0900123",
		strings.Repeat("@", 10000),
		strings.Repeat("a@", 10000) + "b.co",
		strings.Repeat("1 ", 20000),
		strings.Repeat("0", 100000),
		strings.Repeat("Dr ", 20000),
		strings.Repeat("My husband ", 10000),
		strings.Repeat("Anna ", 20000),
		strings.Repeat("12/", 10000),
		strings.Repeat("+", 1000) + "44",
		strings.Repeat("\u0301", 1000) + "Anna",
		"Ǆemal and ǅemal", // title-case letters
	}
	for _, in := range inputs {
		fs := Scan(in)
		checkInvariants(t, in, fs)
		checkRedact(t, in, fs)
	}
	// Invalid UTF-8 around a real finding does not hide it.
	fs := Scan("\xffcall 07700 900123\xff")
	if len(fs) != 1 || fs[0].Text != "07700 900123" {
		t.Errorf("got %v", fs)
	}
}

func TestHugeInput(t *testing.T) {
	exs, _ := loadLabelled(t, "testdata/labelled.jsonl")
	var b strings.Builder
	for b.Len() < 8<<20 {
		for _, ex := range exs {
			b.WriteString(ex.Text)
			b.WriteByte(' ')
		}
	}
	text := b.String()
	fs := Scan(text)
	checkInvariants(t, text, fs)
	if len(fs) < 1000 {
		t.Errorf("only %d findings in %d bytes", len(fs), len(text))
	}
}

func TestConcurrentScan(t *testing.T) {
	exs, _ := loadLabelled(t, "testdata/labelled.jsonl")
	want := make([][]Finding, len(exs))
	for i, ex := range exs {
		want[i] = Scan(ex.Text)
	}
	sc := Default()
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, ex := range exs {
				if got := sc.Scan(ex.Text); !slices.Equal(got, want[i]) {
					errs <- fmt.Sprintf("%q: %v != %v", ex.Text, got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestNewScannerIndependent(t *testing.T) {
	a, b := NewScanner(), NewScanner()
	if a == b || a.lex == b.lex {
		t.Fatal("NewScanner returned shared state")
	}
	if len(a.lex.words) < 1000 {
		t.Fatalf("lexicon has only %d words", len(a.lex.words))
	}
	names := 0
	for _, w := range a.lex.words {
		if w.nameClass != nameNone {
			names++
		}
	}
	if names < 300 {
		t.Errorf("only %d names loaded", names)
	}
}

// checkInvariants: sorted, non-overlapping, in bounds, on rune boundaries,
// non-empty, Text matches the offsets, and no finding contains a NUL.
func checkInvariants(t testing.TB, text string, fs []Finding) {
	t.Helper()
	bound := make([]bool, len(text)+1)
	for i := range text {
		bound[i] = true
	}
	bound[len(text)] = true
	prevEnd := 0
	for i, f := range fs {
		if f.Start < prevEnd || f.Start >= f.End || f.End > len(text) || f.Start < 0 {
			t.Fatalf("finding %d %+v out of order/bounds (prev end %d, len %d)", i, f, prevEnd, len(text))
		}
		if !bound[f.Start] || !bound[f.End] {
			t.Fatalf("finding %d %+v not on rune boundaries", i, f)
		}
		if f.Text != text[f.Start:f.End] {
			t.Fatalf("finding %d Text %q != text[%d:%d]", i, f.Text, f.Start, f.End)
		}
		if strings.ContainsRune(f.Text, 0) {
			t.Fatalf("finding %d contains NUL", i)
		}
		found := false
		for _, k := range Kinds {
			found = found || f.Kind == k
		}
		if !found {
			t.Fatalf("finding %d has unknown kind %q", i, f.Kind)
		}
		prevEnd = f.End
	}
}

// checkRedact: Redact replaces exactly the spans, and a finding's text
// survives in the output only if it also occurs in the unredacted parts.
func checkRedact(t testing.TB, text string, fs []Finding) {
	t.Helper()
	out := Redact(text, fs)
	var rebuilt, kept strings.Builder
	pos := 0
	for _, f := range fs {
		rebuilt.WriteString(text[pos:f.Start])
		rebuilt.WriteString(f.Kind.Placeholder())
		kept.WriteString(text[pos:f.Start])
		kept.WriteByte(0) // a separator no finding contains
		pos = f.End
	}
	rebuilt.WriteString(text[pos:])
	kept.WriteString(text[pos:])
	if out != rebuilt.String() {
		t.Fatalf("Redact output %q, want %q", out, rebuilt.String())
	}
	for _, f := range fs {
		if strings.Contains(out, f.Text) && !strings.Contains(kept.String(), f.Text) {
			t.Fatalf("redacted output %q still contains finding %q", out, f.Text)
		}
	}
	if !utf8.ValidString(text) {
		return
	}
	if !utf8.ValidString(out) {
		t.Fatalf("Redact made valid UTF-8 invalid: %q", out)
	}
}
