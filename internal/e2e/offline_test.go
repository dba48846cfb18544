package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/browsertest"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/event"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/testenv"
)

// Offline capture (docs/offline.md). The network is cut in two ways at
// once, so that it reaches the service worker as well as the page: the
// server is stopped (every request, the worker's included, is refused),
// and Chromium is told the page is offline (navigator.onLine false,
// Network.overrideNetworkState) and the worker too
// (Network.emulateNetworkConditionsByRule with emulateOfflineServiceWorker).

// restartable is a hearme that a test stops and starts again on the same
// address, data directory and database, as a server restart does.
type restartable struct {
	t    *testing.T
	cfg  config.Config
	addr string
	site *site
	stop func()
}

// shutdownTimeout is longer than the 5 s for which net/http's Shutdown
// waits on a connection that has not yet sent a request: Chromium opens
// connections ahead of need (preconnect), and one opened just before a
// test stops the server would otherwise hold the shutdown past its limit.
const shutdownTimeout = 10 * time.Second

func startRestartable(t *testing.T, postgres bool) *restartable {
	t.Helper()
	testenv.ChromiumPath(t)
	cfg := config.Config{
		Addr: "127.0.0.1:0", DataDir: t.TempDir(), Demo: true, LogLevel: "info",
		MaxBodyBytes: 1 << 20, SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour,
		ShutdownTimeout: shutdownTimeout, Mail: config.Mail{From: "hearme <hearme@localhost>", TLS: "none"},
	}
	if postgres {
		cfg.Database = storetest.PostgresDSN(t)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &restartable{t: t, cfg: cfg, addr: ln.Addr().String()}
	r.serve(ln, "")
	t.Cleanup(func() { r.down() })
	return r
}

func (r *restartable) up(tag string) {
	r.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was ours a moment ago
		if ln, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		r.t.Fatalf("listen again on %s: %v", r.addr, err)
	}
	r.serve(ln, tag)
}

func (r *restartable) serve(ln net.Listener, tag string) {
	r.t.Helper()
	cfg := r.cfg
	cfg.OfflineShellTag = tag
	cfg.BaseURL = config.ListenURL(ln.Addr().String())
	logs := &syncBuffer{}
	a, err := app.New(bg, cfg, app.NewLogger(logs, cfg.LogLevel))
	if err != nil {
		ln.Close()
		r.t.Fatalf("app.New: %v", err)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	r.site = &site{t: r.t, App: a, URL: "http://" + ln.Addr().String(), logs: logs}
	r.stop = func() {
		cancel()
		if err := <-done; err != nil {
			r.t.Errorf("serve: %v", err)
		}
		if err := a.Close(); err != nil {
			r.t.Errorf("close: %v", err)
		}
		if bad := logs.problems(); len(bad) > 0 {
			r.t.Errorf("hearme logged %d error(s) or warning(s):\n%s", len(bad), strings.Join(bad, "\n"))
		}
	}
}

func (r *restartable) down() {
	if r.stop != nil {
		r.stop()
		r.stop = nil
	}
}

// newChampion creates an active champion account with a password (a
// champion needs no second factor).
func (s *site) newChampion(p *person) account.User {
	s.t.Helper()
	u, err := s.App.Store.CreateUser(bg, "test", account.NewUser{Email: p.Email, DisplayName: p.Name, Role: account.Champion})
	if err != nil {
		s.t.Fatalf("CreateUser: %v", err)
	}
	hash, err := auth.HashPassword(p.Password)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.App.Store.SetPassword(bg, u.ID, hash); err != nil {
		s.t.Fatal(err)
	}
	return u
}

// signInChampion signs in with a password alone.
func (b *tab) signInChampion(p *person) {
	b.t.Helper()
	b.open("/login")
	b.fill("#email", p.Email)
	b.fill("#password", p.Password)
	follow(b, chromedp.CSS(`form[action="/login"] button[type=submit]`))
	if p := b.path(); !strings.HasPrefix(p, "/staff") && !strings.HasPrefix(p, "/champion") {
		b.t.Fatalf("after signing in: on %s\n%s", p, b.text("main"))
	}
}

// wait polls a JavaScript condition until it is true.
func (b *tab) wait(what, js string, within time.Duration) {
	b.t.Helper()
	end := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(end) {
			b.t.Fatalf("%s: not true after %v (%v) on %s\nbanner: %s", what, within, err, b.location(), b.text("[data-queue-banner]"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// network cuts or restores the tab's network, the service worker's too.
func (b *tab) network(offline bool) {
	b.t.Helper()
	b.do("network", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
			return err
		}
		t := true
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &t,
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}})
		return err
	}))
}

