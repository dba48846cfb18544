package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

// draftRecommendation posts a draft as the client and returns its staff
// page's path.
func draftRecommendation(t *testing.T, c *client, form url.Values) string {
	t.Helper()
	r := c.post("/staff/recommendations", form)
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/staff/recommendations/") {
		t.Fatalf("draft: %d %s\n%s", r.status, r.location, r.body)
	}
	return r.location
}

func consentedQuote(t *testing.T, e *env) store.Quote {
	t.Helper()
	qs, err := e.store.ConsentedQuotes(ctx, 10)
	if err != nil || len(qs) != 1 {
		t.Fatalf("quotes: %v %v", qs, err)
	}
	return qs[0]
}

var versionField = regexp.MustCompile(`name="version" value="(\d+)"`)

// TestRecommendationPublishedToTheReport: an analyst drafts a
// recommendation from the evidence, cannot publish it; a draft with no
// evidence cannot be published; an administrator publishes, and the
// public report shows only the suppressed figures and the consented
// quote, in Polish with the English fallback marked; a withdrawal
// removes the quote from the report and leaves the figures.
func TestRecommendationPublishedToTheReport(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	q := consentedQuote(t, e)
	analyst := e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	theme := demo.CodeID("language")

	// An unconsented coding offered as a quote is refused, answers kept.
	bad := url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."}, "organisations": {"blmk-icb"},
		"themes": {theme}, "quotes": {"not-a-consented-quote"}, "title-pl": {"Tłumacze na każdą wizytę"}, "text-pl": {"Zamawiajcie tłumacza."}}
	r := analyst.post("/staff/recommendations", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#quotes"`) || !strings.Contains(r.body, "Tłumacze na każdą wizytę") {
		t.Fatalf("unconsented quote: %d", r.status)
	}
	good := url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."}, "organisations": {"blmk-icb"},
		"themes": {theme}, "quotes": {q.CodingID}, "title-pl": {"Tłumacze na każdą wizytę"}, "text-pl": {"Zamawiajcie tłumacza."}}
	page := draftRecommendation(t, analyst, good)
	id := strings.TrimPrefix(page, "/staff/recommendations/")
	if r := analyst.post(page+"/publish", url.Values{"version": {"1"}}); r.status != http.StatusForbidden {
		t.Errorf("an analyst published: %d", r.status)
	}
	empty := draftRecommendation(t, analyst, url.Values{"title": {"No evidence"}, "text": {"x"}, "organisations": {"nhs-england"}})

	admin := e.client()
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	r = admin.post(empty+"/publish", url.Values{"version": {"1"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "a recommendation with no evidence cannot be published") {
		t.Errorf("published with no evidence: %d", r.status)
	}
	r = admin.get(page)
	m := versionField.FindStringSubmatch(r.body)
	if m == nil {
		t.Fatalf("no version on the draft's page:\n%s", r.body)
	}
	if r := admin.post(page+"/publish", url.Values{"version": {m[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", r.status, r.body)
	}
	rec, err := e.store.Recommendation(ctx, id)
	if err != nil || rec.Status != "published" {
		t.Fatalf("after publish: %+v %v", rec, err)
	}
	trail, _ := e.store.RecentAudit(ctx, 50)
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{store.AuditRecommendationCreated, store.AuditRecommendationPublished} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("%s not in the audit trail: %v", want, actions)
		}
	}

	reader := e.client()
	for _, path := range []string{"/report", "/report/" + rec.Reference} {
		r := reader.get(path)
		if r.status != 200 {
			t.Fatalf("%s: %d", path, r.status)
		}
		assertNoUnsuppressedCount(t, path, r.body)
		if strings.Contains(r.body, "a secret not to quote") || strings.Contains(r.body, "No interpreter again") {
			t.Errorf("%s: unconsented words", path)
		}
		// The quotes are on the recommendation's page; the main page,
		// which lists every recommendation, links to them with a count.
		if path == "/report" && !strings.Contains(r.body, "quotes: 1") || path != "/report" && !strings.Contains(r.body, "My daughter had to translate") {
			t.Errorf("%s: the consented quote is missing", path)
		}
		if !strings.Contains(r.body, "NHS Bedfordshire, Luton and Milton Keynes") || !strings.Contains(r.body, ">15<") {
			t.Errorf("%s: organisation or total missing", path)
		}
		if strings.Contains(r.body, "No evidence") {
			t.Errorf("%s: a draft reached the report", path)
		}
	}
	// Theme by community on the recommendation's page: 12 -> 10, 3 -> *.
	if r := reader.get("/report/" + rec.Reference); !strings.Contains(r.body, ">10<") || !strings.Contains(r.body, ">*<") {
		t.Errorf("figures by community missing")
	}
	if r := reader.get("/report?lang=pl"); !strings.Contains(r.body, "Tłumacze na każdą wizytę") || strings.Contains(r.body, "nie została jeszcze przetłumaczona") {
		t.Errorf("Polish report")
	}
	if r := reader.get("/report/" + rec.Reference + "?lang=ur"); !strings.Contains(r.body, `lang="en" dir="ltr"`) || !strings.Contains(r.body, "Interpreters for every appointment") {
		t.Errorf("Urdu fallback to English not marked")
	}
	for _, path := range []string{"/report/R-2099-999", "/report/..%2Fetc", "/report/" + strings.Replace(rec.Reference, "001", "002", 1)} {
		if r := reader.get(path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.status)
		}
	}

	// The person withdraws: the quote leaves the report, the figures stay.
	if err := e.store.WithdrawExperience(ctx, rcs[0].Reference, rcs[0].Secret); err != nil {
		t.Fatal(err)
	}
	r = reader.get("/report/" + rec.Reference + "?lang=en")
	if strings.Contains(r.body, "My daughter had to translate") || !strings.Contains(r.body, "A quote was taken out: the person who gave it withdrew it, or words were removed from their story to protect privacy.") || !strings.Contains(r.body, ">15<") {
		t.Errorf("after withdrawal:\n%s", r.body)
	}
	// A published recommendation cannot be changed.
	if r := admin.post(page, good); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a published recommendation was changed: %d", r.status)
	}
}

// assertNoUnsuppressedCount fails if a figure cell holds 1 to 7.
func assertNoUnsuppressedCount(t *testing.T, path, body string) {
	t.Helper()
	for _, cell := range regexp.MustCompile(`<td class="num">([^<]*)</td>`).FindAllStringSubmatch(body, -1) {
		switch cell[1] {
		case "1", "2", "3", "4", "5", "6", "7":
			t.Errorf("%s: an unsuppressed count %s", path, cell[1])
		}
	}
}
