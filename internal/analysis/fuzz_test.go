package analysis

import (
	"bytes"
	"strings"
	"testing"
)

func FuzzReadQDC(f *testing.F) {
	f.Add(`<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e" name="a" isCodable="true"><Description>d</Description></Code></Codes></CodeBook>`)
	f.Add("<CodeBook")
	f.Fuzz(func(t *testing.T, doc string) {
		codes, problems, err := ReadQDC(strings.NewReader(doc))
		if err != nil {
			return
		}
		if len(codes) > MaxCodes {
			t.Fatalf("%d codes accepted", len(codes))
		}
		if len(problems) == 0 {
			// What passed the checks must write out and read back.
			var buf bytes.Buffer
			if err := WriteQDC(&buf, codes); err != nil {
				t.Fatalf("write: %v", err)
			}
			if _, p2, err := ReadQDC(&buf); err != nil || len(p2) > 0 {
				t.Fatalf("round trip: %v %v", err, p2)
			}
		}
	})
}

func FuzzReadCodebookCSV(f *testing.F) {
	f.Add("id,parent_id,name,definition,when_to_use,when_not_to_use,example,colour,archived\n0c1f5c4e-6a4e-4a8a-9d5e-3f6a1b2c3d4e,,a,d,,,,#ffffff,no\n")
	f.Fuzz(func(t *testing.T, doc string) {
		codes, _, _ := ReadCodebookCSV(strings.NewReader(doc))
		if len(codes) > MaxCodes {
			t.Fatalf("%d codes accepted", len(codes))
		}
	})
}

func FuzzSentencesAndReanchor(f *testing.F) {
	f.Add("ہمارے خاندان میں۔ Dr. Khan said 3.5! আমি।", "[name] ہمارے خاندان میں۔", 0, 5)
	f.Fuzz(func(t *testing.T, old, updated string, start, end int) {
		n := len([]rune(old))
		for _, s := range Sentences(old) {
			if s.Start < 0 || s.End > n || s.Start >= s.End {
				t.Fatalf("sentence %+v outside %d", s, n)
			}
		}
		p := Passage{Field: "what_happened", Start: start, End: end}
		if p.Check(old) != nil {
			return
		}
		q, ok := Reanchor(old, updated, p)
		if ok && q.Text(updated) != p.Text(old) {
			t.Fatalf("re-anchored onto different words: %q vs %q", q.Text(updated), p.Text(old))
		}
	})
}