// workerReady waits until the capture page is controlled by the service
// worker (so that it opens with no server).
func (b *tab) workerReady() {
	b.t.Helper()
	b.wait("service worker controls the page", `!!(navigator.serviceWorker && navigator.serviceWorker.controller)`, 30*time.Second)
}

// capture fills the capture form and saves it with "save and add
// another", and waits until the page counts want records waiting.
func (b *tab) capture(lang, text string, ev *event.Event, want int) {
	b.t.Helper()
	b.captureWithin(lang, text, ev, want, 20*time.Second)
}

func (b *tab) captureWithin(lang, text string, ev *event.Event, want int, within time.Duration) {
	b.t.Helper()
	if ev != nil {
		b.do("event", chromedp.SetValue(chromedp.CSS("#event_id"), ev.ID))
	}
	b.do("language", chromedp.SetValue(chromedp.CSS("#lang"), lang))
	b.clickLabel(`input[name=role][value="person-with-cancer"]`)
	b.clickLabel(`input[name=stages][value="screening"]`)
	b.fill("#what_happened", text)
	b.clickLabel(`#consent_evidence`)
	b.do("save", chromedp.Click(chromedp.CSS(`button[name=next][value=another]`)))
	b.wait("saved on this phone", fmt.Sprintf(`document.querySelector("#what_happened").value === "" && /No connection: saved on this phone/.test(document.querySelector("[data-queue-banner]").innerText) && /not sent yet: %d\b/.test(document.querySelector("[data-queue-banner]").innerText)`, want), within)
}

func waitingCount(b *tab) int {
	return eval[int](b, `(m => m ? Number(m[1]) : 0)((document.querySelector("[data-queue-banner]").innerText.match(/not sent yet: (\d+)/)))`)
}

// profileDir is the browser's user data directory, as chrome://version
// names it (the profile path's parent).
func (b *tab) profileDir() string {
	b.t.Helper()
	b.do("chrome://version", chromedp.Navigate("chrome://version"))
	b.wait("chrome://version filled in", `!!(document.getElementById("profile_path") || {}).innerText`, 20*time.Second)
	p := eval[string](b, `(document.getElementById("profile_path") || {}).innerText || ""`)
	if !filepath.IsAbs(p) {
		b.t.Fatalf("chrome://version names no profile path: %q", p)
	}
	return filepath.Dir(p)
}

// grepDir returns the files under dir that hold any of needles.
func grepDir(t *testing.T, dir string, needles ...string) []string {
	t.Helper()
	var hits []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		for _, n := range needles {
			if strings.Contains(string(b), n) {
				hits = append(hits, fmt.Sprintf("%s holds %q", p, n))
			}
		}
		return nil
	})
	return hits
}

// TestOfflineCaptureJourney is the "done when": a champion signs
// in, goes offline, captures five experiences from a mini event (two in
// Urdu), reloads the page, sees the five waiting, cannot sign out, comes
// back online, and the five arrive once each in the moderation queue,
// linked to the event, with their captured times. After signing out, the
// browser's profile holds neither a marker from a story nor the key.
func TestOfflineCaptureJourney(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, testOfflineCaptureJourney)
}

// onBothDatabases runs test as parallel subtests on SQLite and on
// PostgreSQL (each with a restartable server of its own).
func onBothDatabases(t *testing.T, test func(t *testing.T, postgres bool)) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			if db == "postgres" {
				testenv.PostgresDSN(t)
			}
			test(t, db == "postgres")
		})
	}
}

