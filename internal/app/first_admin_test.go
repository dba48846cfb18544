package app_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/auth"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Two instances starting on an empty PostgreSQL database print one
// first-administrator link between them, and the second does not cancel
// the first's.
func TestTwoInstancesPrintOneFirstAdminLink(t *testing.T) {
	t.Parallel()
	dsn := storetest.PostgresDSN(t)
	start := func() *app.App {
		cfg := config.Config{DataDir: t.TempDir(), Database: dsn, SessionIdle: time.Minute, SessionLifetime: time.Hour, MaxBodyBytes: 1 << 20}
		a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	one, two := start(), start()
	first, err := one.EnsureFirstAdmin(context.Background(), "https://hearme.example")
	if err != nil || first == "" {
		t.Fatalf("first instance: %q, %v", first, err)
	}
	second, err := two.EnsureFirstAdmin(context.Background(), "https://hearme.example")
	if err != nil || second != "" {
		t.Fatalf("the second instance printed another link %q (%v)", second, err)
	}
	token := first[strings.LastIndex(first, "/")+1:]
	if _, err := one.Store.SetupTokenByHash(context.Background(), auth.HashToken(token)); err != nil {
		t.Fatalf("the first instance's link no longer works: %v", err)
	}
	if _, until, err := two.FirstAdminLink(context.Background(), "https://hearme.example"); err != nil || until.IsZero() {
		t.Fatalf("the second instance does not know a link is waiting: %v %v", until, err)
	}
}
