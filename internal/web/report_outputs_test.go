package web_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/xuri/excelize/v2"

	"github.com/hearme-project/hearme/internal/account"
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
	ref := publishThrough(t, analyst, admin, url.Values{"title": {"Interpreters for every appointment"}, "text": {"Book a professional interpreter."},
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
