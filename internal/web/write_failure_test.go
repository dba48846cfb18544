package web_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

// failingStore is a session store that, once told to, refuses every
// write as a full disk would.
type failingStore struct {
	scs.Store
	failing atomic.Bool
}

var errDiskFull = errors.New("database or disk is full (SQLITE_FULL)")

func (f *failingStore) Commit(token string, b []byte, expiry time.Time) error {
	if f.failing.Load() {
		return errDiskFull
	}
	return f.Store.Commit(token, b, expiry)
}

// newEnvWithFailingSessions is a running hearme whose session store can
// be made to fail.
func newEnvWithFailingSessions(t *testing.T) (*env, *failingStore) {
	t.Helper()
	cfg := testConfig(t)
	st := storetest.SQLite(t)
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "keys.txt"))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	sm := app.NewSessions(cfg, st)
	fs := &failingStore{Store: sm.Store}
	sm.Store = fs
	logs := &syncBuffer{}
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: sm,
		Logger: slog.New(slog.NewJSONHandler(logs, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w.Handler())
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, web: w, store: st, keys: keys, logs: logs}, fs
}

// A disk that fills while a resident shares: the answer is the translated
// page with what they typed kept in a form that sends it again, a JSON log
// line, never scs's bare English text/plain 500.
func TestSessionWriteFailureKeepsTheAnswers(t *testing.T) {
	t.Parallel()
	e, fs := newEnvWithFailingSessions(t)
	c := e.client()
	c.get("/share/who?lang=pl")
	c.post("/share/who", url.Values{"role": {"family-or-carer"}})
	c.post("/share/stages", url.Values{"stages": {"screening"}})
	if r := c.get("/share/story"); r.status != http.StatusOK {
		t.Fatalf("GET /share/story: %d", r.status)
	}
	fs.failing.Store(true)
	story := "Czekaliśmy sześć tygodni na wyniki <b>"
	r := c.post("/share/story", url.Values{"what_happened": {story}, "could_be_better": {"Tłumacz."}})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("POST with the session store failing: %d %s\n%s", r.status, r.location, r.body)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q, want the HTML page", ct)
	}
	if r.location != "" {
		t.Errorf("still redirects to %s", r.location)
	}
	if !strings.Contains(r.body, `lang="pl"`) || !strings.Contains(r.body, "nie udało się tego teraz zapisać") {
		t.Errorf("not the Polish page:\n%s", r.body)
	}
	assertTranslated(t, "unavailable page", r.body)
	if !strings.Contains(r.body, `name="what_happened" value="Czekaliśmy sześć tygodni na wyniki &lt;b&gt;"`) ||
		!strings.Contains(r.body, `action="/share/story"`) {
		t.Errorf("the story is not kept in a form that sends it again:\n%s", r.body)
	}
	if strings.Count(r.body, "</html>") != 1 {
		t.Errorf("the handler's own page follows the error page:\n%s", r.body)
	}
	// One JSON log line says what failed, without the story.
	found := false
	for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if m["msg"] == "session store failed" && strings.Contains(m["err"].(string), "disk is full") {
			found = true
		}
	}
	if !found || strings.Contains(e.logs.String(), "sześć") {
		t.Errorf("no JSON log line for the failure, or the story in the log:\n%s", e.logs.String())
	}
	// When the disk has room again, Send again carries the story on.
	fs.failing.Store(false)
	if r := c.post("/share/story", url.Values{"what_happened": {story}, "could_be_better": {"Tłumacz."}}); r.status != http.StatusSeeOther {
		t.Fatalf("sent again after the disk recovered: %d", r.status)
	}
}

// A password is never written back into the page.
func TestSessionWriteFailureNeverEchoesAPassword(t *testing.T) {
	t.Parallel()
	e, fs := newEnvWithFailingSessions(t)
	s := e.newStaff("amina@example.org", "connector", "")
	fs.failing.Store(true)
	r := e.client().post("/login", url.Values{"email": {s.Email}, "password": {testPassword}})
	if r.status != http.StatusServiceUnavailable || strings.Contains(r.body, testPassword) || !strings.Contains(r.body, "amina@example.org") {
		t.Fatalf("sign-in with the session store failing: %d, password echoed %v\n%s", r.status, strings.Contains(r.body, testPassword), r.body)
	}
}

// /healthz writes to the database: when writes fail (a full disk still
// answers pings and reads) it answers 503.
func TestHealthReportsFailingWrites(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// The one writer connection refuses writes from now on.
	if _, err := e.store.WriteDB().ExecContext(ctx, "PRAGMA query_only = 1"); err != nil {
		t.Fatal(err)
	}
	if err := e.store.Ping(ctx); err != nil {
		t.Fatalf("ping with writes refused: %v", err)
	}
	c := e.client()
	r := c.get("/healthz")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, `"unavailable"`) {
		t.Fatalf("healthz with writes refused: %d %s", r.status, r.body)
	}
	// The probe is rate limited: writes work again, but the next answer
	// within the interval is the last probe's.
	if _, err := e.store.WriteDB().ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		t.Fatal(err)
	}
	if r := c.get("/healthz"); r.status != http.StatusServiceUnavailable {
		t.Fatalf("healthz probed again at once: %d", r.status)
	}
}
