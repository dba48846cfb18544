package cli

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/app"
	"github.com/hearme-project/hearme/internal/backup"
	"github.com/hearme-project/hearme/internal/config"
	"github.com/hearme-project/hearme/internal/equality"
	"github.com/hearme-project/hearme/internal/experience"
)

// newDataDir makes a data directory the way an operator's would be: a
// database with an account, the keyring, the audit key and checkpoint.
func newDataDir(t *testing.T) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, "admin", "create", "--data", data, "--email", "a@example.org", "--name", "A", "--role", "analyst"); code != 0 {
		t.Fatalf("create: %s", errs)
	}
	if code, out, errs := run(t, "jobs", "run", "audit-checkpoint", "--data", data); code != 0 {
		t.Fatalf("checkpoint job: %d %s %s", code, out, errs)
	}
	return data
}

func testSubmission(i int) experience.Submission {
	return experience.Submission{
		Kind: experience.KindExperience, Lang: "en", Role: "patient", Stages: []string{"screening"},
		WhatHappened: "Waited a long time for results " + time.Now().String(), Services: []string{"hospital"}, Year: 2025,
		Equality: equality.Answers{AgeBand: "55-64"},
		Consent:  experience.Consent{Version: "2026-11", Evidence: true},
		Source:   experience.SourceOnline,
	}
}

type ack struct {
	ref, secret string
	at          time.Time
}

// A backup taken while submissions (and audited writes) keep coming is
// restored into a fresh directory: every write acknowledged before the
// backup began is there, sealed text opens with the copied keyring, and
// hearme audit verify passes and says when the copy was restored.
func TestBackupUnderWritesRestoresEveryAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := newDataDir(t)
	cfg := config.Config{DataDir: data}
	st, err := app.OpenStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var (
		mu    sync.Mutex
		acks  []ack
		audit []time.Time
		stop  = make(chan struct{})
		wg    sync.WaitGroup
	)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				rc, err := st.SubmitExperience(ctx, testSubmission(i), experience.Contact{})
				if err != nil {
					t.Error(err)
					return
				}
				now := time.Now()
				mu.Lock()
				acks = append(acks, ack{rc.Reference, rc.Secret, now})
				mu.Unlock()
				if i%5 == 0 {
					if err := st.AppendAudit(ctx, "test", "test.write", rc.Reference, ""); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					audit = append(audit, time.Now())
					mu.Unlock()
				}
			}
		}(w)
	}
	// The backup begins once the writers have acknowledged at least ten
	// writes (a fixed pause gave only four on a loaded machine, and the
	// check below that they overlapped the backup failed), waiting at
	// most 30 s.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(acks)
		mu.Unlock()
		if n >= 10 {
			break
		}
	}
	file := filepath.Join(t.TempDir(), "hearme.backup")
	began := time.Now()
	code, out, errs := run(t, "backup", file, "--data", data)
	time.Sleep(100 * time.Millisecond) // writers carry on after it too
	close(stop)
	wg.Wait()
	if code != 0 || !strings.Contains(out, "backup written") || !strings.Contains(out, "backup-identity.txt") {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", fi, err)
	}
	if !strings.Contains(out, "created") {
		t.Errorf("the first backup should say the identity was created: %s", out)
	}

	fresh := filepath.Join(t.TempDir(), "restored")
	code, out, errs = run(t, "restore", file, "--data", fresh, "--identity", filepath.Join(data, "backup-identity.txt"),
		"--audit-key", filepath.Join(data, "audit-key.txt"), "--keyring", filepath.Join(data, "keys.txt"))
	if code != 0 || !strings.Contains(out, "restored into") {
		t.Fatalf("restore: %d %s %s", code, out, errs)
	}
	code, out, errs = run(t, "audit", "verify", "--data", fresh)
	if code != 0 || !strings.Contains(out, "intact") || !strings.Contains(out, "restored on") || !strings.Contains(out, "from a backup taken at") {
		t.Fatalf("audit verify on the restored copy: %d %s %s", code, out, errs)
	}
	for _, name := range []string{"hearme.db", "keys.txt", "audit-key.txt", "audit-checkpoint.json", "backup-identity.txt"} {
		if fi, err := os.Stat(filepath.Join(fresh, name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s in the restored directory: %v %v", name, fi, err)
		}
	}

	restored, err := app.OpenStore(ctx, config.Config{DataDir: fresh}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	have := map[string]bool{}
	rows, err := restored.ReadDB().QueryContext(ctx, "SELECT reference FROM experiences")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			t.Fatal(err)
		}
		have[ref] = true
	}
	rows.Close()
	before, after := 0, 0
	for _, a := range acks {
		if a.at.Before(began) {
			before++
			if !have[a.ref] {
				t.Errorf("submission %s acknowledged before the backup began is missing", a.ref)
			}
		} else {
			after++
		}
	}
	if before < 10 || after == 0 {
		t.Fatalf("the writers did not overlap the backup: %d before, %d after", before, after)
	}
	var auditBefore int
	for _, at := range audit {
		if at.Before(began) {
			auditBefore++
		}
	}
	var n int
	if err := restored.ReadDB().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'test.write'").Scan(&n); err != nil || n < auditBefore {
		t.Fatalf("audited writes: %d in the copy, %d acknowledged before the backup (%v)", n, auditBefore, err)
	}
	// Sealed text opens with the keyring copied in.
	first := acks[0]
	h, err := restored.ExperienceByReference(ctx, first.ref, first.secret)
	if err != nil || !strings.HasPrefix(h.Submission.WhatHappened, "Waited a long time") {
		t.Fatalf("sealed text after restore: %q %v", h.Submission.WhatHappened, err)
	}
	t.Logf("%d submissions before the backup began, %d during or after", before, after)
}

