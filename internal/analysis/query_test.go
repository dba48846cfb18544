package analysis

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	w := func(words ...string) Term { return Term{Words: words} }
	for _, c := range []struct {
		in   string
		want Query
	}{
		{`"waiting times" -parking`, Query{All: []Clause{{w("waiting", "times")}}, Exclude: []Term{w("parking")}}},
		{`interpreter OR translator`, Query{All: []Clause{{w("interpreter"), w("translator")}}}},
		{`GP interpreter OR translator OR "language line"`, Query{All: []Clause{{w("gp")}, {w("interpreter"), w("translator"), w("language", "line")}}}},
		{`Kolejka  kolej*`, Query{All: []Clause{{w("kolejka")}, {Term{Words: []string{"kolej"}, Prefix: true}}}}},
		{`ڈاکٹر উপায়`, Query{All: []Clause{{w("ڈاکٹر")}, {w("উপায়")}}}},
		{`e-mail or not`, Query{All: []Clause{{w("e", "mail")}, {w("or")}, {w("not")}}}},
		{`!! - "" wait`, Query{All: []Clause{{w("wait")}}}},
		{``, Query{}},
	} {
		got, err := ParseQuery(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseQuery(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for in, want := range map[string]error{
		`"waiting times -parking`:      ErrQueryQuote,
		`-parking -"car park"`:         ErrQueryOnlyExclusions,
		strings.Repeat("a ", 101):      ErrQueryTooLong,
		strings.Repeat("word ", 13):    ErrQueryTooLong,
		`OR interpreter`:               ErrQueryOR,
		`interpreter OR`:               ErrQueryOR,
		`interpreter OR OR translator`: ErrQueryOR,
		`interpreter OR -translator`:   ErrQueryOR,
		`-interpreter OR translator`:   ErrQueryOR,
	} {
		if _, err := ParseQuery(in); !errors.Is(err, want) {
			t.Errorf("ParseQuery(%.30q): %v, want %v", in, err, want)
		}
	}
	q, _ := ParseQuery(`"waiting times" GP OR doctor -parking`)
	if q.Terms() != 4 || len(q.Positive()) != 3 {
		t.Errorf("terms %d, positive %d", q.Terms(), len(q.Positive()))
	}
}

func TestSnippetMarksMatches(t *testing.T) {
	t.Parallel()
	q, _ := ParseQuery(`"waiting times" kolej* Łódź`)
	text := "We waited weeks. The waiting times were long, and the <b>kolejki</b> in Lodz too."
	var marked []string
	for _, s := range Snippet(text, q.Positive(), 300, false) {
		if s.Mark {
			marked = append(marked, s.Text)
		}
	}
	if want := []string{"waiting times", "kolejki", "Lodz"}; !reflect.DeepEqual(marked, want) {
		t.Errorf("marked %q, want %q", marked, want)
	}
	// A long text is cut around the first match, on word boundaries.
	long := strings.Repeat("nothing here ", 100) + "the interpreter came " + strings.Repeat("and more ", 100)
	q, _ = ParseQuery("interpreter")
	segs := Snippet(long, q.Positive(), 120, false)
	var all string
	for _, s := range segs {
		all += s.Text
	}
	if !strings.HasPrefix(all, "… ") || !strings.HasSuffix(all, " …") || !strings.Contains(all, "interpreter") || utf8.RuneCountInString(all) > 130 {
		t.Errorf("snippet %q", all)
	}
}

// TestSnippetMarksWordsFoundInside: where the search found terms inside
// longer words (PostgreSQL's trigrams, a story not in English) the
// snippet marks the words that hold them; elsewhere, and for terms too
// short to be found so, only the words that match as words.
func TestSnippetMarksWordsFoundInside(t *testing.T) {
	t.Parallel()
	text := "Nie dostałam wyników. Brak informacji o wynikach badań, rak to nie żart."
	for _, c := range []struct {
		query  string
		inside bool
		want   []string
	}{
		{"wynik", true, []string{"wyników", "wynikach"}},
		{"wynik", false, nil},
		{"WYNIKOW", true, []string{"wyników"}},
		{"rak", true, []string{"Brak", "rak"}},
		{"rak", false, []string{"rak"}},
		{"ak", true, nil},
		{`"ikach bad"`, true, []string{"wynikach badań"}},
		{`"ikach bad"`, false, nil},
		{`"informacji wyn"`, true, nil}, // "o" stands between them
		{"nikach*", true, []string{"wynikach"}},
	} {
		q, err := ParseQuery(c.query)
		if err != nil {
			t.Fatal(err)
		}
		var marked []string
		for _, s := range Snippet(text, q.Positive(), 300, c.inside) {
			if s.Mark {
				marked = append(marked, s.Text)
			}
		}
		if !reflect.DeepEqual(marked, c.want) {
			t.Errorf("%q inside %v: marked %q, want %q", c.query, c.inside, marked, c.want)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{`"waiting times" -parking`, `a OR b`, `"`, `-x`, `kolej* OR ڈاکٹر`, `OR`, `a OR -b`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuery(s)
		if err != nil {
			if !errors.Is(err, ErrQueryQuote) && !errors.Is(err, ErrQueryOnlyExclusions) && !errors.Is(err, ErrQueryTooLong) && !errors.Is(err, ErrQueryOR) {
				t.Fatalf("unknown error %v", err)
			}
			return
		}
		if q.Terms() > MaxQueryTerms {
			t.Fatalf("%d terms accepted", q.Terms())
		}
		if len(q.All) == 0 && len(q.Exclude) > 0 {
			t.Fatal("only exclusions accepted")
		}
		for _, term := range append(q.Positive(), q.Exclude...) {
			if len(term.Words) == 0 {
				t.Fatal("a term without words")
			}
			for _, w := range term.Words {
				for _, r := range w {
					if !isWordRune(r) {
						t.Fatalf("word %q holds %q, which no index query may receive", w, r)
					}
				}
			}
		}
		// Whatever the text, a snippet gives it back in pieces, unchanged.
		if !utf8.ValidString(s) {
			return
		}
		var b strings.Builder
		for _, seg := range Snippet(s, q.Positive(), 1<<20, true) {
			b.WriteString(seg.Text)
		}
		if b.String() != s {
			t.Fatalf("snippet changed the text: %q", b.String())
		}
	})
}
