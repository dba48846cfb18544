package sealed

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	k, err := LoadOrCreate(filepath.Join(t.TempDir(), "keys"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := k.Seal("07700 900123")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(v, "07700") {
		t.Fatalf("sealed value shows the plaintext: %s", v)
	}
	got, err := k.Open(v)
	if err != nil || got != "07700 900123" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if e, _ := k.Seal(""); e != "" {
		t.Fatalf("empty should stay empty, got %q", e)
	}
}

func TestRotationOpensOldValues(t *testing.T) {
	oldLine := NewKeyLine()
	old, err := Parse(oldLine)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := old.Seal("secret")
	rotated, err := Parse(append(NewKeyLine(), oldLine...))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := rotated.Open(v); err != nil || got != "secret" {
		t.Fatalf("old value after rotation: %q %v", got, err)
	}
	nv, _ := rotated.Seal("secret")
	if strings.Split(nv, ":")[1] == strings.Split(v, ":")[1] {
		t.Fatal("new values should use the new first key")
	}
	if _, err := old.Open(nv); err != ErrUnknownKey {
		t.Fatalf("old keyring opening new value: %v", err)
	}
}

func TestTamperedAndMalformed(t *testing.T) {
	k, _ := Parse(NewKeyLine())
	v, _ := k.Seal("hello")
	b := []byte(v)
	b[len(b)-2] ^= 1
	for _, bad := range []string{string(b), "v1:x", "v2:a:b", "nonsense", "v1:" + strings.Split(v, ":")[1] + ":!!"} {
		if _, err := k.Open(bad); err == nil {
			t.Errorf("Open(%q) should fail", bad)
		}
	}
	for _, bad := range [][]byte{nil, []byte("x"), []byte("a:short"), bytes.Repeat([]byte("#\n"), 3)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) should fail", bad)
		}
	}
}

func TestDerive(t *testing.T) {
	line := NewKeyLine()
	a, _ := Parse(line)
	b, _ := Parse(line)
	if string(a.Derive("forms")) != string(b.Derive("forms")) || len(a.Derive("forms")) != 32 {
		t.Fatal("two instances with one keyring derive different keys")
	}
	if string(a.Derive("forms")) == string(a.Derive("other")) {
		t.Fatal("purposes share a key")
	}
	c, _ := Parse(NewKeyLine())
	if string(a.Derive("forms")) == string(c.Derive("forms")) {
		t.Fatal("different keyrings derive the same key")
	}
}

// A keyring readable by others (an older install, a careless copy) is
// made 0600 when it is loaded.
func TestLoadOrCreateTightensAnExistingKeyring(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.txt")
	if err := os.WriteFile(path, NewKeyLine(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(path); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("keyring is %v after loading, want 0600", fi.Mode().Perm())
	}
}
