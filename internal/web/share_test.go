package web_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// shareAll walks the journey with valid answers and returns the check page.
func shareAll(t *testing.T, c *client, lang string, consent url.Values) resp {
	t.Helper()
	steps := []struct {
		path string
		form url.Values
	}{
		{"/share/who", url.Values{"role": {"family-or-carer"}}},
		{"/share/stages", url.Values{"stages": {"screening", "treatment"}}},
		{"/share/story", url.Values{"what_happened": {"Czekaliśmy sześć tygodni na wyniki."}, "could_be_better": {"Tłumacz na każdej wizycie."}}},
		{"/share/details", url.Values{"cancer_type": {"breast"}, "services": {"hospital"}, "year": {"2025"}}},
		{"/share/about-you", url.Values{"ethnic_group": {"white-other"}, "ethnic_other": {"Polish"}, "age_band": {"55-64"}, "postcode_district": {"lu4"}}},
		{"/share/consent", consent},
	}
	for i, st := range steps {
		if r := c.get(st.path + "?lang=" + lang); r.status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", st.path, r.status, r.location)
		}
		r := c.post(st.path, st.form)
		want := "/share/check"
		if i+1 < len(steps) {
			want = steps[i+1].path
		}
		if r.status != http.StatusSeeOther || r.location != want {
			t.Fatalf("POST %s: %d %s, want %s\n%s", st.path, r.status, r.location, want, r.body)
		}
	}
	return c.get("/share/check")
}

