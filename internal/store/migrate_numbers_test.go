package store

import (
	"testing"
	"testing/fstest"
)

// Two branches that each add "the next" migration must not both land
// unnoticed: the runner refuses two files with one number.
func TestMigrationsRefuseADuplicateNumber(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"sqlite/0001_a.sql": {Data: []byte("SELECT 1;")},
		"sqlite/0002_b.sql": {Data: []byte("SELECT 1;")},
	}
	if ms, err := migrationsIn(fsys, "sqlite"); err != nil || len(ms) != 2 {
		t.Fatalf("distinct numbers: %v, %d migrations", err, len(ms))
	}
	fsys["sqlite/0002_c.sql"] = &fstest.MapFile{Data: []byte("SELECT 1;")}
	if _, err := migrationsIn(fsys, "sqlite"); err == nil {
		t.Fatal("two migrations numbered 0002 were accepted")
	}
}
