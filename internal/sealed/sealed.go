// Package sealed encrypts small secrets at rest (contact details, second
// factor secrets) with AES-256-GCM. Each sealed value carries the id of
// the key that sealed it, so keys can rotate: new values use the first
// key of the keyring, old values still open with the key they name.
package sealed

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Keyring holds the keys; the first is used to seal.
type Keyring struct {
	active string
	aeads  map[string]cipher.AEAD
	raw    map[string][]byte
}

// ErrUnknownKey means a value names a key the keyring does not have.
var ErrUnknownKey = errors.New("sealed: unknown key id")

// ErrMalformed means a sealed value is not in the expected form.
var ErrMalformed = errors.New("sealed: malformed value")

// Parse reads a keyring: one key per line, "id:base64-of-32-bytes";
// blank lines and lines starting with # are ignored.
func Parse(b []byte) (*Keyring, error) {
	k := &Keyring{aeads: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, enc, ok := strings.Cut(line, ":")
		if !ok || id == "" || strings.ContainsAny(id, ": ") {
			return nil, errors.New("sealed: keyring line must be id:base64key")
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("sealed: key %q must be 32 bytes of base64", id)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("sealed: key %q listed twice", id)
		}
		k.aeads[id] = aead
		k.raw[id] = raw
		if k.active == "" {
			k.active = id
		}
	}
	if k.active == "" {
		return nil, errors.New("sealed: keyring has no key")
	}
	return k, nil
}

// LoadOrCreate reads the keyring file, creating it with one new random
// key (mode 0600) when it does not exist; an existing keyring readable by
// others is made 0600.
func LoadOrCreate(path string) (*Keyring, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		b = NewKeyLine()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("write keyring: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	} else if err := private(path); err != nil {
		return nil, err
	}
	return Parse(b)
}

// private takes the group and other permission bits off an existing
// keyring (an older install, or a file copied in with the wrong mode).
func private(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return fmt.Errorf("make keyring private: %w", err)
		}
	}
	return nil
}

// NewKeyLine returns a keyring line with a fresh random key, for
// creating or rotating a keyring.
func NewKeyLine() []byte {
	raw := make([]byte, 32)
	rand.Read(raw)
	id := make([]byte, 4)
	rand.Read(id)
	return fmt.Appendf(nil, "# hearme encryption keys: the first line seals new values. Keep a copy apart from backups.\nk%x:%s\n", id, base64.StdEncoding.EncodeToString(raw))
}

// Derive returns a 32-byte key for another purpose (signing form tokens,
// say), derived from the active key so every instance sharing the
// keyring derives the same one. It changes when the keyring rotates.
func (k *Keyring) Derive(purpose string) []byte {
	mac := hmac.New(sha256.New, k.raw[k.active])
	mac.Write([]byte("hearme-derive:" + purpose))
	return mac.Sum(nil)
}

// Seal encrypts plaintext; the empty string stays empty so "not set" is
// visible without a key.
func (k *Keyring) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	aead := k.aeads[k.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, []byte(plaintext), []byte(k.active))
	return "v1:" + k.active + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open decrypts a value made by Seal.
func (k *Keyring) Open(value string) (string, error) {
	if value == "" {
		return "", nil
	}
	parts := strings.SplitN(value, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return "", ErrMalformed
	}
	aead, ok := k.aeads[parts[1]]
	if !ok {
		return "", ErrUnknownKey
	}
	ct, err := base64.RawStdEncoding.DecodeString(parts[2])
	if err != nil || len(ct) < aead.NonceSize()+aead.Overhead() {
		return "", ErrMalformed
	}
	pt, err := aead.Open(nil, ct[:aead.NonceSize()], ct[aead.NonceSize():], []byte(parts[1]))
	if err != nil {
		return "", ErrMalformed
	}
	return string(pt), nil
}
