package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/programme"
)

func (c *client) upload(path, field, filename string, content []byte) resp {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, filename)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

func TestAdministratorChangesTheProgramme(t *testing.T) {
	t.Parallel()
	eachEnv(t, testAdministratorChangesTheProgramme)
}

func testAdministratorChangesTheProgramme(t *testing.T, e *env) {
	admin := e.client()
	admin.signIn(e.newStaff("admin@example.org", account.Admin, ""))

	// Settings: a mistake keeps every answer; a good form changes the site
	// (including pages already rendered and kept).
	if before := e.client().get("/contact"); !strings.Contains(before.body, "cancer.connectors@example.org") {
		t.Fatal("contact page before the change")
	}
	form := url.Values{"name": {"Anytown Cancer Voices"}, "short_name": {"Anytown Voices"}, "organisation": {"Anytown Council"},
		"contact_email": {"not an email"}, "dpo_email": {"dpo@anytown.example"}, "time_zone": {"Mars/Olympus"}}
	r := admin.post("/staff/programme", form)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#contact_email"`) || !strings.Contains(r.body, `href="#time_zone"`) ||
		!strings.Contains(r.body, `value="Anytown Cancer Voices"`) {
		t.Fatalf("bad settings: %d", r.status)
	}
	form.Set("contact_email", "voices@anytown.example")
	form.Set("time_zone", "Europe/London")
	form.Set("end_date", "31/03/2027")
	if r := admin.post("/staff/programme", form); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#end_date"`) {
		t.Fatalf("bad end date: %d", r.status)
	}
	form.Set("end_date", "2027-03-31")
	if r := admin.post("/staff/programme", form); r.status != http.StatusSeeOther {
		t.Fatalf("save settings: %d\n%s", r.status, r.body)
	}
	if home := e.client().get("/contact"); !strings.Contains(home.body, "voices@anytown.example") || !strings.Contains(home.body, "Anytown Cancer Voices") {
		t.Fatal("the public pages do not show the new settings")
	}
	if got, _ := e.store.Programme(ctx); got.Settings.EndDate != "2027-03-31" {
		t.Fatalf("end date not saved: %q", got.Settings.EndDate)
	}

	// The configuration file round-trips.
	r = admin.get("/staff/programme/config.json")
	var cfg programme.Config
	if err := json.Unmarshal([]byte(r.body), &cfg); err != nil || cfg.Settings.Name != "Anytown Cancer Voices" || len(cfg.Languages) != 6 {
		t.Fatalf("export: %v %+v", err, cfg.Settings)
	}
	// A broken file changes nothing and says why.
	r = admin.upload("/staff/programme/import", "file", "p.json", []byte(`{"settings": {"name": ""}}`))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#file"`) || !strings.Contains(r.body, "settings.name is required") {
		t.Fatalf("broken import: %d", r.status)
	}
	// A language without a catalogue is refused.
	bad := cfg
	bad.Languages = append(bad.Languages, programme.Language{Code: "tlh", NativeName: "tlhIngan Hol", EnglishName: "Klingon"})
	b, _ := json.Marshal(bad)
	if r := admin.upload("/staff/programme/import", "file", "p.json", b); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "tlh") {
		t.Fatalf("language without catalogue: %d", r.status)
	}
	// Another area's list of communities replaces the demo's.
	cfg.Communities = []programme.Item{{Slug: "roma", Active: true, Names: map[string]string{"en": "Roma", "ro": "Romi"}}}
	b, _ = json.Marshal(cfg)
	// ... but not while its census still matches the demo's communities.
	if r := admin.upload("/staff/programme/import", "file", "p.json", b); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "which is not a community of the programme") {
		t.Fatalf("census matching removed communities: %d", r.status)
	}
	cfg.Census = nil
	b, _ = json.Marshal(cfg)
	if r := admin.upload("/staff/programme/import", "file", "p.json", b); r.status != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", r.status, r.body)
	}
	got, _ := e.store.Programme(ctx)
	if len(got.Communities) != 1 || got.Communities[0].Name("ro") != "Romi" {
		t.Fatalf("communities after import: %+v", got.Communities)
	}
	if r := admin.get("/staff/programme?lang=ro"); !strings.Contains(r.body, "Romi") {
		t.Fatal("the programme page does not list the imported community in Romanian")
	}
}
