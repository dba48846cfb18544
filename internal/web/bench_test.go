package web_test

// Benchmarks of whole pages through the full middleware stack (observe,
// secure, language, cross-origin protection, sessions, loadUser, router,
// template). They call the handler directly with an httptest recorder,
// so no network or HTTP parsing is included; see docs/performance.md
// and scripts/load.sh for the end-to-end figures.
//
//	go test -run='^$' -bench=. -benchmem ./internal/web/

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
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/demo"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
	"github.com/hearme-project/hearme/internal/web"
)

// benchHandler builds the application handler as newEnv does, on a real
// SQLite file with the demo programme, but for a benchmark and with the
// request log formatted as JSON into io.Discard (so logging costs are
// included without the log growing in memory).
func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	cfg := config.Config{Addr: "127.0.0.1:0", DataDir: b.TempDir(), MaxBodyBytes: 1 << 20,
		SessionIdle: 30 * time.Minute, SessionLifetime: 12 * time.Hour, LogLevel: "info"}
	st := storetest.SQLite(b)
	if err := st.ReplaceProgramme(ctx, "test", demo.Luton()); err != nil {
		b.Fatal(err)
	}
	keys, err := sealed.LoadOrCreate(filepath.Join(b.TempDir(), "keys.txt"))
	if err != nil {
		b.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		b.Fatal(err)
	}
	w, err := web.New(ctx, web.Deps{Config: cfg, Store: st, Catalog: cat, Keys: keys, Sessions: app.NewSessions(cfg, st),
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		b.Fatal(err)
	}
	return w.Handler()
}

// benchPage serves one GET request per iteration and checks the first
// answer, so a broken page cannot produce a flattering number.
func benchPage(b *testing.B, path, acceptLanguage, want string) {
	h := benchHandler(b)
	newReq := func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.RemoteAddr = "127.0.0.1:40000"
		if acceptLanguage != "" {
			r.Header.Set("Accept-Language", acceptLanguage)
		}
		return r
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newReq())
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
		b.Fatalf("GET %s (%s): %d, want %q in\n%s", path, acceptLanguage, rec.Code, want, rec.Body.String())
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newReq())
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}

func BenchmarkHomePage(b *testing.B) {
	b.Run("en", func(b *testing.B) { benchPage(b, "/", "en", `<html lang="en" dir="ltr">`) })
	b.Run("ur", func(b *testing.B) { benchPage(b, "/", "ur", `<html lang="ur" dir="rtl">`) })
}

func BenchmarkLoginPage(b *testing.B) {
	benchPage(b, "/login", "en", `<html lang="en" dir="ltr">`)
}

// BenchmarkHealthz is the reference for the middleware alone: the same
// stack with a handler that renders nothing (it pings the database).
func BenchmarkHealthz(b *testing.B) {
	benchPage(b, "/healthz", "en", `"ok"`)
}
