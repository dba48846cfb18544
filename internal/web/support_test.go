package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/support"
)

func addService(t *testing.T, e *env, s support.Service) string {
	t.Helper()
	if errs := s.Validate(support.Allowed{Stages: []string{"end-of-life", "screening"}, Communities: []string{"black-african"}}); len(errs) > 0 {
		t.Fatalf("test service %q invalid: %+v", s.Name, errs)
	}
	id, err := e.store.CreateSupportService(ctx, "test", s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func svc(name string, langs, needs []string, website string) support.Service {
	return support.Service{Name: name, Organisation: "Org", Summary: "Summary of " + name, Needs: needs, Area: "local",
		Languages: langs, Phone: "01632 960000", Website: website}
}

var supportKey = regexp.MustCompile(`\bsupport\.[a-z_]+(\.[a-z_-]+)?\b`)

func TestSupportDirectoryInEveryLanguage(t *testing.T) {
	t.Parallel()
	eachEnv(t, testSupportDirectoryInEveryLanguage)
}

func testSupportDirectoryInEveryLanguage(t *testing.T, e *env) {
	somali := svc("Somali circle", []string{"so"}, []string{"emotional"}, "https://example.org/so")
	somali.Summaries = map[string]string{"so": "Taageero shucuureed oo Soomaali ah"}
	soID := addService(t, e, somali)
	addService(t, e, svc("Polish drop-in", []string{"pl"}, []string{"information"}, ""))
	c := e.client()
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		r := c.get("/support?lang=" + lang + "&need=emotional&language=so&q=circle&area=local")
		if r.status != http.StatusOK {
			t.Fatalf("%s: status %d", lang, r.status)
		}
		text := regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(r.body, " ")
		if m := supportKey.FindString(text); m != "" {
			t.Errorf("%s: untranslated key %q", lang, m)
		}
		assertTranslated(t, "/support in "+lang, r.body)
		if !strings.Contains(r.body, "Somali circle") || strings.Contains(r.body, "Polish drop-in") {
			t.Errorf("%s: filtered results wrong", lang)
		}
		if lang == "so" && !strings.Contains(r.body, "Taageero shucuureed") {
			t.Errorf("the Somali page does not show the Somali summary")
		}
		if !strings.Contains(r.body, `href="tel:01632960000"`) || !strings.Contains(r.body, `/support/go/`+soID+`?from=directory`) {
			t.Errorf("%s: no phone link or counted website link", lang)
		}
	}
	// Filters that are not choices are ignored, not errors.
	if r := c.get("/support?need=%3Cscript%3E&language=xx&page=-4&q=" + strings.Repeat("a", 5000)); r.status != http.StatusOK || strings.Contains(r.body, "<script>") {
		t.Fatalf("hostile filters: %d", r.status)
	}
	if r := c.get("/support/service/" + soID); r.status != http.StatusOK || !strings.Contains(r.body, "Somali circle") {
		t.Fatalf("service page: %d", r.status)
	}
	if r := c.get("/support/service/nope"); r.status != http.StatusNotFound {
		t.Fatalf("missing service page: %d", r.status)
	}
	if err := e.web.FlushSupportCounts(ctx); err != nil {
		t.Fatal(err)
	}
	rows, _ := e.store.SignpostReport(ctx, "2000-01")
	if len(rows) != 1 || rows[0].ServiceID != soID || rows[0].Place != "directory" || rows[0].Shown < 6 {
		t.Fatalf("directory views not counted: %+v", rows)
	}
}

func TestSupportGoHasNoOpenRedirect(t *testing.T) {
	t.Parallel()
	eachEnv(t, testSupportGoHasNoOpenRedirect)
}

func testSupportGoHasNoOpenRedirect(t *testing.T, e *env) {
	withSite := addService(t, e, svc("With site", []string{"en"}, []string{"emotional"}, "https://example.org/help"))
	noSite := addService(t, e, svc("No site", []string{"en"}, []string{"emotional"}, ""))
	// Stored without validation, as a corrupted row would be.
	bad := svc("Bad site", []string{"en"}, []string{"emotional"}, "")
	bad.Website = "//evil.example/"
	badID, _ := e.store.CreateSupportService(ctx, "test", bad)
	c := e.client()
	for _, tc := range []struct{ path, want string }{
		{"/support/go/" + withSite + "?from=experience", "https://example.org/help"},
		{"/support/go/" + withSite + "?from=https://evil.example/&next=https://evil.example/", "https://example.org/help"},
		{"/support/go/" + noSite, "/support/service/" + noSite},
		{"/support/go/" + badID, "/support/service/" + badID},
	} {
		r := c.get(tc.path)
		if r.status != http.StatusSeeOther || r.location != tc.want {
			t.Errorf("%s: %d to %q, want %q", tc.path, r.status, r.location, tc.want)
		}
	}
	if r := c.get("/support/go/https:%2F%2Fevil.example"); r.status != http.StatusNotFound {
		t.Errorf("unknown id: %d %s", r.status, r.location)
	}
	e.web.FlushSupportCounts(ctx)
	rows, _ := e.store.SignpostReport(ctx, "2000-01")
	opened := map[string]int{}
	for _, r := range rows {
		opened[r.ServiceID+"/"+r.Place] += r.Opened
	}
	if opened[withSite+"/experience"] != 1 || opened[withSite+"/directory"] != 1 || opened[noSite+"/directory"] != 1 {
		t.Errorf("opened counts: %v", opened)
	}
	if strings.Contains(e.logs.String(), "evil") {
		t.Errorf("the request's query reached the log")
	}
}

func TestShareDoneOffersSupportInThePageLanguage(t *testing.T) {
	t.Parallel()
	eachEnv(t, testShareDoneOffersSupportInThePageLanguage)
}

func testShareDoneOffersSupportInThePageLanguage(t *testing.T, e *env) {
	addService(t, e, svc("National line", []string{"en"}, []string{"emotional"}, "https://example.org/n"))
	so := svc("Somali circle", []string{"so"}, []string{"peer"}, "https://example.org/so")
	so.Summaries = map[string]string{"so": "Koox Soomaali ah"}
	addService(t, e, so)
	r := e.client().get("/share/done?lang=so")
	if r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	first := strings.Index(r.body, "Somali circle")
	if first < 0 || first > strings.Index(r.body, "National line") || !strings.Contains(r.body, "Koox Soomaali ah") {
		t.Fatalf("Somali support is not offered first on the Somali done page")
	}
	if !strings.Contains(r.body, `href="/support?language=so"`) || !strings.Contains(r.body, "?from=experience") {
		t.Errorf("no filtered 'more support' link or counted open links")
	}
	e.web.FlushSupportCounts(ctx)
	rows, _ := e.store.SignpostReport(ctx, "2000-01")
	if len(rows) != 2 || rows[0].Place != "experience" || rows[0].Shown != 1 {
		t.Fatalf("offer not counted as shown: %+v", rows)
	}
}

func multipartPost(c *client, path, filename, content string) resp {
	c.e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if filename != "" {
		fw, _ := w.CreateFormFile("file", filename)
		fw.Write([]byte(content))
	}
	w.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.do(req)
}

func TestStaffSupport(t *testing.T) { t.Parallel(); eachEnv(t, testStaffSupport) }

func testStaffSupport(t *testing.T, e *env) {
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)

	// A form with mistakes comes back with every answer kept.
	r := c.post("/staff/support", url.Values{"name": {"Somali circle"}, "organisation": {""}, "summary": {"Talk in Somali"},
		"needs": {"emotional"}, "area": {"local"}, "languages": {"so"}, "languages_other": {"Pa, x1"}, "phone": {"call me"},
		"website": {"javascript:alert(1)"}, "hours": {"Wednesdays"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "There is a problem") {
		t.Fatalf("bad form: %d", r.status)
	}
	for _, kept := range []string{`value="Somali circle"`, "Talk in Somali", `value="Wednesdays"`, `value="call me"`, `value="javascript:alert(1)"`} {
		if !strings.Contains(r.body, kept) {
			t.Errorf("answer not kept: %s", kept)
		}
	}
	for _, field := range []string{"#organisation", "#languages_other", "#phone", "#website"} {
		if !strings.Contains(r.body, `href="`+field+`"`) {
			t.Errorf("error summary has no link to %s", field)
		}
	}
	if !regexp.MustCompile(`value="emotional" id="needs" checked`).MatchString(r.body) {
		t.Errorf("ticked need not kept")
	}
	// Fixed, it is saved.
	r = c.post("/staff/support", url.Values{"name": {"Somali circle"}, "organisation": {"Org"}, "summary": {"Talk in Somali"},
		"needs": {"emotional", "peer"}, "area": {"local"}, "languages": {"so"}, "languages_other": {"pa"}, "phone": {"+44 1632 960000"},
		"hours": {"=HYPERLINK(\"http://evil\")"}, "summary_so": {"Koox"}})
	if r.status != http.StatusSeeOther || r.location != "/staff/support" {
		t.Fatalf("good form: %d %s\n%s", r.status, r.location, r.body)
	}
	list, _, _ := e.store.SearchSupport(ctx, support.Filter{})
	if len(list) != 1 || list[0].Summaries["so"] != "Koox" || strings.Join(list[0].Languages, ",") != "pa,so" {
		t.Fatalf("saved: %+v", list)
	}
	id := list[0].ID
	r = c.get("/staff/support?unchecked=1")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Somali circle") {
		t.Fatalf("unchecked list: %d", r.status)
	}
	if r = c.post("/staff/support/"+id+"/checked", nil); r.status != http.StatusSeeOther {
		t.Fatalf("mark checked: %d", r.status)
	}
	if r = c.get("/staff/support?unchecked=1"); strings.Contains(r.body, "Somali circle") {
		t.Errorf("a checked service is still listed as unchecked")
	}
	if r = c.get("/staff/support/" + id); r.status != http.StatusOK || !strings.Contains(r.body, `value="pa"`) {
		t.Fatalf("edit page: %d", r.status)
	}

	// Export: formula characters neutralised.
	r = c.get("/staff/support/export.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", r.status, r.header.Get("Content-Type"))
	}
	if !strings.Contains(r.body, `"'=HYPERLINK(""http://evil"")"`) || !strings.Contains(r.body, "'+44 1632 960000") || strings.Contains(r.body, ",=HYPERLINK") {
		t.Fatalf("export not neutralised:\n%s", r.body)
	}
	exported := r.body

	// Import with bad rows: each reported with its line; nothing imported.
	bad := "name,organisation,summary,needs,area,languages,phone\n" +
		"Good one,Org,Help,emotional,local,en,01632 960001\n" +
		"No org,,Help,emotional,local,en,01632 960002\n" +
		"Bad need,Org,Help,flying,local,en,01632 960003\n"
	r = multipartPost(c, "/staff/support/import", "s.csv", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "There is a problem") {
		t.Fatalf("bad import: %d\n%s", r.status, e.logs.String()[max(0, len(e.logs.String())-1500):])
	}
	for _, want := range []string{"<td>3</td><td><code>organisation</code>", "<td>4</td><td><code>needs</code>"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("bad import does not report %s", want)
		}
	}
	if all, _ := e.store.AllSupportServices(ctx); len(all) != 1 {
		t.Fatalf("a failed import changed the directory: %d services", len(all))
	}
	if r = multipartPost(c, "/staff/support/import", "", ""); r.status != http.StatusUnprocessableEntity {
		t.Errorf("no file: %d", r.status)
	}
	if r = c.post("/staff/support/import", url.Values{"x": {"y"}}); r.status != http.StatusUnprocessableEntity {
		t.Errorf("not multipart: %d", r.status)
	}
	big := "name,organisation,summary,needs,area,languages\n" + strings.Repeat("a,b,c,emotional,local,en\n", 400000) // over the import's 8 MB
	if r = multipartPost(c, "/staff/support/import", "big.csv", big); r.status != http.StatusRequestEntityTooLarge || !strings.Contains(r.body, "There is a problem") {
		t.Errorf("too large: %d", r.status)
	}
	// The export imports back, plus one new row.
	r = multipartPost(c, "/staff/support/import", "s.csv", exported+strings.Repeat(",", 16)+"\n")
	if r.status != http.StatusUnprocessableEntity {
		t.Errorf("an empty row should be refused: %d", r.status)
	}
	lines := strings.SplitN(exported, "\n", 2)
	extra := "," + strings.Join([]string{"New", "Org", "Help", "carers", "", "regional", "en", "", "01632 960009", "", "", "", "", "", ""}, ",")
	extra += strings.Repeat(",", strings.Count(lines[0], ",")-15)
	r = multipartPost(c, "/staff/support/import", "s.csv", exported+extra+"\n")
	if r.status != http.StatusOK || !strings.Contains(r.body, "Imported: 1 new services, 1 updated.") {
		t.Fatalf("good import: %d\n%s", r.status, r.body)
	}
	got, _ := e.store.SupportService(ctx, id)
	if got.Hours != `=HYPERLINK("http://evil")` || got.Phone != "+44 1632 960000" {
		t.Fatalf("round trip changed the service: %+v", got)
	}

	// Signposting counts are shown to staff.
	e.store.AddSignposts(ctx, []store.Signpost{{ServiceID: id, Month: "2099-01", Place: "event", Shown: 7, Opened: 3}})
	r = c.get("/staff/support/signposting")
	if r.status != http.StatusOK || !strings.Contains(r.body, "<td>2099-01</td><td>Somali circle</td><td>Event page</td><td>7</td><td>3</td>") {
		t.Fatalf("signposting page: %d", r.status)
	}
	if r = c.post("/staff/support/"+id+"/delete", nil); r.status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.status)
	}
	if r = c.get("/staff/support/" + id); r.status != http.StatusNotFound {
		t.Fatalf("deleted service: %d", r.status)
	}
	// Champions may not manage the directory.
	ch := e.newStaff("champion@example.org", account.Champion, "")
	cc := e.client()
	cc.signIn(ch)
	if r = cc.get("/staff/support"); r.status != http.StatusForbidden {
		t.Fatalf("champion: %d", r.status)
	}
}

