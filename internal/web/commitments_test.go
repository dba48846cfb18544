package web_test

import (
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

// orgID is the id of the programme organisation with slug.
func orgID(t *testing.T, e *env, slug string) string {
	t.Helper()
	prog, err := e.store.Programme(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range prog.Organisations {
		if o.Slug == slug {
			return o.ID
		}
	}
	t.Fatalf("no organisation %s", slug)
	return ""
}

// publishThrough drafts a recommendation as the analyst and publishes it
// as the administrator, returning its reference.
func publishThrough(t *testing.T, analyst, admin *client, form url.Values) string {
	t.Helper()
	page := draftRecommendation(t, analyst, form)
	m := versionField.FindStringSubmatch(admin.get(page).body)
	if m == nil {
		t.Fatal("no version on the draft")
	}
	if r := admin.post(page+"/publish", url.Values{"version": {m[1]}}); r.status != http.StatusSeeOther {
		t.Fatalf("publish: %d\n%s", r.status, r.body)
	}
	ref := regexp.MustCompile(`R-\d{4}-\d{3}`).FindString(admin.get(page).body)
	if ref == "" {
		t.Fatal("no reference")
	}
	return ref
}

// TestStakeholderAnswersCommitsAndReportsProgress: a stakeholder of the
// ICB answers a recommendation addressed to it (bad answers kept with
// their errors), commits to three actions (one a weighted part of
// another; a due date in the past refused), reports progress (progress
// out of range, a claim without what changed and an update on a dropped
// commitment refused); a claimed change is public only once a connector
// approves it, after sending it back with a question; the public report
// shows the answer, the commitments with their status and the headline
// figures, the commitment's page its whole history; the council's
// stakeholder can neither see nor answer any of it.
func TestStakeholderAnswersCommitsAndReportsProgress(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	analyst, admin := e.client(), e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	theme := demo.CodeID("language")
	ref := publishThrough(t, analyst, admin, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
		"organisations": {"blmk-icb"}, "themes": {theme}, "title-pl": {"Tłumacze na każdą wizytę"}, "text-pl": {"Zamawiajcie tłumacza."}})
	icb := e.client()
	icb.signIn(e.newStaff("icb@example.org", account.Stakeholder, orgID(t, e, "blmk-icb")))
	council := e.client()
	council.signIn(e.newStaff("council@example.org", account.Stakeholder, orgID(t, e, "luton-council")))

	if r := icb.get("/staff/commitments"); r.status != 200 || !strings.Contains(r.body, ref) || !strings.Contains(r.body, "Not answered yet") {
		t.Fatalf("the ICB's list: %d", r.status)
	}
	if r := council.get("/staff/commitments"); strings.Contains(r.body, ref) {
		t.Error("the council sees a recommendation not addressed to it")
	}
	recPage := "/staff/commitments/r/" + ref
	for _, r := range []resp{council.get(recPage), council.post(recPage+"/response", url.Values{"decision": {"accepted"}})} {
		if r.status != http.StatusNotFound {
			t.Errorf("the council reached the ICB's recommendation: %d", r.status)
		}
	}
	// Bad answers come back with their errors, the answers kept.
	r := icb.post(recPage+"/response", url.Values{"decision": {"not-accepted"}, "reasons": {""}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#reasons"`) || !strings.Contains(r.body, `value="not-accepted" id="decision-2" checked`) {
		t.Fatalf("not accepted without reasons: %d", r.status)
	}
	long := strings.Repeat("x", accountability.MaxReasons+1)
	if r := icb.post(recPage+"/response", url.Values{"decision": {"partly-accepted"}, "reasons": {long}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, long) {
		t.Errorf("overlong reasons: %d", r.status)
	}
	// Commitments need an answer that accepts.
	if r := icb.post(recPage+"/commitments", url.Values{"commitment": {"We will."}, "owner": {"Lead"}, "due": {"2099-01-01"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("a commitment before answering: %d", r.status)
	}
	if r := icb.post(recPage+"/response", url.Values{"decision": {"partly-accepted"}, "reasons": {"Interpreters yes; longer appointments later."}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", r.status, r.body)
	}
	today := time.Now()
	past := today.AddDate(0, 0, -2).Format(time.DateOnly)
	r = icb.post(recPage+"/commitments", url.Values{"commitment": {"We will book an interpreter with every appointment."}, "owner": {"Head of Patient Experience"}, "due": {past}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "The due date cannot be in the past.") || !strings.Contains(r.body, "We will book an interpreter with every appointment.") {
		t.Fatalf("a due date in the past: %d", r.status)
	}
	due := today.AddDate(0, 3, 0).Format(time.DateOnly)
	for _, text := range []string{"We will book an interpreter with every appointment.", "We will translate appointment letters."} {
		if r := icb.post(recPage+"/commitments", url.Values{"commitment": {text}, "owner": {"Head of Patient Experience"}, "due": {due}}); r.status != http.StatusSeeOther {
			t.Fatalf("commitment: %d\n%s", r.status, r.body)
		}
	}
	list, _ := e.store.Commitments(ctx, store.CommitmentFilter{Organisation: "blmk-icb"})
	if len(list) != 2 {
		t.Fatalf("commitments: %d", len(list))
	}
	if r := icb.post(recPage+"/commitments", url.Values{"commitment": {"We will train reception staff."}, "owner": {"Training lead"}, "due": {due}, "parent": {list[0].ID}, "weight": {"3"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sub-commitment: %d\n%s", r.status, r.body)
	}
	c1, c2 := ref+".1", ref+".2"
	for _, r := range []resp{council.get("/staff/commitments/c/" + c1), council.post("/staff/commitments/c/"+c1+"/updates", url.Values{"date": {today.Format(time.DateOnly)}})} {
		if r.status != http.StatusNotFound {
			t.Errorf("the council reached the ICB's commitment: %d", r.status)
		}
	}

	// Progress out of range; a claim without what changed.
	day := today.Format(time.DateOnly)
	up := url.Values{"date": {day}, "status": {"in-progress"}, "progress": {"140"}, "text": {"Booking system chosen."}}
	if r := icb.post("/staff/commitments/c/"+c1+"/updates", up); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#progress"`) || !strings.Contains(r.body, "Booking system chosen.") {
		t.Errorf("progress 140: %d", r.status)
	}
	up.Set("progress", "40")
	up.Set("claim", "made")
	if r := icb.post("/staff/commitments/c/"+c1+"/updates", up); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#what-changed"`) {
		t.Errorf("a claim without what changed: %d", r.status)
	}
	up.Set("what-changed", "The booking form asks which language the patient speaks.")
	up.Set("evidence-url", "https://example.org/booking-form")
	if r := icb.post("/staff/commitments/c/"+c1+"/updates", up); r.status != http.StatusSeeOther {
		t.Fatalf("claimed change: %d\n%s", r.status, r.body)
	}
	if r := e.client().get("/report/commitments/" + c1); strings.Contains(r.body, "asks which language") {
		t.Error("an unreviewed claim is public")
	}
	// A connector sends it back with a question, then approves it.
	conn := e.client()
	conn.signIn(e.newStaff("connector@example.org", account.Connector, ""))
	pending, _ := e.store.UpdatesInReview(ctx, accountability.ReviewPending, "")
	if len(pending) != 1 {
		t.Fatalf("pending: %d", len(pending))
	}
	id := pending[0].ID
	if r := conn.get("/staff/commitments/reviews"); !strings.Contains(r.body, "asks which language") {
		t.Error("the claim is not in the review queue")
	}
	if r := conn.post("/staff/commitments/reviews/"+id, url.Values{"decision": {"return"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#question-`+id+`"`) {
		t.Errorf("sent back without a question: %d", r.status)
	}
	if r := conn.post("/staff/commitments/reviews/"+id, url.Values{"decision": {"return"}, "question-" + id: {"Since when?"}}); r.status != http.StatusSeeOther {
		t.Fatalf("send back: %d", r.status)
	}
	if r := icb.get("/staff/commitments"); !strings.Contains(r.body, "Since when?") {
		t.Error("the question is not on the stakeholder's list")
	}
	if r := council.post("/staff/commitments/updates/"+id, url.Values{"answer": {"x"}, "what-changed": {"y"}}); r.status != http.StatusNotFound {
		t.Errorf("the council answered the ICB's question: %d", r.status)
	}
	if r := icb.post("/staff/commitments/updates/"+id, url.Values{"answer": {"Since 1 March."}, "what-changed": {"The booking form asks which language the patient speaks, since 1 March."},
		"evidence-url": {"https://example.org/booking-form"}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", r.status, r.body)
	}
	if r := conn.post("/staff/commitments/reviews/"+id, url.Values{"decision": {"approve"}}); r.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.status)
	}
	// The commitment's words change; c2 is dropped, then refuses updates.
	m := versionField.FindStringSubmatch(icb.get("/staff/commitments/c/" + c1).body)
	if r := icb.post("/staff/commitments/c/"+c1, url.Values{"version": {m[1]}, "commitment": {"We will book a professional interpreter with every appointment."},
		"owner": {"Head of Patient Experience"}, "due": {due}, "weight": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d\n%s", r.status, r.body)
	}
	drop := url.Values{"date": {day}, "status": {"not-doing"}, "progress": {"0"}, "text": {"Letters go digital."}}
	if r := icb.post("/staff/commitments/c/"+c2+"/updates", drop); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#reason"`) {
		t.Errorf("not doing without a reason: %d", r.status)
	}
	drop.Set("reason", "Appointment letters move to the NHS App.")
	if r := icb.post("/staff/commitments/c/"+c2+"/updates", drop); r.status != http.StatusSeeOther {
		t.Fatalf("drop: %d", r.status)
	}
	if r := icb.post("/staff/commitments/c/"+c2+"/updates", url.Values{"date": {day}, "status": {"in-progress"}, "progress": {"10"}, "text": {"Again."}}); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, "takes no more updates") {
		t.Errorf("an update on a dropped commitment: %d", r.status)
	}

	// The public report.
	reader := e.client()
	r = reader.get("/report")
	for _, want := range []string{"Partly accepted", "within the deadline", "We will book a professional interpreter", "/report/commitments/" + c1, "In progress", "Not doing",
		"answers came within the deadline", "changes made, shown with evidence", ">1 / 1<"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/report lacks %q", want)
		}
	}
	assertNoUnsuppressedCount(t, "/report", r.body)
	if r := reader.get("/report?lang=ur"); !strings.Contains(r.body, "انگریزی میں") || !strings.Contains(r.body, `lang="en" dir="ltr">We will book`) {
		t.Error("Urdu report: the organisations' English words are not marked")
	}
	if r := reader.get("/report/organisations/blmk-icb?lang=en"); r.status != 200 || !strings.Contains(r.body, "We will translate appointment letters") {
		t.Errorf("scorecard: %d", r.status)
	}
	if r := reader.get("/report/organisations/luton-council"); r.status != 200 || strings.Contains(r.body, "We will") {
		t.Errorf("the council's scorecard: %d", r.status)
	}
	r = reader.get("/report/commitments/" + c1)
	for _, want := range []string{"We will book an interpreter with every appointment.", "We will book a professional interpreter with every appointment.",
		"Change made:", "since 1 March", "https://example.org/booking-form", "We will train reception staff."} {
		if !strings.Contains(r.body, want) {
			t.Errorf("commitment page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "Since when?") {
		t.Error("the connector's question is public")
	}
	if r := reader.get("/report/" + ref + "?lang=pl"); !strings.Contains(r.body, "Interpreters yes; longer appointments later.") || !strings.Contains(r.body, "Przyjęta częściowo") {
		t.Error("the recommendation's page lacks the answer")
	}
	for _, path := range []string{"/report/commitments/R-2099-001.1", "/report/commitments/..%2F", "/report/organisations/nowhere"} {
		if r := reader.get(path); r.status != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.status)
		}
	}
	trail, _ := e.store.RecentAudit(ctx, 100)
	var actions []string
	for _, a := range trail {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{store.AuditResponse, store.AuditCommitmentCreated, store.AuditCommitmentEdited, store.AuditUpdateAdded, store.AuditUpdateReturned,
		store.AuditUpdateAnswered, store.AuditUpdateApproved} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("%s not in the audit trail", want)
		}
	}
}

// TestFactualAccuracyCheck: a draft shared for a check is readable by
// the organisations it is addressed to, who can leave notes but reach no
// form that changes it; others cannot see it.
func TestFactualAccuracyCheck(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.client()
	conn.signIn(e.newStaff("connector@example.org", account.Connector, ""))
	page := draftRecommendation(t, conn, url.Values{"title": {"Longer appointments"}, "text": {"Offer double appointments with an interpreter."}, "organisations": {"blmk-icb"}})
	id := strings.TrimPrefix(page, "/staff/recommendations/")
	icb := e.client()
	icb.signIn(e.newStaff("icb@example.org", account.Stakeholder, orgID(t, e, "blmk-icb")))
	council := e.client()
	council.signIn(e.newStaff("council@example.org", account.Stakeholder, orgID(t, e, "luton-council")))
	if r := icb.get("/staff/commitments/drafts/" + id); r.status != http.StatusNotFound {
		t.Errorf("a draft not shared: %d", r.status)
	}
	if r := icb.post("/staff/recommendations/"+id+"/share", nil); r.status != http.StatusForbidden {
		t.Errorf("a stakeholder shared a draft: %d", r.status)
	}
	if r := conn.post(page+"/share", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("share: %d", r.status)
	}
	r := icb.get("/staff/commitments")
	if !strings.Contains(r.body, "/staff/commitments/drafts/"+id) {
		t.Fatal("the shared draft is not on the ICB's list")
	}
	r = icb.get("/staff/commitments/drafts/" + id)
	if r.status != 200 || !strings.Contains(r.body, "Offer double appointments") {
		t.Fatalf("shared draft: %d", r.status)
	}
	for _, f := range regexp.MustCompile(`<form method="post" action="([^"]+)"`).FindAllStringSubmatch(r.body, -1) {
		if f[1] != "/staff/commitments/drafts/"+id && f[1] != "/logout" {
			t.Errorf("the stakeholder's page offers a form to %s", f[1])
		}
	}
	if r := icb.post(page, url.Values{"title": {"Changed"}, "text": {"x"}, "organisations": {"blmk-icb"}}); r.status != http.StatusForbidden {
		t.Errorf("a stakeholder changed the draft: %d", r.status)
	}
	if r := icb.post("/staff/commitments/drafts/"+id, url.Values{"note": {""}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#note"`) {
		t.Errorf("an empty note: %d", r.status)
	}
	if r := icb.post("/staff/commitments/drafts/"+id, url.Values{"note": {"The clinic opened in 2024."}}); r.status != http.StatusSeeOther {
		t.Fatalf("note: %d", r.status)
	}
	for _, r := range []resp{council.get("/staff/commitments/drafts/" + id), council.post("/staff/commitments/drafts/"+id, url.Values{"note": {"x"}})} {
		if r.status != http.StatusNotFound {
			t.Errorf("the council reached a draft not addressed to it: %d", r.status)
		}
	}
	if r := conn.get(page); !strings.Contains(r.body, "The clinic opened in 2024.") || !strings.Contains(r.body, "NHS Bedfordshire") {
		t.Error("the note is not on the draft's page")
	}
	if got, _ := e.store.Recommendation(ctx, id); got.Title != "Longer appointments" {
		t.Errorf("the draft changed: %q", got.Title)
	}
}

// accountabilityForms makes what the stakeholder's and the connector's
// forms of the Account step need, for TestEveryFormEmptyPost: a
// published recommendation addressed to org, answered, with a commitment
// whose one update was sent back and another waits for review, and a
// draft shared for a factual-accuracy check.
func accountabilityForms(t *testing.T, e *env, org string) {
	t.Helper()
	rec, err := e.store.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: "Walked", Text: "x", Organisations: []string{org}, Themes: []string{"t"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.PublishRecommendation(ctx, "test", rec.ID, rec.Version, nil, nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SaveResponse(ctx, "test", accountability.Response{RecommendationID: rec.ID, Organisation: org, Decision: accountability.Accepted}); err != nil {
		t.Fatal(err)
	}
	today := accountability.Day(time.Now(), time.UTC)
	c, err := e.store.AddCommitment(ctx, "test", accountability.Commitment{RecommendationID: rec.ID, Organisation: org, Text: "We will.", OwnerRole: "Lead",
		Due: today.AddDate(0, 1, 0), Weight: 1}, "planned")
	if err != nil {
		t.Fatal(err)
	}
	claim := accountability.Update{CommitmentID: c.ID, On: today, Status: "in-progress", Kind: accountability.KindActive, Progress: 10, Text: "x",
		Claim: accountability.ClaimMade, WhatChanged: "y", Review: accountability.ReviewPending}
	returned, err := e.store.AddUpdate(ctx, "test", org, claim)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.ReviewUpdate(ctx, "test", returned.ID, false, "Since when?"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.AddUpdate(ctx, "test", org, claim); err != nil {
		t.Fatal(err)
	}
	draft, err := e.store.SaveRecommendation(ctx, "test", accountability.Recommendation{Title: "Shared", Text: "x", Organisations: []string{org}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.ShareForCheck(ctx, "test", draft.ID); err != nil {
		t.Fatal(err)
	}
}
