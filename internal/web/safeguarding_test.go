package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
)

const crisisSection = `<section class="crisis"`

// shareStory sends a whole story in lang with the given "what happened"
// and returns the done page.
func shareStory(t *testing.T, c *client, lang, story string) resp {
	t.Helper()
	for _, st := range []struct {
		path string
		form url.Values
	}{
		{"/share/who", url.Values{"role": {"person-with-cancer"}}},
		{"/share/stages", url.Values{"stages": {"treatment"}}},
		{"/share/story", url.Values{"what_happened": {story}}},
		{"/share/details", url.Values{}},
		{"/share/about-you", url.Values{}},
		{"/share/consent", url.Values{"consent_evidence": {"yes"}}},
	} {
		c.get(st.path + "?lang=" + lang)
		if r := c.post(st.path, st.form); r.status != http.StatusSeeOther {
			t.Fatalf("POST %s: %d\n%s", st.path, r.status, r.body)
		}
	}
	check := c.get("/share/check")
	if r := c.post("/share/check", url.Values{"form_token": {tokenOf(t, check.body)}}); r.location != "/share/done" {
		t.Fatalf("send: %d %s", r.status, r.location)
	}
	return c.get("/share/done")
}

// TestShareShowsCrisisSupportInTheirLanguage: a story that suggests a
// risk of harm is followed at once, in the person's language, by crisis
// support (999, Samaritans, NHS 111, the domestic abuse helpline) above
// the codes; an ordinary story is not.
func TestShareShowsCrisisSupportInTheirLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	done := shareStory(t, e.client(), "ur", "علاج کے بعد میں اب جینا نہیں چاہتی۔")
	i := strings.Index(done.body, crisisSection)
	if i < 0 || !strings.Contains(done.body, "اگر آپ محفوظ نہیں ہیں تو ابھی مدد لیں") {
		t.Fatalf("no crisis support in Urdu:\n%s", done.body)
	}
	for _, tel := range []string{`href="tel:999"`, `href="tel:116123"`, `href="tel:111"`, `href="tel:08082000247"`} {
		if !strings.Contains(done.body[i:], tel) {
			t.Errorf("crisis support lacks %s", tel)
		}
	}
	if codes := strings.Index(done.body, `class="panel confirmation"`); codes < i {
		t.Error("crisis support comes after the codes")
	}
	if plain := shareStory(t, e.client(), "ur", "انتظار بہت لمبا تھا۔"); strings.Contains(plain.body, crisisSection) {
		t.Error("crisis support shown after an ordinary story")
	}
	// An idea goes through the same confirmation.
	c := e.client()
	page := c.get("/ideas?lang=bn")
	if r := c.post("/ideas", url.Values{"form_token": {tokenOf(t, page.body)}, "idea": {"আমি আর বাঁচতে চাই না, কেউ আমাদের কথা শোনে না।"}, "consent_evidence": {"yes"}}); r.location != "/share/done" {
		t.Fatalf("idea: %d %s", r.status, r.location)
	}
	if d := c.get("/share/done"); !strings.Contains(d.body, crisisSection) || !strings.Contains(d.body, "আপনি নিরাপদ না থাকলে এখনই সাহায্য নিন") {
		t.Error("no crisis support in Bengali after an idea")
	}
}

// TestCorrectionAndCaptureShowCrisisSupport: a correction at /my-story
// and an experience a connector captures are checked too.
func TestCorrectionAndCaptureShowCrisisSupport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ref, secret := shareAndGetCodes(t, e.client())
	c := e.client()
	if r := c.post("/my-story", url.Values{"reference": {ref}, "secret": {secret}}); r.location != "/my-story/view" {
		t.Fatalf("lookup: %d", r.status)
	}
	if r := c.post("/my-story/correction", url.Values{"correction": {"Od tamtej pory myślę o samobójstwie."}}); r.location != "/my-story/view" {
		t.Fatalf("correction: %d", r.status)
	}
	if v := c.get("/my-story/view?lang=pl"); !strings.Contains(v.body, crisisSection) {
		t.Error("no crisis support after a risky correction")
	}
	if v := c.get("/my-story/view"); strings.Contains(v.body, crisisSection) {
		t.Error("crisis support shown again on the next view")
	}

	conn := e.newStaff("kofi@example.org", account.Connector, "")
	s := e.client()
	s.signIn(conn)
	r := s.post("/staff/capture", url.Values{"source": {"event"}, "lang": {"so"}, "role": {"person-with-cancer"}, "stages": {"treatment"},
		"what_happened": {"Ninkaygu wuu i garaacaa markii aan ka soo laabto isbitaalka."}, "consent_evidence": {"yes"}, "next": {"done"}})
	if r.location != "/staff/capture/saved" {
		t.Fatalf("capture: %d %s", r.status, r.location)
	}
	if p := s.get("/staff/capture/saved"); !strings.Contains(p.body, crisisSection) || !strings.Contains(p.body, "tel:116123") {
		t.Error("the connector is not shown crisis support to give, with the codes")
	}
	r = s.post("/staff/capture", url.Values{"source": {"event"}, "lang": {"so"}, "role": {"person-with-cancer"}, "stages": {"treatment"},
		"what_happened": {"Waan dhiman rabaa."}, "consent_evidence": {"yes"}, "next": {"another"}})
	if p := s.get("/staff/capture"); !strings.Contains(p.body, crisisSection) {
		t.Error("no crisis support on the capture page after saving and recording another")
	}
	r = s.post("/staff/capture", url.Values{"source": {"event"}, "lang": {"so"}, "role": {"person-with-cancer"}, "stages": {"treatment"},
		"what_happened": {"Sugitaanku wuu dheeraa."}, "consent_evidence": {"yes"}, "next": {"done"}})
	if p := s.get("/staff/capture/saved"); r.location != "/staff/capture/saved" || strings.Contains(p.body, crisisSection) {
		t.Errorf("an ordinary capture: %s, crisis shown %v", r.location, strings.Contains(p.body, crisisSection))
	}
}

