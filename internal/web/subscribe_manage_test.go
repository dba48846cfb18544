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

// confirmedSubscription stores a confirmed subscription for addr in lang
// following follow, and returns its id.
func confirmedSubscription(t *testing.T, e *env, addr, lang, follow string) string {
	t.Helper()
	f, ok := subscription.ParseFollow(follow)
	if !ok {
		t.Fatalf("follow %q", follow)
	}
	sealedEmail, err := e.keys.Seal(addr)
	if err != nil {
		t.Fatal(err)
	}
	id := store.NewID()
	if _, err := e.store.Subscribe(ctx, store.NewSubscription{ID: id, Email: addr, EmailSealed: sealedEmail, Lang: lang, Follow: f},
		func(got string) (mail.Queued, error) {
			return mail.Seal(e.keys, "subscription_confirm", mail.Message{To: addr, Subject: "Confirm", Text: got})
		}); err != nil {
		t.Fatal(err)
	}
	if err := e.store.ConfirmSubscription(ctx, id); err != nil {
		t.Fatal(err)
	}
	return id
}

// A subscriber changes their language and what they follow from the
// link in a digest, without unsubscribing: a forged link, or another
// link's token, is not found; the page (in the subscriber's language,
// and in every programme language) shows what they follow now; a bad
// choice comes back with the answers kept and nothing changed; a good
// one is saved (audited) and the page says so in the new language;
// following what the address already follows is refused clearly; after
// unsubscribing the link says the address is gone. The address is in no
// page, URL or log.
func TestManageSubscription(t *testing.T) {
	t.Parallel()
	eachEnv(t, testManageSubscription)
}

