package web_test

import (
	"encoding/json"
	"fmt"
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

// section is the HTML from the first occurrence of start to the next end.
func section(t *testing.T, body, start, end string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("no %q in the page", start)
	}
	s := body[i:]
	if j := strings.Index(s, end); j >= 0 {
		s = s[:j]
	}
	return s
}

// TestBreakdownComparesWithTheCensus: the analyst's page compares each
// census group's share of the experiences with its share of Luton's
// population (the demo's cited TS021 figures): 12 South Asian of 15
// experiences with a known community against the 32.8% of the
// population who are Bangladeshi, Indian or Pakistani is heard more than
// its share; no Black African or Caribbean experience is "not heard from
// yet"; White British is not compared (no community mapped).
func TestBreakdownComparesWithTheCensus(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis?rows=theme&cols=community")
	if r.status != 200 {
		t.Fatalf("breakdown: %d", r.status)
	}
	census := section(t, r.body, `data-census="ethnic_group"`, "</table>")
	asian := section(t, census, "Asian: Bangladeshi, Indian or Pakistani", "</tr>")
	// 73,869 of 225,261 = 32.8%; 12 of 15 = 80.0%; ratio 2.44.
	for _, want := range []string{"73,869", "32.8%", ">12<", "80.0%", "2.44", "244 experiences for every 100"} {
		if !strings.Contains(asian, want) {
			t.Errorf("Asian row lacks %q: %s", want, asian)
		}
	}
	for _, name := range []string{"Black: African", "Black: Caribbean"} {
		black := section(t, census, name, "</tr>")
		if !strings.Contains(black, "Not heard from yet") || !strings.Contains(black, "Too few experiences to test") || !strings.Contains(census, `<tr class="under-heard"><th scope="row">`+name) {
			t.Errorf("%s row: %s", name, black)
		}
	}
	if white := section(t, census, "<th scope=\"row\">White: English", "</tr>"); !strings.Contains(white, "Not compared") {
		t.Errorf("White row: %s", white)
	}
	if !strings.Contains(r.body, "Source: census table TS021") || !strings.Contains(r.body, "github.com/Hossam53/CensusData") {
		t.Error("the census figures are not cited on the page")
	}
	// The 3 Eastern European experiences are compared with Roma or other
	// White residents: 25,458 of 225,261 = 11.3%; 3 of 15 = 20.0%.
	if row := section(t, census, "White: Roma or other White", "</tr>"); !strings.Contains(row, "25,458") || !strings.Contains(row, "11.3%") || !strings.Contains(row, ">3<") || !strings.Contains(row, "20.0%") {
		t.Errorf("Roma or other White row: %s", row)
	}
	if !strings.Contains(r.body, "Shares are of the 15 experiences whose answer is known (0 of them from groups not matched to the census)") {
		t.Errorf("the page does not say what the shares are of: %s", section(t, r.body, "Shares are of", "</p>"))
	}
}

// TestEvidenceCensusAndStagesAreSuppressed: the stakeholders' page has
// the same comparison and the themes by pathway stage, every count
// through disclosure control: 12 -> 10, 15 -> 15, 10 of 15 = 67%.
func TestEvidenceCensusAndStagesAreSuppressed(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	c := icbClient(t, e)
	r := c.get("/staff/evidence")
	if r.status != 200 {
		t.Fatalf("evidence: %d", r.status)
	}
	asian := section(t, section(t, r.body, `data-census="ethnic_group"`, "</table>"), "Asian: Bangladeshi", "</tr>")
	for _, want := range []string{">10<", ">67%<", "2.04", "Heard more than its share"} {
		if !strings.Contains(asian, want) {
			t.Errorf("published Asian row lacks %q: %s", want, asian)
		}
	}
	if strings.Contains(asian, ">12<") || strings.Contains(asian, "80.0%") || strings.Contains(asian, "Unlikely to be chance") {
		t.Errorf("an exact figure reached a stakeholder: %s", asian)
	}
	stages := section(t, r.body, `data-evidence="stage"`, "</table>")
	row := section(t, stages, "Language and interpreters</th>", "</tr>")
	// All 15 are at the treatment stage: 15; the other stages 0.
	if !strings.Contains(stages, "Treatment") || !strings.Contains(row, ">15<") || strings.Contains(row, ">12<") {
		t.Errorf("themes by stage: %s", row)
	}
	if strings.Contains(r.body, "data-all-withheld") {
		t.Error("a table with figures is said to be all withheld")
	}
	// The breakdown export carries the same published comparison.
	analyst := e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	csv := analyst.get("/staff/analysis/breakdown.csv?rows=theme&cols=community")
	line := ""
	for _, l := range strings.Split(csv.body, "\n") {
		if strings.HasPrefix(l, `"Asian: Bangladeshi, Indian or Pakistani"`) {
			line = l
		}
	}
	if !strings.Contains(csv.body, "Census group,Population") || !strings.Contains(line, ",10,67%,2.04,") || strings.Contains(line, ",12,") {
		t.Errorf("the export's census row: %q", line)
	}
}

