// Package backup writes and reads hearme's encrypted backup files: a
// consistent copy of the SQLite database behind a one-line header, the
// whole encrypted with age (filippo.io/age) to an X25519 identity kept in
// the data directory or to a passphrase. It knows files and keys, not
// databases: the copy is made by a function it is given.
//
// What a backup holds is the database only. The keyring (keys.txt), the
// audit key (audit-key.txt), the audit checkpoint and the backup identity
// stay out of it, so a stolen backup opens nothing sealed and cannot
// forge the audit trail; the sessions database is left out too (sessions
// and drafts last hours, and a restored one would sign people back in).
package backup

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"filippo.io/age"
)

// Format names the file layout inside the encryption.
const Format = "hearme-backup/1"

// Header comes first inside the encryption, on one line of JSON.
type Header struct {
	Format  string    `json:"format"`
	TakenAt time.Time `json:"taken_at"`
	// AuditSeq is the audit trail's last entry when the copy began (the
	// copy holds at least that many).
	AuditSeq int64 `json:"audit_seq"`
}

// Snapshot writes a consistent copy of the database to path (an empty
// file, 0600) and says when it was taken.
type Snapshot func(ctx context.Context, path string) (Header, error)

// ErrExists is returned when the backup file is already there: a backup
// never replaces a file.
var ErrExists = errors.New("the backup file already exists (a backup never replaces a file; choose another name)")

// Take writes a new backup to dest: the snapshot into a private temporary
// file beside dest, then the encrypted file, also written beside dest
// and linked into place only when complete, so dest is either absent or
// whole, and never replaces an existing file. The plain copy is removed
// whatever happens.
func Take(ctx context.Context, dest string, snap Snapshot, to age.Recipient) (Header, error) {
	if _, err := os.Lstat(dest); err == nil {
		return Header{}, fmt.Errorf("%s: %w", dest, ErrExists)
	}
	dir := filepath.Dir(dest)
	plain, err := os.CreateTemp(dir, ".hearme-backup-plain-*")
	if err != nil {
		return Header{}, err
	}
	plain.Close()
	defer removeSQLiteFiles(plain.Name())
	stopSyncing := syncWhile(plain.Name(), 200*time.Millisecond)
	h, err := snap(ctx, plain.Name())
	stopSyncing()
	if err != nil {
		return Header{}, fmt.Errorf("copy the database: %w", err)
	}
	h.Format = Format
	h.TakenAt = h.TakenAt.UTC()
	if err := writeEncrypted(dest, h, plain.Name(), to); err != nil {
		return Header{}, err
	}
	return h, nil
}

func removeSQLiteFiles(path string) {
	for _, p := range []string{path, path + "-journal", path + "-wal", path + "-shm"} {
		os.Remove(p)
	}
}

// writeEncrypted encrypts header and database into a temporary file (0600)
// and links it to dest, which fails if dest appeared meanwhile.
func writeEncrypted(dest string, h Header, dbPath string, to age.Recipient) (err error) {
	db, err := os.Open(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".hearme-backup-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	bw := bufio.NewWriterSize(newSyncingWriter(tmp, 16<<20), 1<<20)
	enc, err := age.Encrypt(bw, to)
	if err != nil {
		return err
	}
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if _, err := enc.Write(append(line, '\n')); err != nil {
		return err
	}
	if _, err := io.Copy(enc, db); err != nil {
		return fmt.Errorf("write the backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write the backup: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), dest); err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s: %w", dest, ErrExists)
		}
		return err
	}
	return syncDir(filepath.Dir(dest))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// ErrWrongKey means the file was not encrypted to the key or passphrase
// given.
var ErrWrongKey = errors.New("this backup cannot be opened with the key or passphrase given (a different backup identity, or a wrong passphrase)")

// ErrDamaged means the file is not a whole hearme backup: cut short,
// altered, or not a backup at all.
var ErrDamaged = errors.New("the backup file is damaged or incomplete (cut short, altered, or not a hearme backup)")

// Open decrypts src into a new private file in dir and returns its
// header and path. On any error nothing is left in dir. age authenticates
// every 64 KiB chunk and the end of the stream, so a truncated or altered
// file is an error, never a shorter database.
func Open(src string, dir string, with age.Identity) (Header, string, error) {
	f, err := os.Open(src)
	if err != nil {
		return Header{}, "", err
	}
	defer f.Close()
	dec, err := age.Decrypt(bufio.NewReaderSize(f, 1<<20), with)
	if err != nil {
		var none *age.NoIdentityMatchError
		if errors.As(err, &none) {
			return Header{}, "", ErrWrongKey
		}
		return Header{}, "", fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	br := bufio.NewReaderSize(dec, 1<<20)
	line, err := br.ReadBytes('\n')
	if err != nil {
		return Header{}, "", fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	var h Header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != Format {
		return Header{}, "", fmt.Errorf("%w: no hearme backup header", ErrDamaged)
	}
	out, err := os.CreateTemp(dir, ".hearme-restore-*")
	if err != nil {
		return Header{}, "", err
	}
	ok := false
	defer func() {
		if !ok {
			out.Close()
			os.Remove(out.Name())
		}
	}()
	if _, err := io.Copy(out, br); err != nil {
		return Header{}, "", fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if err := out.Sync(); err != nil {
		return Header{}, "", err
	}
	if err := out.Close(); err != nil {
		return Header{}, "", err
	}
	ok = true
	return h, out.Name(), nil
}
