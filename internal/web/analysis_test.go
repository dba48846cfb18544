package web_test

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

// analysisEnv is a site with the demo codebook and some approved
// experiences, and a signed-in connector.
func analysisEnv(t *testing.T) (*env, *client, []experience.Receipt) {
	t.Helper()
	e := newEnv(t)
	codes, err := demo.Codebook()
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
		t.Fatal(err)
	}
	exps, _ := demo.Experiences()
	var rcs []experience.Receipt
	for _, d := range exps[:6] {
		sub := experience.Submission{Kind: experience.KindExperience, Lang: d.Lang, Role: experience.Role(d.Role), Stages: d.Stages,
			WhatHappened: d.WhatHappened, WentWell: d.WentWell, CouldBeBetter: d.CouldBeBetter, Equality: equality.Answers{Community: d.Community},
			Consent: experience.Consent{Version: "t", Evidence: true, Quote: d.Quote}, Source: experience.Source(d.Source)}
		rc, err := e.store.SubmitExperience(ctx, sub, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		rcs = append(rcs, rc)
	}
	c := e.client()
	c.signIn(e.newStaff("connector@example.org", account.Connector, ""))
	return e, c, rcs
}

var summaryLink = regexp.MustCompile(`<div class="error-summary"[\s\S]*?</div>`)

// assertSummaryLinks checks an error summary came back and each of its
// links lands on an element of the page.
func assertSummaryLinks(t *testing.T, what string, r resp) {
	t.Helper()
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("%s: status %d, want 422\n%.500s", what, r.status, r.body)
	}
	box := summaryLink.FindString(r.body)
	if box == "" {
		t.Fatalf("%s: no error summary", what)
	}
	for _, m := range regexp.MustCompile(`href="#([^"]+)"`).FindAllStringSubmatch(box, -1) {
		if !strings.Contains(r.body, `id="`+m[1]+`"`) {
			t.Errorf("%s: the summary links to #%s, which is not on the page", what, m[1])
		}
	}
}

