//go:build !(linux && !libc.membrk && !libc.memgrind && (amd64 || arm64 || loong64 || ppc64le || s390x || riscv64 || 386 || arm))

package dialect

// trimSQLiteMemory does nothing where libc's allocator is laid out
// differently (sqlite_memory.go): SQLite keeps what it freed for reuse.
func trimSQLiteMemory() {}
