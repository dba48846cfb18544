//go:build linux && !libc.membrk && !libc.memgrind && (amd64 || arm64 || loong64 || ppc64le || s390x || riscv64 || 386 || arm)

package dialect

import (
	"context"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
)

// The allocator that sqlite_memory.go reaches by name is the one SQLite
// allocates through, and trimming hands memory back. If a new libc
// renamed the variables, the names would bind to empty ones of our own:
// Allocs would stay 0 however much SQLite allocated.
//
// Not parallel: it reads the process-wide allocator before and after a
// release, and another test's SQLite work in between would move it.
func TestLibcAllocatorIsReached(t *testing.T) {
	// The layout read by name is that of this libc release: a new one
	// must be read again (libc_musl.go, mem_musl.go) before this pin
	// moves.
	info, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information")
	}
	for _, m := range info.Deps {
		if m.Path == "modernc.org/libc" && m.Version != "v1.80.1" {
			t.Fatalf("modernc.org/libc is %s: check that its allocator and allocatorMu are still a memory.Allocator and a sync.Mutex, then update this pin", m.Version)
		}
	}

	ctx := context.Background()
	c, err := Open(ctx, filepath.Join(t.TempDir(), "hearme.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write.ExecContext(ctx, `CREATE TABLE t (x TEXT)`); err != nil {
		t.Fatal(err)
	}
	tx, err := c.Write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	row := strings.Repeat("x", 4000)
	for i := 0; i < 3000; i++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO t VALUES (?)`, row); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	live, kept := mapped()
	if live == 0 {
		t.Fatal("the allocator reached by name maps nothing while SQLite is open: the linkname no longer names libc's")
	}
	c.ReleaseIdle() // closes the idle connections (their page caches are freed), then trims
	liveAfter, keptAfter := mapped()
	if keptAfter != 0 || liveAfter+keptAfter >= live+kept {
		t.Errorf("mapped from the OS: %d in use and %d kept before releasing, %d and %d after: nothing handed back", live, kept, liveAfter, keptAfter)
	}
}

// mapped reads the allocator's own accounting (memory.Allocator's
// unexported live and freedSize, in the pinned release): bytes mapped
// and in use, and bytes mapped and kept for reuse.
func mapped() (live, kept int64) {
	libcAllocatorMu.Lock()
	defer libcAllocatorMu.Unlock()
	a := reflect.ValueOf(&libcAllocator).Elem()
	return a.FieldByName("live").Int(), a.FieldByName("freedSize").Int()
}
