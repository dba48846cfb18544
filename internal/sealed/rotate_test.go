package sealed

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAddKeyReloadAndRetire(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.txt")
	server, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	oldID := server.Active()
	before := map[string][]byte{}
	for _, p := range DerivePurposes {
		before[p] = server.Derive(p)
	}
	old, _ := server.Seal("07700 900123")

	newID, err := AddKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if newID == oldID {
		t.Fatal("AddKey returned the old id")
	}
	// A value sealed by the rotation (another process) opens in the
	// running server before it has reloaded: the miss reads the file.
	rotator, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if rotator.Active() != newID || !slices.Equal(rotator.IDs(), []string{newID, oldID}) {
		t.Fatalf("after AddKey: active %s ids %v", rotator.Active(), rotator.IDs())
	}
	resealed, changed, err := rotator.Reseal(old)
	if err != nil || !changed || KeyOf(resealed) != newID {
		t.Fatalf("Reseal: %q %v %v", resealed, changed, err)
	}
	if got, err := server.Open(resealed); err != nil || got != "07700 900123" {
		t.Fatalf("server opening a value sealed with the new key: %q %v", got, err)
	}
	// ...and from then on the server seals with the new key.
	if v, _ := server.Seal("x"); KeyOf(v) != newID {
		t.Fatalf("server seals with %s after reload, want %s", KeyOf(v), newID)
	}
	// Derived keys did not move with the active key.
	for _, p := range DerivePurposes {
		if !bytes.Equal(server.Derive(p), before[p]) || !bytes.Equal(rotator.Derive(p), before[p]) {
			t.Errorf("Derive(%q) changed with the rotation", p)
		}
	}
	if _, again, _ := rotator.Reseal(resealed); again {
		t.Fatal("a value under the active key was sealed again")
	}

	if err := RetireKeys(path, []string{newID}); !errors.Is(err, ErrActiveKey) {
		t.Fatalf("retiring the active key: %v", err)
	}
	if err := RetireKeys(path, []string{"nope"}); err == nil {
		t.Fatal("retiring an unknown key succeeded")
	}
	if err := RetireKeys(path, []string{oldID}); err != nil {
		t.Fatal(err)
	}
	if changed, err := server.Reload(); err != nil || !changed {
		t.Fatalf("Reload after retire: %v %v", changed, err)
	}
	if _, err := server.Open(old); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("a value under the retired key: %v", err)
	}
	for _, p := range DerivePurposes {
		if !bytes.Equal(server.Derive(p), before[p]) {
			t.Errorf("Derive(%q) changed when the old key was retired", p)
		}
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("keyring mode %v", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), oldID+":") {
		t.Fatal("the retired key is still in the file")
	}
}

func TestReloadKeepsKeysOnABadFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.txt")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	id := k.Active()
	if err := os.WriteFile(path, []byte("half an edit:"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Reload(); err == nil {
		t.Fatal("a broken file reloaded")
	}
	if k.Active() != id {
		t.Fatal("keys lost to a broken file")
	}
}

func TestWatchPicksUpANewKey(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.txt")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go k.Watch(ctx, 5*time.Millisecond, nil)
	id, err := AddKey(path)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for k.Active() != id {
		if time.Now().After(deadline) {
			t.Fatal("the watcher did not pick up the new key")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestDerivePurposesListed fails when code asks Derive for a purpose
// that AddKey would not pin: that purpose's key would change at the
// first rotation.
func TestDerivePurposesListed(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`\.Derive\("([^"]+)"\)`)
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			found++
			if !slices.Contains(DerivePurposes, m[1]) {
				t.Errorf("%s asks Derive(%q), not in DerivePurposes", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("found no Derive calls: the walk is looking in the wrong place")
	}
}

// TestManyReadersMeetANewKeyAtOnce: right after a rotation adds a key,
// many readers meet values sealed with it at the same moment. Each must
// open its value: one reader reloads the file, and the others, who find
// it already reloaded (Reload reports no change), must still look again.
// Before the fix the others failed with ErrUnknownKey.
func TestManyReadersMeetANewKeyAtOnce(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "keys.txt")
	server, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AddKey(path); err != nil {
		t.Fatal(err)
	}
	rotator, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	value, err := rotator.Seal("a contact detail")
	if err != nil {
		t.Fatal(err)
	}
	const readers = 64
	start := make(chan struct{})
	errs := make(chan error, readers)
	for range readers {
		go func() {
			<-start
			_, err := server.Open(value)
			errs <- err
		}()
	}
	close(start)
	for range readers {
		if err := <-errs; err != nil {
			t.Fatalf("a reader could not open a value sealed with the new key: %v", err)
		}
	}
}

// A process that loaded the keyring before a rotation and has never
// reloaded it (no watcher yet, or a second instance sharing the file)
// opens a value sealed with the new key, even when the new file has the
// same size and modification time as the one it read (a key retired and
// one added within the same second, on a file system with coarse
// times): it is another file, and that is enough to read it again.
func TestOpenFindsANewFileOfTheSameSizeAndTime(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.txt")
	first := NewKeyLine()
	if err := os.WriteFile(path, first, 0o600); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	instance, err := LoadOrCreate(path) // never reloaded
	if err != nil {
		t.Fatal(err)
	}
	// The file replaced (written beside it and renamed, as AddKey does)
	// by one of the same length, then given the old time.
	second := NewKeyLine()
	if len(second) != len(first) {
		t.Fatalf("key lines differ in length: %d %d", len(first), len(second))
	}
	tmp := path + ".new"
	if err := os.WriteFile(tmp, second, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	other, err := Parse(second)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := other.Seal("sealed by the other instance")
	if got, err := instance.Open(v); err != nil || got != "sealed by the other instance" {
		t.Fatalf("open a value under the key of the new file: %q %v", got, err)
	}
}

// A staged key is held but seals nothing until it is promoted; a copy of
// the file taken while it was staged opens what the promoted key seals;
// derived keys stay the same through the promotion; a staged key is
// staged once.
func TestStageThenPromote(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.txt")
	k, err := LoadOrCreate(path)
	if err != nil {
		t.Fatal(err)
	}
	oldKey := k.Active()
	tokens := k.Derive("form-tokens")
	staged, err := StageKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := StageKey(path); err != nil || again != staged {
		t.Fatalf("staging again: %s %v, want %s", again, err, staged)
	}
	if _, err := k.Reload(); err != nil {
		t.Fatal(err)
	}
	if k.Active() != oldKey || k.Staged() != staged || !k.Has(staged) {
		t.Fatalf("after staging: active %s staged %s", k.Active(), k.Staged())
	}
	if v, _ := k.Seal("x"); KeyOf(v) != oldKey {
		t.Fatal("a staged key sealed a value")
	}
	// Another instance's copy of the file, taken now.
	b, _ := os.ReadFile(path)
	copyPath := filepath.Join(dir, "copy.txt")
	if err := os.WriteFile(copyPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	other, err := LoadOrCreate(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if id, err := PromoteStaged(path); err != nil || id != staged {
		t.Fatalf("promote: %s %v", id, err)
	}
	if id, err := PromoteStaged(path); err != nil || id != "" {
		t.Fatalf("promote with nothing staged: %q %v", id, err)
	}
	k.Reload()
	if k.Active() != staged || k.Staged() != "" {
		t.Fatalf("after promoting: active %s staged %q", k.Active(), k.Staged())
	}
	if !bytes.Equal(k.Derive("form-tokens"), tokens) {
		t.Fatal("the form tokens' key changed with the promotion")
	}
	v, _ := k.Seal("sealed after the promotion")
	if got, err := other.Open(v); err != nil || got != "sealed after the promotion" {
		t.Fatalf("the copy taken while staged: %q %v", got, err)
	}
	if v, _ := other.Seal("y"); KeyOf(v) != oldKey {
		t.Fatal("the copy seals with the staged key before it is given the new file")
	}
}