func testOfflineCaptureJourney(t *testing.T, postgres bool) {
	srv := startRestartable(t, postgres)
	s := srv.site
	ev := &event.Event{Kind: event.KindMiniHearMe, Visibility: event.Public, Languages: []string{"en", "ur"}, Start: time.Now().Add(-time.Hour),
		End: time.Now().Add(2 * time.Hour), VenueName: "Community centre basement", VenueAddress: "Luton", Capacity: 40,
		Texts: map[string]event.Text{"en": {Title: "Mini hear me: Bury Park"}}}
	if err := s.App.Store.CreateEvent(bg, ev); err != nil {
		t.Fatal(err)
	}
	champ := &person{Name: "Amina Hussain", Email: "amina.hussain@example.org", Password: "quiet harbour lantern 58"}
	u := s.newChampion(champ)
	// A browser of its own, with its profile on disk, to search after.
	ctx := browsertest.New(t, browsertest.WithTimeout(4*time.Minute))
	b := newTab(t, ctx, s.URL)
	b.signInChampion(champ)
	if st := b.open("/staff/capture"); st != http.StatusOK {
		t.Fatalf("/staff/capture: %d", st)
	}
	b.workerReady()
	b.wait("queue key kept", `HearmeQueue.meta("key").then(k => window.__key = !!k), window.__key === true`, 10*time.Second)
	jwkX := eval[string](b, `JSON.parse(document.querySelector("[data-capture-form]").dataset.queueKey).x`)

	// The basement: no signal.
	start := time.Now().UTC().Truncate(time.Second)
	srv.down()
	b.network(true)
	marker := "MARKER-7Q2" + fmt.Sprint(time.Now().UnixNano()%100000)
	stories := []struct{ lang, text string }{
		{"en", marker + " waited six weeks for the scan letter"},
		{"ur", marker + " مجھے اسکریننگ کا خط سمجھ نہیں آیا"},
		{"en", marker + " the nurse explained everything kindly"},
		{"ur", marker + " ترجمان نہیں ملا"},
		{"en", marker + " no one said what the results meant"},
	}
	for i, st := range stories {
		b.capture(st.lang, st.text, ev, i+1)
		if n := waitingCount(b); n != i+1 {
			t.Fatalf("after capture %d the page says %d waiting", i+1, n)
		}
	}
	// Reload with no connection: the shell opens and counts the five.
	if st := b.open("/staff/capture"); st != http.StatusOK {
		t.Fatalf("offline reload: %d", st)
	}
	b.wait("five waiting after the reload", `/not sent yet: 5/.test(document.querySelector("[data-queue-banner]").innerText)`, 10*time.Second)
	if !eval[bool](b, `document.querySelector("form[data-capture-form]").hasAttribute("data-shell")`) {
		t.Fatal("the page opened offline is not the shell")
	}
	// Signing out is refused while they wait.
	b.do("sign out", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	b.wait("sign-out refused", `/cannot sign out/.test(document.querySelector("[data-queue-banner]").innerText)`, 10*time.Second)
	if p := b.path(); p != "/staff/capture" {
		t.Fatalf("after a refused sign-out: on %s", p)
	}

	// Back online: the five are sent, one at a time, and leave the phone.
	srv.up("")
	s = srv.site
	b.network(false)
	b.do("send now", chromedp.Click(chromedp.CSS(`[data-queue-send]`)))
	b.wait("all sent", `/Nothing is waiting/.test(document.querySelector("[data-queue-count]").innerText)`, 60*time.Second)
	if n := len(b.texts("[data-queue-sent] li")); n != 5 {
		t.Errorf("the page lists %d sent, want 5", n)
	}
	q, err := s.App.Store.ModerationQueue(bg, 100)
	if err != nil {
		t.Fatal(err)
	}
	urdu := 0
	for _, it := range q {
		if !it.Offline || it.CapturedAt.Before(start.Add(-time.Second)) || it.CapturedAt.After(time.Now()) {
			t.Errorf("%s: offline %v, captured at %v (the test captured after %v)", it.Reference, it.Offline, it.CapturedAt, start)
		}
		if it.Lang == "ur" {
			urdu++
		}
	}
	if len(q) != 5 || urdu != 2 {
		t.Fatalf("moderation queue holds %d (%d in Urdu), want 5 (2)", len(q), urdu)
	}
	if rep, err := s.App.Store.EventReport(bg, ev.ID); err != nil || rep.Experiences != 5 {
		t.Fatalf("event report %+v %v: want the five linked to the event", rep, err)
	}
	for _, it := range q {
		h, err := s.App.Store.ExperienceForModeration(bg, it.ID, u.ID)
		if err != nil || !strings.Contains(h.Submission.WhatHappened, marker) {
			t.Fatalf("%s: %v %q", it.Reference, err, h.Submission.WhatHappened)
		}
	}

	// The search of the profile works: before signing out the queue key
	// is on disk (the shell in the worker's cache, the queue's meta), and
	// the stories never were (only ciphertext was ever stored).
	dir := b.profileDir()
	if hits := grepDir(t, dir, jwkX); len(hits) == 0 {
		t.Errorf("before sign-out the profile %s does not hold the queue key: the search finds nothing", dir)
	}
	if hits := grepDir(t, dir, marker); len(hits) > 0 {
		t.Errorf("the profile holds a story in the clear:\n%s", strings.Join(hits, "\n"))
	}
	b.open("/staff/capture")

	// Now signing out works, and leaves nothing readable behind.
	b.signOut()
	b.do("leave the site", chromedp.Navigate("about:blank"))
	time.Sleep(time.Second) // let the browser write what it writes
	dir = b.profileDir()
	if hits := grepDir(t, dir, marker, jwkX); len(hits) > 0 {
		t.Errorf("after sign-out the browser profile still holds:\n%s", strings.Join(hits, "\n"))
	}
}

// TestOfflineServerGoneWhileOnline: the browser believes it is online
// (navigator.onLine stays true, nothing is emulated) but the capture
// form's post fails at the network level: first the server is stopped
// (the connection is refused), then it is replaced by one that takes the
// connection and never answers (a captive portal, a signal that drops
// mid-post). Each time the record goes into the encrypted queue and the
// page says it is saved on this phone; once the server is back, each
// arrives once. A post that can be neither sent nor kept is answered so, and
// Back returns to what was typed.
func TestOfflineServerGoneWhileOnline(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, testOfflineServerGoneWhileOnline)
}