func testManageSubscription(t *testing.T, e *env) {
	const addr = "jan.nowak@example.org"
	id := confirmedSubscription(t, e, addr, "pl", "community/eastern-european")
	key := e.keys.Derive("subscription-links")
	path := subscription.Path(subscription.PurposeManage, subscription.Token(key, subscription.PurposeManage, id))
	c := e.client()

	for _, bad := range []string{
		"/report/subscribe/manage/" + id + ".AAAAAAAAAAAAAAAAAAAAAAAA",
		"/report/subscribe/manage/" + subscription.Token(key, subscription.PurposeUnsubscribe, id),
		"/report/subscribe/manage/" + subscription.Token(key, subscription.PurposeConfirm, id),
	} {
		if r := c.get(bad); r.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", bad, r.status)
		}
		if r := c.post(bad, url.Values{"follow": {"all"}, "language": {"en"}}); r.status != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", bad, r.status)
		}
	}

	g := c.get(path + "?lang=pl")
	if g.status != http.StatusOK || !strings.Contains(g.body, "Zmień swoje wiadomości") {
		t.Fatalf("manage page in Polish: %d\n%s", g.status, g.body)
	}
	if g.header.Get("Cache-Control") != "no-store" || g.header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("manage page headers: %v", g.header)
	}
	if !regexp.MustCompile(`value="community/eastern-european" id="[^"]+" checked`).MatchString(g.body) ||
		!regexp.MustCompile(`value="pl" id="[^"]+" checked`).MatchString(g.body) {
		t.Fatal("the page does not show what the subscription follows and its language")
	}
	// Its link to stop the emails is the subscription's unsubscribe link.
	if !strings.Contains(g.body, `href="`+subscription.Path(subscription.PurposeUnsubscribe, subscription.Token(key, subscription.PurposeUnsubscribe, id))+`?lang=pl"`) {
		t.Error("the page does not link to unsubscribing")
	}
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		r := c.get(path + "?lang=" + lang)
		if r.status != http.StatusOK {
			t.Fatalf("manage page in %s: %d", lang, r.status)
		}
		assertTranslated(t, "manage page in "+lang, r.body)
		if lang != "en" && strings.Contains(r.body, "Change your emails") {
			t.Errorf("manage page in %s is in English", lang)
		}
	}

	// Bad input: a language the programme does not offer. The answers are
	// kept; nothing changes.
	bad := url.Values{"form_token": {tokenOf(t, g.body)}, "follow": {"organisation/blmk-icb"}, "language": {"de"}}
	r := c.post(path+"?lang=pl", bad)
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Wybierz język wiadomości.") || !strings.Contains(r.body, `href="#language"`) ||
		!regexp.MustCompile(`value="organisation/blmk-icb" id="[^"]+" checked`).MatchString(r.body) ||
		regexp.MustCompile(`value="pl" id="[^"]+" checked`).MatchString(r.body) {
		t.Fatalf("a bad language: %d\n%s", r.status, r.body)
	}
	if sub, _ := e.store.Subscription(ctx, id); sub.Lang != "pl" || sub.Follow.String() != "community/eastern-european" {
		t.Fatalf("a refused change changed the subscription: %+v", sub)
	}
	empty := c.post(path+"?lang=pl", url.Values{"form_token": {tokenOf(t, r.body)}})
	if empty.status != http.StatusUnprocessableEntity || !strings.Contains(empty.body, `href="#follow"`) || !strings.Contains(empty.body, `href="#language"`) {
		t.Fatalf("an empty post: %d", empty.status)
	}

	// A good change: saved, audited, and the page says so in Urdu.
	good := url.Values{"form_token": {tokenOf(t, r.body)}, "follow": {"organisation/blmk-icb"}, "language": {"ur"}}
	r = c.post(path+"?lang=pl", good)
	if r.status != http.StatusSeeOther || r.location != path+"?lang=ur&saved=1" {
		t.Fatalf("change: %d %s\n%s", r.status, r.location, r.body)
	}
	sub, err := e.store.Subscription(ctx, id)
	if err != nil || sub.Lang != "ur" || sub.Follow.String() != "organisation/blmk-icb" || sub.ConfirmedAt == nil {
		t.Fatalf("after the change: %+v %v", sub, err)
	}
	entries, err := e.store.RecentAudit(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	audited := false
	for _, en := range entries {
		if en.Action == store.AuditSubscriptionChanged && en.Subject == id && strings.Contains(en.Detail, "organisation/blmk-icb") {
			audited = true
		}
	}
	if !audited {
		t.Fatalf("the change is not in the audit trail: %+v", entries)
	}
	saved := c.get(r.location)
	if saved.status != http.StatusOK || !strings.Contains(saved.body, `lang="ur"`) ||
		!strings.Contains(html.UnescapeString(saved.body), "آپ کی تبدیلیاں محفوظ ہو گئی ہیں") ||
		!regexp.MustCompile(`value="ur" id="[^"]+" checked`).MatchString(saved.body) {
		t.Fatalf("the page after saving: %d\n%s", saved.status, saved.body)
	}

	// Following what the same address already follows.
	confirmedSubscription(t, e, addr, "en", "all")
	again := url.Values{"form_token": {tokenOf(t, saved.body)}, "follow": {"all"}, "language": {"ur"}}
	if r := c.post(path+"?lang=en", again); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "You already get emails about this") ||
		!regexp.MustCompile(`value="all" id="[^"]+" checked`).MatchString(r.body) {
		t.Fatalf("following what the address already follows: %d\n%s", r.status, r.body)
	}
	if sub, _ := e.store.Subscription(ctx, id); sub.Follow.String() != "organisation/blmk-icb" {
		t.Fatalf("a refused change changed the subscription: %+v", sub)
	}

	// Unsubscribed: the link says the address is gone.
	if err := e.store.Unsubscribe(ctx, id); err != nil {
		t.Fatal(err)
	}
	if r := c.get(path + "?lang=en"); r.status != http.StatusGone || !strings.Contains(r.body, "you have unsubscribed") {
		t.Fatalf("the manage link after unsubscribing: %d\n%s", r.status, r.body)
	}
	if r := c.post(path+"?lang=en", url.Values{"follow": {"all"}, "language": {"en"}}); r.status != http.StatusGone {
		t.Fatalf("a post to the manage link after unsubscribing: %d", r.status)
	}
	for _, body := range []string{g.body, saved.body, e.logs.String()} {
		if strings.Contains(strings.ToLower(body), "nowak") {
			t.Fatal("the address is on a page or in the log")
		}
	}
}
