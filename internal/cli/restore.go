package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
)

// restoreFlags are restore's own flags: where the copies of the files a
// backup leaves out are.
type restoreFlags struct {
	passFile, identity, auditKey, keyring string
	noAuditKey                            bool
}

// runRestore puts a backup in place in an empty (or new) data directory,
// checks it, records the restore in the audit trail and anchors it.
// Anything that goes wrong leaves the directory as it was.
func runRestore(ctx context.Context, env Env, args []string) error {
	file, args := positional(args)
	var f restoreFlags
	cfg, fs, err := loadConfig(env, "restore", args, func(fs *flag.FlagSet) {
		fs.StringVar(&f.passFile, "passphrase-file", "", "the backup was encrypted to the passphrase in this file")
		fs.StringVar(&f.identity, "identity", "", "the backup identity it was encrypted to (your copy of the old DATA/"+backup.IdentityFile+"); copied into the new data directory")
		fs.StringVar(&f.auditKey, "audit-key", "", "your copy of the old server's audit key (audit-key.txt); copied into the new data directory")
		fs.StringVar(&f.keyring, "keyring", "", "your copy of the old server's keyring (keys.txt); copied into the new data directory")
		fs.BoolVar(&f.noAuditKey, "no-audit-key", false, "restore without the audit key (the restore cannot be recorded in the trail, and the trail will not verify)")
	})
	if err != nil {
		return err
	}
	if file == "" {
		file = fs.Arg(0)
	}
	if fs.NArg() > 1 || file != "" && fs.NArg() > 0 {
		return fmt.Errorf("%w: one FILE, given first or last: hearme restore FILE --flags...", errUsage)
	}
	if file == "" {
		return fmt.Errorf("%w: hearme restore FILE --data DIR (--identity FILE | --passphrase-file FILE) --audit-key FILE [--keyring FILE]", errUsage)
	}
	if cfg.Database != "" {
		fmt.Fprintln(env.Stderr, pgDumpRecipe)
		return errors.New("hearme restore puts back an SQLite database; this one is PostgreSQL")
	}
	dir := cfg.DataDir
	existed, err := emptyOrAbsent(dir)
	if err != nil {
		return err
	}

	// Everything that can be checked is checked before the directory is
	// touched.
	var with age.Identity
	switch {
	case f.passFile != "" && f.identity != "":
		return fmt.Errorf("%w: give --identity or --passphrase-file, not both", errUsage)
	case f.passFile != "":
		pass, err := backup.ReadPassphrase(f.passFile)
		if err != nil {
			return err
		}
		if with, err = backup.PassphraseIdentity(pass); err != nil {
			return err
		}
	case f.identity != "":
		id, err := backup.LoadIdentity(f.identity)
		if err != nil {
			return err
		}
		with = id
	default:
		return fmt.Errorf("%w: say what opens the backup: --identity (your copy of the old DATA/%s) or --passphrase-file", errUsage, backup.IdentityFile)
	}
	key, err := restoreAuditKey(cfg.AuditKeyPath(), f)
	if err != nil {
		return err
	}
	if f.keyring != "" {
		b, err := os.ReadFile(f.keyring)
		if err == nil {
			_, err = sealed.Parse(b)
		}
		if err != nil {
			return fmt.Errorf("keyring %s: %w", f.keyring, err)
		}
	}
	if cp, err := audit.ReadCheckpoint(cfg.AuditCheckpointPath()); err != nil || cp != nil {
		return fmt.Errorf("an audit checkpoint is already at %s: it anchors another trail; move it aside (keep it with the record of the restore) and run restore again", cfg.AuditCheckpointPath())
	}

	if !existed {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
	}
	ok := false
	defer func() {
		if !ok {
			emptyAgain(dir, existed)
		}
	}()
	h, tmp, err := backup.Open(file, dir, with)
	if err != nil {
		return fmt.Errorf("%s: %w (nothing was restored)", file, err)
	}
	if err := store.CheckSQLiteFile(ctx, tmp); err != nil {
		return fmt.Errorf("%s: %w (nothing was restored)", file, err)
	}
	if err := os.Rename(tmp, cfg.DatabaseDSN()); err != nil {
		return err
	}
	copies := []struct{ from, to string }{{f.identity, app.BackupIdentityPath(cfg)}, {f.keyring, cfg.KeyPath()}, {f.auditKey, cfg.AuditKeyPath()}}
	for _, c := range copies {
		if err := copyPrivate(c.from, c.to); err != nil {
			return err
		}
	}
	if key != nil {
		if err := recordRestore(ctx, cfg.DatabaseDSN(), key, cfg.AuditCheckpointPath(), h.TakenAt); err != nil {
			return err
		}
	}
	ok = true

	fmt.Fprintf(env.Stdout, "restored into %s the database backed up at %s.\n", dir, h.TakenAt.Format(time.RFC3339))
	if key != nil {
		fmt.Fprintln(env.Stdout, "The restore is recorded in the audit trail and anchored by a new checkpoint: hearme audit verify --data", dir)
	} else {
		fmt.Fprintf(env.Stdout, "WARNING: restored without the audit key: the restore is not in the audit trail, and hearme audit verify will not pass until %s is the old server's key.\n", cfg.AuditKeyPath())
	}
	if f.keyring == "" {
		if _, err := os.Stat(cfg.KeyPath()); err != nil {
			fmt.Fprintf(env.Stdout, "Before starting hearme, copy the old server's keyring to %s: without it the sealed text (stories, contact details) cannot be read, and a new keyring would be made.\n", cfg.KeyPath())
		}
	}
	return nil
}