func testOfflineServerGoneWhileOnline(t *testing.T, postgres bool) {
	srv := startRestartable(t, postgres)
	s := srv.site
	ev := &event.Event{Kind: event.KindMiniHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: time.Now().Add(-time.Hour),
		End: time.Now().Add(2 * time.Hour), VenueName: "Church hall", VenueAddress: "Luton", Capacity: 40,
		Texts: map[string]event.Text{"en": {Title: "Mini hear me: High Town"}}}
	if err := s.App.Store.CreateEvent(bg, ev); err != nil {
		t.Fatal(err)
	}
	champ := &person{Name: "Ruth Adeyemi", Email: "ruth.adeyemi@example.org", Password: "harbour willow candle 36"}
	s.newChampion(champ)
	ctx := browsertest.New(t, browsertest.WithTimeout(4*time.Minute))
	b := newTab(t, ctx, s.URL)
	b.signInChampion(champ)
	b.open("/staff/capture")
	b.workerReady()
	b.wait("queue key kept", `HearmeQueue.meta("key").then(k => window.__key = !!k), window.__key === true`, 10*time.Second)
	marker := fmt.Sprintf("GONE-%d", time.Now().UnixNano()%100000)

	// The server stops: the post is refused.
	srv.down()
	if !eval[bool](b, `navigator.onLine`) {
		t.Fatal("the browser says it is offline: this test is of a browser that believes it is online")
	}
	b.capture("en", marker+"-refused", ev, 1)
	if loc := b.location(); loc != "/staff/capture?queued=1" {
		t.Fatalf("after the refused post: on %s", loc)
	}
	// The shell keeps queueing while the server is away.
	b.capture("en", marker+"-shell", ev, 2)

	// The server is back: the two are sent (Send now, if the page has not
	// sent them already), and a page from the server opens again.
	srv.up("")
	s = srv.site
	b.sendNow()
	b.wait("both sent", `/Nothing is waiting/.test(document.querySelector("[data-queue-count]").innerText)`, 60*time.Second)
	if st := b.open("/staff/capture"); st != http.StatusOK || eval[bool](b, `!!document.querySelector("form[data-shell]")`) {
		t.Fatalf("/staff/capture with the server back: %d, shell %v", st, eval[bool](b, `!!document.querySelector("form[data-shell]")`))
	}

	// Now a server that takes the connection and never answers.
	srv.down()
	hung, err := net.Listen("tcp", srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := hung.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	begin := time.Now()
	b.captureWithin("en", marker+"-hung", ev, 1, 40*time.Second)
	t.Logf("a post the server took and never answered was kept on the phone after %v", time.Since(begin).Round(100*time.Millisecond))
	hung.Close()
	<-accepted
	for _, c := range held {
		c.Close()
	}
	srv.up("")
	s = srv.site
	b.sendNow()
	b.wait("the third sent", `/Nothing is waiting/.test(document.querySelector("[data-queue-count]").innerText)`, 60*time.Second)

	// A post that can be neither sent nor kept (here the phone has lost
	// the queue key): the worker says so, in the page's words, and Back
	// returns to what was typed.
	b.open("/staff/capture")
	b.wait("queue key kept", `HearmeQueue.meta("key").then(k => window.__key = !!k), window.__key === true`, 10*time.Second)
	b.do("lose the queue key", chromedp.Evaluate[chromedp.Void](`new Promise((ok, fail) => { const r = indexedDB.open("hearme-capture"); r.onsuccess = () => {
		const t = r.result.transaction("meta", "readwrite"); t.objectStore("meta").delete("key"); t.oncomplete = () => { r.result.close(); ok(true); }; t.onerror = fail; }; r.onerror = fail; })`, chromedp.EvalAwaitPromise))
	srv.down()
	b.fill("#what_happened", marker+"-unsaved")
	b.do("save", chromedp.Click(chromedp.CSS(`button[name=next][value=another]`)))
	b.wait("not saved", `/Not sent and not saved on this phone/.test(document.body.innerText) && document.documentElement.lang === "en"`, 30*time.Second)
	b.do("back", chromedp.NavigateBack())
	b.wait("what was typed, back", fmt.Sprintf(`(e => !!e && e.value === %q)(document.querySelector("#what_happened"))`, marker+"-unsaved"), 20*time.Second)
	srv.up("")
	s = srv.site

	q, err := s.App.Store.ModerationQueue(bg, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, it := range q {
		h, err := s.App.Store.ExperienceForModeration(bg, it.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Submission.WhatHappened]++
		if !it.Offline {
			t.Errorf("%s: not marked as captured offline", it.Reference)
		}
	}
	for _, k := range []string{"-refused", "-shell", "-hung"} {
		if seen[marker+k] != 1 {
			t.Errorf("%s arrived %d times, want once (moderation queue: %v)", marker+k, seen[marker+k], seen)
		}
	}
	if len(q) != 3 {
		t.Errorf("moderation queue holds %d, want 3", len(q))
	}
}

// sendNow presses "Send now" if records still wait (the page may have
// sent them by itself, when its back-off ran out, and hidden the button).
func (b *tab) sendNow() {
	b.t.Helper()
	eval[bool](b, `(e => (e && e.offsetParent ? e.click() : null, true))(document.querySelector("[data-queue-send]"))`)
}

// captureMany captures n records through the capture form on the page,
// numbered from first: for each it sets the form's fields (the event, the
// language, who, the stage, the story, consent), presses "save and add
// another" and waits until the page counts one more waiting and has
// emptied the form for the next. The fields are set by script rather
// than typed key by key, so that the figure measures the form and the
// queue, not the typing; the submit is the form's own.
func (b *tab) captureMany(ev *event.Event, tag string, first, n int) time.Duration {
	b.t.Helper()
	begin := time.Now()
	js := fmt.Sprintf(`(async () => {
		const form = document.querySelector("form[data-capture-form]");
		const banner = document.querySelector("[data-queue-banner]");
		const waiting = () => (m => m ? Number(m[1]) : 0)(banner.innerText.match(/not sent yet: (\d+)/));
		const tick = () => new Promise(r => setTimeout(r, 5));
		for (let i = %d; i < %d; i++) {
			const before = waiting();
			form.querySelector("#event_id").value = %q;
			form.querySelector("#lang").value = i %% 5 === 0 ? "ur" : "en";
			form.querySelector('input[name=role][value="friend"]').checked = true;
			form.querySelector('input[name=stages][value="screening"]').checked = true;
			form.querySelector("#what_happened").value = %q + "-" + String(i).padStart(3, "0");
			form.querySelector("#consent_evidence").checked = true;
			form.querySelector('button[name=next][value=another]').click();
			for (const end = Date.now() + 20000; waiting() !== before + 1 || form.querySelector("#what_happened").value !== "";) {
				if (Date.now() > end) { throw new Error("record " + i + ": the page says " + waiting() + " waiting, not " + (before + 1) + ": " + banner.innerText); }
				await tick();
			}
		}
		return true;
	})()`, first, first+n, ev.ID, tag)
	ctx, cancel := context.WithTimeout(b.ctx, 3*time.Minute)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js, chromedp.EvalAwaitPromise)); err != nil {
		b.t.Fatalf("capture %d records through the form: %v", n, err)
	}
	return time.Since(begin)
}

