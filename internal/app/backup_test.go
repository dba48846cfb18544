package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/sealed"
)

// The daily backup job writes a backup a day into --backup-dir and keeps
// only the newest --backup-keep of its own files; it is not there
// without a directory.
func TestScheduledBackupKeepsOnlyN(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	dir := t.TempDir()
	cfg := config.Config{DataDir: filepath.Join(dir, "data"), BackupDir: filepath.Join(dir, "backups"), BackupKeep: 3}
	st, err := app.OpenStore(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, err := sealed.LoadOrCreate(cfg.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	names := func(c config.Config) []string {
		var n []string
		for _, j := range app.Jobs(app.JobDeps{Config: c, Store: st, Log: log, Rules: app.RetentionRules(c), Keys: keys}) {
			n = append(n, j.Name)
		}
		return n
	}
	if !slices.Contains(names(cfg), "backup") {
		t.Fatalf("no backup job with --backup-dir: %v", names(cfg))
	}
	if off := (config.Config{DataDir: cfg.DataDir}); slices.Contains(names(off), "backup") {
		t.Fatalf("a backup job without --backup-dir")
	}
	if err := os.MkdirAll(cfg.BackupDir, 0o700); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(cfg.BackupDir, "before-upgrade.age") // an operator's own file
	os.WriteFile(mine, []byte("x"), 0o600)

	day := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	var want []string
	for i := 0; i < 5; i++ {
		at := day.AddDate(0, 0, i)
		if err := app.ScheduledBackup(ctx, cfg, st, log, cfg.BackupKeep, at); err != nil {
			t.Fatal(err)
		}
		want = append(want, backup.ScheduledName(at))
	}
	want = append(want[2:], "before-upgrade.age")
	entries, err := os.ReadDir(cfg.BackupDir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
		if fi, _ := e.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v", e.Name(), fi.Mode().Perm())
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("kept %v, want %v", got, want)
	}
	// Each kept file opens with the data directory's identity.
	id, err := backup.LoadIdentity(filepath.Join(cfg.DataDir, backup.IdentityFile))
	if err != nil {
		t.Fatal(err)
	}
	h, path, err := backup.Open(filepath.Join(cfg.BackupDir, backup.ScheduledName(day.AddDate(0, 0, 4))), t.TempDir(), id)
	if err != nil || h.TakenAt.IsZero() {
		t.Fatalf("open a kept backup: %+v %v", h, err)
	}
	os.Remove(path)
}
