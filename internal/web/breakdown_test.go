package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/analysis"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

// evidenceEnv has 12 South Asian and 3 Polish experiences coded with
// "language and interpreters", one quote consented and one not.
func evidenceEnv(t *testing.T) (*env, []experience.Receipt) {
	t.Helper()
	e := newEnv(t)
	return e, seedEvidence(t, e)
}

// seedEvidence adds evidenceEnv's experiences to e.
func seedEvidence(t *testing.T, e *env) []experience.Receipt {
	t.Helper()
	codes, _ := demo.Codebook()
	if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
		t.Fatal(err)
	}
	var rcs []experience.Receipt
	add := func(community string, quote bool, text string) {
		rcs = append(rcs, addCodedExperience(t, e, community, quote, text))
	}
	add("south-asian", true, "My daughter had to translate for me at the clinic.")
	add("eastern-european", false, "Nobody offered me an interpreter, a secret not to quote.")
	for range 11 {
		add("south-asian", false, "No interpreter again.")
	}
	for range 2 {
		add("eastern-european", false, "No interpreter again.")
	}
	return rcs
}

// addCodedExperience adds an approved experience from community at the
// treatment stage, coded whole with "language and interpreters" (the
// codebook must be imported).
func addCodedExperience(t *testing.T, e *env, community string, quote bool, text string) experience.Receipt {
	t.Helper()
	return addCodedAnswers(t, e, equality.Answers{Community: community}, quote, text)
}

// addCodedAnswers is addCodedExperience with the person's equality answers.
func addCodedAnswers(t *testing.T, e *env, answers equality.Answers, quote bool, text string) experience.Receipt {
	t.Helper()
	rc := addApproved(t, e, answers, quote, text)
	if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language-family-interpreting"), Quote: quote,
		Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
		t.Fatal(err)
	}
	return rc
}

// icbClient is a client signed in as a stakeholder of the programme's
// first organisation (the ICB in the demo).
func icbClient(t *testing.T, e *env) *client {
	t.Helper()
	prog, err := e.store.Programme(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.signIn(e.newStaff("icb@example.org", account.Stakeholder, prog.Organisations[0].ID))
	return c
}

// addApproved adds an approved experience at the treatment stage, not
// coded.
func addApproved(t *testing.T, e *env, answers equality.Answers, quote bool, text string) experience.Receipt {
	t.Helper()
	rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "person-with-cancer",
		Stages: []string{"treatment"}, WhatHappened: text, Equality: answers,
		Consent: experience.Consent{Version: "t", Evidence: true, Quote: quote}, Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	return rc
}

func TestBreakdownForAnalysts(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis?rows=theme&cols=community")
	if r.status != 200 {
		t.Fatalf("breakdown: %d\n%s", r.status, e.logs.String())
	}
	// The analyst's own screen shows exact counts: 12 and 3 under the theme.
	row := r.body[strings.Index(r.body, "Language and interpreters</th>"):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, ">12 <") || !strings.Contains(row, ">3 <") {
		t.Errorf("theme row: %s", row)
	}
	// The chart splits each row's bar by column: a part per community,
	// each with its count as a title and a pattern named in the key, and
	// the table as its described alternative.
	chart := section(t, r.body, `<figure class="chart">`, "</figure>")
	for _, want := range []string{`<svg role="img" aria-labelledby="chart-title" aria-describedby="chart-caption"`,
		`<title id="chart-title">Experiences by Theme and Community</title>`, `<figcaption id="chart-caption">`, `href="#breakdown-table"`,
		`fill="url(#chart-pattern-0)" stroke="#0b0c0c" stroke-width="1" class="chart-part"><title>Eastern European: 3</title>`,
		`fill="url(#chart-pattern-1)" stroke="#0b0c0c" stroke-width="1" class="chart-part"><title>South Asian: 12</title>`,
		`fill="url(#chart-pattern-0)" stroke="#0b0c0c" stroke-width="1"></rect></svg> Eastern European</li>`,
		`fill="url(#chart-pattern-1)" stroke="#0b0c0c" stroke-width="1"></rect></svg> South Asian</li>`} {
		if !strings.Contains(chart, want) {
			t.Errorf("the chart lacks %s:\n%s", want, chart)
		}
	}
	if !strings.Contains(r.body, `<table class="breakdown" id="breakdown-table">`) {
		t.Error("the chart's alternative is not the table it points to")
	}
	// 3 and 12 of the longest bar's 15: 60 and 240 of 300, end to end.
	if !strings.Contains(chart, `<rect x="0" y="20" width="60"`) || !strings.Contains(chart, `<rect x="60" y="20" width="240"`) {
		t.Errorf("the parts are not to scale:\n%s", chart)
	}
	if r := c.get("/staff/analysis?rows=bogus&cols=%3Cscript%3E"); r.status != 200 {
		t.Errorf("unknown dimensions: %d", r.status)
	}
}

// TestBreakdownChartOfManyColumnsShowsTotals: past six columns a bar's
// parts could not be told apart (the patterns would repeat), so each bar
// is the row's total, without a key, and the caption says the table gives
// the columns.
func TestBreakdownChartOfManyColumnsShowsTotals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	codes, _ := demo.Codebook()
	if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
		t.Fatal(err)
	}
	for _, age := range []string{"18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75-84"} {
		addCodedAnswers(t, e, equality.Answers{Community: "south-asian", AgeBand: age}, false, "No interpreter again.")
	}
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis?rows=theme&cols=equality.age_band")
	if r.status != 200 {
		t.Fatalf("breakdown: %d\n%s", r.status, e.logs.String())
	}
	chart := section(t, r.body, `<figure class="chart">`, "</figure>")
	if strings.Contains(chart, `class="chart-key"`) || strings.Contains(chart, "chart-pattern-1)") {
		t.Errorf("a chart of 7 columns is split into parts with a key:\n%s", chart)
	}
	for _, want := range []string{`<rect x="0" y="20" width="300" height="16" fill="url(#chart-pattern-0)" stroke="#0b0c0c" stroke-width="1" class="chart-part"><title>In all: 7</title>`,
		"there are too many columns of Age to split each bar into parts"} {
		if !strings.Contains(chart, want) {
			t.Errorf("the chart of 7 columns lacks %s:\n%s", want, chart)
		}
	}
}

