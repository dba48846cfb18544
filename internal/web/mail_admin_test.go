package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/mail"
)

// An administrator sees the outbox by state and a message the sender
// gave up on (kind, attempts, error; never the recipient), and sends it
// again; other staff cannot.
func TestMailAdminPage(t *testing.T) { t.Parallel(); eachEnv(t, testMailAdminPage) }

func testMailAdminPage(t *testing.T, e *env) {
	var qs []mail.Queued
	for _, to := range []string{"zofia@example.org", "kim@example.org"} {
		q, err := mail.Seal(e.keys, "test", mail.Message{To: to, Subject: "s", Text: "t"})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
	}
	if err := e.store.EnqueueMail(ctx, qs...); err != nil {
		t.Fatal(err)
	}
	claimed, err := e.store.ClaimMail(ctx, "test", time.Minute, 1)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim %v %v", claimed, err)
	}
	if err := e.store.MarkMailFailed(ctx, "test", claimed[0].ID, "550 5.1.1 mailbox unavailable", 0, true); err != nil {
		t.Fatal(err)
	}

	admin := e.newStaff("admin@example.org", account.Admin, "")
	c := e.client()
	c.signIn(admin)
	r := c.get("/staff/mail")
	if r.status != http.StatusOK {
		t.Fatalf("page: %d", r.status)
	}
	for _, want := range []string{"Waiting to be sent", "<td>1</td>", "550 5.1.1 mailbox unavailable", "<code>test</code>", `action="/staff/mail/` + claimed[0].ID + `/retry"`, "Development mode"} {
		if !strings.Contains(r.body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(r.body, "example.org") {
		t.Error("the page shows a recipient")
	}
	assertTranslated(t, "mail page", r.body)
	if strings.Contains(r.body, "mail.admin.") {
		t.Error("untranslated mail key")
	}
	if r := c.get("/staff/mail", "Cookie", "lang=ur"); r.status != http.StatusOK || strings.Contains(r.body, "mail.admin.") {
		t.Errorf("Urdu page: %d", r.status)
	}

	r = c.post("/staff/mail/"+claimed[0].ID+"/retry", nil)
	if r.status != http.StatusSeeOther || r.location != "/staff/mail" {
		t.Fatalf("retry: %d %s", r.status, r.location)
	}
	if st, _ := e.store.MailStatus(ctx); st.Failed != 0 || st.Queued != 2 {
		t.Fatalf("after retry: %+v", st)
	}
	if r := c.get("/staff/mail"); !strings.Contains(r.body, "queued again") || !strings.Contains(r.body, "No message has been given up.") {
		t.Errorf("after retry the page says:\n%s", r.body)
	}
	// Again: it is no longer failed, which the page says (no error page).
	r = c.post("/staff/mail/"+claimed[0].ID+"/retry", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("second retry: %d", r.status)
	}
	if r := c.get("/staff/mail"); !strings.Contains(r.body, "no longer waiting") {
		t.Error("second retry not explained")
	}
	if r := c.post("/staff/mail/retry", nil); r.status != http.StatusSeeOther {
		t.Fatalf("retry all: %d", r.status)
	}

	conn := e.newStaff("connector@example.org", account.Connector, "")
	cc := e.client()
	cc.signIn(conn)
	if r := cc.get("/staff/mail"); r.status != http.StatusForbidden {
		t.Fatalf("connector: %d", r.status)
	}
	if r := cc.post("/staff/mail/retry", nil); r.status != http.StatusForbidden {
		t.Fatalf("connector retry: %d", r.status)
	}
}
