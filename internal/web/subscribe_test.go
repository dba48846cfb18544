package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/subscription"
)

var confirmLinkRE = regexp.MustCompile(`https?://\S+/report/subscribe/confirm/\S+`)

// A resident follows a community by email, in Polish: a bad address comes
// back with the answers kept; the confirmation email is in Polish and its
// link opens a page with a button (fetching it confirms nothing); the
// button confirms, and a second use says it was used; the unsubscribe
// link (also as a mail program's one-click POST, without cookies) deletes
// the address, and a second use says so; a forged link is not found; the
// address is in no log and no URL.
func TestSubscribeConfirmUnsubscribe(t *testing.T) {
	t.Parallel()
	eachEnv(t, testSubscribeConfirmUnsubscribe)
}

func testSubscribeConfirmUnsubscribe(t *testing.T, e *env) {
	const addr = "ania.kowalska@example.org"
	c := e.client()
	f := c.get("/report/subscribe?lang=pl&follow=community/eastern-european")
	if f.status != http.StatusOK || !strings.Contains(f.body, "Obserwuj raport przez e-mail") {
		t.Fatalf("form in Polish: %d", f.status)
	}
	assertTranslated(t, "/report/subscribe", f.body)
	if !regexp.MustCompile(`value="community/eastern-european" id="[^"]+" checked`).MatchString(f.body) {
		t.Fatal("the community the link named is not chosen")
	}
	if r := c.get("/report?lang=pl"); !strings.Contains(r.body, `href="/report/subscribe"`) {
		t.Error("the report does not link to following it by email")
	}

	bad := url.Values{"form_token": {tokenOf(t, f.body)}, "follow": {"community/eastern-european"}, "email": {"ania.kowalska@example"}}
	r := c.post("/report/subscribe?lang=pl", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Wpisz adres e-mail w poprawnej postaci") ||
		!strings.Contains(r.body, `value="ania.kowalska@example"`) || !regexp.MustCompile(`value="community/eastern-european" id="[^"]+" checked`).MatchString(r.body) ||
		!strings.Contains(r.body, `href="#email"`) {
		t.Fatalf("a bad address: %d\n%s", r.status, r.body)
	}
	if n := outboxCount(t, e, "subscription_confirm"); n != 0 {
		t.Fatalf("a bad address queued %d emails", n)
	}
	good := url.Values{"form_token": {tokenOf(t, r.body)}, "follow": {"community/eastern-european"}, "email": {" Ania.Kowalska@example.org "}}
	r = c.post("/report/subscribe?lang=pl", good)
	if r.status != http.StatusSeeOther || r.location != "/report/subscribe/sent" {
		t.Fatalf("subscribe: %d %s\n%s", r.status, r.location, r.body)
	}
	m, err := mail.Open(e.keys, onePayload(t, e, "subscription_confirm"))
	if err != nil {
		t.Fatal(err)
	}
	if m.To != addr || m.Lang != "pl" || !strings.Contains(m.Subject, "Potwierdź") || !strings.Contains(m.Text, "Osoby z Europy Wschodniej") {
		t.Fatalf("confirmation email: %+v", m)
	}
	link := confirmLinkRE.FindString(m.Text)
	if link == "" || strings.Contains(link, "kowalska") {
		t.Fatalf("confirmation link %q", link)
	}
	u, _ := url.Parse(link)
	path := u.Path + "?" + u.RawQuery

	// A scanner fetching the link confirms nothing.
	anon := e.client()
	for range 2 {
		if g := anon.get(path); g.status != http.StatusOK || !strings.Contains(g.body, "Tak, wysyłajcie mi wiadomości") {
			t.Fatalf("confirmation page: %d", g.status)
		}
	}
	id, _ := subscription.Verify(e.keys.Derive("subscription-links"), subscription.PurposeConfirm, strings.TrimPrefix(u.Path, "/report/subscribe/confirm/"))
	if sub, err := e.store.Subscription(ctx, id); err != nil || sub.ConfirmedAt != nil {
		t.Fatalf("fetching the link confirmed it: %+v %v", sub, err)
	}
	if p := anon.post(path, nil); p.status != http.StatusOK || !strings.Contains(html.UnescapeString(p.body), "Obserwujesz raport") {
		t.Fatalf("confirm: %d\n%s", p.status, p.body)
	}
	if sub, err := e.store.Subscription(ctx, id); err != nil || sub.ConfirmedAt == nil {
		t.Fatalf("not confirmed: %+v %v", sub, err)
	}
	if p := anon.post(path, nil); p.status != http.StatusOK || !strings.Contains(p.body, "Ten link został już użyty") {
		t.Fatalf("a confirmation link used twice: %d\n%s", p.status, p.body)
	}

	// Unsubscribe: the page's button, or a mail program's one-click POST.
	unsub := subscription.Path(subscription.PurposeUnsubscribe, subscription.Token(e.keys.Derive("subscription-links"), subscription.PurposeUnsubscribe, id)) + "?lang=pl"
	if g := anon.get(unsub); g.status != http.StatusOK || !strings.Contains(g.body, `id="confirm"`) {
		t.Fatalf("unsubscribe page: %d", g.status)
	}
	if _, err := e.store.Subscription(ctx, id); err != nil {
		t.Fatal("fetching the unsubscribe link unsubscribed")
	}
	oneClick := e.client()
	if p := oneClick.post(unsub, url.Values{"List-Unsubscribe": {"One-Click"}}); p.status != http.StatusOK || !strings.Contains(p.body, "usunęliśmy Twój adres") {
		t.Fatalf("one-click unsubscribe: %d\n%s", p.status, p.body)
	}
	if _, err := e.store.Subscription(ctx, id); err == nil {
		t.Fatal("the subscription is still there")
	} else if err != store.ErrNotFound {
		t.Fatal(err)
	}
	if p := anon.post(unsub, nil); p.status != http.StatusOK || !strings.Contains(p.body, "Ten link został już użyty: wtedy zrezygnowałeś") {
		t.Fatalf("an unsubscribe link used twice: %d\n%s", p.status, p.body)
	}
	if g := anon.get(path); g.status != http.StatusGone {
		t.Fatalf("the confirmation link after unsubscribing: %d", g.status)
	}
	for _, forged := range []string{"/report/unsubscribe/" + id + ".AAAAAAAAAAAAAAAAAAAAAAAA", "/report/subscribe/confirm/" + id + ".AAAAAAAAAAAAAAAAAAAAAAAA"} {
		if p := anon.post(forged, nil); p.status != http.StatusNotFound {
			t.Errorf("forged link %s: %d", forged, p.status)
		}
	}
	// The privacy notice says what is kept and for how long.
	if p := e.client().get("/privacy?lang=en"); !strings.Contains(p.body, "if you follow the report by email") || !strings.Contains(p.body, "Not confirmed: deleted after 7 days") {
		t.Error("the privacy notice does not list subscriptions")
	}
	if strings.Contains(strings.ToLower(e.logs.String()), "kowalska") {
		t.Fatal("the address is in the log")
	}
}
