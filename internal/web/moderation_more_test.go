package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/experience"
)

// A correction added at /my-story to an approved story sends it back to
// the queue, is shown to the moderator with its identifying details
// flagged, and can be redacted like the answers.
func TestCorrectionReturnsToTheModerator(t *testing.T) {
	t.Parallel()
	eachEnv(t, testCorrectionReturnsToTheModerator)
}

func testCorrectionReturnsToTheModerator(t *testing.T, e *env) {
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "friend", Stages: []string{"treatment"},
		WhatHappened: "The wait was long.", Consent: experience.Consent{Version: "v1", Evidence: true}, Source: experience.SourceOnline}
	rc, err := e.store.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.DecideExperience(ctx, "someone", rc.ID, experience.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	person := e.client()
	if r := person.post("/my-story", url.Values{"reference": {rc.Reference}, "secret": {rc.Secret}}); r.location != "/my-story/view" {
		t.Fatalf("look-up: %d %s", r.status, r.location)
	}
	correction := "It was at the Lister. Call me on 07700 900123."
	if r := person.post("/my-story/correction", url.Values{"correction": {correction}}); r.location != "/my-story/view" {
		t.Fatalf("correction: %d %s\n%s", r.status, r.location, r.body)
	}
	conn := e.newStaff("kofi@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	q := c.get("/staff/moderation")
	if !strings.Contains(q.body, rc.Reference) || !strings.Contains(q.body, "Correction added") {
		t.Fatalf("the corrected story is not back in the queue, marked:\n%s", q.body)
	}
	item := c.get("/staff/moderation/" + rc.ID)
	if !strings.Contains(item.body, "Corrections the person added") || !strings.Contains(item.body, "<mark>07700 900123</mark>") {
		t.Fatalf("the correction is not shown with its flags:\n%s", item.body)
	}
	h, _ := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret)
	at := strings.Index(correction, "07700")
	value := "correction." + h.Corrections[0].ID + ":" + itoa(at) + ":" + itoa(at+len("07700 900123"))
	if !strings.Contains(item.body, `value="`+value+`"`) {
		t.Fatalf("no redact box %q on the page", value)
	}
	if r := c.post("/staff/moderation/"+rc.ID+"/redact", url.Values{"redact": {value}}); r.location != "/staff/moderation/"+rc.ID {
		t.Fatalf("redact: %d %s\n%s", r.status, r.location, r.body)
	}
	h, _ = e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret)
	if h.Corrections[0].Text != "It was at the Lister. Call me on [phone]." || h.Status != experience.StatusPending {
		t.Fatalf("after redaction: %q, %s", h.Corrections[0].Text, h.Status)
	}
}

// A moderator removes any passage, not only what the scanner found,
// without JavaScript (a field for the exact words); the item shows the
// pathway stages and the consents.
func TestModeratorRedactsAnyPassage(t *testing.T) {
	t.Parallel()
	eachEnv(t, testModeratorRedactsAnyPassage)
}

func testModeratorRedactsAnyPassage(t *testing.T, e *env) {
	sub := experience.Submission{Kind: experience.KindExperience, Lang: "en", Role: "family-or-carer", Stages: []string{"screening", "treatment"},
		WhatHappened: "The nurse on the blue ward with the red glasses was kind.", CouldBeBetter: "The blue ward needs interpreters.",
		Consent: experience.Consent{Version: "v1", Evidence: true, Quote: true}, Source: experience.SourceOnline}
	rc, err := e.store.SubmitExperience(ctx, sub, experience.Contact{})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client()
	c.signIn(e.newStaff("kofi@example.org", account.Connector, ""))
	item := c.get("/staff/moderation/" + rc.ID)
	for _, want := range []string{`id="passage"`, "Screening", "Treatment", "Anonymous quotation in reports: Yes", "Being contacted again: No"} {
		if !strings.Contains(item.body, want) {
			t.Errorf("the item lacks %q", want)
		}
	}
	r := c.post("/staff/moderation/"+rc.ID+"/redact", url.Values{"passage": {"with the green hat"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `href="#passage"`) || !strings.Contains(r.body, `value="with the green hat"`) {
		t.Fatalf("a passage that is not there: %d\n%s", r.status, r.body)
	}
	if r := c.post("/staff/moderation/"+rc.ID+"/redact", url.Values{"passage": {"blue ward"}}); r.location != "/staff/moderation/"+rc.ID {
		t.Fatalf("redact a passage: %d %s\n%s", r.status, r.location, r.body)
	}
	h, _ := e.store.ExperienceByReference(ctx, rc.Reference, rc.Secret)
	if h.Submission.WhatHappened != "The nurse on the [redacted] with the red glasses was kind." ||
		h.Submission.CouldBeBetter != "The [redacted] needs interpreters." || !h.Redacted {
		t.Fatalf("after redacting a passage: %q / %q", h.Submission.WhatHappened, h.Submission.CouldBeBetter)
	}
}
