package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/awareness"
)

// awarenessForm is a complete, valid edit form.
func awarenessForm(title string) url.Values {
	return url.Values{"title": {title}, "summary": {"A home test kit every 2 years."},
		"body":        {"## Who is offered it\n\nEveryone aged 50 to 74.\n\n## Sources\n\n- [NHS](https://www.nhs.uk/conditions/bowel-cancer-screening/)"},
		"reviewed_on": {time.Now().AddDate(0, 0, -30).Format("02/01/2006")}, "reviewer": {"Screening lead"}, "action": {"save"}}
}

// hostileMarkdown tries every way into a page the renderer must refuse.
const hostileMarkdown = "# Title\n\n<script>alert('x')</script>\n\n[click](javascript:alert(1)) <img src=x onerror=alert(2)>\n\n" +
	"<iframe src=\"https://evil.example/\"></iframe>\n\n![pixel](https://evil.example/p.png)\n\n<p style=\"display:none\">hidden</p>\n\n[data](data:text/html,hi)"

func TestAwarenessStaffJourney(t *testing.T) { t.Parallel(); eachEnv(t, testAwarenessStaffJourney) }

func testAwarenessStaffJourney(t *testing.T, e *env) {
	c := e.client()
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c.signIn(conn)

	if r := c.get("/staff/awareness"); r.status != http.StatusOK || !strings.Contains(r.body, "/staff/awareness/new") {
		t.Fatalf("overview: %d\n%s", r.status, r.body)
	}
	// A new page: a bad name comes back with the answers kept.
	r := c.post("/staff/awareness", url.Values{"slug": {"Bowel Screening!"}, "position": {"abc"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "There is a problem") ||
		!strings.Contains(r.body, `href="#slug"`) || !strings.Contains(r.body, `href="#position"`) ||
		!strings.Contains(r.body, `value="Bowel Screening!"`) || !strings.Contains(r.body, `value="abc"`) {
		t.Fatalf("bad new page: %d\n%s", r.status, r.body)
	}
	r = c.post("/staff/awareness", url.Values{"slug": {"bowel-screening"}, "position": {"3"}})
	if r.status != http.StatusSeeOther || r.location != "/staff/awareness/bowel-screening/en" {
		t.Fatalf("new page: %d %s\n%s", r.status, r.location, r.body)
	}
	if r = c.post("/staff/awareness", url.Values{"slug": {"bowel-screening"}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "already exists") {
		t.Fatalf("same name again: %d\n%s", r.status, r.body)
	}

	// The edit form: empty, then with a review date in the future.
	if r = c.get("/staff/awareness/bowel-screening/en"); r.status != http.StatusOK || !strings.Contains(r.body, "Page created") {
		t.Fatalf("edit form: %d\n%s", r.status, r.body)
	}
	r = c.post("/staff/awareness/bowel-screening/en", url.Values{"action": {"save"}})
	if r.status != http.StatusUnprocessableEntity || strings.Count(r.body, `<li><a href="#`) != 5 {
		t.Fatalf("empty text: %d, want 422 with 5 errors\n%s", r.status, r.body)
	}
	f := awarenessForm("Bowel cancer screening")
	f.Set("reviewed_on", time.Now().AddDate(0, 0, 2).Format("02/01/2006"))
	f.Set("body", hostileMarkdown)
	r = c.post("/staff/awareness/bowel-screening/en", f)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The review date must be today or in the past") ||
		!strings.Contains(r.body, `value="Bowel cancer screening"`) || !strings.Contains(r.body, html.EscapeString(hostileMarkdown)) ||
		!strings.Contains(r.body, `value="Screening lead"`) || !strings.Contains(r.body, `value="`+f.Get("reviewed_on")+`"`) {
		t.Fatalf("future review date: %d\n%s", r.status, r.body)
	}
	if p, _ := e.store.AwarenessPage(ctx, "bowel-screening"); len(p.Texts) != 0 {
		t.Fatalf("a refused text was saved: %+v", p.Texts)
	}

	// Preview shows the hostile Markdown made safe, and saves nothing.
	f = awarenessForm("Bowel cancer screening")
	f.Set("body", hostileMarkdown)
	f.Set("action", "preview")
	r = c.post("/staff/awareness/bowel-screening/en", f)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Preview (not saved)") || !strings.Contains(r.body, "<h2>Title</h2>") {
		t.Fatalf("preview: %d\n%s", r.status, r.body)
	}
	// (The form itself holds the Markdown as typed, escaped; the preview
	// is what must be safe.)
	assertNoInjection(t, "preview", "<script"+r.body[strings.Index(r.body, `class="awareness-preview"`):])
	if p, _ := e.store.AwarenessPage(ctx, "bowel-screening"); len(p.Texts) != 0 {
		t.Fatalf("preview saved the text: %+v", p.Texts)
	}

	// Publishing needs the English text.
	if r = c.post("/staff/awareness/bowel-screening/publish", nil); r.status != http.StatusSeeOther {
		t.Fatalf("publish without English: %d", r.status)
	}
	if r = c.get("/staff/awareness"); !strings.Contains(r.body, "write its English text first") {
		t.Fatalf("publish without English not explained:\n%s", r.body)
	}
	if r = c.get("/awareness/bowel-screening"); r.status != http.StatusNotFound {
		t.Fatalf("unpublished page: %d", r.status)
	}

	f.Set("action", "save")
	if r = c.post("/staff/awareness/bowel-screening/en", f); r.status != http.StatusSeeOther || r.location != "/staff/awareness" {
		t.Fatalf("save: %d %s\n%s", r.status, r.location, r.body)
	}
	if r = c.post("/staff/awareness/bowel-screening/publish", nil); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.status)
	}
	p, err := e.store.AwarenessPage(ctx, "bowel-screening")
	if err != nil || !p.Published || len(p.Texts) != 1 || p.Texts[0].UpdatedBy != conn.ID || p.Texts[0].Markdown != hostileMarkdown {
		t.Fatalf("saved page: %+v %v", p, err)
	}

	// The public page: hostile Markdown shown safely.
	pub := e.client()
	r = pub.get("/awareness/bowel-screening?lang=en")
	if r.status != http.StatusOK || !strings.Contains(r.body, "<h1>Bowel cancer screening</h1>") || strings.Contains(r.body, "awareness-fallback") ||
		!strings.Contains(r.body, "Last reviewed on \u2068"+time.Now().AddDate(0, 0, -30).Format("2 January 2006")+"\u2069 by \u2068Screening lead\u2069") {
		t.Fatalf("public page: %d\n%s", r.status, r.body)
	}
	assertNoInjection(t, "public page", r.body)

	// In Polish before the Polish text exists: English, marked, lang="en".
	r = pub.get("/awareness/bowel-screening?lang=pl")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Ta strona nie jest jeszcze dostępna po polsku") ||
		!strings.Contains(r.body, `<article class="awareness" lang="en" dir="ltr">`) || !strings.Contains(r.body, `<html lang="pl"`) {
		t.Fatalf("Polish fallback: %d\n%s", r.status, r.body)
	}
	if r = pub.get("/awareness?lang=pl"); !strings.Contains(r.body, `<h2 lang="en" dir="ltr"><a href="/awareness/bowel-screening">Bowel cancer screening</a></h2>`) ||
		!strings.Contains(r.body, "Po angielsku") {
		t.Fatalf("Polish list with an English page:\n%s", r.body)
	}

	// The Polish text, then the page in Polish; an out-of-date mark once
	// the English is reviewed again.
	pl := awarenessForm("Badania przesiewowe w kierunku raka jelita")
	plDate := time.Now().AddDate(0, 0, -20)
	pl.Set("reviewed_on", plDate.Format("2006-01-02"))
	if r = c.post("/staff/awareness/bowel-screening/pl", pl); r.status != http.StatusSeeOther {
		t.Fatalf("save Polish: %d\n%s", r.status, r.body)
	}
	r = pub.get("/awareness/bowel-screening?lang=pl")
	if r.status != http.StatusOK || !strings.Contains(r.body, "<h1>Badania przesiewowe w kierunku raka jelita</h1>") ||
		strings.Contains(r.body, "awareness-fallback") || !strings.Contains(r.body, `<article class="awareness">`) ||
		!strings.Contains(r.body, "Ostatnio sprawdzone \u2068"+plDate.Format("02/01/2006")+"\u2069") {
		t.Fatalf("Polish page: %d\n%s", r.status, r.body)
	}
	if r = c.get("/staff/awareness?lang=en"); !strings.Contains(r.body, "Reviewed \u2068"+plDate.Format("2 January 2006")+"\u2069") {
		t.Fatalf("overview lacks the Polish review:\n%s", r.body)
	}
	f.Set("reviewed_on", time.Now().Format("2006-01-02"))
	c.post("/staff/awareness/bowel-screening/en", f)
	if r = c.get("/staff/awareness"); !strings.Contains(r.body, "Out of date (reviewed") {
		t.Fatalf("Polish older than the English review not marked out of date:\n%s", r.body)
	}
	if r = c.get("/staff/awareness/bowel-screening/pl"); !strings.Contains(r.body, "Show the English text") || strings.Contains(r.body, "Earlier versions kept") {
		t.Fatalf("Polish edit form:\n%s", r.body)
	}
	if r = c.get("/staff/awareness/bowel-screening/en"); !strings.Contains(r.body, "Earlier versions kept: 1") {
		t.Fatalf("English edit form lacks its history:\n%s", r.body)
	}

	// Unpublished again: gone from the public.
	c.post("/staff/awareness/bowel-screening/unpublish", nil)
	if r = pub.get("/awareness/bowel-screening"); r.status != http.StatusNotFound {
		t.Fatalf("unpublished: %d", r.status)
	}
	if r = pub.get("/awareness"); strings.Contains(r.body, "bowel-screening") {
		t.Fatalf("unpublished page listed:\n%s", r.body)
	}
}