func TestConnectorCodesAnExperience(t *testing.T) {
	t.Parallel()
	e, c, rcs := analysisEnv(t)
	q := c.get("/staff/analysis/code")
	if q.status != 200 || !strings.Contains(q.body, rcs[0].Reference) {
		t.Fatalf("queue: %d", q.status)
	}
	id := rcs[0].ID
	page := c.get("/staff/analysis/code/" + id)
	if page.status != 200 || !strings.Contains(page.body, "my son had to translate") {
		t.Fatalf("coding page: %d", page.status)
	}
	stamp := regexp.MustCompile(`name="stamp" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
	language := demo.CodeID("language-family-interpreting")

	// Nothing chosen: an error summary whose links land on the inputs, the choice kept.
	r := c.post("/staff/analysis/code/"+id+"/apply", url.Values{"field": {"what_happened"}, "stamp": {stamp}, "code": {language}})
	assertSummaryLinks(t, "no words", r)
	if !strings.Contains(r.body, `value="`+language+`" selected`) {
		t.Error("the chosen code was not kept")
	}
	// Ticking the second and third sentences codes them as one passage.
	sentences := regexp.MustCompile(`name="sentence" value="([0-9]+-[0-9]+)"`).FindAllStringSubmatch(page.body, -1)
	r = c.post("/staff/analysis/code/"+id+"/apply", url.Values{"field": {"what_happened"}, "stamp": {stamp}, "code": {language},
		"sentence": {sentences[0][1], sentences[1][1]}, "quote": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply sentences: %d\n%.800s", r.status, r.body)
	}
	// A highlighted passage (offsets in code points), as the script sends.
	r = c.post("/staff/analysis/code/"+id+"/apply", url.Values{"field": {"could_be_better"}, "stamp": {stamp}, "code": {demo.CodeID("language")},
		"start": {"0"}, "end": {"22"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("apply selection: %d", r.status)
	}
	v, err := e.store.ExperienceForCoding(ctx, id, "t", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Codings) != 2 {
		t.Fatalf("codings: %+v", v.Codings)
	}
	for _, cd := range v.Codings {
		switch cd.Field {
		case "what_happened":
			if got := cd.Passage.Text(v.Answers["what_happened"]); !strings.HasPrefix(got, "When the consultant") || !strings.HasSuffix(got, "He is nineteen.") || !cd.Quote {
				t.Errorf("sentence passage %q quote=%v", got, cd.Quote)
			}
		case "could_be_better":
			if got := cd.Passage.Text(v.Answers["could_be_better"]); got != "Book an interpreter be" {
				t.Errorf("selected passage %q", got)
			}
		}
	}
	// Out-of-range offsets: a clear message, nothing stored.
	r = c.post("/staff/analysis/code/"+id+"/apply", url.Values{"field": {"went_well"}, "stamp": {stamp}, "code": {language}, "start": {"0"}, "end": {"9999"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("a passage past the end: %d", r.status)
	}
	// An experience without quotation consent cannot have a quote.
	noQuote := rcs[2].ID // the demo's third experience did not consent to quotes
	r = c.post("/staff/analysis/code/"+noQuote+"/apply", url.Values{"field": {"what_happened"}, "code": {language}, "whole": {"yes"}, "quote": {"yes"}})
	assertSummaryLinks(t, "quote without consent", r)
	// Memo, English rendering, finish: the next experience opens.
	if r := c.post("/staff/analysis/code/"+id+"/memo", url.Values{"memo": {"Son aged 19 interpreting."}}); r.status != http.StatusSeeOther {
		t.Errorf("memo: %d", r.status)
	}
	urdu := rcs[0].ID
	_ = urdu
	r = c.post("/staff/analysis/code/"+id+"/done", url.Values{})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.location, "/staff/analysis/code/") || strings.HasSuffix(r.location, id) {
		t.Errorf("finish: %d %s", r.status, r.location)
	}
	if _, total, _ := e.store.CodingQueue(ctx, 50); total != 5 {
		t.Errorf("queue after finishing one: %d", total)
	}
}

func TestSuggestionsAreLearnedAndRecorded(t *testing.T) {
	t.Parallel()
	e, c, rcs := analysisEnv(t)
	// Three experiences coded with language (the first is about a son
	// interpreting), one with end of life: the model can learn language.
	waiting := demo.CodeID("language")
	for i, rc := range rcs[:4] {
		code := waiting
		if i == 3 {
			code = demo.CodeID("end-of-life")
		}
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: code, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
			t.Fatal(err)
		}
	}
	rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "person-with-cancer", Stages: []string{"treatment"},
		WhatHappened: "My daughter had to translate because no interpreter came to the appointment.", Consent: experience.Consent{Version: "t", Evidence: true},
		Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	rcs[4] = rc
	page := c.get("/staff/analysis/code/" + rcs[4].ID)
	if !strings.Contains(page.body, `id="suggestions-title"`) || !strings.Contains(page.body, `name="model" value="nb1-`) {
		i := strings.Index(page.body, "suggestions")
		t.Fatalf("no suggestions shown:\n%.1500s", page.body[max(i, 0):])
	}
	model := regexp.MustCompile(`name="model" value="([^"]+)"`).FindStringSubmatch(page.body)[1]
	r := c.post("/staff/analysis/code/"+rcs[4].ID+"/suggestion", url.Values{"code": {waiting}, "model": {model}, "decision": {"accept"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("accept: %d %.500s", r.status, r.body)
	}
	if a, _, _ := e.store.SuggestionCounts(ctx); a != 1 {
		t.Errorf("accepted = %d", a)
	}
	v, _ := e.store.ExperienceForCoding(ctx, rcs[4].ID, "t", "")
	if len(v.Codings) != 1 || v.Codings[0].CodeID != waiting || !v.Codings[0].Whole {
		t.Errorf("accepted suggestion not applied: %+v", v.Codings)
	}
	q := c.get("/staff/analysis/code")
	if !strings.Contains(q.body, "accepted 100%") && !strings.Contains(q.body, "100%") {
		t.Errorf("acceptance rate not shown")
	}
}

func TestCodebookFormsAndRules(t *testing.T) {
	t.Parallel()
	e, c, _ := analysisEnv(t)
	r := c.post("/staff/codebook", url.Values{"name": {""}, "definition": {""}, "colour": {"#zzzzzz"}})
	assertSummaryLinks(t, "empty code", r)
	r = c.post("/staff/codebook", url.Values{"name": {"Waiting"}, "definition": {"dup"}, "colour": {"#000000"}})
	assertSummaryLinks(t, "duplicate name", r)
	r = c.post("/staff/codebook", url.Values{"name": {"Pharmacy"}, "definition": {"Getting medicines."}, "colour": {"#112233"}, "parent": {demo.CodeID("access")}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("create: %d %.500s", r.status, r.body)
	}
	lang := "/staff/codebook/" + demo.CodeID("language")
	assertSummaryLinks(t, "merge into itself", c.post(lang+"/merge", url.Values{"into": {demo.CodeID("language")}, "confirm": {"yes"}}))
	assertSummaryLinks(t, "merge unconfirmed", c.post(lang+"/merge", url.Values{"into": {demo.CodeID("culture")}}))
	assertSummaryLinks(t, "move under own sub-code", c.post(lang+"/move", url.Values{"parent": {demo.CodeID("language-written")}}))
	assertSummaryLinks(t, "split one name", c.post(lang+"/split", url.Values{"split_names": {"Only one"}}))
	// A stale edit is refused and nothing is overwritten.
	code, _ := e.store.Code(ctx, demo.CodeID("transport"))
	form := url.Values{"version": {"1"}, "name": {"Transport"}, "definition": {"First edit."}, "colour": {"#0b0c0c"}}
	if r := c.post("/staff/codebook/"+code.ID, form); r.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", r.status)
	}
	form.Set("definition", "Second, stale edit.")
	assertSummaryLinks(t, "stale edit", c.post("/staff/codebook/"+code.ID, form))
	if got, _ := e.store.Code(ctx, code.ID); got.Definition != "First edit." {
		t.Errorf("stale edit overwrote: %q", got.Definition)
	}
	// Import and export are for administrators.
	if r := c.get("/staff/codebook/export.qdc"); r.status != http.StatusForbidden && r.status != http.StatusNotFound {
		t.Errorf("connector export: %d", r.status)
	}
	admin := e.client()
	admin.signIn(e.newStaff("admin@example.org", account.Admin, ""))
	qdc := admin.get("/staff/codebook/export.qdc")
	if qdc.status != 200 || !strings.Contains(qdc.body, "urn:QDA-XML:codebook:1.0") {
		t.Fatalf("export qdc: %d", qdc.status)
	}
	csvFile := admin.get("/staff/codebook/export.csv")
	if !strings.HasPrefix(csvFile.body, "\ufeffid,parent_id") {
		t.Errorf("export csv: %.60q", csvFile.body)
	}
	bad := "id,parent_id,name,definition,when_to_use,when_not_to_use,example,colour,archived\nnot-a-guid,,x,d,,,,,no\n"
	r = upload(t, admin, "/staff/codebook/import", "codebook.csv", bad)
	assertSummaryLinks(t, "bad import", r)
	if !strings.Contains(r.body, "line 2") {
		t.Error("the problem's line is not shown")
	}
	r = upload(t, admin, "/staff/codebook/import", "codebook.qdc", qdc.body)
	if r.status != http.StatusSeeOther {
		t.Errorf("re-import of the export: %d %.300s", r.status, r.body)
	}
	r = upload(t, admin, "/staff/codebook/import", "codebook.qdc", "<CodeBook")
	assertSummaryLinks(t, "malformed qdc", r)
}

func upload(t *testing.T, c *client, path, name, content string) resp {
	t.Helper()
	var body bytes.Buffer
	boundary := "hearmeboundary7MA4YWxkTrZu0gW"
	body.WriteString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
	body.WriteString(content)
	body.WriteString("\r\n--" + boundary + "--\r\n")
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	return c.do(req)
}

func TestDoubleCodingAndExports(t *testing.T) {
	t.Parallel()
	e, c, rcs := analysisEnv(t)
	second := e.newStaff("analyst@example.org", account.Analyst, "")
	for _, rc := range rcs[:3] {
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("waiting"), Quote: false, Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
			t.Fatal(err)
		}
		if err := e.store.MarkCoded(ctx, "coder", rc.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	assertSummaryLinks(t, "empty sample", c.post("/staff/analysis/agreement", url.Values{}))
	r := c.post("/staff/analysis/agreement", url.Values{"name": {"Test"}, "coder": {second.ID}, "size": {"3"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("sample: %d %.500s", r.status, r.body)
	}
	samplePath := r.location
	sampleID := strings.TrimPrefix(samplePath, "/staff/analysis/agreement/")
	// Only the second coder may code the sample, and sees no first coding.
	if r := c.get("/staff/analysis/code/" + rcs[0].ID + "?sample=" + sampleID); r.status != http.StatusForbidden {
		t.Errorf("someone else coding the sample: %d", r.status)
	}
	sc := e.client()
	sc.signIn(second)
	blind := sc.get("/staff/analysis/code/" + rcs[0].ID + "?sample=" + sampleID)
	if blind.status != 200 || strings.Contains(blind.body, `class="codings"`) {
		t.Fatalf("blind page: %d", blind.status)
	}
	for _, rc := range rcs[:3] {
		code := demo.CodeID("waiting")
		if rc.ID == rcs[2].ID {
			code = demo.CodeID("stigma")
		}
		if r := sc.post("/staff/analysis/code/"+rc.ID+"/apply", url.Values{"field": {"what_happened"}, "code": {code}, "whole": {"yes"}, "sample": {sampleID}}); r.status != http.StatusSeeOther {
			t.Fatalf("second coding: %d %.300s", r.status, r.body)
		}
		if r := sc.post("/staff/analysis/code/"+rc.ID+"/done", url.Values{"sample": {sampleID}}); r.status != http.StatusSeeOther {
			t.Fatalf("sample done: %d", r.status)
		}
	}
	res := c.get(samplePath)
	if res.status != 200 || !strings.Contains(res.body, "Pooled kappa") {
		t.Fatalf("agreement page: %d", res.status)
	}
	// Exports: the project reads back; the frequencies are a real spreadsheet.
	q := c.get("/staff/analysis/export.qdpx")
	if q.status != 200 {
		t.Fatalf("qdpx: %d", q.status)
	}
	proj, err := analysis.ReadQDPX(strings.NewReader(q.body), int64(len(q.body)))
	if err != nil || len(proj.Sources) != 3 {
		t.Fatalf("qdpx read back: %v, %d sources", err, len(proj.Sources))
	}
	for _, s := range proj.Sources {
		for _, sel := range s.Selections {
			if sel.End > len([]rune(s.Text)) || sel.Start >= sel.End {
				t.Errorf("selection outside its source: %+v", sel)
			}
		}
	}
	x := c.get("/staff/analysis/frequencies.xlsx")
	f, err := excelize.OpenReader(strings.NewReader(x.body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	rows, _ := f.GetRows("Frequencies")
	if len(rows) < 2 || rows[0][2] != "experiences" {
		t.Fatalf("xlsx rows: %v", rows)
	}
	for _, row := range rows[1:] {
		if len(row) > 2 && row[0] == "Waiting" && row[2] != "*" {
			t.Errorf("a count of 3 left the analyst's screen unsuppressed: %q", row[2])
		}
	}
	// A withdrawn experience leaves no coding in any export.
	if err := e.store.WithdrawExperience(ctx, rcs[0].Reference, rcs[0].Secret); err != nil {
		t.Fatal(err)
	}
	q = c.get("/staff/analysis/export.qdpx")
	proj, _ = analysis.ReadQDPX(strings.NewReader(q.body), int64(len(q.body)))
	for _, s := range proj.Sources {
		if s.Name == rcs[0].Reference {
			t.Error("a withdrawn experience is still in the export")
		}
	}
	entries, _ := e.store.RecentAudit(ctx, 20)
	exported := 0
	for _, en := range entries {
		if en.Action == store.AuditAnalysisExport {
			exported++
		}
	}
	if exported < 3 {
		t.Errorf("exports audited: %d", exported)
	}
}