// TestEvidenceSaysWhenEveryFigureIsWithheld: with 3 experiences every
// cell is * and the page says why, rather than showing a wall of stars.
func TestEvidenceSaysWhenEveryFigureIsWithheld(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	for _, rc := range rcs[3:] {
		if err := e.store.WithdrawExperience(ctx, rc.Reference, rc.Secret); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/evidence")
	if !strings.Contains(r.body, "data-all-withheld") || !strings.Contains(r.body, "Every figure in this table is between 1 and 7") {
		t.Errorf("no message for an all-withheld table:\n%s", section(t, r.body, `data-evidence="community"`, "<h2"))
	}
	csv := c.get("/staff/analysis/breakdown.csv?rows=theme&cols=community")
	if !strings.Contains(csv.body, "Every figure in this table is between 1 and 7") {
		t.Errorf("the export does not say every figure is withheld:\n%s", csv.body)
	}
}

// TestEvidenceSaysWhenOnlyTotalsAreShown: cells of 3, 3 and 2 are all
// withheld while their total of 8 is published as 10; the page and the
// export say that every cell is withheld and only the totals are shown
// (not that the whole table is withheld, which would be untrue). On both
// databases, since the counts are the store's.
func TestEvidenceSaysWhenOnlyTotalsAreShown(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		codes, _ := demo.Codebook()
		if _, _, err := e.store.ImportCodes(ctx, "test", codes, true); err != nil {
			t.Fatal(err)
		}
		for community, n := range map[string]int{"south-asian": 3, "eastern-european": 3, "black-african": 2} {
			for range n {
				addCodedExperience(t, e, community, false, "No interpreter again.")
			}
		}
		c := e.client()
		c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
		r := c.get("/staff/evidence")
		table := section(t, r.body, `data-evidence="community"`, `data-evidence="stage"`)
		row := section(t, table, "Language and interpreters</th>", "</tr>")
		if !strings.Contains(row, ">10<") || strings.Count(row, ">*<") != 3 {
			t.Fatalf("expected a published total of 10 and three withheld cells: %s", row)
		}
		const only = "Every cell of this table is between 1 and 7, so all are withheld to protect privacy; only the totals are shown."
		if !strings.Contains(table, "data-all-withheld") || !strings.Contains(table, only) {
			t.Errorf("no message when every cell is withheld but a total is shown:\n%s", table)
		}
		if strings.Contains(r.body, "Every figure in this table is between 1 and 7") {
			t.Error("the page says every figure is withheld although a total is shown")
		}
		csv := c.get("/staff/analysis/breakdown.csv?rows=theme&cols=community")
		if !strings.Contains(csv.body, only) || strings.Contains(csv.body, "Every figure in this table") {
			t.Errorf("the export does not say only totals are shown:\n%s", csv.body)
		}
		if !strings.Contains(csv.body, "Language and interpreters,*,*,*,10") {
			t.Errorf("the export's row: %s", csv.body)
		}
	})
}