// assertNoInjection fails when a page holds anything the Markdown tried
// to inject (the layout's own script tag aside).
func assertNoInjection(t *testing.T, what, body string) {
	t.Helper()
	for _, bad := range []string{"alert(", "onerror", "javascript:", "<iframe", `style="`, "data:text", "<img"} {
		if strings.Contains(body, bad) {
			t.Errorf("%s holds %q", what, bad)
		}
	}
	if strings.Count(body, "<script") != 1 {
		t.Errorf("%s has %d script tags, want the layout's one", what, strings.Count(body, "<script"))
	}
}

func TestAwarenessBadAddresses(t *testing.T) { t.Parallel(); eachEnv(t, testAwarenessBadAddresses) }

func testAwarenessBadAddresses(t *testing.T, e *env) {
	c := e.client()
	c.signIn(e.newStaff("admin@example.org", account.Admin, ""))
	if _, err := e.store.CreateAwarenessPage(ctx, "t", "gp-interpreter", 0); err != nil {
		t.Fatal(err)
	}
	pub := e.client()
	for _, path := range []string{"/awareness/no-such-page", "/awareness/gp-interpreter", "/awareness/Bad_Slug", "/awareness/" + strings.Repeat("a", 300), "/awareness/%7Bslug%7D"} {
		if r := pub.get(path + "?lang=pl"); r.status != http.StatusNotFound || !strings.Contains(r.body, `<html lang="pl"`) {
			t.Errorf("%s: %d, want a Polish 404", path, r.status)
		}
	}
	for _, path := range []string{"/staff/awareness/no-such-page/en", "/staff/awareness/gp-interpreter/xx", "/staff/awareness/gp-interpreter/de", "/staff/awareness/BAD/en"} {
		if r := c.get(path); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, r.status)
		}
		if r := c.post(path, awarenessForm("x")); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", path, r.status)
		}
	}
	if r := c.post("/staff/awareness/no-such-page/publish", nil); r.status != http.StatusNotFound {
		t.Errorf("publish unknown page: %d", r.status)
	}
	// Too long: refused with the error, never cut silently or a 500.
	f := awarenessForm(strings.Repeat("t", awareness.MaxTitle+1))
	f.Set("body", strings.Repeat("b", awareness.MaxBody+1))
	f.Set("reviewed_on", "31/02/2025")
	r := c.post("/staff/awareness/gp-interpreter/en", f)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Title must be 150 characters or fewer") ||
		!strings.Contains(r.body, "Text must be 20,000 characters or fewer") || !strings.Contains(r.body, "Enter a real date") {
		t.Fatalf("too long: %d\n%s", r.status, r.body)
	}
	// Over the body limit of the whole request: 413, not a 500.
	f.Set("body", strings.Repeat("b", 2<<20))
	if r = c.post("/staff/awareness/gp-interpreter/en", f); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized form: %d", r.status)
	}
	// Invalid UTF-8 and control characters are cleaned, not stored.
	f = awarenessForm("Interpreter\x00 at the GP \xff")
	if r = c.post("/staff/awareness/gp-interpreter/en", f); r.status != http.StatusSeeOther {
		t.Fatalf("control characters: %d\n%s", r.status, r.body)
	}
	if p, _ := e.store.AwarenessPage(ctx, "gp-interpreter"); p.Texts[0].Title != "Interpreter at the GP" {
		t.Fatalf("title kept as %q", p.Texts[0].Title)
	}
	// Staff without the role are refused.
	champ := e.client()
	champ.signIn(e.newStaff("champion@example.org", account.Champion, ""))
	if r := champ.get("/staff/awareness"); r.status != http.StatusForbidden {
		t.Errorf("champion sees the awareness pages: %d", r.status)
	}
	if r := champ.post("/staff/awareness/gp-interpreter/en", awarenessForm("x")); r.status != http.StatusForbidden {
		t.Errorf("champion saved a text: %d", r.status)
	}
}
