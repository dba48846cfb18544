package moderation

import (
	"testing"
)

// FuzzScan: Scan never panics; findings are sorted, non-overlapping, in
// bounds and on rune boundaries; Redact replaces exactly the spans and
// leaves no finding's text behind.
func FuzzScan(f *testing.F) {
	exs, _ := loadLabelled(f, "testdata/labelled.jsonl")
	for _, ex := range exs {
		f.Add(ex.Text)
	}
	for _, s := range []string{
		"", "\xff\xfe", "Dr \x80Khan", "+44 (0)7700 900 123", "LU1 2BQ", "12/03/1961",
		"a@b.co", "My husband Tomasz", "943 476 5919", "12 Grace Road", "Pani doktor Kowalska",
		"I'm Ngozi, 54", "Dr J. Smith", "\u2028Anna\u00a0Nowak",
		// Urdu and Bengali: the script rules, folding and case endings
		"میری بہن عائشہ نے ڈاکٹر سے بات کی۔", "میرا نام گلناز خان ہے", "گلزار صاحب", "نرس کا نام", "عائشه",
		"আমার ছেলে রহিম", "ডাঃ রহমান", "ডা. পলাশ", "আমার নাম টুনি।", "রহিমকে", "পলাশ নামের", "নিয়ে\u09DF\u200c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := Scan(text)
		checkInvariants(t, text, fs)
		checkRedact(t, text, fs)
	})
}