// cacheNames lists the site's caches on the phone.
func (b *tab) cacheNames() []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`caches.keys()`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatal(err)
	}
	return v
}

// TestOffline200Records captures 200 records with no connection, all
// through the capture form (the first typed, on the page the server made,
// while the browser still believes it is online; the others with their
// fields set by script and the form's own submit), across a page reload,
// a service-worker update and a server restart, then sends them: 0 lost,
// 0 duplicated, and the time to send all 200 once the connection returns
// (docs/performance.md).
func TestOffline200Records(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, testOffline200Records)
}

func testOffline200Records(t *testing.T, postgres bool) {
	srv := startRestartable(t, postgres)
	s := srv.site
	ev := &event.Event{Kind: event.KindMiniHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: time.Now().Add(-time.Hour),
		End: time.Now().Add(5 * time.Hour), VenueName: "Market stall", VenueAddress: "Luton", Capacity: 300,
		Texts: map[string]event.Text{"en": {Title: "Market day"}}}
	if err := s.App.Store.CreateEvent(bg, ev); err != nil {
		t.Fatal(err)
	}
	champ := &person{Name: "Grace Mensah", Email: "grace.mensah@example.org", Password: "amber orchard violin 41"}
	s.newChampion(champ)
	ctx := browsertest.New(t, browsertest.WithTimeout(10*time.Minute))
	b := newTab(t, ctx, s.URL)
	b.signInChampion(champ)
	b.open("/staff/capture")
	b.workerReady()
	b.wait("queue key kept", `HearmeQueue.meta("key").then(k => window.__key = !!k), window.__key === true`, 10*time.Second)
	before := b.cacheNames()
	tag := fmt.Sprintf("R%d", time.Now().UnixNano()%1000000)

	// The server stops while the browser still believes it is online (the
	// signal lost in the middle of the event): the first record, typed on
	// the page the server made, is posted; the post fails and the service
	// worker keeps it in the queue and opens the shell.
	srv.down()
	b.capture("en", tag+"-000", ev, 1)
	if loc := b.location(); loc != "/staff/capture?queued=1" {
		t.Fatalf("after the post the server did not answer: on %s", loc)
	}
	// Then the browser knows it is offline too: 79 more through the form.
	b.network(true)
	var typing time.Duration // the time the 199 took through the form
	typing += b.captureMany(ev, tag, 1, 79)
	// A reload: the shell, and 60 more.
	b.open("/staff/capture")
	b.wait("80 waiting after the reload", `/not sent yet: 80\b/.test(document.querySelector("[data-queue-banner]").innerText)`, 20*time.Second)
	typing += b.captureMany(ev, tag, 80, 60)

	// A server restart with a new release: the service worker updates.
	// The page stays offline (it sends nothing) while the worker's own
	// requests reach the server.
	srv.up("second-release")
	b.do("worker online, page offline", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		f := false
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &f,
			MatchedNetworkConditions: []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}})
		return err
	}))
	b.do("check for an update", chromedp.Evaluate[chromedp.Void](`navigator.serviceWorker.getRegistration("/staff/capture").then(r => r.update())`))
	b.wait("the new version active", fmt.Sprintf(`caches.keys().then(k => window.__caches = k), Array.isArray(window.__caches) && window.__caches.length === 2 && !window.__caches.includes(%q)`, before[0]), 60*time.Second)
	after := b.cacheNames()
	if q, _ := s.App.Store.ModerationQueue(bg, 10); len(q) != 0 {
		t.Fatalf("%d records arrived while the page was offline", len(q))
	}
	// Offline again, fully: reload from the new version's shell, 60 more.
	srv.down()
	b.network(true)
	b.open("/staff/capture")
	b.wait("140 waiting after the update", `/not sent yet: 140\b/.test(document.querySelector("[data-queue-banner]").innerText)`, 20*time.Second)
	typing += b.captureMany(ev, tag, 140, 60)
	b.open("/staff/capture")
	b.wait("200 waiting", `/not sent yet: 200\b/.test(document.querySelector("[data-queue-banner]").innerText)`, 20*time.Second)

	// The connection returns: all 200 are sent.
	srv.up("second-release")
	s = srv.site
	b.network(false)
	start := time.Now()
	b.do("send now", chromedp.Click(chromedp.CSS(`[data-queue-send]`)))
	b.wait("all 200 sent", `/Nothing is waiting/.test(document.querySelector("[data-queue-count]").innerText)`, 5*time.Minute)
	took := time.Since(start)

	q, err := s.App.Store.ModerationQueue(bg, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, it := range q {
		h, err := s.App.Store.ExperienceForModeration(bg, it.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		seen[h.Submission.WhatHappened]++
	}
	lost, doubled := 0, 0
	for i := range 200 {
		switch n := seen[fmt.Sprintf("%s-%03d", tag, i)]; {
		case n == 0:
			lost++
		case n > 1:
			doubled += n - 1
		}
	}
	t.Logf("200 records captured offline through the form (caches %v, then %v; 199 saved with the form in %v, %.0f ms each): %d stored, %d lost, %d duplicated; sent in %v (%.1f records/s)",
		before, after, typing.Round(time.Millisecond), typing.Seconds()*1000/199, len(q), lost, doubled, took.Round(time.Millisecond), 200/took.Seconds())
	if lost != 0 || doubled != 0 || len(q) != 200 {
		t.Fatalf("%d stored, %d lost, %d duplicated; want 200, 0, 0", len(q), lost, doubled)
	}
	if rep, err := s.App.Store.EventReport(bg, ev.ID); err != nil || rep.Experiences != 200 {
		t.Fatalf("event report %+v %v: want the 200 linked to the event chosen in the form", rep, err)
	}
}

// TestOfflineShellOpensFast: on a throttled mid-range phone profile (CPU
// 4x slower, Emulation.setCPUThrottlingRate, and no network) the capture
// page opens from the service worker in under a second, to the load event.
// Two series, HEARME_OFFLINE_OPENS opens each (default 5):
//   - warm: the page opened again from itself, the worker running;
//   - cold: from a blank tab, with every service worker stopped first
//     (ServiceWorker.stopAllWorkers), as when the phone opens the page
//     after a while: the worker starts, then answers.
//
// The machine the tests run on is shared: the medians and the spread are
// logged (docs/performance.md gives them with the machine's load), and the
// 1 s target is asserted on both medians when HEARME_OFFLINE_PERF=1.
func TestOfflineShellOpensFast(t *testing.T) {
	t.Parallel()
	n := 5
	if v, err := strconv.Atoi(os.Getenv("HEARME_OFFLINE_OPENS")); err == nil && v > 0 {
		n = v
	}
	srv := startRestartable(t, false)
	s := srv.site
	ev := &event.Event{Kind: event.KindMiniHearMe, Visibility: event.Public, Languages: []string{"en"}, Start: time.Now().Add(-time.Hour),
		End: time.Now().Add(2 * time.Hour), VenueName: "Mosque hall", VenueAddress: "Luton", Capacity: 40,
		Texts: map[string]event.Text{"en": {Title: "Mini hear me: Saints"}}}
	if err := s.App.Store.CreateEvent(bg, ev); err != nil {
		t.Fatal(err)
	}
	champ := &person{Name: "Hodan Ali", Email: "hodan.ali@example.org", Password: "silver kettle river 27"}
	s.newChampion(champ)
	ctx := browsertest.New(t, browsertest.WithTimeout(time.Duration(2+n/3)*time.Minute))
	b := newTab(t, ctx, s.URL)
	b.signInChampion(champ)
	b.open("/staff/capture")
	b.workerReady()
	b.wait("queue key kept", `HearmeQueue.meta("key").then(k => window.__key = !!k), window.__key === true`, 10*time.Second)
	srv.down()
	// Twenty records wait on the phone, as in the middle of an event.
	b.network(true)
	b.open("/staff/capture")
	b.captureMany(ev, "PERF", 0, 20)
	b.do("throttle", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, emulation.SetCPUThrottlingRate, emulation.SetCPUThrottlingRateParams{Rate: 4}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, Latency: 150,
			DownloadThroughput: 1.6 * 1024 * 1024 / 8, UploadThroughput: 750 * 1024 / 8}); err != nil {
			return err
		}
		t := true
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{EmulateOfflineServiceWorker: &t,
			MatchedNetworkConditions: []*network.Conditions{{Offline: true, Latency: 150, DownloadThroughput: 1.6 * 1024 * 1024 / 8, UploadThroughput: 750 * 1024 / 8}}})
		return err
	}))
	measure := func(series string, i int) time.Duration {
		ms := eval[float64](b, `(e => e.loadEventEnd - e.startTime)(performance.getEntriesByType("navigation")[0])`)
		if !eval[bool](b, `!!document.querySelector("form[data-shell]") && typeof HearmeQueue === "object"`) {
			t.Fatalf("%s open %d: not the working shell", series, i)
		}
		d := time.Duration(ms * float64(time.Millisecond))
		b.wait("the page counts what waits", `/not sent yet: 20\b/.test(document.querySelector("[data-queue-banner]").innerText)`, 20*time.Second)
		t.Logf("%s open %d offline, CPU 4x slower: %v to the load event; the 20 waiting counted at %.0f ms (%s)", series, i+1, d.Round(time.Millisecond),
			eval[float64](b, `(performance.getEntriesByName("hearme-queue-shown")[0] || {startTime: -1}).startTime`),
			eval[string](b, `(e => ["workerStart", "responseStart", "responseEnd", "domInteractive", "domContentLoadedEventEnd"].map(k => k + " " + Math.round(e[k] - e.startTime)).join(", ") +
				", first paint " + Math.round((performance.getEntriesByName("first-contentful-paint")[0] || {startTime: NaN}).startTime))(performance.getEntriesByType("navigation")[0])`))
		return d
	}
	var warm, cold []time.Duration
	for i := range n {
		b.open("/staff/capture")
		warm = append(warm, measure("warm", i))
	}
	for i := range n {
		b.do("blank tab, workers stopped", chromedp.Navigate("about:blank"), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
				return err
			}
			_, err := chromedp.Call(ctx, serviceworker.StopAllWorkers, cdp.Empty{})
			return err
		}))
		b.open("/staff/capture")
		cold = append(cold, measure("cold", i))
	}
	for _, sr := range []struct {
		name  string
		opens []time.Duration
	}{{"warm", warm}, {"cold", cold}} {
		slices.Sort(sr.opens)
		med := sr.opens[len(sr.opens)/2]
		if len(sr.opens)%2 == 0 {
			med = (sr.opens[len(sr.opens)/2-1] + med) / 2
		}
		t.Logf("offline opens, %s: median %v, from %v to %v (%d opens)", sr.name, med.Round(time.Millisecond),
			sr.opens[0].Round(time.Millisecond), sr.opens[len(sr.opens)-1].Round(time.Millisecond), len(sr.opens))
		// The 1 s target is checked when the machine is quiet enough to
		// measure it (HEARME_OFFLINE_PERF=1, as docs/performance.md does);
		// on a shared, loaded machine the test checks that the shell opens,
		// offline and working, and logs the times.
		if os.Getenv("HEARME_OFFLINE_PERF") == "1" && med >= time.Second {
			t.Errorf("the capture page offline, %s, took %v (median of %d) to open, want under 1 s", sr.name, med, len(sr.opens))
		}
	}
}
