package web_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/testenv"
)

// TestReportPDFRendersUrduAndBengali: the report's print page holds the
// whole report without quotes' words; its PDF, printed by Chromium,
// embeds a font with Urdu glyphs (Urdu report) and one with Bengali
// glyphs (Bengali report), and its text reads back (pdftotext); a second
// request is served from the cache (same bytes).
func TestReportPDFRendersUrduAndBengali(t *testing.T) {
	t.Parallel()
	testenv.ChromiumPath(t) // the server finds the same Chromium (internal/pdf)
	pdffonts, pdftotext := testenv.Tool(t, "pdffonts"), testenv.Tool(t, "pdftotext")
	e, _ := evidenceEnv(t)
	q := consentedQuote(t, e)
	analyst, admin := e.client(), e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	const urdu, bengali = "ہر ملاقات کے لیے ترجمان", "প্রতিটি সাক্ষাতের জন্য দোভাষী"
	ref := publishThrough(t, analyst, admin, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
		"organisations": {"blmk-icb"}, "themes": {demo.CodeID("language")}, "quotes": {q.CodingID},
		"title-ur": {urdu}, "text-ur": {"ہر ملاقات پر پیشہ ور ترجمان بک کریں۔"}, "title-bn": {bengali}, "text-bn": {"পেশাদার দোভাষী বুক করুন।"}})

	reader := e.client()
	page := reader.get("/report/print?lang=ur")
	if page.status != 200 || !strings.Contains(page.body, urdu) || !strings.Contains(page.body, ref) {
		t.Fatalf("print page: %d", page.status)
	}
	if strings.Contains(page.body, q.Words) {
		t.Error("the print page carries a quote's words")
	}
	dir := t.TempDir()
	for _, c := range []struct{ lang, title, font string }{{"ur", urdu, "NotoNastaliqUrdu"}, {"bn", bengali, "NotoSansBengali"}} {
		r := reader.get("/report/report.pdf?lang=" + c.lang)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(r.body, "%PDF-") {
			t.Fatalf("%s PDF: %d %s\n%.300s", c.lang, r.status, r.header.Get("Content-Type"), r.body)
		}
		file := filepath.Join(dir, c.lang+".pdf")
		if err := os.WriteFile(file, []byte(r.body), 0o600); err != nil {
			t.Fatal(err)
		}
		fonts, err := exec.Command(pdffonts, file).CombinedOutput()
		if err != nil {
			t.Fatalf("pdffonts: %v\n%s", err, fonts)
		}
		if !strings.Contains(string(fonts), c.font) {
			t.Errorf("%s PDF embeds no %s font:\n%s", c.lang, c.font, fonts)
		}
		text, err := exec.Command(pdftotext, file, "-").CombinedOutput()
		if err != nil {
			t.Fatalf("pdftotext: %v\n%s", err, text)
		}
		// Nastaliq's positioned glyphs read back with spaces inside
		// words, and with direction marks: compare the letters only.
		if !strings.Contains(letters(string(text)), letters(c.title)) {
			t.Errorf("%s PDF text does not read back %q:\n%s", c.lang, c.title, text)
		}
		if strings.Contains(string(text), q.Words) {
			t.Errorf("%s PDF carries a quote's words", c.lang)
		}
		if again := reader.get("/report/report.pdf?lang=" + c.lang); again.body != r.body {
			t.Errorf("%s PDF made again for an unchanged report", c.lang)
		}
	}
}

// letters drops spaces and Unicode direction marks.
func letters(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == ' ' || r == '\n' || r == '\t' || r == '\f':
			return -1
		case r >= 0x200e && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// TestYouSaidWeDid: each community's page says, in its language and in
// easy words, what it told the programme (suppressed as published: "a
// few people" for 1 to 7, "about 10 people") and what the organisation
// said it will do; a community that said nothing is told so; an unknown
// community is not found; no quote's words; the report links to every
// community's page and draws its commitments' chart.
func TestYouSaidWeDid(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	q := consentedQuote(t, e)
	analyst, admin := e.client(), e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	ref := publishThrough(t, analyst, admin, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
		"organisations": {"blmk-icb"}, "themes": {demo.CodeID("language")}, "quotes": {q.CodingID},
		"title-ur": {"ہر ملاقات کے لیے ترجمان"}, "text-ur": {"ہر ملاقات پر پیشہ ور ترجمان بک کریں۔"}})
	icb := e.client()
	icb.signIn(e.newStaff("icb@example.org", account.Stakeholder, orgID(t, e, "blmk-icb")))
	if r := icb.post("/staff/commitments/r/"+ref+"/response", url.Values{"decision": {"accepted"}, "reasons": {"We agree."}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d", r.status)
	}
	if r := icb.post("/staff/commitments/r/"+ref+"/commitments", url.Values{"commitment": {"We will book an interpreter with every appointment."},
		"owner": {"Head of Patient Experience"}, "due": {time.Now().AddDate(0, 3, 0).Format(time.DateOnly)}}); r.status != http.StatusSeeOther {
		t.Fatalf("commitment: %d", r.status)
	}
	reader := e.client()
	main := reader.get("/report")
	if !strings.Contains(main.body, `href="/report/communities/south-asian"`) {
		t.Error("the report does not link to the communities' pages")
	}
	// The chart of commitments, drawn on the server: its title names
	// every bar with its number (the open commitment is on track).
	if !strings.Contains(main.body, `<svg role="img" aria-labelledby="status-chart-title"`) ||
		!strings.Contains(main.body, "Where the commitments stand: Done 0, On track 1, Delayed 0, Overdue 0, Not doing 0") {
		t.Error("the report has no chart of its commitments, or it says the wrong numbers")
	}
	r := reader.get("/report/communities/south-asian?lang=ur")
	for _, want := range []string{"ہر ملاقات کے لیے ترجمان", "تقریباً 10 لوگ", "We will book an interpreter with every appointment.", "جنوبی ایشیائی"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the South Asian page in Urdu lacks %q", want)
		}
	}
	if r := reader.get("/report/communities/eastern-european?lang=pl"); !strings.Contains(r.body, "kilka osób") || strings.Contains(r.body, ">3<") {
		t.Error("the Eastern European page does not say 'a few people' (or shows the count)")
	}
	if r := reader.get("/report/communities/black-caribbean?lang=en"); !strings.Contains(r.body, "Nothing from this community is in a published recommendation yet.") {
		t.Error("a community that said nothing is not told so")
	}
	for _, slug := range []string{"south-asian", "eastern-european"} {
		if r := reader.get("/report/communities/" + slug); strings.Contains(r.body, q.Words) {
			t.Errorf("%s page carries a quote's words", slug)
		}
	}
	if r := reader.get("/report/communities/nowhere"); r.status != http.StatusNotFound {
		t.Errorf("unknown community: %d", r.status)
	}
}
