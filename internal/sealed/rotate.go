package sealed

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The keyring file is changed only by AddKey and RetireKeys, each
// writing a whole new file beside the old one and renaming it into
// place, so a reader (a running server's Reload) sees the old file or
// the new one, never half of one.

// ErrActiveKey means the key asked to be retired is the one sealing new
// values.
var ErrActiveKey = errors.New("sealed: the active key cannot be retired")

// AddKey puts a new random key first in the keyring file at path, so it
// seals every new value from then on, keeping the others to open what
// they sealed. Before the active key changes, every one of
// DerivePurposes not yet pinned is pinned with the key it derives now,
// so tokens already handed out and keyed hashes already stored keep
// working. It returns the new key's id.
func AddKey(path string) (string, error) {
	r, err := readRing(path)
	if err != nil {
		return "", err
	}
	fresh, err := parseRing(NewKeyLine())
	if err != nil {
		return "", err
	}
	r.raw[fresh.active] = fresh.raw[fresh.active]
	r.ids = append(r.ids, fresh.active)
	r.activate(fresh.active)
	return fresh.active, writeRing(path, r)
}

// StageKey adds a new random key to the keyring file at path without
// making it active: every copy of the file that has it opens values
// sealed with it, and none seals with it until PromoteStaged. It is how
// a key reaches every instance of hearme sharing one database before
// any value is sealed with it (docs/keys.md, "Several instances"). A key
// already staged is kept and returned.
func StageKey(path string) (string, error) {
	r, err := readRing(path)
	if err != nil {
		return "", err
	}
	if r.staged != "" {
		return r.staged, nil
	}
	fresh, err := parseRing(NewKeyLine())
	if err != nil {
		return "", err
	}
	r.raw[fresh.active] = fresh.raw[fresh.active]
	r.ids = append(r.ids, fresh.active)
	r.staged = fresh.active
	return fresh.active, writeRing(path, r)
}

// PromoteStaged makes the staged key active (first in the file), as
// AddKey does with a new one, and returns its id ("" and nothing
// changed when no key is staged).
func PromoteStaged(path string) (string, error) {
	r, err := readRing(path)
	if err != nil || r.staged == "" {
		return "", err
	}
	id := r.staged
	r.activate(id)
	return id, writeRing(path, r)
}

func readRing(path string) (*ring, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read keyring: %w", err)
	}
	return parseRing(b)
}

// activate makes the held key id the one sealing new values: first in
// the file. Before the active key changes, every one of DerivePurposes
// not yet pinned is pinned with the key it derives now.
func (r *ring) activate(id string) {
	for _, p := range DerivePurposes {
		if _, ok := r.pins[p]; !ok {
			r.pins[p] = r.derive(p)
		}
	}
	r.ids = append([]string{id}, slices.DeleteFunc(r.ids, func(x string) bool { return x == id })...)
	r.active = id
	if r.staged == id {
		r.staged = ""
	}
}

// RetireKeys removes keys from the keyring file. The active key cannot
// be retired; an id the file does not hold is an error. Whether any
// value is still sealed with a key is for the caller to have checked
// (`hearme keys retire` counts them first).
func RetireKeys(path string, ids []string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read keyring: %w", err)
	}
	r, err := parseRing(b)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id == r.active {
			return fmt.Errorf("%w (%s)", ErrActiveKey, id)
		}
		if _, ok := r.raw[id]; !ok {
			return fmt.Errorf("sealed: the keyring has no key %q", id)
		}
	}
	r.ids = slices.DeleteFunc(r.ids, func(id string) bool { return slices.Contains(ids, id) })
	if slices.Contains(ids, r.staged) {
		r.staged = ""
	}
	return writeRing(path, r)
}

// writeRing writes the keyring to a private temporary file beside path,
// syncs it and renames it over path.
func writeRing(path string, r *ring) error {
	var b strings.Builder
	b.WriteString("# hearme encryption keys: the first line seals new values; the others open values sealed before a rotation.\n")
	b.WriteString("# Lines derive.NAME keep keys derived for other purposes. Keep a copy apart from backups (docs/keys.md).\n")
	if r.staged != "" && r.staged != r.active {
		fmt.Fprintf(&b, "%s %s\n", stagedPrefix, r.staged)
	}
	for _, id := range r.ids {
		fmt.Fprintf(&b, "%s:%s\n", id, base64.StdEncoding.EncodeToString(r.raw[id]))
	}
	purposes := make([]string, 0, len(r.pins))
	for p := range r.pins {
		purposes = append(purposes, p)
	}
	slices.Sort(purposes)
	for _, p := range purposes {
		fmt.Fprintf(&b, "%s%s:%s\n", pinPrefix, p, base64.StdEncoding.EncodeToString(r.pins[p]))
	}
	if _, err := parseRing([]byte(b.String())); err != nil {
		return err // never write a file that would not load
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