func TestStakeholderSeesSuppressedEvidenceAndConsentedQuotesOnly(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	c := icbClient(t, e)
	if r := c.get("/staff/analysis"); r.status != http.StatusForbidden {
		t.Errorf("a stakeholder reached the analyst's breakdown: %d", r.status)
	}
	r := c.get("/staff/evidence")
	if r.status != 200 {
		t.Fatalf("evidence: %d", r.status)
	}
	row := r.body[strings.Index(r.body, "Language and interpreters</th>"):]
	row = row[:strings.Index(row, "</tr>")]
	// 15 in all -> 15; 12 South Asian -> 10; 3 Eastern European -> *.
	for _, want := range []string{">15<", ">10<", ">*<"} {
		if !strings.Contains(row, want) {
			t.Errorf("suppressed row lacks %s: %s", want, row)
		}
	}
	if strings.Contains(row, ">12<") || strings.Contains(row, ">3<") {
		t.Errorf("an unsuppressed count reached a stakeholder: %s", row)
	}
	if !strings.Contains(r.body, "My daughter had to translate") {
		t.Error("the consented quote is missing")
	}
	if strings.Contains(r.body, "a secret not to quote") {
		t.Error("words without quotation consent reached a stakeholder")
	}
	// Withdrawn: the quote disappears.
	if err := e.store.WithdrawExperience(ctx, rcs[0].Reference, rcs[0].Secret); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/staff/evidence"); strings.Contains(r.body, "My daughter had to translate") {
		t.Error("a withdrawn quote is still shown")
	}
}

func TestBreakdownExportIsSuppressed(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	page := c.get("/staff/analysis?rows=theme&cols=community")
	if !strings.Contains(page.body, `href="/staff/analysis/breakdown.csv?cols=community&amp;from=&amp;rows=theme&amp;to="`) {
		i := strings.Index(page.body, "breakdown.csv")
		t.Errorf("no download link with the query: %s", page.body[max(i-20, 0):max(i+120, 0)])
	}
	r := c.get("/staff/analysis/breakdown.csv?rows=theme&cols=community")
	if r.status != 200 || !strings.HasPrefix(r.body, "\ufeff") {
		t.Fatalf("csv: %d %.40q", r.status, r.body)
	}
	line := ""
	for _, l := range strings.Split(r.body, "\n") {
		if strings.HasPrefix(l, "Language and interpreters,") {
			line = l
		}
	}
	// 12 South Asian -> 10, 3 Eastern European -> *, 15 in all -> 15.
	if !strings.Contains(line, ",10,") || !strings.Contains(line, ",*,") || strings.Contains(line, ",12,") || strings.Contains(line, ",3,") {
		t.Errorf("export row not suppressed: %q", line)
	}
	if !strings.Contains(r.body, "Counts of 1 to 7 are shown as *") {
		t.Error("no suppression note")
	}
	x := c.get("/staff/analysis/breakdown.xlsx?rows=theme&cols=community")
	if x.status != 200 {
		t.Fatalf("xlsx: %d", x.status)
	}
	rows := checkSheet(t, openXLSX(t, x.body), "Breakdown")
	for _, row := range rows {
		if len(row) > 2 && row[0] == "Language and interpreters" && (row[1] != "*" || row[2] != "10") {
			t.Errorf("xlsx row not suppressed: %v", row)
		}
	}
}

