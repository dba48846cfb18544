package moderation

import (
	"strings"
	"testing"
)

// benchCorpus is about 1 MB of realistic answers: the labelled sentences
// repeated, joined as short paragraphs.
func benchCorpus(b *testing.B) string {
	exs, _ := loadLabelled(b, "testdata/labelled.jsonl")
	var sb strings.Builder
	for i := 0; sb.Len() < 1<<20; i++ {
		sb.WriteString(exs[i%len(exs)].Text)
		if i%5 == 4 {
			sb.WriteString("\n\n")
		} else {
			sb.WriteByte(' ')
		}
	}
	return sb.String()
}

// BenchmarkScan reports MB/s over a ~1 MB corpus:
//
//	go test -bench=Scan -benchtime=3x -cpu=1 ./internal/moderation/
func BenchmarkScan(b *testing.B) {
	text := benchCorpus(b)
	sc := Default()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sc.Scan(text)
	}
}

// BenchmarkScanAnswers scans the same corpus one answer at a time, as a
// connector would.
func BenchmarkScanAnswers(b *testing.B) {
	exs, _ := loadLabelled(b, "testdata/labelled.jsonl")
	total := 0
	for _, ex := range exs {
		total += len(ex.Text)
	}
	sc := Default()
	b.SetBytes(int64(total))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, ex := range exs {
			sc.Scan(ex.Text)
		}
	}
}

func BenchmarkRedact(b *testing.B) {
	text := benchCorpus(b)
	fs := Scan(text)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		Redact(text, fs)
	}
}
