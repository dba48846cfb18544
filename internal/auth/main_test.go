package auth

import (
	"os"
	"testing"
)

// startParams is the parameter set the package starts with, before TestMain
// lowers it.
var startParams = params

func TestMain(m *testing.M) {
	// Keep argon2 cheap so the suite stays quick; tests that need the
	// production parameters switch to owaspParams with useParams.
	UseTestCost()
	os.Exit(m.Run())
}

// TestProductionCost: outside tests, new hashes use the OWASP parameters
// (TestHashPasswordOWASPParams checks what they produce), and UseTestCost
// lowers them only in a test binary.
func TestProductionCost(t *testing.T) {
	if startParams != owaspParams {
		t.Errorf("the package starts with %+v, want the production %+v", startParams, owaspParams)
	}
	if params != testCost {
		t.Errorf("after UseTestCost the parameters are %+v, want %+v", params, testCost)
	}
}

// useParams sets the package parameters for the duration of the test.
func useParams(t testing.TB, p argonParams) {
	t.Helper()
	old := params
	params = p
	t.Cleanup(func() { params = old })
}
