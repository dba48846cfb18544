// Package sealed encrypts small secrets at rest (contact details, second
// factor secrets) with AES-256-GCM. Each sealed value carries the id of
// the key that sealed it, so keys can rotate: new values use the first
// key of the keyring, old values still open with the key they name.
package sealed

import (
	"bufio"
	"bytes"
	"context"
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
	"sync"
	"sync/atomic"
	"time"
)

// Keyring holds the keys; the first is used to seal. It is safe for
// concurrent use, and a keyring loaded from a file follows that file:
// Reload (or Watch) picks up a key added by `hearme keys rotate`, and a
// value naming a key this process does not know yet makes it look at the
// file again before giving up (docs/keys.md).
type Keyring struct {
	path  string
	state atomic.Pointer[ring]
	// file is the file last read (which file, its size and modification
	// time), so a reload reads the file only when it changed.
	fileMu sync.Mutex
	file   fileStamp
}

// ring is one reading of the keyring; it is never changed once made.
type ring struct {
	active string
	ids    []string // in file order: the active key first
	aeads  map[string]cipher.AEAD
	raw    map[string][]byte
	// staged is a key added to be made active later (StageKey), so
	// that it can reach every instance's copy of the file before any
	// value is sealed with it; "" when none. It opens values like any
	// other key.
	staged string
	// pins are derived keys kept in the file (lines "derive.PURPOSE:..."),
	// so that Derive gives the same key after the key it was derived from
	// is rotated away (registration cancel links already emailed, the
	// keyed hashes that refuse duplicate registrations).
	pins map[string][]byte
}

type fileStamp struct {
	info os.FileInfo
}

func stampOf(fi os.FileInfo) fileStamp { return fileStamp{fi} }

// same reports whether fi is the file the stamp was taken of, unchanged.
// A keyring file is replaced, never written in place (writeRing), so a
// new file is another file even when its size and time match the old
// one's (a key retired and one added within a second, on a file system
// with coarse times).
func (f fileStamp) same(fi os.FileInfo) bool {
	return f.info != nil && os.SameFile(f.info, fi) && f.info.Size() == fi.Size() && f.info.ModTime().Equal(fi.ModTime())
}

// ErrUnknownKey means a value names a key the keyring does not have.
var ErrUnknownKey = errors.New("sealed: unknown key id")

// ErrMalformed means a sealed value is not in the expected form.
var ErrMalformed = errors.New("sealed: malformed value")

// pinPrefix starts a pinned derived key's line.
const pinPrefix = "derive."

// DerivePurposes are the purposes Derive is asked for in hearme. Each is
// pinned in the keyring file when a key is added (AddKey), so its derived
// key outlives the key it came from. TestDerivePurposesListed fails when
// the code asks for a purpose missing here.
var DerivePurposes = []string{"form-tokens", "registration-dedupe", "registration-cancel", "recovery-codes", "subscription-links", "review-browser"}

// Parse reads a keyring: one key per line, "id:base64-of-32-bytes";
// blank lines and lines starting with # are ignored. Lines
// "derive.PURPOSE:base64" are pinned derived keys (see Derive).
func Parse(b []byte) (*Keyring, error) {
	r, err := parseRing(b)
	if err != nil {
		return nil, err
	}
	k := &Keyring{}
	k.state.Store(r)
	return k, nil
}