// A backup never replaces a file; on PostgreSQL it refuses and says how
// pg_dump does it.
func TestBackupRefusals(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	file := filepath.Join(t.TempDir(), "exists.backup")
	if err := os.WriteFile(file, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := run(t, "backup", file, "--data", data)
	if b, _ := os.ReadFile(file); code == 0 || !strings.Contains(errs, "already exists") || string(b) != "precious" {
		t.Fatalf("over an existing file: %d %s %q", code, errs, b)
	}
	code, _, errs = run(t, "backup", filepath.Join(t.TempDir(), "pg.backup"), "--database", "postgres://u@db/hearme")
	if code == 0 || !strings.Contains(errs, "pg_dump --format=custom") || !strings.Contains(errs, "audit key") {
		t.Fatalf("postgres: %d %s", code, errs)
	}
	if code, _, errs := run(t, "backup", filepath.Join(t.TempDir(), "none.backup"), "--data", filepath.Join(t.TempDir(), "nothing")); code == 0 || !strings.Contains(errs, "no database") {
		t.Fatalf("no database: %d %s", code, errs)
	}
}

// A restore onto a directory with anything in it, with a wrong
// passphrase or identity, of a cut-short or altered file, or without the
// audit key, is refused with a clear message and leaves nothing behind.
func TestRestoreRefusals(t *testing.T) {
	t.Parallel()
	data := newDataDir(t)
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass.txt")
	if err := os.WriteFile(pass, []byte("correct horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wrongPass := filepath.Join(dir, "wrong.txt")
	if err := os.WriteFile(wrongPass, []byte("incorrect horse battery staple\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	byPass := filepath.Join(dir, "pass.backup")
	if code, out, errs := run(t, "backup", byPass, "--data", data, "--passphrase-file", pass); code != 0 {
		t.Fatalf("backup: %s %s", out, errs)
	}
	byID := filepath.Join(dir, "id.backup")
	if code, out, errs := run(t, "backup", byID, "--data", data); code != 0 {
		t.Fatalf("backup: %s %s", out, errs)
	}
	whole, err := os.ReadFile(byID)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.backup")
	os.WriteFile(truncated, whole[:len(whole)*2/3], 0o600)
	altered := filepath.Join(dir, "altered.backup")
	flipped := append([]byte(nil), whole...)
	flipped[len(flipped)/2] ^= 0x01
	os.WriteFile(altered, flipped, 0o600)
	otherID := filepath.Join(newDataDir(t), "backup-identity.txt")
	if code, _, errs := run(t, "backup", filepath.Join(dir, "other.backup"), "--data", filepath.Dir(otherID)); code != 0 {
		t.Fatalf("other identity: %s", errs)
	}
	id := filepath.Join(data, "backup-identity.txt")
	// Well encrypted, but not a database.
	notDB := filepath.Join(dir, "notdb.backup")
	ident, err := backup.LoadIdentity(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Take(context.Background(), notDB, func(_ context.Context, path string) (backup.Header, error) {
		return backup.Header{TakenAt: time.Now()}, os.WriteFile(path, []byte(strings.Repeat("not a database ", 1000)), 0o600)
	}, ident.Recipient()); err != nil {
		t.Fatal(err)
	}
	auditKey := filepath.Join(data, "audit-key.txt")

	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "hearme.db"), []byte("live data"), 0o600)
	code, _, errs := run(t, "restore", byID, "--data", nonEmpty, "--identity", id, "--audit-key", auditKey)
	if b, _ := os.ReadFile(filepath.Join(nonEmpty, "hearme.db")); code == 0 || !strings.Contains(errs, "is not empty") || string(b) != "live data" {
		t.Fatalf("non-empty directory: %d %s %q", code, errs, b)
	}
	if entries, _ := os.ReadDir(nonEmpty); len(entries) != 1 {
		t.Fatalf("non-empty directory touched: %v", entries)
	}

	for name, c := range map[string]struct {
		args []string
		want string
	}{
		"wrong passphrase":     {[]string{byPass, "--passphrase-file", wrongPass, "--audit-key", auditKey}, "cannot be opened with the key or passphrase"},
		"wrong identity":       {[]string{byID, "--identity", otherID, "--audit-key", auditKey}, "cannot be opened with the key or passphrase"},
		"passphrase for an id": {[]string{byID, "--passphrase-file", pass, "--audit-key", auditKey}, "cannot be opened with the key or passphrase"},
		"truncated":            {[]string{truncated, "--identity", id, "--audit-key", auditKey}, "damaged or incomplete"},
		"altered":              {[]string{altered, "--identity", id, "--audit-key", auditKey}, "damaged or incomplete"},
		"not a database":       {[]string{notDB, "--identity", id, "--audit-key", auditKey}, "the database in the backup"},
		"no audit key":         {[]string{byID, "--identity", id}, "--audit-key"},
		"another audit key":    {[]string{byID, "--identity", id, "--audit-key", filepath.Join(filepath.Dir(otherID), "audit-key.txt")}, "does not verify with this audit key"},
		"nothing to open it":   {[]string{byID, "--audit-key", auditKey}, "--identity"},
	} {
		for _, existing := range []bool{false, true} {
			target := filepath.Join(t.TempDir(), "new")
			if existing {
				os.Mkdir(target, 0o700)
			}
			code, out, errs := run(t, append([]string{"restore", c.args[0], "--data", target}, c.args[1:]...)...)
			if code == 0 || !strings.Contains(errs, c.want) {
				t.Errorf("%s: %d %s %s", name, code, out, errs)
			}
			entries, err := os.ReadDir(target)
			switch {
			case existing && (err != nil || len(entries) != 0):
				t.Errorf("%s: left behind in the empty directory: %v %v", name, entries, err)
			case !existing && !errors.Is(err, os.ErrNotExist):
				t.Errorf("%s: the new directory was left behind: %v %v", name, entries, err)
			}
		}
	}
	// The right passphrase opens it.
	code, out, errs := run(t, "restore", byPass, "--data", filepath.Join(t.TempDir(), "ok"), "--passphrase-file", pass, "--audit-key", auditKey)
	if code != 0 || !strings.Contains(out, "copy the old server's keyring") {
		t.Fatalf("right passphrase: %d %s %s", code, out, errs)
	}
}
