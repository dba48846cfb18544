package backup

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"filippo.io/age"
)

// IdentityFile is the backup identity's name in the data directory.
const IdentityFile = "backup-identity.txt"

// LoadOrCreateIdentity reads the X25519 identity backups are encrypted
// to, creating it (0600) on first use; created says so, for the warning
// to keep a copy apart from the backups.
func LoadOrCreateIdentity(path string) (id *age.X25519Identity, created bool, err error) {
	id, err = LoadIdentity(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return id, false, err
	}
	id, err = age.GenerateX25519Identity()
	if err != nil {
		return nil, false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it first
		id, err = LoadIdentity(path)
		return id, false, err
	}
	if err != nil {
		return nil, false, err
	}
	content := fmt.Sprintf("# hearme backup identity: opens every backup encrypted to %s\n# Keep a copy apart from the backups; without it they cannot be restored.\n%s\n", id.Recipient(), id)
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		os.Remove(path)
		return nil, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, false, err
	}
	return id, true, f.Close()
}

// LoadIdentity reads an identity file written by LoadOrCreateIdentity
// (or by age-keygen).
func LoadIdentity(path string) (*age.X25519Identity, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	ids, err := age.ParseIdentities(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("backup identity %s: %w", path, err)
	}
	x, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fmt.Errorf("backup identity %s: not an X25519 identity", path)
	}
	return x, nil
}

// ReadPassphrase reads a passphrase from a file (its first line), for
// --passphrase-file; a passphrase shorter than 12 characters is refused.
func ReadPassphrase(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("passphrase file: %w", err)
	}
	p, _, _ := strings.Cut(string(b), "\n")
	p = strings.TrimRight(p, "\r")
	if len([]rune(p)) < 12 {
		return "", fmt.Errorf("passphrase file %s: the passphrase must be at least 12 characters", path)
	}
	return p, nil
}

// PassphraseRecipient encrypts to a passphrase (scrypt).
func PassphraseRecipient(pass string) (age.Recipient, error) { return age.NewScryptRecipient(pass) }

// PassphraseIdentity opens a backup encrypted to a passphrase.
func PassphraseIdentity(pass string) (age.Identity, error) { return age.NewScryptIdentity(pass) }
