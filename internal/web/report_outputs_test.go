package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/xuri/excelize/v2"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/accountability"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/tabular"
)

// TestReportOpenData: the public report as JSON, CSV, XLSX and Atom. The
// JSON validates against the OpenAPI description the site serves (itself
// a valid OpenAPI document); every format carries the published
// recommendation, the organisation's answer, its commitment and its
// public update, but never a quote's words, an update waiting for review,
// or a connector's question; a formula in an organisation's words is
// neutralised in the spreadsheets and markup is escaped in the feed. On
// both databases.
//
// Every format is offered in every programme language (?lang=): the
// words come from their translations where there is one (marked
// translated, with its date) and fall back to English (marked fallback)
// where not; each recommendation carries how the community ranked it
// (online and at listening events) only as disclosure control publishes
// it: 9 residents ranking online read "10", an event with 4 people is
// withheld. The Polish JSON is checked against the description too, and
// the CSV and XLSX files are read back column by column.
func TestReportOpenData(t *testing.T) {
	t.Parallel()
	eachEnv(t, testReportOpenData)
}

func testReportOpenData(t *testing.T, e *env) {
	seedEvidence(t, e)
	q := consentedQuote(t, e)
	analyst, admin := e.client(), e.client()
	analyst.signIn(e.newStaff("analyst@example.org", account.Analyst, ""))
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	ref := publishRanked(t, e, analyst, admin, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
		"organisations": {"blmk-icb"}, "themes": {demo.CodeID("language")}, "quotes": {q.CodingID},
		"title-pl": {"Tłumacze na każdą wizytę"}, "text-pl": {"Zamawiajcie tłumacza."}})
	icb := e.client()
	icb.signIn(e.newStaff("icb@example.org", account.Stakeholder, orgID(t, e, "blmk-icb")))
	recPage := "/staff/commitments/r/" + ref
	if r := icb.post(recPage+"/response", url.Values{"decision": {"accepted"}, "reasons": {"We agree."}}); r.status != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", r.status, r.body)
	}
	due := time.Now().AddDate(0, 3, 0).Format(time.DateOnly)
	if r := icb.post(recPage+"/commitments", url.Values{"commitment": {"We will book an interpreter with every appointment."}, "owner": {"Head of Patient Experience"}, "due": {due}}); r.status != http.StatusSeeOther {
		t.Fatalf("commitment: %d\n%s", r.status, r.body)
	}
	c1 := ref + ".1"
	day := time.Now().Format(time.DateOnly)
	public := url.Values{"date": {day}, "status": {"in-progress"}, "progress": {"30"}, "text": {"=HYPERLINK(\"http://x\") <b>Booking system</b> chosen."}}
	if r := icb.post("/staff/commitments/c/"+c1+"/updates", public); r.status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", r.status, r.body)
	}
	pending := url.Values{"date": {day}, "status": {"in-progress"}, "progress": {"40"}, "text": {"Forms changed."}, "claim": {"made"},
		"what-changed": {"Unreviewed claim about the booking form."}}
	if r := icb.post("/staff/commitments/c/"+c1+"/updates", pending); r.status != http.StatusSeeOther {
		t.Fatalf("claimed change: %d\n%s", r.status, r.body)
	}
	// A connector translates the commitment into Polish (not the update).
	rep, err := e.store.Report(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Commitments {
		if c.Reference == c1 {
			if err := e.store.SaveWordsTranslation(ctx, "connector-1", accountability.SubjectCommitment, c.ID,
				accountability.TextTranslation{Lang: "pl", Words: accountability.Words{Text: "Zamówimy tłumacza na każdą wizytę."}, Source: c.Words().Source()}); err != nil {
				t.Fatal(err)
			}
		}
	}

	reader := e.client()
	if r := reader.get("/report"); !strings.Contains(r.body, `href="/report/data.json"`) || !strings.Contains(r.body, `href="/report/updates.atom"`) {
		t.Error("the report does not link to its data")
	}
	quote := q.Words
	if quote == "" {
		t.Fatal("the consented quote has no words")
	}
	if r := reader.get("/report/" + ref); !strings.Contains(r.body, quote) {
		t.Fatal("positive control: the quote is not on the recommendation's page")
	}
	never := []string{quote, "Unreviewed claim", "icb@example.org"}

	// JSON, checked against the OpenAPI description.
	spec := reader.get("/report/openapi.json")
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData([]byte(spec.body))
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	data := reader.get("/report/data.json")
	if data.status != 200 || data.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("data.json: %d %v", data.status, data.header)
	}
	if len(doc.Servers) != 1 || !strings.HasPrefix(doc.Servers[0].URL, "http") {
		t.Fatalf("the description does not name this site as its server: %v", doc.Servers)
	}
	req, _ := http.NewRequest("GET", doc.Servers[0].URL+"/report/data.json", nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("no route in the description for /report/data.json: %v", err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: data.status, Header: data.header,
		Body: io.NopCloser(strings.NewReader(data.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("data.json does not match its OpenAPI description: %v", err)
	}
	// In Polish (a reader of its own: ?lang= is remembered in a cookie):
	// the request with its lang parameter and the answer both match the
	// description.
	polish := e.client()
	dataPL := polish.get("/report/data.json?lang=pl")
	reqPL, _ := http.NewRequest("GET", doc.Servers[0].URL+"/report/data.json?lang=pl", nil)
	routePL, paramsPL, err := router.FindRoute(reqPL)
	if err != nil {
		t.Fatal(err)
	}
	inPL := &openapi3filter.RequestValidationInput{Request: reqPL, PathParams: paramsPL, Route: routePL}
	if err := openapi3filter.ValidateRequest(context.Background(), inPL); err != nil {
		t.Fatalf("?lang=pl is not a request the description allows: %v", err)
	}
	outPL := &openapi3filter.ResponseValidationInput{RequestValidationInput: inPL, Status: dataPL.status, Header: dataPL.header,
		Body: io.NopCloser(strings.NewReader(dataPL.body)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), outPL); err != nil {
		t.Fatalf("data.json?lang=pl does not match its OpenAPI description: %v", err)
	}
	// The description holds the new fields to their form: a raw count of
	// people where a published one belongs fails the check.
	rawCount := strings.Replace(dataPL.body, `"people_online": "10"`, `"people_online": "9"`, 1)
	if rawCount == dataPL.body {
		t.Fatal("positive control: no people_online in the Polish data")
	}
	outPL.Body = io.NopCloser(strings.NewReader(rawCount))
	if err := openapi3filter.ValidateResponse(context.Background(), outPL); err == nil {
		t.Error("a raw count of people passes the description's check")
	}
	checkOpenDataLanguages(t, data.body, dataPL.body, ref, c1)
	// The description is strict (no extra properties): a field it does
	// not describe fails the check.
	bad := strings.Replace(data.body, `"programme":`, `"unexpected": 1, "programme":`, 1)
	out.Body = io.NopCloser(strings.NewReader(bad))
	if err := openapi3filter.ValidateResponse(context.Background(), out); err == nil {
		t.Error("a field the description does not name passes the check")
	}
	for _, want := range []string{`"reference": "` + ref + `"`, `"decision": "accepted"`, `"reference": "` + c1 + `"`, "Booking system", `"Tłumacze na każdą wizytę"`, `"quotes_held": 1`} {
		if !strings.Contains(data.body, want) {
			t.Errorf("data.json lacks %s", want)
		}
	}

	// CSV and XLSX.
	csvFiles := map[string]string{}
	for _, name := range []string{"recommendations", "commitments", "updates"} {
		r := reader.get("/report/" + name + ".csv")
		if r.status != 200 || !strings.HasPrefix(r.body, tabular.BOM) || !strings.Contains(r.header.Get("Content-Disposition"), ".csv") {
			t.Errorf("%s.csv: %d", name, r.status)
		}
		csvFiles[name] = r.body
	}
	if !strings.Contains(csvFiles["recommendations"], ref) || !strings.Contains(csvFiles["commitments"], "We will book an interpreter") {
		t.Error("the CSV files lack the recommendation or the commitment")
	}
	if !strings.Contains(csvFiles["updates"], "'=HYPERLINK") || strings.Contains(csvFiles["updates"], ",=HYPERLINK") {
		t.Error("a formula in an update is not neutralised in the CSV")
	}
	x := reader.get("/report/report.xlsx")
	book, err := excelize.OpenReader(bytes.NewReader([]byte(x.body)))
	if err != nil {
		t.Fatalf("report.xlsx: %v", err)
	}
	if got := book.GetSheetList(); strings.Join(got, ",") != "Recommendations,Commitments,Updates" {
		t.Errorf("sheets: %v", got)
	}
	rows, _ := book.GetRows("Commitments")
	if len(rows) != 2 || rows[1][0] != c1 || rows[1][9] != "30" {
		t.Errorf("the commitments sheet: %v", rows)
	}
	cell, _ := book.GetCellValue("Updates", "F2")
	if !strings.HasPrefix(cell, "'=") {
		t.Errorf("a formula in the updates sheet is not neutralised: %q", cell)
	}
	book.Close()
	checkTablesInPolish(t, e.client(), ref, c1)

	// Atom.
	feed := reader.get("/report/updates.atom")
	var atom struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Entries []struct {
			ID   string `xml:"id"`
			Link struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(feed.body), &atom); err != nil {
		t.Fatalf("updates.atom is not an Atom feed: %v\n%s", err, feed.body)
	}
	if len(atom.Entries) != 1 || !strings.HasSuffix(atom.Entries[0].Link.Href, "/report/commitments/"+c1) {
		t.Fatalf("feed entries: %+v", atom.Entries)
	}
	if c := atom.Entries[0].Content; !strings.Contains(c, "&lt;b&gt;Booking system") || strings.Contains(c, "<b>") {
		t.Errorf("markup in an update reaches a feed reader unescaped: %q", c)
	}
	again := reader.get("/report/updates.atom")
	if !strings.Contains(again.body, atom.Entries[0].ID) {
		t.Error("an entry's id changes between reads")
	}

	for name, body := range map[string]string{"data.json": data.body, "updates.atom": feed.body, "recommendations.csv": csvFiles["recommendations"],
		"commitments.csv": csvFiles["commitments"], "updates.csv": csvFiles["updates"]} {
		for _, s := range never {
			if strings.Contains(body, s) {
				t.Errorf("%s carries %q", name, s)
			}
		}
	}
}

// publishRanked drafts a recommendation, opens it for community review,
// has nine residents rank it online (first of one) and two listening
// events vote on it (twelve people ranking it first; four giving it
// three dots: too few to show), closes the review and publishes it.
func publishRanked(t *testing.T, e *env, analyst, admin *client, form url.Values) string {
	t.Helper()
	page := draftRecommendation(t, analyst, form)
	id := strings.TrimPrefix(page, "/staff/recommendations/")
	if r := analyst.post(page+"/review/open", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("open the review: %d\n%s", r.status, r.body)
	}
	for i := range 9 {
		if err := e.store.SaveBallot(ctx, fmt.Sprintf("browser-%d", i), accountability.Ballot{Lang: "pl", Places: map[string]int{id: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	for _, ev := range []accountability.EventResult{
		{Place: "Luton Central Library", Community: "eastern-european", Method: accountability.MethodRanks, HeldOn: day, Participants: 12, Values: map[string]int{id: 1}},
		{Place: "Bury Park Community Centre", Community: "south-asian", Method: accountability.MethodDots, HeldOn: day, Participants: 4, Values: map[string]int{id: 3}},
	} {
		if _, err := e.store.RecordEventResult(ctx, "test", ev); err != nil {
			t.Fatal(err)
		}
	}
	if r := analyst.post(page+"/review/close", url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("close the review: %d\n%s", r.status, r.body)
	}
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

// openDataRead is the part of data.json the language and ranking checks
// read.
type openDataRead struct {
	Language        string `json:"language"`
	Recommendations []struct {
		Reference, Title string
		Fallback         bool
		Translations     map[string]struct{ Title string }
		Community        openCommunityRead
	}
	Responses []struct {
		Reasons              string
		Translated, Fallback bool
	}
	Commitments []struct {
		Reference, Text      string
		Translated, Fallback bool
		TranslatedOn         string `json:"translated_on"`
	}
	Updates []struct {
		Text                 string
		Translated, Fallback bool
	}
}

type openCommunityRead struct {
	RankedOnline bool   `json:"ranked_online"`
	PeopleOnline string `json:"people_online"`
	FirstChoice  string `json:"first_choice"`
	MeanPlace    string `json:"mean_place"`
	Of           int    `json:"of"`
	Events       []struct {
		Place, Method, People, Value string
		Withheld                     bool
		Of                           int
	}
}

// checkOpenDataLanguages checks the English and Polish data.json: the
// words and their marks, and the community's ranking as published.
func checkOpenDataLanguages(t *testing.T, en, pl, ref, c1 string) {
	t.Helper()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	var de, dp openDataRead
	if err = json.Unmarshal([]byte(en), &de); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(pl), &dp); err != nil {
		t.Fatal(err)
	}
	if de.Language != "en" || dp.Language != "pl" {
		t.Fatalf("languages: %q, %q", de.Language, dp.Language)
	}
	if len(de.Recommendations) != 1 || len(dp.Recommendations) != 1 || len(dp.Commitments) != 1 || len(dp.Updates) != 1 || len(dp.Responses) != 1 {
		t.Fatalf("records: %+v", dp)
	}
	re, rp := de.Recommendations[0], dp.Recommendations[0]
	if re.Title != "Interpreters for every appointment" || re.Fallback || rp.Title != "Tłumacze na każdą wizytę" || rp.Fallback ||
		rp.Translations["en"].Title != "Interpreters for every appointment" || rp.Translations["pl"].Title != "Tłumacze na każdą wizytę" {
		t.Errorf("the recommendation's words: en %+v, pl %+v", re, rp)
	}
	ce, cp := de.Commitments[0], dp.Commitments[0]
	if ce.Text != "We will book an interpreter with every appointment." || ce.Translated || ce.Fallback {
		t.Errorf("the English commitment: %+v", ce)
	}
	if cp.Text != "Zamówimy tłumacza na każdą wizytę." || !cp.Translated || cp.Fallback || cp.TranslatedOn != time.Now().In(london).Format(time.DateOnly) {
		t.Errorf("the Polish commitment (translated): %+v", cp)
	}
	if u := dp.Updates[0]; !strings.Contains(u.Text, "Booking system") || u.Translated || !u.Fallback {
		t.Errorf("the Polish update (not translated: English, marked): %+v", u)
	}
	if u := de.Updates[0]; u.Translated || u.Fallback {
		t.Errorf("the English update is marked: %+v", u)
	}
	if a := dp.Responses[0]; a.Reasons != "We agree." || !a.Fallback || a.Translated {
		t.Errorf("the Polish response (not translated): %+v", a)
	}
	for lang, c := range map[string]openCommunityRead{"en": re.Community, "pl": rp.Community} {
		// Nine residents online: published as 10; their mean place is shown
		// (more than seven people).
		if !c.RankedOnline || c.PeopleOnline != "10" || c.FirstChoice != "10" || c.MeanPlace != "1.0" || c.Of != 1 {
			t.Errorf("[%s] the online ranking: %+v", lang, c)
		}
		if len(c.Events) != 2 {
			t.Fatalf("[%s] events: %+v", lang, c.Events)
		}
		for _, ev := range c.Events {
			switch ev.Place {
			case "Luton Central Library": // twelve people: 10, its result shown
				if ev.People != "10" || ev.Withheld || ev.Value != "1" || ev.Method != "ranks" {
					t.Errorf("[%s] the library's result: %+v", lang, ev)
				}
			case "Bury Park Community Centre": // four people: withheld
				if ev.People != "*" || !ev.Withheld || ev.Value != "" {
					t.Errorf("[%s] a result from four people is not withheld: %+v", lang, ev)
				}
			default:
				t.Errorf("[%s] event %+v", lang, ev)
			}
		}
	}
	for _, raw := range []string{`"9"`, `"12"`, `"4"`, `: 9,`, `: 12,`, `: 4,`} {
		if strings.Contains(en, raw) || strings.Contains(pl, raw) {
			t.Errorf("data.json carries a raw count of people (%s)", raw)
		}
	}
}

// readCSV reads one CSV file of the report into rows keyed by column
// name (after its header).
func readCSV(t *testing.T, body string) []map[string]string {
	t.Helper()
	if !strings.HasPrefix(body, tabular.BOM) {
		t.Fatal("no byte order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, tabular.BOM))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return byHeader(t, rows)
}

func byHeader(t *testing.T, rows [][]string) []map[string]string {
	t.Helper()
	if len(rows) < 2 {
		t.Fatalf("no data rows: %v", rows)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// checkTablesInPolish reads back the CSV files and the workbook in
// Polish: the words and their marks, and the community's ranking as
// published.
func checkTablesInPolish(t *testing.T, c *client, ref, c1 string) {
	t.Helper()
	want := func(what string, row map[string]string, pairs ...string) {
		t.Helper()
		for i := 0; i < len(pairs); i += 2 {
			if got, ok := row[pairs[i]]; !ok || got != pairs[i+1] {
				t.Errorf("%s: %s is %q (present %v), want %q", what, pairs[i], got, ok, pairs[i+1])
			}
		}
	}
	recWant := []string{"reference", ref, "title", "Tłumacze na każdą wizytę", "language", "pl", "fallback", "no", "community_ranked_online", "yes",
		"community_people_online", "10", "community_first_choice", "10", "community_mean_place", "1.0", "community_of", "1"}
	recs := readCSV(t, c.get("/report/recommendations.csv?lang=pl").body)
	want("recommendations.csv", recs[0], recWant...)
	if ev := recs[0]["community_events"]; !strings.Contains(ev, "Luton Central Library (eastern-european, ") || !strings.Contains(ev, "place 1 of 1, people 10") ||
		!strings.Contains(ev, "Bury Park Community Centre (south-asian, ") || !strings.Contains(ev, "withheld, people *") {
		t.Errorf("recommendations.csv community_events: %q", ev)
	}
	commitments := readCSV(t, c.get("/report/commitments.csv?lang=pl").body)
	want("commitments.csv", commitments[0], "reference", c1, "text", "Zamówimy tłumacza na każdą wizytę.", "language", "pl", "translated", "yes", "fallback", "no")
	updates := readCSV(t, c.get("/report/updates.csv?lang=pl").body)
	want("updates.csv", updates[0], "commitment", c1, "language", "pl", "translated", "no", "fallback", "yes")

	x := c.get("/report/report.xlsx?lang=pl")
	book, err := excelize.OpenReader(bytes.NewReader([]byte(x.body)))
	if err != nil {
		t.Fatalf("report.xlsx?lang=pl: %v", err)
	}
	defer book.Close()
	sheets := map[string][]map[string]string{}
	for _, name := range []string{"Recommendations", "Commitments", "Updates"} {
		rows, err := book.GetRows(name)
		if err != nil {
			t.Fatal(err)
		}
		sheets[name] = byHeader(t, rows)
	}
	want("report.xlsx Recommendations", sheets["Recommendations"][0], recWant...)
	want("report.xlsx Commitments", sheets["Commitments"][0], "text", "Zamówimy tłumacza na każdą wizytę.", "translated", "yes", "fallback", "no")
	want("report.xlsx Updates", sheets["Updates"][0], "translated", "no", "fallback", "yes")
}
