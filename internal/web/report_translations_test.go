package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

var sourceField = regexp.MustCompile(`name="source" value="([0-9a-f]+)"`)

// TestConnectorTranslatesForUrduReaders, through the router on both
// databases: only connectors and administrators reach the translation
// pages (stakeholders and analysts get 403, pages and posts); an empty
// or stale translation comes back with its error; a connector translates
// a commitment, its update and the answer's reasons into Urdu; the
// report, the recommendation's page, the scorecard, the commitment's
// page, the print page and the feed read in Urdu show the translation
// (marked as translated, not tagged English) and the untranslated
// commitment in English, tagged lang="en" and marked; once the
// organisation changes its words, the report shows the new English,
// marked, and the list shows the translation as out of date.
func TestConnectorTranslatesForUrduReaders(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		rec, err := e.store.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: "Interpreters", Text: "Book one.", Organisations: []string{"blmk-icb"},
			Themes: []string{demo.CodeID("language")}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.PublishRecommendation(ctx, "test", rec.ID, rec.Version, nil, nil, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		rec, _ = e.store.Recommendation(ctx, rec.ID)
		answer, err := e.store.SaveResponse(ctx, "test", accountability.Response{RecommendationID: rec.ID, Organisation: "blmk-icb", Decision: accountability.PartlyAccepted,
			Reasons: "Longer appointments need a new contract."})
		if err != nil {
			t.Fatal(err)
		}
		today := accountability.Day(time.Now(), time.UTC)
		add := func(text string) accountability.Commitment {
			c, err := e.store.AddCommitment(ctx, "test", accountability.Commitment{RecommendationID: rec.ID, Organisation: "blmk-icb", Text: text, OwnerRole: "Lead",
				Due: today.AddDate(0, 2, 0), Weight: 1, CreatedOn: today}, "planned")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c1, c2 := add("We will book an interpreter with every appointment."), add("We will translate appointment letters.")
		up, err := e.store.AddUpdate(ctx, "test", "blmk-icb", accountability.Update{CommitmentID: c1.ID, On: today, Status: "in-progress", Kind: accountability.KindActive,
			Progress: 40, Text: "Half the clinics book interpreters.", Review: accountability.ReviewNone})
		if err != nil {
			t.Fatal(err)
		}

		connector := e.client()
		connector.signIn(e.newStaff("connector@example.org", account.Connector, ""))
		analyst := e.client()
		analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
		icb := e.client()
		icb.signIn(e.newStaff("icb@example.org", account.Stakeholder, orgID(t, e, "blmk-icb")))

		form := "/staff/translations/commitment/" + c1.ID + "/ur"
		for who, c := range map[string]*client{"analyst": analyst, "stakeholder": icb} {
			for _, r := range []resp{c.get("/staff/translations"), c.get(form), c.post(form, url.Values{"text": {"x"}})} {
				if r.status != http.StatusForbidden {
					t.Errorf("%s reached a translation page: %d", who, r.status)
				}
			}
		}
		list := connector.get("/staff/translations?to=ur")
		if list.status != 200 || !strings.Contains(list.body, form) || !strings.Contains(list.body, "/staff/translations/update/"+up.ID+"/ur") ||
			!strings.Contains(list.body, "/staff/translations/response/"+answer.ID+"/ur") {
			t.Fatalf("the list of work: %d\n%s", list.status, list.body)
		}
		if r := connector.get("/staff/translations/commitment/not-an-id/ur"); r.status != http.StatusNotFound {
			t.Errorf("an unknown commitment: %d", r.status)
		}
		if r := connector.get("/staff/translations/commitment/" + c1.ID + "/xx"); r.status != http.StatusNotFound {
			t.Errorf("a language not the programme's: %d", r.status)
		}
		page := connector.get(form)
		m := sourceField.FindStringSubmatch(page.body)
		if page.status != 200 || m == nil || !strings.Contains(page.body, `lang="ur" dir="rtl"`) {
			t.Fatalf("the form: %d", page.status)
		}
		if r := connector.post(form, url.Values{"source": {m[1]}, "text": {" "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#text"`) {
			t.Errorf("an empty translation: %d", r.status)
		}
		urdu := "ہم ہر ملاقات کے ساتھ مترجم بک کریں گے۔"
		if r := connector.post(form, url.Values{"source": {"0000"}, "text": {urdu}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, urdu) ||
			!strings.Contains(r.body, "changed these words") {
			t.Errorf("a translation of other English: %d", r.status)
		}
		if r := connector.post(form, url.Values{"source": {m[1]}, "text": {urdu}}); r.status != http.StatusSeeOther {
			t.Fatalf("the translation: %d\n%s", r.status, r.body)
		}
		save := func(kind, id string, v url.Values) {
			t.Helper()
			path := "/staff/translations/" + kind + "/" + id + "/ur"
			m := sourceField.FindStringSubmatch(connector.get(path).body)
			if m == nil {
				t.Fatalf("no form at %s", path)
			}
			v.Set("source", m[1])
			if r := connector.post(path, v); r.status != http.StatusSeeOther {
				t.Fatalf("%s: %d\n%s", path, r.status, r.body)
			}
		}
		updateUrdu, reasonsUrdu := "آدھے کلینک مترجم بک کرتے ہیں۔", "لمبی ملاقاتوں کے لیے نیا معاہدہ چاہیے۔"
		save("update", up.ID, url.Values{"text": {updateUrdu}})
		save("response", answer.ID, url.Values{"text": {reasonsUrdu}})
		trail, _ := e.store.FilterAudit(ctx, store.AuditFilter{Subject: c1.ID, Limit: 100})
		audited := 0
		for _, a := range trail {
			if a.Action == store.AuditTranslated {
				audited++
			}
		}
		if audited != 2 {
			t.Errorf("%d translations of the commitment and its update audited, want 2", audited)
		}

		reader := e.client()
		translated := regexp.MustCompile(`<a href="/report/commitments/` + regexp.QuoteMeta(c1.Reference) + `">` + regexp.QuoteMeta(urdu) + `</a>`)
		english := `<a href="/report/commitments/` + c2.Reference + `" lang="en" dir="ltr">We will translate appointment letters.</a>`
		for _, path := range []string{"/report?lang=ur", "/report/" + rec.Reference + "?lang=ur", "/report/organisations/blmk-icb?lang=ur"} {
			r := reader.get(path)
			if !translated.MatchString(r.body) || !strings.Contains(r.body, english) || !strings.Contains(r.body, "انگریزی میں") || !strings.Contains(r.body, "ترجمہ شدہ") {
				t.Errorf("%s in Urdu: the translated commitment and the marked English one are not both there\n%s", path, r.body)
			}
		}
		if r := reader.get("/report/" + rec.Reference + "?lang=ur"); !strings.Contains(r.body, `<p class="report-text">`+reasonsUrdu+`</p>`) {
			t.Error("the answer's reasons are not in Urdu on the recommendation's page")
		}
		if r := reader.get("/report/commitments/" + c1.Reference + "?lang=ur"); !strings.Contains(r.body, urdu) || !strings.Contains(r.body, updateUrdu) ||
			!strings.Contains(r.body, "انگریزی سے ترجمہ کیا") || strings.Contains(r.body, "Half the clinics") {
			t.Errorf("the commitment's page in Urdu:\n%s", r.body)
		}
		if r := reader.get("/report/commitments/" + c2.Reference + "?lang=ur"); !strings.Contains(r.body, `<span lang="en" dir="ltr">We will translate appointment letters.</span>`) ||
			!strings.Contains(r.body, "ابھی آپ کی زبان میں ترجمہ نہیں ہوا") {
			t.Errorf("the untranslated commitment's page in Urdu is not marked")
		}
		if r := reader.get("/report/print?lang=ur"); !strings.Contains(r.body, urdu) || !strings.Contains(r.body, reasonsUrdu) || !strings.Contains(r.body, english[len(`<a href="/report/commitments/`+c2.Reference+`"`):]) {
			t.Errorf("the print page in Urdu:\n%s", r.body)
		}
		if r := reader.get("/report/updates.atom?lang=ur"); !strings.Contains(r.body, updateUrdu) || !strings.Contains(r.body, urdu) {
			t.Errorf("the feed in Urdu:\n%s", r.body)
		}
		// In English, the English.
		if r := reader.get("/report?lang=en"); strings.Contains(r.body, urdu) || !strings.Contains(r.body, "We will book an interpreter with every appointment.") {
			t.Error("the English report shows the translation")
		}

		// The organisation changes its words: the report shows them in
		// English, marked; the list shows the translation out of date.
		c1.Text = "We will book a professional interpreter with every appointment."
		if _, err := e.store.EditCommitment(ctx, "test", c1); err != nil {
			t.Fatal(err)
		}
		if r := reader.get("/report?lang=ur"); translated.MatchString(r.body) || strings.Contains(r.body, urdu) ||
			!strings.Contains(r.body, `<a href="/report/commitments/`+c1.Reference+`" lang="en" dir="ltr">We will book a professional interpreter`) {
			t.Error("a stale translation is still shown on the report")
		}
		if r := connector.get("/staff/translations?to=ur"); !strings.Contains(r.body, form) || !strings.Contains(r.body, "Out of date") {
			t.Error("the stale translation is not listed as out of date")
		}
		if r := connector.get(form); !strings.Contains(r.body, urdu) || !strings.Contains(r.body, "before the organisation changed its words") {
			t.Error("the form does not offer the stale translation to revise")
		}
	})
}

// TestReportPages: a period with more recommendations than a page holds
// is listed a page at a time, newest first, with a navigation to every
// page, while the headline figures count the whole period.
func TestReportPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 27 {
		rec, err := e.store.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: fmt.Sprintf("Recommendation number %d", i+1), Text: "x",
			Organisations: []string{"blmk-icb"}, Themes: []string{demo.CodeID("language")}})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.PublishRecommendation(ctx, "test", rec.ID, rec.Version, nil, nil, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
	}
	reader := e.client()
	first := reader.get("/report?lang=en")
	titles := regexp.MustCompile(`Recommendation number (\d+)<`)
	count := func(body string) int { return len(titles.FindAllString(body, -1)) }
	if n := count(first.body); n != 25 || !strings.Contains(first.body, "Recommendations 1 to 25 of 27") || !strings.Contains(first.body, `href="/report?page=2" rel="next"`) ||
		!strings.Contains(first.body, "Recommendation number 27<") || strings.Contains(first.body, "Recommendation number 2<") {
		t.Fatalf("the first page: %d recommendations\n%s", n, first.body)
	}
	// The headline is the period's: 27 answers awaited, not 25.
	if !strings.Contains(first.body, "<strong>0 / 27</strong>") {
		t.Error("the headline figures are not the whole period's")
	}
	second := reader.get("/report?page=2")
	if n := count(second.body); n != 2 || !strings.Contains(second.body, "Recommendation number 1<") || !strings.Contains(second.body, "Recommendations 26 to 27 of 27") ||
		!strings.Contains(second.body, `href="/report" rel="prev"`) || !strings.Contains(second.body, `<strong aria-current="page">2</strong>`) ||
		!strings.Contains(second.body, "<strong>0 / 27</strong>") {
		t.Errorf("the second page: %d recommendations\n%s", n, second.body)
	}
	if r := reader.get("/report?page=99"); count(r.body) != 2 {
		t.Error("a page beyond the last is not the last")
	}
	if r := reader.get("/report/organisations/blmk-icb?page=2"); count(r.body) != 2 || !strings.Contains(r.body, `href="/report/organisations/blmk-icb" rel="prev"`) {
		t.Error("the scorecard is not paged")
	}
}