// TestStakeholderAskingForMoreIsToldPlainly: another organisation's view
// or one person's answers are refused with a message on the page, which
// still shows what the stakeholder may see; their own view is fine.
func TestStakeholderAskingForMoreIsToldPlainly(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	prog, _ := e.store.Programme(ctx)
	own, other := prog.Organisations[0], prog.Organisations[1]
	c := e.client()
	c.signIn(e.newStaff("icb@example.org", account.Stakeholder, own.ID))
	for _, path := range []string{"/staff/evidence?org=" + other.Slug, "/staff/evidence?org=" + other.ID} {
		r := c.get(path)
		if r.status != http.StatusForbidden || !strings.Contains(r.body, "another organisation&#39;s view is not open to you") || !strings.Contains(r.body, "Language and interpreters") {
			t.Errorf("%s: %d, refused %v", path, r.status, strings.Contains(r.body, "data-refused"))
		}
	}
	if r := c.get("/staff/evidence?org=" + own.Slug); r.status != 200 || strings.Contains(r.body, "data-refused") {
		t.Errorf("own organisation's view: %d", r.status)
	}
	r := c.get("/staff/evidence?reference=" + rcs[1].Reference)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Single experiences and anyone&#39;s own answers are never shown here") || strings.Contains(r.body, "a secret not to quote") {
		t.Errorf("one person's answers: %d", r.status)
	}
	for _, path := range []string{"/staff/analysis/code/" + rcs[1].Reference, "/staff/analysis?cols=equality.ethnic_group", "/staff/analysis/breakdown.csv"} {
		if r := c.get(path); r.status != http.StatusForbidden {
			t.Errorf("%s reached a stakeholder: %d", path, r.status)
		}
	}
}

// TestBreakdownFiltersAndTheirMistakes: a community and a pathway stage
// narrow the counts (theme x community x stage), by event is a column,
// a month the page cannot read or a range backwards comes back with an
// error summary and the choices kept, filters that match nothing say
// so, and so does an export of an empty selection.
func TestBreakdownFiltersAndTheirMistakes(t *testing.T) {
	t.Parallel()
	e, _ := evidenceEnv(t)
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis?rows=theme&cols=source&community=south-asian&stage=treatment")
	if r.status != 200 || !strings.Contains(r.body, "12 approved experiences counted") {
		t.Errorf("community and stage filter: %d %s", r.status, section(t, r.body, "<h1", "<figure"))
	}
	if !strings.Contains(r.body, `<option value="south-asian" selected>`) {
		t.Error("the community filter is not kept")
	}
	if r := c.get("/staff/analysis?rows=theme&cols=event"); r.status != 200 || !strings.Contains(r.body, `<option value="event" selected>`) {
		t.Errorf("by event: %d", r.status)
	}
	for path, want := range map[string]string{
		"/staff/analysis?from=March&to=2026-01":          `href="#from"`,
		"/staff/analysis?from=2026-05&to=2026-01":        `href="#to"`,
		"/staff/analysis?community=nowhere":              `href="#community"`,
		"/staff/analysis/breakdown.csv?from=2026-13":     `href="#from"`,
		"/staff/analysis/breakdown.xlsx?stage=%3Cscript": `href="#stage"`,
	} {
		r := c.get(path)
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "There is a problem") || !strings.Contains(r.body, want) {
			t.Errorf("%s: %d, no error summary linking %s", path, r.status, want)
		}
		if strings.Contains(path, "March") && !strings.Contains(r.body, `value="March"`) {
			t.Errorf("%s: the month typed is not kept", path)
		}
	}
	r = c.get("/staff/analysis?stage=end-of-life")
	if r.status != 200 || !strings.Contains(r.body, "No experience matches these filters") {
		t.Errorf("filters matching nothing: %d", r.status)
	}
	csv := c.get("/staff/analysis/breakdown.csv?stage=end-of-life")
	if csv.status != 200 || !strings.Contains(csv.body, "No experience matches these filters") || !strings.Contains(csv.body, "Pathway stage: End of life care") {
		t.Errorf("export of an empty selection: %d\n%s", csv.status, csv.body)
	}
	// The page shows no census comparison then, nor does the export.
	if strings.Contains(r.body, "data-census") || strings.Contains(csv.body, "Census group") {
		t.Errorf("a census comparison of nothing: page %v, export %v", strings.Contains(r.body, "data-census"), strings.Contains(csv.body, "Census group"))
	}
	if f := openXLSX(t, c.get("/staff/analysis/breakdown.xlsx?stage=end-of-life").body); strings.Join(f.GetSheetList(), ",") != "Breakdown" {
		t.Errorf("sheets of an empty selection's workbook: %v", f.GetSheetList())
	}
	if r := c.get("/staff/analysis?rows=theme&cols=equality.religion"); !strings.Contains(r.body, "None of these experiences has an answer for the column chosen") {
		t.Error("a column nobody answered is not explained")
	}
}

