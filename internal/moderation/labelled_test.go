package moderation

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
)

// labelledExample is one line of testdata/labelled.jsonl.
type labelledExample struct {
	Text  string `json:"text"`
	Spans []struct {
		Kind Kind   `json:"kind"`
		Text string `json:"text"`
	} `json:"spans"`
}

type span struct {
	kind       Kind
	start, end int
}

func loadLabelled(t testing.TB, path string) ([]labelledExample, [][]span) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var exs []labelledExample
	var spans [][]span
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var ex labelledExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		// Each expected span is its substring's next occurrence, so a
		// repeated substring maps to successive occurrences.
		next := map[string]int{}
		var ss []span
		for _, sp := range ex.Spans {
			known := false
			for _, k := range Kinds {
				known = known || k == sp.Kind
			}
			if !known {
				t.Fatalf("%s:%d: unknown kind %q", path, line, sp.Kind)
			}
			from := next[sp.Text]
			k := strings.Index(ex.Text[from:], sp.Text)
			if sp.Text == "" || k < 0 {
				t.Fatalf("%s:%d: span %q not in text", path, line, sp.Text)
			}
			st := from + k
			next[sp.Text] = st + len(sp.Text)
			ss = append(ss, span{sp.Kind, st, st + len(sp.Text)})
		}
		exs = append(exs, ex)
		spans = append(spans, ss)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return exs, spans
}

type prCounts struct {
	expected, found   int // labelled spans, scanner findings
	recalled, correct int // labelled spans overlapped by a finding of the same kind; findings overlapping a labelled span of the same kind
}

func (c prCounts) recall() float64 {
	if c.expected == 0 {
		return 1
	}
	return float64(c.recalled) / float64(c.expected)
}

func (c prCounts) precision() float64 {
	if c.found == 0 {
		return 1
	}
	return float64(c.correct) / float64(c.found)
}

func overlaps(a, b span) bool { return a.start < b.end && b.start < a.end }

// evaluate scores the scanner on the labelled set. anyKind ignores kinds
// (a redaction-level score).
func evaluate(exs []labelledExample, want [][]span, report func(string)) (perKind map[Kind]*prCounts, total, anyKind prCounts) {
	perKind = map[Kind]*prCounts{}
	for _, k := range Kinds {
		perKind[k] = &prCounts{}
	}
	for i, ex := range exs {
		got := Scan(ex.Text)
		var gs []span
		for _, f := range got {
			gs = append(gs, span{f.Kind, f.Start, f.End})
		}
		for _, w := range want[i] {
			c := perKind[w.kind]
			c.expected++
			anyKind.expected++
			hit, hitAny := false, false
			for _, g := range gs {
				if overlaps(g, w) {
					hitAny = true
					hit = hit || g.kind == w.kind
				}
			}
			if hit {
				c.recalled++
			} else if report != nil {
				report(fmt.Sprintf("MISS %-17s %q in %q", w.kind, ex.Text[w.start:w.end], ex.Text))
			}
			if hitAny {
				anyKind.recalled++
			}
		}
		for _, g := range gs {
			c := perKind[g.kind]
			c.found++
			anyKind.found++
			ok, okAny := false, false
			for _, w := range want[i] {
				if overlaps(g, w) {
					okAny = true
					ok = ok || g.kind == w.kind
				}
			}
			if ok {
				c.correct++
			} else if report != nil {
				report(fmt.Sprintf("FALSE %-16s %q in %q", g.kind, ex.Text[g.start:g.end], ex.Text))
			}
			if okAny {
				anyKind.correct++
			}
		}
	}
	for _, c := range perKind {
		total.expected += c.expected
		total.found += c.found
		total.recalled += c.recalled
		total.correct += c.correct
	}
	return perKind, total, anyKind
}

// TestLabelled measures span-level precision and recall per kind on
// testdata/labelled.jsonl and fails below recall 0.9 or precision 0.8
// overall. Run with -v to see the table; MODERATION_REPORT=1 also lists
// every miss and false finding.
func TestLabelled(t *testing.T) {
	exs, want := loadLabelled(t, "testdata/labelled.jsonl")
	if len(exs) < 200 {
		t.Fatalf("labelled set has %d sentences, want at least 200", len(exs))
	}
	total := scoreTable(t, exs, want)
	if r := total.recall(); r < 0.9 {
		t.Errorf("overall recall %.3f < 0.9", r)
	}
	if p := total.precision(); p < 0.8 {
		t.Errorf("overall precision %.3f < 0.8", p)
	}
}

// TestHoldout scores testdata/holdout.jsonl, written after the scanner's
// rules and never used to tune them (see docs/scanner.md).
func TestHoldout(t *testing.T) {
	exs, want := loadLabelled(t, "testdata/holdout.jsonl")
	total := scoreTable(t, exs, want)
	// Guard against regressions only: the figures measured before any
	// tuning are recorded in docs/scanner.md.
	if r, p := total.recall(), total.precision(); r < 0.9 || p < 0.8 {
		t.Errorf("holdout recall %.3f, precision %.3f; want at least 0.9, 0.8", r, p)
	}
}

func scoreTable(t *testing.T, exs []labelledExample, want [][]span) prCounts {
	t.Helper()
	withDetails := 0
	for _, w := range want {
		if len(w) > 0 {
			withDetails++
		}
	}
	var report func(string)
	if os.Getenv("MODERATION_REPORT") != "" {
		report = func(s string) { t.Log(s) }
	}
	perKind, total, anyKind := evaluate(exs, want, report)

	var b strings.Builder
	fmt.Fprintf(&b, "%d sentences, %d with identifying details\n\n", len(exs), withDetails)
	fmt.Fprintf(&b, "| kind | labelled | found | precision | recall |\n|---|---:|---:|---:|---:|\n")
	for _, k := range Kinds {
		c := perKind[k]
		fmt.Fprintf(&b, "| %s | %d | %d | %.2f | %.2f |\n", k, c.expected, c.found, c.precision(), c.recall())
	}
	fmt.Fprintf(&b, "| **overall (same kind)** | %d | %d | %.3f | %.3f |\n", total.expected, total.found, total.precision(), total.recall())
	fmt.Fprintf(&b, "| overall (any kind) | %d | %d | %.3f | %.3f |\n", anyKind.expected, anyKind.found, anyKind.precision(), anyKind.recall())
	t.Log("\n" + b.String())
	return total
}

// TestEvaluateCounts checks the scoring itself on a hand-made case, so a
// bug in evaluate cannot hide a bad scanner.
func TestEvaluateCounts(t *testing.T) {
	exs := []labelledExample{{Text: "Dr Khan rang 07700 900123 in March."}}
	want := [][]span{{{Staff, 3, 7}, {Phone, 13, 25}, {Name, 29, 34}}}
	perKind, total, _ := evaluate(exs, want, nil)
	if c := perKind[Staff]; c.expected != 1 || c.recalled != 1 || c.found != 1 || c.correct != 1 {
		t.Errorf("staff counts %+v", *c)
	}
	if c := perKind[Name]; c.expected != 1 || c.recalled != 0 {
		t.Errorf("name counts %+v", *c)
	}
	if total.expected != 3 || total.recalled != 2 {
		t.Errorf("total %+v", total)
	}
}
