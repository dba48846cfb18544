package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// With PostgreSQL the data directory still holds the keyring (and, in
// development, emails): an older install's 0755 directory and 0644
// keyring are made 0700 and 0600 at start.
func TestStartTightensTheDataDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := config.Config{DataDir: dir, Database: storetest.PostgresDSN(t), SessionIdle: time.Minute, SessionLifetime: time.Hour, MaxBodyBytes: 1 << 20}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.Close()
	os.Chmod(dir, 0o755)
	os.Chmod(filepath.Join(dir, "keys.txt"), 0o644)
	a, err = app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for name, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "keys.txt"): 0o600} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s is %v after start, want %v", filepath.Base(name), fi.Mode().Perm(), want)
		}
	}
}