// TestModeratorRecordsSafeguardingEscalation: the flag is at the top of
// the queue and on the item with the programme's escalation path, stays
// until a moderator records whom they told and what was done (both
// required, answers kept), and the recording is audited.
func TestModeratorRecordsSafeguardingEscalation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "ro", Role: "friend", Stages: []string{"treatment"},
		WhatHappened: "După diagnostic nu mai vreau să trăiesc.", Consent: experience.Consent{Version: "v1", Evidence: true}, Source: experience.SourceOnline}
	rc, err := e.store.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DecideExperience(ctx, "someone", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	q := c.get("/staff/moderation")
	if !strings.Contains(q.body, "Safeguarding flags not yet escalated") || !strings.Contains(q.body, rc.Reference) || strings.Contains(q.body, "trăiesc") {
		t.Fatalf("queue: flagged item listed? %v", strings.Contains(q.body, rc.Reference))
	}
	item := c.get("/staff/moderation/" + rc.ID)
	for _, want := range []string{"Safeguarding: this may show a risk of harm", "ro: nu mai vreau sa traiesc", "Not yet escalated",
		"Safeguarding lead, Luton Borough Council Public Health", `href="tel:01632960450"`, "example contact", `action="/staff/moderation/` + rc.ID + `/safeguarding"`} {
		if !strings.Contains(item.body, want) {
			t.Errorf("item page lacks %q", want)
		}
	}
	r := c.post("/staff/moderation/"+rc.ID+"/safeguarding", url.Values{"escalated_to": {"Safeguarding lead, by phone"}, "action": {" "}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#action"`) || !strings.Contains(r.body, "Safeguarding lead, by phone") {
		t.Fatalf("missing action: %d", r.status)
	}
	r = c.post("/staff/moderation/"+rc.ID+"/safeguarding", url.Values{"escalated_to": {"Safeguarding lead, by phone"}, "action": {"The lead will ring the person today."}})
	if r.location != "/staff/moderation/"+rc.ID {
		t.Fatalf("record: %d %s", r.status, r.location)
	}
	entries, _ := e.store.RecentAudit(ctx, 1)
	if entries[0].Action != "safeguarding.escalated" || entries[0].ActorID != conn.ID || entries[0].Subject != rc.ID {
		t.Fatalf("escalation not audited: %+v", entries[0])
	}
	item = c.get("/staff/moderation/" + rc.ID)
	if !strings.Contains(item.body, "The escalation was recorded.") || !strings.Contains(item.body, "The lead will ring the person today.") ||
		strings.Contains(item.body, "Not yet escalated") || !regexp.MustCompile(`Recorded by</dt><dd>Test connector, \d+ \w+ \d{4} \d{2}:\d{2}`).MatchString(item.body) {
		t.Fatalf("after recording:\n%s", item.body)
	}
	if q := c.get("/staff/moderation"); strings.Contains(q.body, "Safeguarding flags not yet escalated") {
		t.Error("an escalated flag is still listed as open")
	}
	// Analysts do not record escalations.
	an := e.client()
	an.signIn(e.newStaff("ana@example.org", account.Analyst, ""))
	if r := an.post("/staff/moderation/"+rc.ID+"/safeguarding", url.Values{"escalated_to": {"x"}, "action": {"y"}}); r.status != http.StatusForbidden {
		t.Fatalf("analyst: %d", r.status)
	}
}
