package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Key keys the chain: from entry From on, each entry's hash is an
// HMAC-SHA256 under a secret kept apart from the database (a file in the
// data directory, like the keyring), so someone who can write to the
// database but not read that file can no longer edit an entry and
// recompute the chain. Entries before From were written before the trail
// had a key and keep their plain SHA-256; the first keyed entry's HMAC
// covers the last of them through its previous-hash, so a rewrite of the
// older part is detected too.
type Key struct {
	entry      []byte // subkey for entry hashes
	checkpoint []byte // subkey for checkpoints
	From       int64
}

// NewKey makes a key from a secret and the first sequence number it keys.
func NewKey(secret []byte, from int64) *Key {
	sub := func(label string) []byte {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	if from < 1 {
		from = 1
	}
	return &Key{entry: sub("hearme audit entry"), checkpoint: sub("hearme audit checkpoint"), From: from}
}

// keyFileHeader starts the key file, so a wrong file is refused.
const keyFileHeader = "hearme-audit-key-v1"

// LoadKey reads the key file: "hearme-audit-key-v1 from=N HEX".
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := strings.Fields(string(b))
	if len(f) != 3 || f[0] != keyFileHeader || !strings.HasPrefix(f[1], "from=") {
		return nil, fmt.Errorf("audit key %s: not a hearme audit key file", path)
	}
	from, err := strconv.ParseInt(strings.TrimPrefix(f[1], "from="), 10, 64)
	if err != nil || from < 1 {
		return nil, fmt.Errorf("audit key %s: bad from=", path)
	}
	secret, err := hex.DecodeString(f[2])
	if err != nil || len(secret) < 32 {
		return nil, fmt.Errorf("audit key %s: the key must be at least 32 bytes of hex", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, err
		}
	}
	return NewKey(secret, from), nil
}

// LoadOrCreateKey reads the key file, or creates it (mode 0600) with a
// new random secret keying every entry from next() on: the sequence
// number the next entry will take, so the entries already written stay
// verifiable as they are.
func LoadOrCreateKey(path string, next func() (int64, error)) (*Key, error) {
	k, err := LoadKey(path)
	if !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	from, err := next()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 32)
	rand.Read(secret)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	line := fmt.Sprintf("%s from=%d %s\n", keyFileHeader, from, hex.EncodeToString(secret))
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return LoadKey(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("create audit key: %w", err)
	}
	if _, err := f.WriteString(line); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return NewKey(secret, from), nil
}

// Hash is the hash an entry must carry: the keyed HMAC from From on,
// the plain SHA-256 (ComputeHash) before it or without a key.
func (k *Key) Hash(e Entry) string {
	if k == nil || e.Seq < k.From {
		return ComputeHash(e)
	}
	m := hmac.New(sha256.New, k.entry)
	writeFields(m, e)
	return hex.EncodeToString(m.Sum(nil))
}

// writeFields writes every field but Hash, each length-prefixed so no
// two entries encode the same.
func writeFields(h hash.Hash, e Entry) {
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10),
		Normalise(e.At).Format(time.RFC3339Nano),
		e.ActorID, e.Action, e.Subject, e.Detail, e.PrevHash,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
}