// TestBreakdownOfCodedPassages: the breakdown counts coded passages as
// well as experiences. Eight South Asian stories have a second stretch
// coded under "language and interpreters" (20 passages from 12 people),
// the Eastern European ones one each (3 from 3) and a stretch each under
// "transport" (3 more). The page shows the passages and their shares
// without a test; they are never downloaded; a pathway stage cannot
// count passages.
func TestBreakdownOfCodedPassages(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	for _, rc := range rcs[2:10] { // South Asian
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language-written"),
			Passage: analysis.Passage{Field: "what_happened", Start: 0, End: 2}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, rc := range []experience.Receipt{rcs[1], rcs[13], rcs[14]} { // Eastern European
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("transport"),
			Passage: analysis.Passage{Field: "what_happened", Start: 0, End: 2}}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis?rows=theme&cols=community&measure=passages")
	if r.status != 200 {
		t.Fatalf("passages: %d\n%s", r.status, e.logs.String())
	}
	row := section(t, r.body, "Language and interpreters</th>", "</tr>")
	if !strings.Contains(row, ">20 <") || !strings.Contains(row, ">3 <") || !strings.Contains(row, `<td class="num">23</td>`) {
		t.Errorf("theme row of passages: %s", row)
	}
	// 20 of South Asian's 20 passages: 100%, 12 points over the 88% (23
	// of 26) of all; 3 of Eastern European's 6: 50%, 38 points under.
	if !strings.Contains(row, "(100%, &#43;12)") || !strings.Contains(row, "(50%, -38)") {
		t.Errorf("shares of passages: %s", row)
	}
	for _, want := range []string{`<option value="passages" selected>Coded passages</option>`, "The rows count 26 coded passages",
		`<title id="chart-title">Coded passages by Theme and Community</title>`, `<th scope="row">Coded passages</th>`,
		"no row is tested for chance"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("the passages page lacks %q", want)
		}
	}
	if table := section(t, r.body, `id="breakdown-table"`, "</table>"); strings.Contains(table, "p (chi-square)") || strings.Contains(table, "▲") || strings.Contains(table, "▼") {
		t.Error("passages are tested as if independent")
	}
	// Experiences stay the default: 12 and 3 under the theme.
	if row := section(t, c.get("/staff/analysis?rows=theme&cols=community").body, "Language and interpreters</th>", "</tr>"); !strings.Contains(row, ">12 <") {
		t.Errorf("experiences: %s", row)
	}
	// By code: the whole answers and the stretches under their own codes.
	byCode := c.get("/staff/analysis?rows=code&cols=community&measure=passages").body
	if row := section(t, byCode, "Family interpreting</th>", "</tr>"); !strings.Contains(row, ">12 <") || !strings.Contains(row, ">3 <") {
		t.Errorf("code row: %s", row)
	}
	// Passages are never downloaded: a published total less the cells
	// shown would give back what the three Eastern European people said.
	// The page offers the table of experiences; a link asking for
	// passages gets the page with the reason.
	if !strings.Contains(r.body, "Coded passages stay on this screen") || strings.Contains(r.body, "breakdown.csv?measure") ||
		strings.Contains(r.body, "measure=passages") {
		t.Error("the passages page offers its figures for download")
	}
	for _, kind := range []string{"csv", "xlsx"} {
		ex := c.get("/staff/analysis/breakdown." + kind + "?rows=theme&cols=community&measure=passages")
		if ex.status != http.StatusUnprocessableEntity || !strings.Contains(ex.body, "There is a problem") ||
			!strings.Contains(ex.body, `href="#measure"`) || !strings.Contains(ex.body, "Coded passages are not downloaded") {
			t.Errorf("%s of passages: %d", kind, ex.status)
		}
	}
	// A pathway stage is the whole story's: no passages by stage.
	bad := c.get("/staff/analysis?rows=stage&cols=community&measure=passages")
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `href="#measure"`) ||
		!strings.Contains(bad.body, `<option value="stage" selected>`) || !strings.Contains(bad.body, `<option value="passages" selected>`) {
		t.Errorf("passages by stage: %d", bad.status)
	}
	// Nothing coded among the experiences kept: said so.
	addApproved(t, e, equality.Answers{Community: "black-african"}, false, "Not coded yet.")
	if r := c.get("/staff/analysis?rows=theme&cols=community&community=black-african&measure=passages"); r.status != 200 ||
		!strings.Contains(r.body, "None of these experiences has a coded passage yet") {
		t.Errorf("passages of uncoded experiences: %d", r.status)
	}
}
