package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexedwards/scs/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestPanicBecomesAPlainErrorPage(t *testing.T) {
	t.Parallel()
	st := storetest.SQLite(t)
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	keys, err := sealed.Parse(sealed.NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(context.Background(), Deps{Config: config.Config{MaxBodyBytes: 1 << 10, DataDir: filepath.Join(t.TempDir())}, Store: st, Catalog: cat, Keys: keys,
		Sessions: scs.New(), Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Registry: prometheus.NewRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	h := s.observe(s.language(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret internal detail")
	})))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret internal detail") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Fatal("the error page shows internal detail")
	}
	if !strings.Contains(logs.String(), "secret internal detail") {
		t.Fatal("the panic was not logged for the operators")
	}
}
