package analysis

import (
	"testing"
)

func TestPassageCheck(t *testing.T) {
	t.Parallel()
	text := "ہمارے خاندان میں کینسر کا نام بھی نہیں لیا جاتا۔"
	n := len([]rune(text))
	cases := []struct {
		p  Passage
		ok bool
	}{
		{Passage{Field: "what_happened", Start: 0, End: 5}, true},
		{Passage{Field: "what_happened", Start: 0, End: n}, true},
		{Passage{Field: "what_happened", Start: 0, End: n + 1}, false},
		{Passage{Field: "what_happened", Start: -1, End: 3}, false},
		{Passage{Field: "what_happened", Start: 4, End: 2}, false},
		{Passage{Field: "what_happened", Start: 5, End: 6}, false}, // a single space
		{Passage{Field: "name", Start: 0, End: 3}, false},
		{Passage{Field: "translation.what_happened", Start: 0, End: 3}, true},
		{WholeOf("went_well", text), true},
	}
	for i, c := range cases {
		if err := c.p.Check(text); (err == nil) != c.ok {
			t.Errorf("case %d %+v: err %v, want ok=%v", i, c.p, err, c.ok)
		}
	}
}

func TestPassageOffsetsAreCodePointsInEveryScript(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ text, words string }{
		{"ہمارے خاندان میں کینسر کا نام بھی نہیں لیا جاتا۔", "کینسر"},
		{"আমাদের এলাকায় অনেকে মনে করে ক্যান্সার মানেই মৃত্যু।", "ক্যান্সার"},
		{"Czekałam na wyniki biopsji prawie dwa miesiące.", "wyniki biopsji"},
	} {
		rs := []rune(c.text)
		start := -1
		w := []rune(c.words)
		for i := 0; i+len(w) <= len(rs); i++ {
			if string(rs[i:i+len(w)]) == c.words {
				start = i
				break
			}
		}
		p := Passage{Field: "what_happened", Start: start, End: start + len(w)}
		if got := p.Text(c.text); got != c.words {
			t.Errorf("Text = %q, want %q", got, c.words)
		}
	}
}

func TestSentencesInEveryScript(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		want []string
	}{
		{"I rang at 8.30 every day. Dr. Khan never called! Why?", []string{"I rang at 8.30 every day.", "Dr. Khan never called!", "Why?"}},
		{"پہلا جملہ۔ دوسرا جملہ؟ تیسرا", []string{"پہلا جملہ۔", "دوسرا جملہ؟", "تیسرا"}},
		{"প্রথম বাক্য। দ্বিতীয় বাক্য।", []string{"প্রথম বাক্য।", "দ্বিতীয় বাক্য।"}},
		{"line one\nline two", []string{"line one", "line two"}},
		{"   ", nil},
	}
	for _, c := range cases {
		spans := Sentences(c.text)
		rs := []rune(c.text)
		var got []string
		for _, s := range spans {
			got = append(got, string(rs[s.Start:s.End]))
		}
		if len(got) != len(c.want) {
			t.Errorf("Sentences(%q) = %q, want %q", c.text, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Sentences(%q)[%d] = %q, want %q", c.text, i, got[i], c.want[i])
			}
		}
	}
}

func TestReanchor(t *testing.T) {
	t.Parallel()
	old := "My son had to translate. Nobody asked."
	p := Passage{Field: "what_happened", Start: 0, End: 24} // "My son had to translate."
	if p.Text(old) != "My son had to translate." {
		t.Fatalf("setup: %q", p.Text(old))
	}
	// A redaction before the passage moves it.
	moved, ok := Reanchor(old, "[name] said: My son had to translate. Nobody asked.", p)
	if !ok || moved.Text("[name] said: My son had to translate. Nobody asked.") != "My son had to translate." {
		t.Errorf("moved = %+v ok=%v", moved, ok)
	}
	// A redaction inside the passage sends it back to a coder.
	if _, ok := Reanchor(old, "My [relative] had to translate. Nobody asked.", p); ok {
		t.Error("a passage whose words changed was re-anchored")
	}
	// Two copies of the words: ambiguous, back to a coder.
	if _, ok := Reanchor(old, "Again: My son had to translate. My son had to translate.", p); ok {
		t.Error("an ambiguous passage was re-anchored")
	}
	// A whole answer stays whole.
	w, ok := Reanchor(old, "Shorter.", WholeOf("what_happened", old))
	if !ok || !w.Whole || w.End != len([]rune("Shorter.")) {
		t.Errorf("whole = %+v ok=%v", w, ok)
	}
}

func TestOverlapAndTrim(t *testing.T) {
	t.Parallel()
	a := Passage{Field: "f", Start: 0, End: 5}
	b := Passage{Field: "f", Start: 4, End: 9}
	c := Passage{Field: "f", Start: 5, End: 9}
	if !a.Overlaps(b, 20) || a.Overlaps(c, 20) {
		t.Error("overlap is wrong at the edges")
	}
	if a.Overlaps(Passage{Field: "g", Start: 0, End: 5}, 20) {
		t.Error("passages of different answers overlap")
	}
	if !WholeOf("f", "0123456789").Covers(b, 10) {
		t.Error("the whole answer does not cover a passage of it")
	}
	tr := Passage{Field: "f", Start: 0, End: 7}.Trim("  ab c  x")
	if tr.Start != 2 || tr.End != 6 {
		t.Errorf("Trim = %+v, want 2..6", tr)
	}
}
