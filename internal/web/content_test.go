package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/i18n"
)

// The invitation form lists the programme's communities and its own
// "Another community" choice (which asks which one): the programme's own
// catch-all community is not listed as well.
func TestInviteOffersAnotherCommunityOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for lang, label := range map[string]string{"en": "Another community", "pl": "Inna społeczność"} {
		r := e.client().get("/invite?lang=" + lang)
		if r.status != http.StatusOK {
			t.Fatalf("/invite [%s]: %d", lang, r.status)
		}
		if n := strings.Count(r.body, ">"+label+"</label>"); n != 1 {
			t.Errorf("/invite [%s]: %q offered %d times", lang, label, n)
		}
		if strings.Contains(r.body, `value="another-community"`) {
			t.Errorf("/invite [%s]: the programme's catch-all community is listed beside the form's own choice", lang)
		}
	}
}

// A page shown in English in place of the chosen language says so, and
// does not also say "this page is now in Urdu" above that.
func TestAwarenessFallbackDoesNotClaimTheLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.store.CreateAwarenessPage(ctx, "test", "english-only", 1); err != nil {
		t.Fatal(err)
	}
	text, errs := awareness.Check(awareness.Draft{Title: "English only", Summary: "Only in English.", Markdown: "Some text.",
		ReviewedOn: time.Now().AddDate(0, 0, -1).Format(awareness.DateLayout), Reviewer: "Lead"}, time.Now())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	text.Lang = "en"
	if err := e.store.SaveAwarenessText(ctx, "test", "english-only", text); err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetAwarenessPublished(ctx, "test", "english-only", i18n.Fallback, true); err != nil {
		t.Fatal(err)
	}
	r := e.client().get("/awareness/english-only?lang=ur")
	if r.status != http.StatusOK || !strings.Contains(r.body, "یہ صفحہ ابھی اردو میں دستیاب نہیں ہے") {
		t.Fatalf("fallback page: %d, no fallback notice", r.status)
	}
	if strings.Contains(r.body, "یہ صفحہ اب اردو میں ہے") {
		t.Errorf("the page says it is now in Urdu and that it is not available in Urdu")
	}
	// A page that is in the language still confirms the switch.
	if r = e.client().get("/share?lang=ur"); !strings.Contains(r.body, "یہ صفحہ اب اردو میں ہے") {
		t.Errorf("a page in Urdu no longer confirms the language switch")
	}
}

// An idea is thanked as an idea, with or without a receipt.
func TestIdeaConfirmationThanksForTheIdea(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	page := c.get("/ideas")
	r := c.post("/ideas", url.Values{"form_token": {tokenOf(t, page.body)}, "idea": {"Evening screening clinics."}, "consent_evidence": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("send idea: %d", r.status)
	}
	done := c.get(r.location)
	if !strings.Contains(done.body, "Thank you for sharing your idea") || strings.Contains(done.body, "your experience") {
		t.Errorf("idea confirmation:\n%s", done.body)
	}
	if blocked := e.client().get("/share/done?kind=idea"); !strings.Contains(blocked.body, "Thank you for sharing your idea") {
		t.Errorf("an idea without a receipt is thanked as an experience")
	}
	if story := e.client().get("/share/done"); !strings.Contains(story.body, "Thank you for sharing your experience") {
		t.Errorf("a story is no longer thanked as an experience")
	}
}

// Staff pages show times to the minute; the connector's menu has what a
// connector works with.
func TestStaffTimesWithoutSecondsAndConnectorMenu(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	conn := e.newStaff("connector@example.org", account.Connector, "")
	c := e.client()
	c.signIn(conn)
	page := c.get("/ideas")
	c.post("/ideas", url.Values{"form_token": {tokenOf(t, page.body)}, "idea": {"Evening screening clinics."}, "consent_evidence": {"yes"}})
	r := c.get("/staff/moderation")
	if r.status != http.StatusOK {
		t.Fatalf("moderation: %d", r.status)
	}
	if !regexp.MustCompile(`\b\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}\b`).MatchString(r.body) {
		t.Fatalf("no time on the moderation queue to check:\n%s", r.body)
	}
	if m := regexp.MustCompile(`\d{2}:\d{2}:\d{2}`).FindString(r.body); m != "" {
		t.Errorf("a staff time shows seconds: %s", m)
	}
	for _, href := range []string{"/staff/invitations", "/staff/champions", "/staff/support"} {
		if !strings.Contains(r.body, `<li><a href="`+href+`">`) {
			t.Errorf("the connector's menu lacks %s", href)
		}
	}
}

// The event report's table of experiences by community is headed
// "Community", not with the invitation form's question.
func TestEventReportCommunityHeading(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ev := e.newEvent(10, time.Now().Add(-2*time.Hour), event.Public)
	c := e.client()
	c.signIn(e.newStaff("connector@example.org", account.Connector, ""))
	story := url.Values{"event_id": {ev.ID}, "source": {"event"}, "lang": {"en"}, "role": {"person-with-cancer"}, "stages": {"screening"},
		"what_happened": {"Nobody explained the screening letter."}, "consent_evidence": {"yes"}, "equality_community": {"south-asian"}, "next": {"another"}}
	if r := c.post("/staff/capture", story); r.status != http.StatusSeeOther {
		t.Fatalf("capture: %d\n%s", r.status, r.body)
	}
	r := c.get("/staff/events/" + ev.ID + "/report")
	if r.status != http.StatusOK || !strings.Contains(r.body, `aria-labelledby="com-caption"`) {
		t.Fatalf("report: %d, no community row\n%s", r.status, r.body)
	}
	if strings.Contains(r.body, "Which community does your group mainly serve?") || !strings.Contains(r.body, `<th scope="col">Community</th>`) {
		t.Errorf("the community table is not headed Community")
	}
}