// The export opens in a spreadsheet program with Urdu and Bengali intact
// (a byte order mark), and importing one file twice lists nothing twice.
func TestStaffSupportExportHasBOMAndImportsTwiceWithoutDuplicates(t *testing.T) {
	t.Parallel()
	eachEnv(t, testStaffSupportExportHasBOMAndImportsTwiceWithoutDuplicates)
}

func testStaffSupportExportHasBOMAndImportsTwiceWithoutDuplicates(t *testing.T, e *env) {
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	addService(t, e, svc("مدد گروپ", []string{"ur"}, []string{"carers"}, ""))
	r := c.get("/staff/support/export.csv")
	if r.status != http.StatusOK || !strings.HasPrefix(r.body, "\ufeff") {
		t.Fatalf("export: %d, starts %q", r.status, r.body[:min(len(r.body), 10)])
	}
	file := r.body + "," + strings.Join([]string{"New", "Org", "Help", "carers", "", "regional", "en", "", "01632 960009", "", "", "", "", "", ""}, ",") +
		strings.Repeat(",", strings.Count(strings.SplitN(r.body, "\n", 2)[0], ",")-15) + "\n"
	for i, want := range []string{"Imported: 1 new services, 1 updated.", "Imported: 0 new services, 2 updated."} {
		if r = multipartPost(c, "/staff/support/import", "s.csv", file); r.status != http.StatusOK || !strings.Contains(r.body, want) {
			t.Fatalf("import %d: %d, want %q\n%s", i+1, r.status, want, r.body)
		}
	}
	if all, _ := e.store.AllSupportServices(ctx); len(all) != 2 {
		t.Fatalf("after importing one file twice: %d services, want 2", len(all))
	}
}

