//go:build linux && !libc.membrk && !libc.memgrind && (amd64 || arm64 || loong64 || ppc64le || s390x || riscv64 || 386 || arm)

package dialect

import (
	"sync"
	_ "unsafe" // go:linkname

	"modernc.org/memory"
)

// SQLite (modernc.org/sqlite, a translation of the C library to Go)
// allocates through modernc.org/libc's malloc, which keeps the regions
// that SQLite frees, up to 4 MiB beyond its high-water mark, to reuse
// them (modernc.org/memory, "Page retention"). After a first start,
// which writes the migrations, the demo programme and its search index,
// that is about 4 MB of an idle server's 40 MB budget (docs/performance.md,
// section 4). memory.Allocator.Trim hands the retained regions back, but
// libc does not export its allocator, so it is reached by name, with the
// mutex that guards it. TestLibcAllocatorIsReached fails if a new libc
// renames or retypes either (the version is pinned there too).

//go:linkname libcAllocator modernc.org/libc.allocator
var libcAllocator memory.Allocator

//go:linkname libcAllocatorMu modernc.org/libc.allocatorMu
var libcAllocatorMu sync.Mutex

// trimSQLiteMemory returns to the OS the memory SQLite has freed and the
// allocator kept; regions in use are not touched.
func trimSQLiteMemory() {
	libcAllocatorMu.Lock()
	defer libcAllocatorMu.Unlock()
	_ = libcAllocator.Trim() // only munmap errors, which leave the region kept
}
