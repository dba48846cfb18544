package testenv

import (
	"flag"
	"strconv"
)

// DefaultParallel makes n the number of a test binary's parallel tests
// (go test's -parallel) unless the command line set it: go test's default
// is the number of CPUs, which suits tests that compute, while tests that
// mostly wait (for a browser, a database's disk) leave the CPUs idle at
// that number. Call it from TestMain, after flag.Parse, before m.Run.
func DefaultParallel(n int) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(n)); err != nil {
			panic(err)
		}
	}
}
