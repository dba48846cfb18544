package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/store"
)

// pgDumpRecipe is what to do instead on PostgreSQL (also in
// docs/backup.md and the README).
const pgDumpRecipe = `PostgreSQL is backed up with its own tools, for example:

  pg_dump --format=custom --no-owner --file=hearme.dump "$HEARME_DATABASE"
  age --passphrase --output=hearme.dump.age hearme.dump && rm hearme.dump

and restored into an empty database with:

  age --decrypt --output=hearme.dump hearme.dump.age
  pg_restore --no-owner --dbname="$HEARME_DATABASE" hearme.dump

The keyring (keys.txt) and the audit key (audit-key.txt) are not in the
database: copy them separately (see docs/backup.md).`

// runBackup writes an encrypted, consistent copy of the SQLite database
// to FILE while the server keeps running.
func runBackup(ctx context.Context, env Env, args []string) error {
	file, args := positional(args)
	var passFile string
	cfg, fs, err := loadConfig(env, "backup", args, func(fs *flag.FlagSet) {
		fs.StringVar(&passFile, "passphrase-file", "", "encrypt to the passphrase in this file (first line, at least 12 characters) instead of the data directory's backup identity")
	})
	if err != nil {
		return err
	}
	if file == "" {
		file = fs.Arg(0)
	}
	if fs.NArg() > 1 || file != "" && fs.NArg() > 0 {
		return fmt.Errorf("%w: one FILE, given first or last: hearme backup FILE --flags...", errUsage)
	}
	if file == "" {
		return fmt.Errorf("%w: hearme backup FILE [--passphrase-file FILE]", errUsage)
	}
	if cfg.Database != "" {
		fmt.Fprintln(env.Stderr, pgDumpRecipe)
		return errors.New("hearme backup copies the SQLite database; this one is PostgreSQL")
	}
	if _, err := os.Stat(cfg.DatabaseDSN()); err != nil {
		return fmt.Errorf("no database to back up at %s (is --data right?)", cfg.DatabaseDSN())
	}
	var to age.Recipient
	if passFile != "" {
		pass, err := backup.ReadPassphrase(passFile)
		if err != nil {
			return err
		}
		if to, err = backup.PassphraseRecipient(pass); err != nil {
			return err
		}
	} else {
		var created bool
		if to, created, err = app.BackupIdentityRecipient(cfg); err != nil {
			return err
		}
		if created {
			fmt.Fprintf(env.Stdout, "A backup identity was created at %s.\nKeep a copy of it somewhere apart from the backups: without it no backup can be restored.\n", app.BackupIdentityPath(cfg))
		}
	}
	st, err := store.Open(ctx, cfg.DatabaseDSN())
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	h, err := app.TakeBackup(ctx, st, file, to)
	if err != nil {
		return err
	}
	how := "the backup identity " + app.BackupIdentityPath(cfg)
	if passFile != "" {
		how = "the passphrase"
	}
	fmt.Fprintf(env.Stdout, "backup written to %s (taken at %s, %s), encrypted to %s.\n", file, h.TakenAt.Format(time.RFC3339), time.Since(start).Round(time.Millisecond), how)
	fmt.Fprintln(env.Stdout, "Not in it: the keyring (keys.txt) and the audit key (audit-key.txt); keep copies of them apart, or sealed text cannot be read after a restore.")
	return nil
}

// positional takes a first argument that is not a flag (hearme backup
// FILE --flag ...).
func positional(args []string) (string, []string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return args[0], args[1:]
	}
	return "", args
}
