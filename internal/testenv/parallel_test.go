package testenv

import (
	"flag"
	"testing"
)

// DefaultParallel sets -test.parallel unless the command line did, and
// never overrides what the command line asked for.
func TestDefaultParallel(t *testing.T) {
	f := flag.Lookup("test.parallel")
	before := f.Value.String()
	t.Cleanup(func() { f.Value.Set(before) })
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	want := "37"
	if set {
		want = before
	}
	DefaultParallel(37)
	if got := f.Value.String(); got != want {
		t.Errorf("after DefaultParallel(37), -test.parallel=%s, want %s (set on the command line: %v)", got, want, set)
	}
}
