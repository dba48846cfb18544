package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The key file is made once, 0600, keying entries from the next one on;
// read back it gives the same hashes.
func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit-key.txt")
	k, err := LoadOrCreateKey(path, func() (int64, error) { return 42, nil })
	if err != nil || k.From != 42 {
		t.Fatalf("create: %+v %v", k, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file is %v, want 0600", fi.Mode().Perm())
	}
	again, err := LoadOrCreateKey(path, func() (int64, error) { t.Fatal("asked for the next seq again"); return 0, nil })
	e := Entry{Seq: 50, ActorID: "a", PrevHash: GenesisHash}
	if err != nil || again.Hash(e) != k.Hash(e) {
		t.Fatalf("read back: %v", err)
	}
	// Before From the plain hash; from it on an HMAC, not the plain hash.
	if k.Hash(Entry{Seq: 41}) != ComputeHash(Entry{Seq: 41}) || k.Hash(e) == ComputeHash(e) {
		t.Error("the key does not switch to HMAC at From")
	}
	os.WriteFile(path, []byte("something else\n"), 0o600)
	if _, err := LoadKey(path); err == nil {
		t.Error("a file that is not an audit key was accepted")
	}
}

func TestCheckpointSignature(t *testing.T) {
	k := NewKey([]byte("0123456789abcdef0123456789abcdef"), 1)
	c := k.Sign(Checkpoint{Seq: 9, Head: "abc", At: time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)})
	if !k.Signed(c) {
		t.Fatal("a signed checkpoint does not verify")
	}
	for name, edit := range map[string]func(*Checkpoint){
		"seq":  func(c *Checkpoint) { c.Seq = 8 },
		"head": func(c *Checkpoint) { c.Head = "abd" },
		"time": func(c *Checkpoint) { c.At = c.At.Add(time.Second) },
	} {
		d := c
		edit(&d)
		if k.Signed(d) {
			t.Errorf("checkpoint with a changed %s still verifies", name)
		}
	}
	path := filepath.Join(t.TempDir(), "cp.json")
	if err := WriteCheckpoint(path, c); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(path)
	if err != nil || got == nil || !k.Signed(*got) {
		t.Fatalf("read back: %+v %v", got, err)
	}
	if none, err := ReadCheckpoint(filepath.Join(t.TempDir(), "missing")); none != nil || err != nil {
		t.Fatalf("missing file: %v %v", none, err)
	}
}
