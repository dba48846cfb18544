package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/awareness"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

// BenchmarkAwarenessPage serves the public awareness pages through the
// whole middleware stack on SQLite with the demo pages: one read of the
// page's texts, no Markdown rendering (the HTML is made when saved).
//
//	go test -run='^$' -bench=Awareness -benchmem ./internal/web/
func BenchmarkAwarenessPage(b *testing.B) {
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), MaxBodyBytes: 1 << 20,
		SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour, LogLevel: "info"}
	st := storetest.SQLite(b)
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		b.Fatal(err)
	}
	pages, err := awareness.Demo()
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range pages {
		if _, err := st.CreateAwarenessPage(ctx, "t", p.Slug, p.Position); err != nil {
			b.Fatal(err)
		}
		for _, t := range p.Texts {
			if err := st.SaveAwarenessText(ctx, "t", p.Slug, t); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.SetAwarenessPublished(ctx, "t", p.Slug, "en", true); err != nil {
			b.Fatal(err)
		}
	}
	keys, _ := sealed.LoadOrCreate(filepath.Join(b.TempDir(), "keys.txt"))
	cat, _ := web.Catalogue()
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	h := w.Handler()
	for _, c := range []struct{ name, path, want string }{
		{"list-pl", "/awareness?lang=pl", "Badania przesiewowe w kierunku raka jelita"},
		{"page-pl", "/awareness/bowel-screening?lang=pl", "0800 707 60 60"},
		{"page-so-fallback", "/awareness/bowel-screening?lang=so", `lang="en" dir="ltr"`},
	} {
		b.Run(c.name, func(b *testing.B) {
			get := func() *httptest.ResponseRecorder {
				r := httptest.NewRequest(http.MethodGet, c.path, nil)
				r.RemoteAddr = "127.0.0.1:40000"
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				return rec
			}
			if rec := get(); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), c.want) {
				b.Fatalf("GET %s: %d, want %q", c.path, rec.Code, c.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				if rec := get(); rec.Code != http.StatusOK {
					b.Fatalf("GET %s: %d", c.path, rec.Code)
				}
			}
		})
	}
}
