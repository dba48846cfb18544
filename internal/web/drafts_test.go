package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/experience"
)

// A resident's draft outlives the staff idle timeout: a person who takes
// longer than the staff session's idle time over a step keeps every answer.
func TestShareDraftOutlivesStaffIdleTimeout(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.SessionIdle, cfg.SessionLifetime = time.Second, 2*time.Second
	e := newEnvWith(t, cfg)
	c := e.client()
	c.post("/share/who", url.Values{"role": {"friend"}})
	if r := c.post("/share/stages", url.Values{"stages": {"screening"}}); r.location != "/share/story" {
		t.Fatalf("stages: %d %s", r.status, r.location)
	}
	time.Sleep(2500 * time.Millisecond) // past the staff idle time and lifetime
	if r := c.post("/share/story", url.Values{"what_happened": {"Czekaliśmy sześć tygodni."}}); r.status != http.StatusSeeOther || r.location != "/share/details" {
		t.Fatalf("after a slow step: %d %s, want /share/details (draft lost)", r.status, r.location)
	}
	if r := c.get("/share/who"); !regexpChecked(r.body, "friend") {
		t.Fatalf("the first answer was lost:\n%s", r.body)
	}
}

// regexpChecked reports whether the radio button with value v is checked.
func regexpChecked(body, v string) bool {
	i := strings.Index(body, `value="`+v+`"`)
	if i < 0 {
		return false
	}
	end := strings.Index(body[i:], ">")
	return end > 0 && strings.Contains(body[i:i+end], "checked")
}

// Sending an idea from the same browser leaves an unfinished story alone.
func TestIdeaKeepsTheShareDraft(t *testing.T) {
	t.Parallel()
	eachEnv(t, testIdeaKeepsTheShareDraft)
}

func testIdeaKeepsTheShareDraft(t *testing.T, e *env) {
	c := e.client()
	c.post("/share/who", url.Values{"role": {"friend"}})
	c.post("/share/stages", url.Values{"stages": {"screening"}})
	page := c.get("/ideas")
	r := c.post("/ideas", url.Values{"form_token": {tokenOf(t, page.body)}, "idea": {"Interpreters at every appointment."}, "consent_evidence": {"yes"}})
	if r.location != "/share/done" {
		t.Fatalf("send idea: %d %s", r.status, r.location)
	}
	if r := c.get("/share/story"); r.status != http.StatusOK {
		t.Fatalf("after sending an idea the story draft is gone: %d %s", r.status, r.location)
	}
}

// On a shared computer the person clears the draft; the journey says so.
func TestShareDraftCleared(t *testing.T) {
	t.Parallel()
	eachEnv(t, testShareDraftCleared)
}

func testShareDraftCleared(t *testing.T, e *env) {
	c := e.client()
	for _, path := range []string{"/share", "/share/who"} {
		if r := c.get(path + "?lang=pl"); !strings.Contains(r.body, `action="/share/clear"`) || !strings.Contains(r.body, "wspólnym komputerze") {
			t.Fatalf("%s does not offer to clear the answers", path)
		}
	}
	c.post("/share/who", url.Values{"role": {"friend"}})
	if r := c.get("/share/stages"); r.status != http.StatusOK {
		t.Fatalf("stages: %d", r.status)
	}
	r := c.post("/share/clear", nil)
	if r.status != http.StatusSeeOther || r.location != "/share" {
		t.Fatalf("clear: %d %s", r.status, r.location)
	}
	if r := c.get("/share?lang=en"); !strings.Contains(r.body, "Your answers have been cleared") {
		t.Fatalf("the start page does not say the answers were cleared:\n%s", r.body)
	}
	if r := c.get("/share/stages"); r.location != "/share/who" {
		t.Fatalf("after clearing: %d %s, want /share/who", r.status, r.location)
	}
	if r := c.get("/share/who"); regexpChecked(r.body, "friend") {
		t.Fatal("the answer is still there after clearing")
	}
}

// A look at a story already shared (the codes typed at /my-story) ends
// after the idle time, though drafts live for hours: on a shared computer
// it does not stay open for the next person.
func TestMyStoryLookEndsAfterIdleTime(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t)
	cfg.SessionIdle, cfg.SessionLifetime = time.Second, 2*time.Second
	e := newEnvWith(t, cfg)
	rc, err := e.store.SubmitExperience(ctx, experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "friend", Stages: []string{"treatment"},
		WhatHappened: "The wait was long.", Consent: experience.Consent{Version: "v1", Evidence: true}, Source: experience.SourceOnline}, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	if r := c.post("/my-story", url.Values{"reference": {rc.Reference}, "secret": {rc.Secret}}); r.location != "/my-story/view" {
		t.Fatalf("look-up: %d %s", r.status, r.location)
	}
	if r := c.get("/my-story/view"); r.status != http.StatusOK || !strings.Contains(r.body, "The wait was long.") {
		t.Fatalf("view: %d", r.status)
	}
	time.Sleep(1500 * time.Millisecond)
	if r := c.get("/my-story/view"); r.status != http.StatusSeeOther || r.location != "/my-story" {
		t.Fatalf("after the idle time the story is still open: %d %s", r.status, r.location)
	}
}
