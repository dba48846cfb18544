package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/store"
)

// reviewForms opens a draft for community review with a comment waiting
// for moderation, so the forms walker finds the public ranking form, the
// listening event form and the comment's moderation form.
func reviewForms(t *testing.T, e *env) {
	t.Helper()
	rec, err := e.store.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: "Reviewed", Text: "x", Organisations: []string{"blmk-icb"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.OpenReview(ctx, "test", rec.ID, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveBallot(ctx, "walker", accountability.Ballot{Lang: "en", Places: map[string]int{rec.ID: 1}, Comments: map[string]string{rec.ID: "Call me on 07700 900123"}}); err != nil {
		t.Fatal(err)
	}
}

var reviewDD = regexp.MustCompile(`<dd>([^<]*)</dd>`)

// assertNoSmallCountOfPeople fails when the community's figures on a
// page show a count of people from 1 to 7, or a rounded count that is
// not a multiple of 5.
func assertNoSmallCountOfPeople(t *testing.T, path, body string) {
	t.Helper()
	for _, m := range regexp.MustCompile(`(?:people who took part|People who ranked it online</dt><dd>|People who put it first</dt><dd>|people: )([0-9*]+)`).FindAllStringSubmatch(body, -1) {
		if v := m[1]; v != "*" && v != "0" && (len(v) < 2 || !strings.HasSuffix(v, "0") && !strings.HasSuffix(v, "5")) {
			t.Errorf("%s: an unsuppressed count of people %q", path, v)
		}
	}
}

// TestCommunityReviewOfDrafts: drafters open two drafts for review
// (stakeholders and residents cannot); residents rank them in Polish and
// Somali, anonymously, once per browser, with bad rankings refused and
// answers kept; a comment is moderated with the scanner's finding
// removed; a connector records a listening event (an analyst cannot); the
// public report and the stakeholder's page show how the community ranked
// each, through disclosure control; everything staff did is audited.
func TestCommunityReviewOfDrafts(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		seedEvidence(t, e)
		prog, _ := e.store.Programme(ctx)
		var icb string
		for _, o := range prog.Organisations {
			if o.Slug == "blmk-icb" {
				icb = o.ID
			}
		}
		analyst := e.client()
		analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
		connector := e.client()
		connector.signIn(e.newStaff("connector@example.org", account.Connector, ""))
		stakeholder := e.client()
		stakeholder.signIn(e.newStaff("icb@example.org", account.Stakeholder, icb))
		theme := demo.CodeID("language")
		pageA := draftRecommendation(t, analyst, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
			"organisations": {"blmk-icb"}, "themes": {theme}, "title-pl": {"Tłumacze na każdą wizytę"}, "text-pl": {"Zamawiajcie tłumacza."}})
		pageB := draftRecommendation(t, analyst, url.Values{"title": {"Transport to treatment"}, "text": {"Pay for taxis to radiotherapy."},
			"organisations": {"blmk-icb"}, "title-so": {"Gaadiidka daaweynta"}, "text-so": {"Bixi taksiyada."}})
		idA, idB := strings.TrimPrefix(pageA, "/staff/recommendations/"), strings.TrimPrefix(pageB, "/staff/recommendations/")

		// Nobody but drafters opens or closes a review.
		resident := e.client()
		for who, c := range map[string]*client{"stakeholder": stakeholder, "resident": resident} {
			for _, path := range []string{pageA + "/review/open", pageA + "/review/close"} {
				if r := c.post(path, url.Values{}); r.status == http.StatusSeeOther {
					t.Errorf("%s: %s answered %d", who, path, r.status)
				}
			}
		}
		if open, _ := e.store.AnyReviewOpen(ctx); open {
			t.Fatal("a review was opened by someone who may not")
		}
		if r := resident.get("/report/review"); r.status != 200 || !strings.Contains(r.body, "No draft recommendations are open") || strings.Contains(r.body, `action="/report/review"`) {
			t.Fatalf("no review open: %d", r.status)
		}
		if r := analyst.post(pageA+"/review/open", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("open A: %d\n%s", r.status, r.body)
		}
		if r := connector.post(pageB+"/review/open", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("open B: %d", r.status)
		}
		if r := analyst.get(pageA); !strings.Contains(r.body, "Open for community review since") || !strings.Contains(r.body, `action="`+pageA+`/review/close"`) {
			t.Errorf("the draft's page does not show its open review")
		}
		// The home page and the report invite residents.
		for _, path := range []string{"/?lang=so", "/report?lang=so"} {
			if r := resident.get(path); !strings.Contains(r.body, `href="/report/review"`) {
				t.Errorf("%s does not link to the review", path)
			}
		}

		// A resident in Polish: the Polish text, the Somali draft in
		// English marked, the figures as disclosure control publishes them.
		pl := e.client()
		r := pl.get("/report/review?lang=pl")
		if !strings.Contains(r.body, "Tłumacze na każdą wizytę") || !strings.Contains(r.body, `<span lang="en" dir="ltr">Transport to treatment</span>`) ||
			!strings.Contains(r.body, "Miejsce dla projektu") {
			t.Fatalf("Polish page:\n%s", r.body)
		}
		assertNoUnsuppressedCount(t, "/report/review", r.body)
		if !strings.Contains(r.body, ">15<") {
			t.Error("the draft's frozen total is missing")
		}
		token := tokenOf(t, r.body)
		// An improper ranking comes back with the answers kept.
		bad := url.Values{"form_token": {token}, "rank-" + idA: {"1"}, "rank-" + idB: {"1"}, "comment-" + idA: {"Bardzo ważne"}}
		r = pl.post("/report/review?lang=pl", bad)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#rank-`+idB+`"`) || !strings.Contains(r.body, "Bardzo ważne") ||
			!strings.Contains(r.body, "innemu projektowi") {
			t.Fatalf("repeated place: %d\n%s", r.status, r.body)
		}
		good := url.Values{"form_token": {tokenOf(t, r.body)}, "rank-" + idA: {"1"}, "rank-" + idB: {"2"}, "comment-" + idA: {"Dr Kowalski never booked one, call me on 07700 900123"}}
		if r := pl.post("/report/review?lang=pl", good); r.status != http.StatusSeeOther || r.location != "/report/review/thanks" {
			t.Fatalf("Polish ranking: %d %s\n%s", r.status, r.location, r.body)
		}
		// Once per browser: the page says so and a second post stores nothing.
		if r := pl.get("/report/review?lang=pl"); !strings.Contains(r.body, "zostały już uszeregowane") || strings.Contains(r.body, `action="/report/review"`) {
			t.Error("the browser that ranked is offered the form again")
		}
		good.Set("form_token", tokenOf(t, pl.get("/report/review?lang=so").body+`name="form_token" value="x"`))
		pl.post("/report/review", good)
		if ranks, _ := e.store.ReviewRanks(ctx); len(ranks) != 2 || ranks[0].Count+ranks[1].Count != 2 {
			t.Fatalf("ranks after a second post from one browser: %+v, want one each", ranks)
		}
		// A resident in Somali.
		so := e.client()
		r = so.get("/report/review?lang=so")
		if !strings.Contains(r.body, "Gaadiidka daaweynta") || !strings.Contains(r.body, "Kaalinta qabyada") {
			t.Fatalf("Somali page:\n%s", r.body)
		}
		if r := so.post("/report/review?lang=so", url.Values{"form_token": {tokenOf(t, r.body)}, "rank-" + idA: {"2"}, "rank-" + idB: {"1"},
			"comment-" + idB: {"Waiting so long made me want to end my life"}}); r.status != http.StatusSeeOther {
			t.Fatalf("Somali ranking: %d\n%s", r.status, r.body)
		}
		// A post without the browser's cookie is refused with the reason.
		nocookie := e.client()
		tok := tokenOf(t, e.client().get("/report/review").body)
		if r := nocookie.post("/report/review", url.Values{"form_token": {tok}, "rank-" + idA: {"2"}, "rank-" + idB: {"1"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#send"`) {
			t.Errorf("no cookie: %d", r.status)
		}

		// The comment waits for moderation, scanned like an experience.
		if r := analyst.get(pageA); strings.Contains(r.body, "07700") || strings.Contains(r.body, "Kowalski") {
			t.Error("an unmoderated comment is shown")
		}
		pending, err := e.store.PendingReviewComments(ctx, 10)
		if err != nil || len(pending) != 2 || pending[0].Lang != "pl" || pending[1].Lang != "so" {
			t.Fatalf("pending: %+v %v", pending, err)
		}
		// The Somali resident's comment suggests a risk of harm: marked in
		// the list and on its page, as experiences are.
		if r := connector.get("/staff/reviews"); strings.Count(r.body, "possible risk of harm") != 1 {
			t.Errorf("the list does not mark the one comment suggesting a risk of harm")
		}
		if r := connector.get("/staff/reviews/comments/" + pending[1].ID); !strings.Contains(r.body, "This comment may suggest a risk of harm") || !strings.Contains(r.body, "<q>end my life</q>") {
			t.Errorf("the safeguarding prompt is missing:\n%s", r.body)
		}
		if r := connector.get("/staff/reviews/comments/" + pending[0].ID); strings.Contains(r.body, "This comment may suggest a risk of harm") {
			t.Error("a safeguarding prompt on a comment with no such words")
		}
		if r := analyst.get("/staff/reviews/comments/" + pending[0].ID); r.status != http.StatusForbidden {
			t.Errorf("an analyst moderates comments: %d", r.status)
		}
		r = connector.get("/staff/reviews/comments/" + pending[0].ID)
		boxes := regexp.MustCompile(`name="redact" value="([^"]+)"`).FindAllStringSubmatch(r.body, -1)
		if len(boxes) < 2 {
			t.Fatalf("the scanner flagged %d details:\n%s", len(boxes), r.body)
		}
		if r := connector.post("/staff/reviews/comments/"+pending[0].ID, url.Values{}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#decision"`) {
			t.Errorf("no decision: %d", r.status)
		}
		form := url.Values{"decision": {"approved"}}
		for _, b := range boxes {
			form.Add("redact", b[1])
		}
		if r := connector.post("/staff/reviews/comments/"+pending[0].ID, form); r.status != http.StatusSeeOther {
			t.Fatalf("approve: %d\n%s", r.status, r.body)
		}
		if r := analyst.get(pageA); strings.Contains(r.body, "07700") || strings.Contains(r.body, "Kowalski") || !strings.Contains(r.body, "never booked one") {
			t.Errorf("the approved comment on the draft's page:\n%s", r.body)
		}

		// A listening event: connectors record, analysts cannot.
		event := url.Values{"place": {"Somali women's group, Marsh Farm"}, "held_on": {"2026-01-10"}, "community": {"black-african"}, "participants": {"12"},
			"method": {"ranks"}, "value-" + idA: {"2"}, "value-" + idB: {"1"}}
		if r := analyst.post("/staff/reviews/events", event); r.status != http.StatusForbidden {
			t.Errorf("an analyst recorded an event: %d", r.status)
		}
		badEvent := url.Values{}
		for k, v := range event {
			badEvent[k] = v
		}
		badEvent.Set("value-"+idA, "1")
		if r := connector.post("/staff/reviews/events", badEvent); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#value-`+idB+`"`) ||
			!strings.Contains(r.body, "Marsh Farm") {
			t.Errorf("an improper event ranking: %d", r.status)
		}
		if r := connector.post("/staff/reviews/events", event); r.status != http.StatusSeeOther {
			t.Fatalf("event: %d\n%s", r.status, r.body)
		}

		// A draft shared for the factual-accuracy check shows the
		// stakeholder the community's priorities too.
		if r := connector.post(pageB+"/share", url.Values{}); r.status != http.StatusSeeOther {
			t.Fatalf("share: %d", r.status)
		}
		if r := stakeholder.get("/staff/commitments/drafts/" + idB); r.status != 200 || !strings.Contains(r.body, "How the community ranked it") || !strings.Contains(r.body, "place 1 of 2") {
			t.Errorf("the shared draft's page: %d\n%s", r.status, r.body)
		}

		// Closing: the public page has nothing to rank.
		for _, page := range []string{pageA, pageB} {
			if r := connector.post(page+"/review/close", url.Values{}); r.status != http.StatusSeeOther {
				t.Fatalf("close: %d", r.status)
			}
		}
		if r := e.client().get("/report/review"); strings.Contains(r.body, `action="/report/review"`) {
			t.Error("a closed review still takes rankings")
		}

		// Published: the report says how the community ranked it.
		admin := e.client()
		admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
		m := versionField.FindStringSubmatch(admin.get(pageA).body)
		if r := admin.post(pageA+"/publish", url.Values{"version": {m[1]}}); r.status != http.StatusSeeOther {
			t.Fatalf("publish: %d\n%s", r.status, r.body)
		}
		rec, _ := e.store.Recommendation(ctx, idA)
		for _, path := range []string{"/report", "/report/" + rec.Reference, "/report/print"} {
			r := e.client().get(path)
			if !strings.Contains(r.body, "How the community ranked it") {
				t.Errorf("%s does not say how the community ranked it", path)
			}
			assertNoSmallCountOfPeople(t, path, r.body)
			assertNoUnsuppressedCount(t, path, r.body)
			if strings.Contains(r.body, "Kowalski") || strings.Contains(r.body, "never booked") {
				t.Errorf("%s shows a comment", path)
			}
		}
		r = e.client().get("/report/" + rec.Reference)
		// Two browsers: withheld. Twelve at the event: 10, place 2 of 2.
		if !strings.Contains(r.body, "People who ranked it online</dt><dd>*</dd>") || !strings.Contains(r.body, "place 2 of 2") ||
			!strings.Contains(r.body, "people who took part: 10") || !strings.Contains(r.body, "(indicative)") {
			t.Errorf("the ranking on the report:\n%s", r.body)
		}
		if r := e.client().get("/report/" + rec.Reference + "?lang=pl"); !strings.Contains(r.body, "Jak uszeregowała go społeczność") {
			t.Error("the ranking is not in Polish")
		}
		if r := stakeholder.get("/staff/commitments/r/" + rec.Reference); !strings.Contains(r.body, "How the community ranked it") || !strings.Contains(r.body, "place 2 of 2") {
			t.Errorf("the stakeholder does not see the community's priorities:\n%s", r.body)
		}

		trail, _ := e.store.RecentAudit(ctx, 100)
		count := map[string]int{}
		for _, a := range trail {
			count[a.Action]++
		}
		if count[store.AuditReviewOpened] != 2 || count[store.AuditReviewClosed] != 2 || count[store.AuditReviewEventRecorded] != 1 || count[store.AuditReviewComment] != 1 {
			t.Errorf("audit: %v", count)
		}
	})
}

// The privacy notice and the record of processing state how long
// comments on drafts are kept, from the retention rule.
func TestPrivacyNoticeStatesHowLongReviewCommentsAreKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if r := e.client().get("/privacy"); !strings.Contains(r.body, `data-rule="review-comments">Comments on draft recommendations: deleted 180 days after they were written`) {
		t.Errorf("the privacy notice does not state the comments' retention")
	}
	if r := e.client().get("/privacy?lang=pl"); !strings.Contains(r.body, "usuwane 180 dni po ich napisaniu") {
		t.Errorf("the Polish privacy notice does not state the comments' retention")
	}
	c := e.client()
	c.signIn(e.newStaff("dpo@example.org", account.DPO, ""))
	if r := c.get("/staff/ropa"); !strings.Contains(r.body, "deleted 180 days after they were written</span> (review-comments)") {
		t.Errorf("the record of processing does not state the comments' retention")
	}
}
