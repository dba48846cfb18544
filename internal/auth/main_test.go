package auth

import (
	"os"
	"testing"
)

// testParams keeps argon2 cheap so the suite stays quick; tests that need
// the production parameters switch to owaspParams with useParams.
var testParams = argonParams{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}

func TestMain(m *testing.M) {
	params = testParams
	os.Exit(m.Run())
}

// useParams sets the package parameters for the duration of the test.
func useParams(t testing.TB, p argonParams) {
	t.Helper()
	old := params
	params = p
	t.Cleanup(func() { params = old })
}