func parseRing(b []byte) (*ring, error) {
	k := &ring{aeads: map[string]cipher.AEAD{}, raw: map[string][]byte{}, pins: map[string][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(b))
	staged := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if id, ok := strings.CutPrefix(line, stagedPrefix); ok {
			staged = strings.TrimSpace(id)
			continue
		}
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
		if purpose, ok := strings.CutPrefix(id, pinPrefix); ok {
			if _, dup := k.pins[purpose]; dup || purpose == "" {
				return nil, fmt.Errorf("sealed: derived key %q listed twice or unnamed", id)
			}
			k.pins[purpose] = raw
			continue
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
		k.ids = append(k.ids, id)
		if k.active == "" {
			k.active = id
		}
	}
	if k.active == "" {
		return nil, errors.New("sealed: keyring has no key")
	}
	if _, ok := k.aeads[staged]; ok && staged != k.active {
		k.staged = staged
	}
	return k, nil
}

// stagedPrefix starts the comment line naming the staged key (a comment,
// so that a keyring file with a staged key still loads in an older
// hearme, which then treats the key as an older one).
const stagedPrefix = "# staged:"

func (k *Keyring) ring() *ring { return k.state.Load() }

// Active is the id of the key that seals new values.
func (k *Keyring) Active() string { return k.ring().active }

// IDs lists the keys' ids, the active one first.
func (k *Keyring) IDs() []string { return append([]string(nil), k.ring().ids...) }

// Staged is the id of the key added by `hearme keys rotate --stage`,
// held but not yet sealing ("" when none).
func (k *Keyring) Staged() string { return k.ring().staged }

// Has reports whether the keyring holds the key id.
func (k *Keyring) Has(id string) bool { _, ok := k.ring().aeads[id]; return ok }

// KeyOf returns the id of the key a sealed value names ("" for the
// empty value or one not sealed by a keyring).
func KeyOf(value string) string {
	rest, ok := strings.CutPrefix(value, "v1:")
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return id
}

// LoadOrCreate reads the keyring file, creating it with one new random
// key (mode 0600) when it does not exist; an existing keyring readable by
// others is made 0600. The keyring remembers the file, for Reload.
func LoadOrCreate(path string) (*Keyring, error) {
	// Look at the file before reading it: were it replaced in between, the
	// next Reload reads the new one (the other way round, it would take
	// the old content for the new file's).
	before, _ := os.Stat(path)
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
	k, err := Parse(b)
	if err != nil {
		return nil, err
	}
	k.path = path
	if before == nil {
		before, _ = os.Stat(path) // just created
	}
	if before != nil {
		k.file = stampOf(before)
	}
	return k, nil
}

// Reload reads the keyring file again when it changed since it was last
// read (another file, or its size or modification time), and reports
// whether it did. A file
// that no longer parses is refused and the keys in use are kept.
func (k *Keyring) Reload() (bool, error) {
	if k.path == "" {
		return false, nil
	}
	k.fileMu.Lock()
	defer k.fileMu.Unlock()
	fi, err := os.Stat(k.path)
	if err != nil {
		return false, fmt.Errorf("keyring: %w", err)
	}
	if k.file.same(fi) {
		return false, nil
	}
	b, err := os.ReadFile(k.path)
	if err != nil {
		return false, fmt.Errorf("keyring: %w", err)
	}
	r, err := parseRing(b)
	if err != nil {
		return false, fmt.Errorf("keyring %s: %w (the keys in use are kept)", k.path, err)
	}
	k.file = stampOf(fi)
	k.state.Store(r)
	return true, nil
}

// Watch reloads the keyring every interval until ctx ends, so a server
// seals with a key added by `hearme keys rotate` within one interval.
// Errors go to report (a keyring file half edited by hand, say).
func (k *Keyring) Watch(ctx context.Context, every time.Duration, report func(changed bool, err error)) {
	if k.path == "" {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			changed, err := k.Reload()
			if report != nil && (changed || err != nil) {
				report(changed, err)
			}
		}
	}
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
// keyring derives the same one. A purpose pinned in the file (AddKey
// pins every one of DerivePurposes before a new key becomes active)
// keeps its key across rotations.
func (k *Keyring) Derive(purpose string) []byte {
	r := k.ring()
	if pin, ok := r.pins[purpose]; ok {
		return append([]byte(nil), pin...)
	}
	return r.derive(purpose)
}

func (r *ring) derive(purpose string) []byte {
	mac := hmac.New(sha256.New, r.raw[r.active])
	mac.Write([]byte("hearme-derive:" + purpose))
	return mac.Sum(nil)
}

// Seal encrypts plaintext with the active key; the empty string stays
// empty so "not set" is visible without a key.
func (k *Keyring) Seal(plaintext string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	r := k.ring()
	aead := r.aeads[r.active]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	ct := aead.Seal(nonce, nonce, []byte(plaintext), []byte(r.active))
	return "v1:" + r.active + ":" + base64.RawStdEncoding.EncodeToString(ct), nil
}

// Open decrypts a value made by Seal. A value naming a key this keyring
// does not have makes it read its file again first (the key may have
// just been added by a rotation on this machine).
func (k *Keyring) Open(value string) (string, error) {
	if value == "" {
		return "", nil
	}
	parts := strings.SplitN(value, ":", 3)
	if len(parts) != 3 || parts[0] != "v1" {
		return "", ErrMalformed
	}
	aead, ok := k.ring().aeads[parts[1]]
	if !ok {
		// A key added by a rotation: read the file again, then look
		// again whatever Reload says. Another reader may have reloaded
		// it a moment before (Reload then reports no change), and
		// trusting "changed" made that second reader fail with an
		// unknown key during rotation (TestRotationUnderLoad caught it).
		k.Reload()
		if aead, ok = k.ring().aeads[parts[1]]; !ok {
			return "", ErrUnknownKey
		}
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

// Reseal opens a value and seals it again with the active key. A value
// already under the active key, or empty, comes back as it is
// (changed false).
func (k *Keyring) Reseal(value string) (resealed string, changed bool, err error) {
	if value == "" || KeyOf(value) == k.Active() {
		return value, false, nil
	}
	pt, err := k.Open(value)
	if err != nil {
		return "", false, err
	}
	nv, err := k.Seal(pt)
	return nv, err == nil, err
}