// TestBreakdownShowsCoOccurrence: themes named together in one
// experience are listed with their count, share and expected count.
func TestBreakdownShowsCoOccurrence(t *testing.T) {
	t.Parallel()
	e, rcs := evidenceEnv(t)
	for _, rc := range rcs[:9] {
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("waiting"),
			Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis")
	pairs := section(t, r.body, "data-pairs", "</table>")
	row := section(t, pairs, "<tr><th scope=\"row\">", "</tr>")
	// Waiting comes first in the codebook; all 9 of its experiences also
	// name language and interpreters.
	if !strings.Contains(row, ">Waiting<") || !strings.Contains(row, "Language and interpreters") || !strings.Contains(row, ">9") || !strings.Contains(row, "100%") {
		t.Errorf("pair row: %s", row)
	}
	if !strings.Contains(pairs, "<caption>") || !strings.Contains(pairs, `scope="col"`) {
		t.Error("the pairs table has no caption or column headers")
	}
}

// TestCensusThatDoesNotAddUpIsRefusedOnImport: an administrator's file
// whose census table does not come to its total changes nothing and
// says by how much, and where to check.
func TestCensusThatDoesNotAddUpIsRefusedOnImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	admin := e.client()
	admin.signIn(e.newStaff("admin@example.org", account.Admin, ""))
	cfg := demo.Luton()
	cfg.Census.Tables[0].Categories[0].Population += 100
	b, _ := json.Marshal(cfg)
	r := admin.upload("/staff/programme/import", "file", "p.json", b)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "does not add up: its categories come to 225361 but its total is 225261") {
		t.Fatalf("a census that does not add up: %d\n%s", r.status, section(t, r.body, "<main", "</main>"))
	}
	if got, _ := e.store.Programme(ctx); got.Census.Tables[0].Categories[0].Population != 73869 {
		t.Error("the refused file changed the census")
	}
	// The programme page lists the census as configured, cited, in the
	// page's language.
	page := admin.get("/staff/programme?lang=pl")
	for _, want := range []string{"Dane ze spisu", "Tabela TS021 dla: Luton (local authority E06000032). Łącznie 225261 osób.", "Azjaci: pochodzenie bangladeskie, indyjskie lub pakistańskie: 73869", "<code>south-asian</code>", "github.com/Hossam53/CensusData",
		"Tabela TS024 dla: Luton (local authority E06000032). Łącznie 215747 osób.", "Polski: 7823"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("the programme page lacks %q", want)
		}
	}
}