func tokenOf(t *testing.T, body string) string {
	m := regexp.MustCompile(`name="form_token" value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no form token on the check page")
	}
	return m[1]
}

func TestShareJourney(t *testing.T) { t.Parallel(); eachEnv(t, testShareJourney) }

func testShareJourney(t *testing.T, e *env) {
	c := e.client()
	check := shareAll(t, c, "pl", url.Values{"consent_evidence": {"yes"}, "consent_quote": {"yes"}})
	if check.status != http.StatusOK || !strings.Contains(check.body, "Czekaliśmy sześć tygodni") || !strings.Contains(check.body, `href="/share/story?change=1"`) {
		t.Fatalf("check page: %d", check.status)
	}
	// A change link returns to the check page with the answer kept.
	if r := c.get("/share/story?change=1"); !strings.Contains(r.body, "Czekaliśmy sześć tygodni") || !strings.Contains(r.body, `name="change" value="1"`) {
		t.Fatal("change page lost the answer")
	}
	if r := c.post("/share/story", url.Values{"change": {"1"}, "what_happened": {"Czekaliśmy długo."}}); r.location != "/share/check" {
		t.Fatalf("change went to %q", r.location)
	}
	check = c.get("/share/check")
	r := c.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}})
	if r.status != http.StatusSeeOther || r.location != "/share/done" {
		t.Fatalf("send: %d %s\n%s", r.status, r.location, r.body)
	}
	done := c.get("/share/done")
	ref := regexp.MustCompile(`HM-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	secret := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	if ref == "" || secret == "" || !strings.Contains(done.body, "116 123") {
		t.Fatalf("done page lacks the codes or support:\n%s", done.body)
	}
	h, err := e.store.ExperienceByReference(ctx, ref, secret)
	if err != nil || h.Submission.WhatHappened != "Czekaliśmy długo." || h.Submission.Lang != "pl" || len(h.Submission.Stages) != 2 || h.HasContact {
		t.Fatalf("stored: %+v %v", h, err)
	}
	if a, _ := e.store.EqualityAnswers(ctx, h.ID); a.PostcodeDistrict != "LU4" || a.EthnicOther != "Polish" {
		t.Fatalf("equality answers: %+v", a)
	}
	// The codes are shown once; the journey starts afresh.
	if again := c.get("/share/done"); strings.Contains(again.body, ref) {
		t.Fatal("the codes were shown twice")
	}
	if r := c.get("/share/check"); r.location != "/share/who" {
		t.Fatalf("draft kept after sending: %s", r.location)
	}
}

func TestShareErrorsKeepAnswersAndOrder(t *testing.T) {
	t.Parallel()
	eachEnv(t, testShareErrorsKeepAnswersAndOrder)
}

func testShareErrorsKeepAnswersAndOrder(t *testing.T, e *env) {
	c := e.client()
	// Out of order: sent back to the first unanswered question.
	if r := c.get("/share/story"); r.location != "/share/who" {
		t.Fatalf("out of order: %d %s", r.status, r.location)
	}
	if r := c.post("/share/consent", url.Values{"consent_evidence": {"yes"}}); r.location != "/share/who" {
		t.Fatalf("out-of-order post: %s", r.location)
	}
	r := c.post("/share/who?lang=ur", url.Values{"role": {"king"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#role"`) || !strings.Contains(r.body, `dir="rtl"`) {
		t.Fatalf("bad role: %d", r.status)
	}
	c.post("/share/who", url.Values{"role": {"friend"}})
	c.post("/share/stages", url.Values{"stages": {"screening"}})
	long := strings.Repeat("ą", 10001)
	r = c.post("/share/story", url.Values{"what_happened": {long}, "went_well": {"<script>alert(1)</script>"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, long) || !strings.Contains(r.body, "&lt;script&gt;") {
		t.Fatalf("too long: %d (answer kept? %v)", r.status, strings.Contains(r.body, long))
	}
	c.post("/share/story", url.Values{"went_well": {"Kind nurses."}})
	c.post("/share/details", url.Values{})
	r = c.post("/share/about-you", url.Values{"postcode_district": {"LU1 2BQ"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#postcode_district"`) {
		t.Fatalf("full postcode: %d", r.status)
	}
	c.post("/share/about-you", url.Values{})
	r = c.post("/share/consent", url.Values{"consent_quote": {"yes"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#consent_evidence"`) {
		t.Fatalf("no evidence consent: %d", r.status)
	}
	r = c.post("/share/consent", url.Values{"consent_evidence": {"yes"}, "consent_contact": {"yes"}, "contact_name": {"Ola"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `value="Ola"`) {
		t.Fatalf("contact without email or phone: %d", r.status)
	}
	c.post("/share/consent", url.Values{"consent_evidence": {"yes"}})
	// A missing or forged token re-shows the check page, storing nothing.
	r = c.post("/share/check", url.Values{"form_token": {"forged"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#send"`) {
		t.Fatalf("forged token: %d", r.status)
	}
	// The honeypot: a thank-you page, no reference, nothing stored.
	check := c.get("/share/check")
	r = c.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}, "website": {"http://spam.example"}})
	if r.location != "/share/done" || strings.Contains(c.get("/share/done").body, "HM-") {
		t.Fatal("honeypot submission got a reference")
	}
	if n, err := e.store.Held(ctx, "experiences"); err != nil || n != 0 {
		t.Fatalf("%d experiences stored from refused submissions (%v)", n, err)
	}
}

// Without consent to be contacted, contact details typed on the consent
// page are kept nowhere: not in any table, not in the logs, not in any
// file of the data directory.
func TestMarkersLeaveNoTrace(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	e := newEnvWith(t, cfg)
	c := e.client()
	markers := []string{"Zzmarkername", "zzmarker@example.org", "07700900999", "ZzAgent/1.0"}
	check := shareAll(t, c, "en", url.Values{"consent_evidence": {"yes"}, "contact_name": {markers[0]}, "contact_email": {markers[1]}, "contact_phone": {markers[2]}})
	if strings.Contains(check.body, markers[0]) {
		t.Fatal("the check page shows contact details given without consent")
	}
	req, _ := http.NewRequest("POST", e.srv.URL+"/share/check", strings.NewReader(url.Values{"form_token": {tokenOf(t, check.body)}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", markers[3])
	if r := c.do(req); r.location != "/share/done" {
		t.Fatalf("send: %d", r.status)
	}
	time.Sleep(50 * time.Millisecond)
	// Every text column of every table.
	rows, err := e.store.ReadDB().Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	for _, table := range tables {
		rs, err := e.store.ReadDB().Query("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		cols, err := rs.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatalf("table %s: %v", table, err)
			}
			for _, v := range vals {
				var s string
				switch x := v.(type) {
				case string:
					s = x
				case []byte:
					s = string(x)
				}
				for _, m := range markers {
					if strings.Contains(strings.ToLower(s), strings.ToLower(m)) {
						t.Errorf("table %s holds %q", table, m)
					}
				}
			}
		}
		if err := rs.Err(); err != nil {
			t.Fatalf("table %s: %v", table, err)
		}
		rs.Close()
	}
	for _, m := range markers {
		if strings.Contains(e.logs.String(), m) {
			t.Errorf("the logs hold %q", m)
		}
	}
	// The raw database files (the store in these tests lives in its own
	// temporary directory, found from the SQLite file list).
	var dbFile string
	if err := e.store.ReadDB().QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&dbFile); err != nil || dbFile == "" {
		t.Fatalf("the SQLite file: %q, %v", dbFile, err)
	}
	err = filepath.Walk(filepath.Dir(dbFile), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if strings.Contains(string(b), m) {
				t.Errorf("%s holds %q", filepath.Base(path), m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("reading the data directory: %v", err)
	}
}

func TestShareAnIdea(t *testing.T) { t.Parallel(); eachEnv(t, testShareAnIdea) }

func testShareAnIdea(t *testing.T, e *env) {
	c := e.client()
	page := c.get("/ideas?lang=ro")
	if page.status != http.StatusOK || !strings.Contains(page.body, `lang="ro"`) {
		t.Fatalf("ideas page: %d", page.status)
	}
	r := c.post("/ideas", url.Values{"form_token": {tokenOf(t, page.body)}, "idea": {"Interpreți la fiecare programare."}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#consent_evidence"`) || !strings.Contains(r.body, "Interpreți la fiecare programare.") {
		t.Fatalf("idea without consent: %d", r.status)
	}
	r = c.post("/ideas", url.Values{"form_token": {tokenOf(t, r.body)}, "idea": {"Interpreți la fiecare programare."}, "consent_evidence": {"yes"},
		"contact_name": {"Zzideaname"}})
	if r.location != "/share/done" {
		t.Fatalf("send idea: %d\n%s", r.status, r.body)
	}
	done := c.get("/share/done")
	ref := regexp.MustCompile(`HM-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	secret := regexp.MustCompile(`[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}`).FindString(done.body)
	h, err := e.store.ExperienceByReference(ctx, ref, secret)
	if err != nil || h.Submission.Kind != "idea" || h.Submission.Idea != "Interpreți la fiecare programare." || h.HasContact {
		t.Fatalf("stored idea: %+v %v", h, err)
	}
}
