package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Each page holds the partials it calls and no others: the home page does
// not carry the events part's blocks (every page carrying every partial
// held about 26 MB of parse trees), and every template a page, the layout
// or a partial calls is there to run.
func TestPagesHoldOnlyThePartialsTheyCall(t *testing.T) {
	t.Parallel()
	pt, err := newPageTemplates()
	if err != nil {
		t.Fatal(err)
	}
	home, err := pt.page("home")
	if err != nil {
		t.Fatal(err)
	}
	if home.Lookup("event-facts") != nil {
		t.Error("the home page carries the events partial it never calls")
	}
	ev, err := pt.page("event_detail")
	if err != nil {
		t.Fatal(err)
	}
	if ev.Lookup("event-facts") == nil {
		t.Error("the event page lacks the events partial it calls")
	}
	for name := range pt.pages {
		pg, err := pt.page(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range pg.Templates() {
			if tt.Tree == nil {
				continue
			}
			for _, m := range templateCall.FindAllStringSubmatch(tt.Tree.Root.String(), -1) {
				if pg.Lookup(m[1]) == nil {
					t.Errorf("page %s calls %q, which it does not hold", name, m[1])
				}
			}
		}
	}
}

// Pages are parsed on first use, not at start, so every page must parse:
// a page that does not is found here rather than on its first request.
func TestEveryPageParses(t *testing.T) {
	t.Parallel()
	pt, err := newPageTemplates()
	if err != nil {
		t.Fatal(err)
	}
	if len(pt.pages) < 50 {
		t.Fatalf("found only %d pages", len(pt.pages))
	}
	if err := pt.parseAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := pt.page("no-such-page"); err == nil {
		t.Error("an unknown page gave no error")
	}
}

// Starting the server parses no page template (an idle server held
// 12.5 MB of parse trees for pages it had not served: docs/performance.md,
// section 4); a request parses its page once, and only its page.
func TestTemplatesAreParsedOnFirstUse(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := sealed.Parse(sealed.NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	s, err := New(context.Background(), Deps{Config: config.Config{MaxBodyBytes: 1 << 10, DataDir: t.TempDir()}, Store: st, Catalog: cat, Keys: keys,
		Sessions: scs.New(), Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	if n := s.pages.parsed.Load(); n != 0 {
		t.Fatalf("%d page templates parsed at start, want none", n)
	}
	h := s.Handler()
	for range 3 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET / = %d", rec.Code)
		}
	}
	if n := s.pages.parsed.Load(); n != 1 {
		t.Errorf("%d page templates parsed after three home pages, want 1", n)
	}
	if s.pages.pages["home"].t == nil || s.pages.pages["event_detail"].t != nil {
		t.Error("want the home page parsed and the event page not")
	}
}
