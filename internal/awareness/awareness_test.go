package awareness

import (
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/field"
)

func TestValidSlug(t *testing.T) {
	for _, s := range []string{"bowel-screening", "a", "gp-2025", strings.Repeat("a", MaxSlug)} {
		if !ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = false", s)
		}
	}
	for _, s := range []string{"", "-a", "a-", "a--b", "Bowel", "a b", "a/b", "../x", "a_b", "é", strings.Repeat("a", MaxSlug+1), "{slug}"} {
		if ValidSlug(s) {
			t.Errorf("ValidSlug(%q) = true", s)
		}
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{"2025-06-30": "2025-06-30", "30/06/2025": "2025-06-30", "1/7/2025": "2025-07-01", " 2025-01-02 ": "2025-01-02"} {
		d, ok := ParseDate(in)
		if !ok || d.Format(DateLayout) != want || d.Location() != time.UTC {
			t.Errorf("ParseDate(%q) = %v %v, want %s", in, d, ok, want)
		}
	}
	for _, in := range []string{"", "2025-02-30", "31/02/2025", "yesterday", "2025-13-01", "06/30/2025"} {
		if _, ok := ParseDate(in); ok {
			t.Errorf("ParseDate(%q) accepted", in)
		}
	}
}

func TestCheck(t *testing.T) {
	today := time.Date(2025, 7, 10, 23, 30, 0, 0, time.UTC)
	good := Draft{Title: "Bowel screening", Summary: "A home test", Markdown: "## Who\n\n<script>x</script>Everyone 50 to 74", ReviewedOn: "10/07/2025", Reviewer: "Screening lead"}
	txt, errs := Check(good, today)
	if len(errs) != 0 || txt.ReviewedOn.Format(DateLayout) != "2025-07-10" || !strings.Contains(txt.HTML, "<h2>Who</h2>") || strings.Contains(txt.HTML, "<script") {
		t.Fatalf("good draft: %+v %v", txt, errs)
	}
	fields := func(errs field.Errors) string {
		var out []string
		for _, e := range errs {
			out = append(out, e.Field+"="+e.Key)
		}
		return strings.Join(out, " ")
	}
	if got := fields(func() field.Errors { _, e := Check(Draft{}, today); return e }()); got !=
		"title=awareness.error.title_required summary=awareness.error.summary_required body=awareness.error.body_required reviewed_on=awareness.error.reviewed_required reviewer=awareness.error.reviewer_required" {
		t.Errorf("empty draft: %s", got)
	}
	bad := good
	bad.ReviewedOn = "2025-07-11"
	if _, errs := Check(bad, today); fields(errs) != "reviewed_on=awareness.error.reviewed_future" {
		t.Errorf("tomorrow: %s", fields(errs))
	}
	bad.ReviewedOn = "1999-12-31"
	if _, errs := Check(bad, today); fields(errs) != "reviewed_on=awareness.error.reviewed_invalid" {
		t.Errorf("last century: %s", fields(errs))
	}
	bad = good
	bad.Title, bad.Summary, bad.Markdown, bad.Reviewer = strings.Repeat("t", MaxTitle+1), strings.Repeat("s", MaxSummary+1), strings.Repeat("b", MaxBody+1), strings.Repeat("r", MaxReviewer+1)
	if got := fields(func() field.Errors { _, e := Check(bad, today); return e }()); got !=
		"title=awareness.error.title_long summary=awareness.error.summary_long body=awareness.error.body_long reviewer=awareness.error.reviewer_long" {
		t.Errorf("too long: %s", got)
	}
}

func TestInAndStatus(t *testing.T) {
	day := func(s string) time.Time { d, _ := ParseDate(s); return d }
	p := Page{Texts: []Text{{Lang: "en", Title: "E", ReviewedOn: day("2025-05-01")}, {Lang: "pl", Title: "P", ReviewedOn: day("2025-06-01")}, {Lang: "ro", Title: "R", ReviewedOn: day("2025-01-01")}}}
	if s, ok := p.In("pl", "en"); !ok || s.Fallback || s.Title != "P" {
		t.Errorf("Polish: %+v", s)
	}
	if s, ok := p.In("so", "en"); !ok || !s.Fallback || s.Title != "E" {
		t.Errorf("Somali falls back to English: %+v", s)
	}
	if s, ok := p.In("en", "en"); !ok || s.Fallback {
		t.Errorf("English is no fallback: %+v", s)
	}
	if _, ok := (Page{}).In("pl", "en"); ok {
		t.Error("a page with no text has something to show")
	}
	today := day("2025-07-01")
	for lang, want := range map[string]Status{"en": StatusCurrent, "pl": StatusCurrent, "ro": StatusOutdated, "so": StatusMissing} {
		if got := p.StatusOf(lang, "en", today); got != want {
			t.Errorf("StatusOf(%s) = %s, want %s", lang, got, want)
		}
	}
	if got := p.StatusOf("en", "en", day("2026-05-01")); got != StatusDue {
		t.Errorf("a year after review: %s", got)
	}
}

// FuzzCheck: any draft is either refused with known message keys on known
// fields or accepted with a review date not after today and safe HTML;
// never a panic.
func FuzzCheck(f *testing.F) {
	f.Add("Title", "Summary", "## Body", "30/06/2025", "Lead")
	f.Add("", "", "", "31/02/2025", "")
	f.Add("<script>", "\x00", "[x](javascript:1)", "9999-12-31", "\u202e")
	today := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	fields := map[string]bool{"title": true, "summary": true, "body": true, "reviewed_on": true, "reviewer": true}
	f.Fuzz(func(t *testing.T, title, summary, body, reviewed, reviewer string) {
		txt, errs := Check(Draft{title, summary, body, reviewed, reviewer}, today)
		for _, e := range errs {
			if !fields[e.Field] || !strings.HasPrefix(e.Key, "awareness.error.") {
				t.Fatalf("unknown error %+v", e)
			}
		}
		if len(errs) == 0 {
			if txt.ReviewedOn.After(today) || txt.HTML != Render(body) || txt.Title != title {
				t.Fatalf("accepted %+v", txt)
			}
			if m := unsafe(txt.HTML); m != "" {
				t.Fatalf("accepted HTML holds %s", m)
			}
		}
	})
}