// restoreAuditKey finds the audit key the restored trail is checked and
// extended with: --audit-key, or one already at the configured path
// (--audit-key-file outside the data directory). Without either the
// restore is refused, unless --no-audit-key.
func restoreAuditKey(dst string, f restoreFlags) (*audit.Key, error) {
	if f.auditKey == "" {
		key, err := audit.LoadKey(dst)
		switch {
		case err == nil:
			return key, nil
		case !errors.Is(err, os.ErrNotExist):
			return nil, fmt.Errorf("audit key: %w", err)
		case f.noAuditKey:
			return nil, nil
		}
		return nil, fmt.Errorf("%w: give --audit-key, your copy of the old server's audit-key.txt (it is not in the backup): without it the restore cannot be recorded in the audit trail. --no-audit-key restores anyway", errUsage)
	}
	key, err := audit.LoadKey(f.auditKey)
	if err != nil {
		return nil, fmt.Errorf("audit key %s: %w", f.auditKey, err)
	}
	if err := sameOrAbsent(f.auditKey, dst); err != nil {
		return nil, err
	}
	return key, nil
}

// recordRestore appends the restore to the trail after checking the trail
// with the key, and signs a first checkpoint (CheckpointAudit walks the
// whole trail again before signing).
func recordRestore(ctx context.Context, dsn string, key *audit.Key, checkpoint string, takenAt time.Time) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	st.SetAuditTrust(store.AuditTrust{Key: key, CheckpointPath: checkpoint, Every: time.Hour})
	brk, _, err := st.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	if brk != nil {
		return fmt.Errorf("the audit trail in the backup does not verify with this audit key (entry %d: %s); is it the key of the server the backup came from? Nothing was restored", brk.Seq, brk.Reason)
	}
	if err := st.RecordRestore(ctx, takenAt); err != nil {
		return err
	}
	_, err = st.CheckpointAudit(ctx)
	return err
}

// emptyOrAbsent reports whether dir exists; it refuses a directory with
// anything in it.
func emptyOrAbsent(dir string) (existed bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if len(entries) > 0 {
		return true, fmt.Errorf("%s is not empty (%d entries): restore only into an empty or new data directory; nothing was touched", dir, len(entries))
	}
	return true, nil
}

// emptyAgain undoes a failed restore: the directory was empty (or absent)
// when it began.
func emptyAgain(dir string, existed bool) {
	if !existed {
		os.RemoveAll(dir)
		return
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

// sameOrAbsent refuses to replace a different file at dst.
func sameOrAbsent(src, dst string) error {
	have, err := os.ReadFile(dst)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	want, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if !bytes.Equal(have, want) {
		return fmt.Errorf("%s already holds a different file from %s; nothing was touched", dst, src)
	}
	return nil
}

// copyPrivate copies src to dst (0600) unless src is empty or dst already
// holds the same bytes.
func copyPrivate(src, dst string) error {
	if src == "" {
		return nil
	}
	if err := sameOrAbsent(src, dst); err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if have, err := os.ReadFile(dst); err == nil && bytes.Equal(have, b) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o600)
}