// TestWithdrawnStoryLeavesEveryCountQuoteAndExport, on both databases:
// 13 South Asian stories, one quoted; its teller withdraws and it leaves
// the analyst's counts (13 -> 12), the stakeholders' counts and census
// comparison (15 -> 10 once published), the quotes, and the breakdown
// export.
func TestWithdrawnStoryLeavesEveryCountQuoteAndExport(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		rcs := seedEvidence(t, e)
		rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "carer",
			Stages: []string{"treatment"}, WhatHappened: "One more time without an interpreter.", Equality: equality.Answers{Community: "south-asian"},
			Consent: experience.Consent{Version: "t", Evidence: true}, Source: experience.SourceOnline}, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.AddCoding(ctx, "coder", store.NewCoding{ExperienceID: rc.ID, CodeID: demo.CodeID("language-family-interpreting"),
			Passage: analysis.Passage{Field: "what_happened", Whole: true}}); err != nil {
			t.Fatal(err)
		}
		analyst, icb := e.client(), icbClient(t, e)
		analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
		look := func(want map[string]string, quoted bool) {
			t.Helper()
			page := analyst.get("/staff/analysis?rows=theme&cols=community")
			if row := section(t, page.body, "Language and interpreters</th>", "</tr>"); !strings.Contains(row, want["analyst"]) {
				t.Errorf("analyst's row lacks %s: %s", want["analyst"], row)
			}
			ev := icb.get("/staff/evidence")
			if row := section(t, section(t, ev.body, `data-evidence="community"`, "</table>"), "Language and interpreters</th>", "</tr>"); !strings.Contains(row, want["published"]) {
				t.Errorf("stakeholders' row lacks %s: %s", want["published"], row)
			}
			if row := section(t, section(t, ev.body, `data-census="ethnic_group"`, "</table>"), "Asian: Bangladeshi", "</tr>"); !strings.Contains(row, want["published"]) {
				t.Errorf("stakeholders' census row lacks %s: %s", want["published"], row)
			}
			if got := strings.Contains(ev.body, "My daughter had to translate"); got != quoted {
				t.Errorf("quote shown %v, want %v", got, quoted)
			}
			csv := analyst.get("/staff/analysis/breakdown.csv?rows=theme&cols=community")
			line := ""
			for _, l := range strings.Split(csv.body, "\n") {
				if strings.HasPrefix(l, "Language and interpreters,") {
					line = l
				}
			}
			if !strings.Contains(line, ","+strings.Trim(want["published"], "><")+",") {
				t.Errorf("export row lacks %s: %q", want["published"], line)
			}
		}
		look(map[string]string{"analyst": ">13 <", "published": ">15<"}, true)
		if err := e.store.WithdrawExperience(ctx, rcs[0].Reference, rcs[0].Secret); err != nil {
			t.Fatal(err)
		}
		look(map[string]string{"analyst": ">12 <", "published": ">10<"}, false)
	})
}

// TestMainLanguageComparedWithTheCensus: the demo's main-language table
// (Luton's TS024 figures) is compared through the people's answers to
// the main language question: 6 of 8 answers Polish against the 3.6% of
// Luton's residents aged 3 and over whose main language is Polish is
// heard more than its share; English (76.9%) is under-heard; "prefer not
// to say" is left out.
func TestMainLanguageComparedWithTheCensus(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i, lang := range []string{"pl", "pl", "pl", "pl", "pl", "pl", "en", "en", "prefer-not-to-say"} {
		rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "carer",
			WhatHappened: fmt.Sprintf("Story %d.", i), Equality: equality.Answers{MainLanguage: lang},
			Consent: experience.Consent{Version: "t", Evidence: true}, Source: experience.SourceOnline}, experience.Contact{})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.DecideExperience(ctx, "test", rc.ID, experience.StatusApproved, ""); err != nil {
			t.Fatal(err)
		}
	}
	c := e.client()
	c.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	r := c.get("/staff/analysis")
	table := section(t, r.body, `data-census="main_language"`, "</table>")
	if polish := section(t, table, "<th scope=\"row\">Polish", "</tr>"); !strings.Contains(polish, ">6<") || !strings.Contains(polish, "75.0%") || !strings.Contains(polish, "20.68") || !strings.Contains(polish, "Heard more than its share") {
		t.Errorf("Polish row: %s", polish)
	}
	if english := section(t, table, "<th scope=\"row\">English", "</tr>"); !strings.Contains(english, "Under-heard: 32 experiences for every 100") {
		t.Errorf("English row: %s", english)
	}
	if !strings.Contains(r.body, "main language (census table TS024)") || !strings.Contains(r.body, "Shares are of the 8 experiences whose answer is known (0 of them from groups not matched to the census); 1 without an answer are left out.") {
		t.Error("the main-language comparison's heading or basis is missing")
	}
}
