package app

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/jobs"
	"github.com/hearme-project/hearme/internal/store"
)

// BackupEvery is how often the scheduled backup runs.
const BackupEvery = 24 * time.Hour

// DefaultBackupKeep is how many scheduled backups are kept by default.
const DefaultBackupKeep = 7

// BackupIdentityPath is the X25519 identity backups are encrypted to
// when no passphrase is given.
func BackupIdentityPath(cfg config.Config) string {
	return filepath.Join(cfg.DataDir, backup.IdentityFile)
}

// BackupIdentityRecipient loads (or makes, on first use) the data
// directory's backup identity; created is true when it was just made.
func BackupIdentityRecipient(cfg config.Config) (to age.Recipient, created bool, err error) {
	id, created, err := backup.LoadOrCreateIdentity(BackupIdentityPath(cfg))
	if err != nil {
		return nil, false, fmt.Errorf("backup identity: %w", err)
	}
	return id.Recipient(), created, nil
}

// TakeBackup writes an encrypted online backup of the SQLite database to
// dest while the server keeps writing.
func TakeBackup(ctx context.Context, st *store.Store, dest string, to age.Recipient) (backup.Header, error) {
	return backup.Take(ctx, dest, func(ctx context.Context, path string) (backup.Header, error) {
		at, seq, err := st.SnapshotSQLite(ctx, path)
		return backup.Header{TakenAt: at, AuditSeq: seq}, err
	}, to)
}

// backupJobs takes a backup a day into --backup-dir and keeps the newest
// --backup-keep; none without a directory, or on PostgreSQL (pg_dump's
// job, see docs/backup.md).
func backupJobs(d JobDeps) []jobs.Job {
	cfg := d.Config
	if cfg.BackupDir == "" {
		return nil
	}
	if !d.Store.CanSnapshot() {
		d.Log.Warn("--backup-dir is ignored on PostgreSQL: back it up with pg_dump (docs/backup.md)")
		return nil
	}
	keep := cfg.BackupKeep
	if keep == 0 {
		keep = DefaultBackupKeep
	}
	return []jobs.Job{{Name: "backup", Every: BackupEvery, MaxRunFor: 2 * time.Hour, Run: func(ctx context.Context) error {
		return ScheduledBackup(ctx, cfg, d.Store, d.Log, keep, time.Now())
	}}}
}

// ScheduledBackup is one run of the backup job: a new backup in the
// backup directory, then the oldest beyond keep deleted (only once the
// new one is written, so a failing backup never costs an old one).
func ScheduledBackup(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger, keep int, now time.Time) error {
	if err := os.MkdirAll(cfg.BackupDir, 0o700); err != nil {
		return err
	}
	to, created, err := BackupIdentityRecipient(cfg)
	if err != nil {
		return err
	}
	if created {
		log.Warn("backup identity created: keep a copy apart from the backups, or they cannot be restored", "path", BackupIdentityPath(cfg))
	}
	dest := filepath.Join(cfg.BackupDir, backup.ScheduledName(now))
	start := time.Now()
	h, err := TakeBackup(ctx, st, dest, to)
	if err != nil {
		return err
	}
	log.Info("backup written", "file", dest, "taken_at", h.TakenAt.Format(time.RFC3339), "duration", time.Since(start).String())
	removed, err := backup.Prune(cfg.BackupDir, keep)
	for _, name := range removed {
		log.Info("old backup deleted", "file", name, "keep", keep)
	}
	return err
}
