package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

func TestAnalystSearchesApprovedExperiences(t *testing.T) {
	t.Parallel()
	e, _, rcs := analysisEnv(t)
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	approve := func(lang, text string) experience.Receipt {
		rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: lang, Role: "patient",
			WhatHappened: text, Consent: experience.Consent{Version: "t", Evidence: true}, Source: experience.SourcePhone}, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		return rc
	}
	polish := approve("pl", "Długa kolejka do onkologa, nikt nie oddzwaniał.")
	markup := approve("en", `<script>alert(1)</script> The waiting room had no <b>interpreter</b>.`)

	if q := c.get("/staff/analysis/code"); !strings.Contains(q.body, `href="/staff/analysis/search"`) {
		t.Error("the coding queue does not link to search")
	}
	page := c.get("/staff/analysis/search")
	if page.status != http.StatusOK || !strings.Contains(page.body, `name="q"`) || !strings.Contains(page.body, `name="community"`) {
		t.Fatalf("search page: %d", page.status)
	}

	search := func(v url.Values) resp {
		t.Helper()
		for _, k := range []string{"q", "community", "stage", "code", "lang", "source", "event", "from", "to"} {
			if _, ok := v[k]; !ok {
				v.Set(k, "")
			}
		}
		return c.post("/staff/analysis/search", v)
	}
	audited := func() int {
		var n int
		if err := e.store.ReadDB().QueryRow(e.store.Rebind("SELECT COUNT(*) FROM audit_log WHERE action = ?"), store.AuditSearched).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Syntax it cannot read: the error against the search box, the query kept.
	for q, msg := range map[string]string{
		`"waiting times -parking`: "Close the quotation marks",
		`-parking`:                "cannot be only words to leave out",
		`interpreter OR`:          "on each side of OR",
		strings.Repeat("a ", 120): "at most 200 characters",
		``:                        "Enter words to find, or choose at least one filter",
	} {
		r := search(url.Values{"q": {q}})
		assertSummaryLinks(t, "query "+q, r)
		if !strings.Contains(r.body, msg) || !strings.Contains(r.body, `href="#q"`) {
			t.Errorf("query %.20q: no message %q against the box\n%.600s", q, msg, r.body)
		}
	}
	r := search(url.Values{"q": {`"waiting`}, "from": {"1 March"}})
	assertSummaryLinks(t, "bad date", r)
	if !strings.Contains(r.body, `href="#from"`) || !strings.Contains(r.body, `value="&#34;waiting"`) {
		t.Errorf("a bad date and an open quote: both reported, the query kept\n%.1500s", r.body)
	}
	// A filter value the programme does not have is an error against
	// that filter, in the summary, the query kept; the valid ones stay chosen.
	for name, bad := range map[string]string{"community": "martian", "stage": "no-stage", "code": "no-code", "lang": "xx",
		"source": "pigeon", "event": "no-event"} {
		r := search(url.Values{"q": {"kolejka"}, name: {bad}, "stage": {stageOr(name, bad)}})
		assertSummaryLinks(t, "unknown "+name, r)
		if !strings.Contains(r.body, `href="#`+name+`"`) || !strings.Contains(r.body, "Choose one from the list") ||
			!strings.Contains(r.body, `value="kolejka"`) || !strings.Contains(r.body, `id="`+name+`-error"`) ||
			strings.Contains(r.body, polish.Reference) {
			t.Errorf("unknown %s %q: not reported against it, or the query lost\n%.1500s", name, bad, r.body)
		}
		if name != "stage" && (strings.Contains(r.body, `href="#stage"`) || !strings.Contains(r.body, `value="treatment" selected`)) {
			t.Errorf("unknown %s: the valid stage is reported or not kept", name)
		}
	}
	if audited() != 0 {
		t.Error("a search that did not run was audited")
	}

	// English: a demo story, its word marked, its reference linking to the coding page.
	r = search(url.Values{"q": {"translate"}})
	if r.status != http.StatusOK || !strings.Contains(r.body, `href="/staff/analysis/code/`+rcs[0].ID+`"`) ||
		!strings.Contains(r.body, rcs[0].Reference) || !strings.Contains(r.body, "<mark>translate</mark>") {
		t.Fatalf("english search: %d\n%.2000s", r.status, r.body)
	}
	// Polish, with a prefix, and a language filter.
	r = search(url.Values{"q": {"kolej*"}, "lang": {"pl"}})
	if !strings.Contains(r.body, polish.Reference) || !strings.Contains(r.body, "<mark>kolejka</mark>") ||
		!strings.Contains(r.body, `<p class="snippet" lang="pl" dir="auto">`) {
		t.Errorf("polish search:\n%.2000s", r.body)
	}
	// A filter that matches nothing says so.
	r = search(url.Values{"q": {"kolejka"}, "lang": {"en"}})
	if r.status != http.StatusOK || strings.Contains(r.body, polish.Reference) || !strings.Contains(r.body, "No approved experience matches") {
		t.Errorf("nothing matching: %d", r.status)
	}
	// A story's markup is shown as text, never run.
	r = search(url.Values{"q": {"interpreter"}, "source": {"phone"}})
	if !strings.Contains(r.body, markup.Reference) || strings.Contains(r.body, "<script>alert") || !strings.Contains(r.body, "&lt;script&gt;") ||
		!strings.Contains(r.body, "<mark>interpreter</mark>") {
		t.Errorf("markup in a story:\n%.2500s", r.body)
	}
	// Every search that ran is audited, without its words.
	if n := audited(); n != 4 {
		t.Errorf("%d searches audited, want 4", n)
	}
	var detail string
	if err := e.store.ReadDB().QueryRow(e.store.Rebind("SELECT detail FROM audit_log WHERE action = ? ORDER BY seq DESC LIMIT 1"), store.AuditSearched).Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(detail, "interpreter") || !strings.Contains(detail, `"source":"phone"`) || !strings.Contains(detail, `"terms":"1"`) {
		t.Errorf("audit detail %s", detail)
	}

	// Twenty results a page, newest first, and the next page.
	for i := 0; i < 21; i++ {
		approve("en", "Zebra crossing number "+strconv.Itoa(i)+" outside the clinic.")
	}
	r = search(url.Values{"q": {"zebra"}})
	if n := strings.Count(r.body, "<mark>Zebra</mark>"); n != 20 || !strings.Contains(r.body, `name="page" value="1"`) ||
		strings.Index(r.body, "number 20 ") > strings.Index(r.body, "number 19 ") {
		t.Errorf("first page: %d results", n)
	}
	r = search(url.Values{"q": {"zebra"}, "page": {"1"}})
	if n := strings.Count(r.body, "<mark>Zebra</mark>"); n != 1 || !strings.Contains(r.body, "number 0 ") {
		t.Errorf("second page: %d results", n)
	}

	// A withdrawn story is no longer found.
	if err := e.store.WithdrawExperience(ctx, rcs[0].Reference, rcs[0].Secret); err != nil {
		t.Fatal(err)
	}
	if r = search(url.Values{"q": {"translate"}}); strings.Contains(r.body, rcs[0].Reference) {
		t.Error("a withdrawn story is still found")
	}
}

// stageOr is the stage a search test posts beside a bad value of name:
// the bad value itself for the stage, else a stage of the programme.
func stageOr(name, bad string) string {
	if name == "stage" {
		return bad
	}
	return "treatment"
}