// shareAs goes through the share journey in English with the given
// answers about the person, and returns the done page.
func shareAs(t *testing.T, e *env, role, stage string, about url.Values) resp {
	t.Helper()
	c := e.client()
	for _, st := range []struct {
		path string
		form url.Values
	}{
		{"/share/who", url.Values{"role": {role}}},
		{"/share/stages", url.Values{"stages": {stage}}},
		{"/share/story", url.Values{"what_happened": {"Nobody explained what would happen next."}}},
		{"/share/details", url.Values{}},
		{"/share/about-you", about},
		{"/share/consent", url.Values{"consent_evidence": {"yes"}}},
	} {
		c.get(st.path + "?lang=en")
		if r := c.post(st.path, st.form); r.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d\n%s", st.path, r.status, r.body)
		}
	}
	check := c.get("/share/check")
	if r := c.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}}); r.status != http.StatusSeeOther || r.location != "/share/done" {
		t.Fatalf("send: %d %s", r.status, r.location)
	}
	return c.get("/share/done")
}

// Support after sharing follows the person's main language, community,
// role and stage, not only the page's language; when nothing matches the
// page says so and offers national services.
func TestShareDoneSuggestsByLanguageCommunityAndStage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	polish := svc("Polish drop-in", []string{"en", "pl"}, []string{"peer"}, "")
	polish.Communities = []string{"eastern-european"}
	add := func(sv support.Service) {
		sv.Normalise()
		if _, err := e.store.CreateSupportService(ctx, "test", sv); err != nil {
			t.Fatal(err)
		}
	}
	add(polish)
	urdu := svc("Urdu carers circle", []string{"en", "ur"}, []string{"carers"}, "")
	urdu.Communities = []string{"south-asian"}
	add(urdu)
	national := svc("National cancer line", []string{"en"}, []string{"emotional"}, "")
	national.Area = "national"
	addService(t, e, national)
	addService(t, e, svc("Polska grupa wsparcia", []string{"pl"}, []string{"emotional"}, ""))

	// An Urdu-speaking South Asian carer writing in English.
	r := shareAs(t, e, "family-or-carer", "treatment", url.Values{"main_language": {"ur"}, "community": {"south-asian"}})
	if r.status != http.StatusOK {
		t.Fatalf("done: %d", r.status)
	}
	if strings.Contains(r.body, "Polish drop-in") {
		t.Errorf("an Urdu-speaking South Asian carer is offered the Polish drop-in")
	}
	first := strings.Index(r.body, "Urdu carers circle")
	if first < 0 || (strings.Contains(r.body, "National cancer line") && first > strings.Index(r.body, "National cancer line")) {
		t.Fatalf("the Urdu carers' circle is not offered first:\n%s", r.body)
	}
	if !strings.Contains(r.body, `href="/support?language=ur"`) {
		t.Errorf("the 'more support' link does not filter by the person's language")
	}

	// A Polish reader at the treatment stage is offered what exists in
	// Polish.
	c := e.client()
	if r := c.get("/share/done?lang=pl"); !strings.Contains(r.body, "Polska grupa wsparcia") {
		t.Errorf("a Polish reader is not offered the Polish service")
	}

	// Nothing in Bengali nor for Black Caribbean residents: said plainly,
	// with the national service.
	r = shareAs(t, e, "person-with-cancer", "screening", url.Values{"main_language": {"bn"}, "community": {"black-caribbean"}})
	if !strings.Contains(r.body, "We did not find a service in your language or for your community") || !strings.Contains(r.body, "National cancer line") {
		t.Fatalf("no match is not said, or no national service:\n%s", r.body)
	}
	if strings.Contains(r.body, "Urdu carers circle") || strings.Contains(r.body, "Polish drop-in") || strings.Contains(r.body, "Polska grupa wsparcia") {
		t.Errorf("services for other languages or communities offered as if they matched")
	}
}
