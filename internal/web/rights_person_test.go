package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
)

var tokenFieldRE = regexp.MustCompile(`name="token" value="([^"]+)"`)

// The data protection officer finds what is held about a person from
// their request (reference and email), sees their contact details
// opened (audited), prepares the response pack in the person's language
// and downloads it once (a second download is refused, and so is one
// by someone else), records how it reached them, restricts and lifts,
// sends a correction to moderation, and erases them; an email that
// matches nobody and a request logged twice get clear answers.
func TestDataProtectionOfficerFindsPacksAndErases(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.store.UseKeys(e.keys) // one keyring, as the server has (app.Open)
	dpo := e.newStaff("dpo@example.org", account.DPO, "")
	c := e.client()
	c.signIn(dpo)
	seal := func(v string) string { s, _ := e.keys.Seal(v); return s }
	rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "pl", Role: "friend",
		Stages: []string{"treatment"}, WhatHappened: "Czekaliśmy sześć tygodni zqxweb.", Consent: experience.Consent{Version: "v1", Evidence: true, Contact: true},
		Source: experience.SourceOnline}, experience.Contact{Name: seal("Ola Nowak"), Email: seal("ola@example.org")})
	if err != nil {
		t.Fatal(err)
	}
	received := londonToday().AddDate(0, 0, -3).Format(time.DateOnly)
	logIt := func(extra url.Values) resp {
		v := url.Values{"kind": {"access"}, "channel": {"email"}, "received": {received}, "reference": {rc.Reference}, "contact": {"Ola@Example.org"}}
		for k, x := range extra {
			v[k] = x
		}
		return c.post("/staff/rights/new", v)
	}
	r := logIt(nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("log: %d", r.status)
	}
	id := strings.TrimPrefix(r.location, "/staff/rights/")
	// Logged twice: a clear answer naming the first, answers kept; only
	// when the officer says it is new is it logged.
	if r := logIt(nil); r.status != http.StatusConflict || !strings.Contains(r.body, "already logged for this person") ||
		!strings.Contains(r.body, `href="/staff/rights/`+id+`"`) || !strings.Contains(r.body, `value="`+rc.Reference+`"`) {
		t.Fatalf("second log of the same request: %d\n%.600s", r.status, r.body)
	}
	if list, _ := e.store.RightsRequests(ctx); len(list) != 1 {
		t.Fatalf("a duplicate was stored: %d requests", len(list))
	}
	if r := logIt(url.Values{"duplicate_ok": {"yes"}}); r.status != http.StatusSeeOther {
		t.Fatalf("a new request confirmed: %d", r.status)
	}

	page := c.get("/staff/rights/" + id + "/person")
	if page.status != http.StatusOK || !strings.Contains(page.body, "zqxweb") || !strings.Contains(page.body, "ola@example.org") || !strings.Contains(page.body, "Ola Nowak") {
		t.Fatalf("person page: %d %v %v %v", page.status, strings.Contains(page.body, "zqxweb"), strings.Contains(page.body, "ola@example.org"), strings.Contains(page.body, "Ola Nowak"))
	}
	if !strings.Contains(c.post("/staff/rights/"+id+"/person", url.Values{"email": {" OLA@example.org "}}).body, "zqxweb") {
		t.Fatal("not found by email alone")
	}
	if acts := auditActions(t, e, 3); !contains(acts, store.AuditPersonFound) {
		t.Errorf("the look is not audited: %v", acts)
	}
	// An email that matches nobody: a clear answer, not an error page.
	if r := c.post("/staff/rights/"+id+"/person", url.Values{"email": {"nobody@example.org"}}); r.status != http.StatusOK || !strings.Contains(r.body, "Nothing is held under these details") {
		t.Fatalf("nobody: %d", r.status)
	}
	// Bad input keeps the answers.
	r = c.post("/staff/rights/"+id+"/person", url.Values{"email": {"not an email"}, "phone": {"12"}})
	assertSummaryLinks(t, "bad details", r)
	if !strings.Contains(r.body, `value="not an email"`) {
		t.Error("answers not kept")
	}

	// The pack, in Polish (the language she shared in, chosen by default).
	who := url.Values{"reference": {rc.Reference}, "email": {"ola@example.org"}}
	if !strings.Contains(page.body, `value="pl" id="lang-pl" checked`) {
		t.Errorf("the person's language is not chosen by default")
	}
	prep := func(format string) string {
		v := url.Values{"format": {format}, "lang": {"pl"}}
		for k, x := range who {
			v[k] = x
		}
		r := c.post("/staff/rights/"+id+"/pack", v)
		m := tokenFieldRE.FindStringSubmatch(r.body)
		if r.status != http.StatusOK || m == nil {
			t.Fatalf("prepare: %d\n%.800s", r.status, r.body)
		}
		return m[1]
	}
	download := func(cl *client, token string) resp {
		v := url.Values{"token": {token}}
		for k, x := range who {
			v[k] = x
		}
		return cl.post("/staff/rights/"+id+"/pack/download", v)
	}
	token := prep("json")
	// Someone else (an administrator) cannot take it.
	admin := e.client()
	admin.signIn(e.newStaff("admin2@example.org", account.Admin, ""))
	if r := download(admin, token); r.status != http.StatusGone {
		t.Fatalf("another's download: %d", r.status)
	}
	r = download(c, token)
	if r.status != http.StatusOK || !strings.Contains(r.header.Get("Content-Disposition"), "attachment") || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %v", r.status, r.header)
	}
	var doc struct {
		Language string
		Records  []store.Record
	}
	if err := json.Unmarshal([]byte(r.body), &doc); err != nil || doc.Language != "pl" {
		t.Fatalf("pack JSON: %v %q", err, doc.Language)
	}
	found := map[string]bool{}
	for _, rec := range doc.Records {
		found[rec.Table] = true
		for _, f := range rec.Fields {
			if strings.HasPrefix(f.Value, "v1:") {
				t.Errorf("sealed value in the pack: %s.%s", rec.Table, f.Name)
			}
		}
	}
	for _, table := range []string{"experiences", "contact_details", "consents", "rights_requests"} {
		if !found[table] {
			t.Errorf("the pack has no %s", table)
		}
	}
	if r := download(c, token); r.status != http.StatusGone || !strings.Contains(r.body, "already downloaded") {
		t.Fatalf("second download: %d", r.status)
	}
	html := download(c, prep("html"))
	if html.status != http.StatusOK || !strings.Contains(html.body, `lang="pl"`) || !strings.Contains(html.body, "przechowuje o Tobie") || !strings.Contains(html.body, "zqxweb") ||
		strings.Contains(html.body, "/static/") {
		t.Fatalf("HTML pack: %d\n%.800s", html.status, html.body)
	}

	// How it reached her.
	packs, _ := e.store.Packs(ctx, id)
	if len(packs) != 2 || packs[0].DownloadedAt == nil || packs[0].Summary["experiences"] != 1 {
		t.Fatalf("packs: %+v", packs)
	}
	assertSummaryLinks(t, "empty sent", c.post("/staff/rights/"+id+"/pack/sent", url.Values{"sent_on": {""}}))
	if r := c.post("/staff/rights/"+id+"/pack/sent", url.Values{"pack": {packs[0].ID}, "sent_on": {londonToday().Format(time.DateOnly)}, "sent_how": {"post"}}); r.status != http.StatusSeeOther {
		t.Fatalf("sent: %d\n%.600s", r.status, r.body)
	}
	if p := c.get("/staff/rights/" + id); !strings.Contains(p.body, "By post") {
		t.Error("the request page does not say how the pack was sent")
	}

	// Restrict, lift, correct.
	v := url.Values{"experience": {rc.ID}, "action": {"restrict"}}
	for k, x := range who {
		v[k] = x
	}
	if r := c.post("/staff/rights/"+id+"/restrict", v); r.status != http.StatusOK || !strings.Contains(r.body, "Use restricted") {
		t.Fatalf("restrict: %d", r.status)
	}
	if h, _ := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret); h.Status != experience.StatusRestricted {
		t.Fatalf("status after restriction: %s", h.Status)
	}
	v.Set("action", "lift")
	if r := c.post("/staff/rights/"+id+"/restrict", v); r.status != http.StatusOK || !strings.Contains(r.body, "Restriction lifted") {
		t.Fatalf("lift: %d", r.status)
	}
	v = url.Values{"story": {rc.ID}, "correction": {"It was eight weeks, not six."}}
	for k, x := range who {
		v[k] = x
	}
	if r := c.post("/staff/rights/"+id+"/correct", v); r.status != http.StatusOK || !strings.Contains(r.body, "goes to moderation") {
		t.Fatalf("correct: %d", r.status)
	}
	if h, _ := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret); h.Status != experience.StatusPending || len(h.Corrections) != 1 {
		t.Fatalf("after correction: %s %d", h.Status, len(h.Corrections))
	}

	// Erase: confirmation first, then gone but for the request.
	assertSummaryLinks(t, "erase unconfirmed", c.post("/staff/rights/"+id+"/erase", who))
	v = url.Values{"confirm": {"yes"}}
	for k, x := range who {
		v[k] = x
	}
	if r := c.post("/staff/rights/"+id+"/erase", v); r.status != http.StatusSeeOther {
		t.Fatalf("erase: %d\n%.600s", r.status, r.body)
	}
	if _, err := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret); err == nil {
		t.Fatal("the story is still there after erasure")
	}
	if p := c.get("/staff/rights/" + id); !strings.Contains(p.body, "Erased.") {
		t.Error("no word that the erasure was done")
	}
	if r := c.post("/staff/rights/"+id+"/erase", v); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Nothing is held") {
		t.Fatalf("second erasure: %d", r.status)
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// A resident signed in with their codes downloads what is held about
// their story, in their language, and nothing else: not their rights
// request, not another story.
func TestResidentDownloadsTheirStory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	ref, secret := shareAndGetCodes(t, c)
	if r := c.post("/my-story", url.Values{"reference": {ref}, "secret": {secret}}); r.location != "/my-story/view" {
		t.Fatalf("lookup: %d", r.status)
	}
	if v := c.get("/my-story/view"); !strings.Contains(v.body, "/my-story/download?format=json") {
		t.Fatal("no download link on the story page")
	}
	r := c.get("/my-story/download?format=json")
	var doc struct{ Records []store.Record }
	if r.status != http.StatusOK || json.Unmarshal([]byte(r.body), &doc) != nil || len(doc.Records) == 0 {
		t.Fatalf("download: %d\n%.500s", r.status, r.body)
	}
	for _, rec := range doc.Records {
		if strings.HasPrefix(rec.Table, "rights_") || rec.Table == "outbox" || rec.Table == "registrations" {
			t.Errorf("a story's download holds %s", rec.Table)
		}
		if rec.Table == "experiences" && rec.Value("reference") != ref {
			t.Errorf("another story: %s", rec.Value("reference"))
		}
	}
	if h := c.get("/my-story/download?format=html"); h.status != http.StatusOK || !strings.Contains(h.header.Get("Content-Disposition"), "my-story.html") {
		t.Fatalf("html: %d", h.status)
	}
	// Without the codes: back to enter them.
	if r := e.client().get("/my-story/download?format=json"); r.status != http.StatusSeeOther || r.location != "/my-story" {
		t.Fatalf("without codes: %d %s", r.status, r.location)
	}
}
