package store_test

import (
	"flag"
	"os"
	"testing"

	"github.com/hearme-project/hearme/internal/testenv"
)

// parallelTests is how many of the package's tests (each database's half
// of storetest.Each is one) run at once unless go test's -parallel says
// otherwise. go test's default is the number of CPUs (2 on the CI
// machine), but these tests mostly wait for PostgreSQL and for the disk
// (every commit is synced): at 8 the package took 449 s where it took
// more at 2 on the same loaded machine (docs/performance.md, issue 9).
// Each PostgreSQL store holds a few connections at a time, far below the
// server's 100 at 8 tests.
const parallelTests = 8

func TestMain(m *testing.M) {
	flag.Parse()
	testenv.DefaultParallel(parallelTests)
	os.Exit(m.Run())
}
