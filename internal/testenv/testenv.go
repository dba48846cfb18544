// Package testenv decides whether tests that need outside services
// (PostgreSQL, Chromium) run, skip, or fail.
//
// Locally a missing service skips the test with a one-line reason, so
// `go test ./...` passes on a fresh machine. Under CI (HEARME_REQUIRE_ALL=1,
// set by .ci/run) a missing service fails the test instead, so a skipped
// PostgreSQL or browser test can never pass unnoticed.
package testenv

import (
	"os"
	"os/exec"
	"testing"
)

// RequireAll reports whether every optional test environment must be present.
func RequireAll() bool { return os.Getenv("HEARME_REQUIRE_ALL") == "1" }

func missing(t testing.TB, reason string) {
	t.Helper()
	if RequireAll() {
		t.Fatalf("HEARME_REQUIRE_ALL=1 but %s", reason)
	}
	t.Skip(reason)
}

// PostgresDSN returns the DSN in HEARME_TEST_POSTGRES, or skips (fails under CI).
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("HEARME_TEST_POSTGRES")
	if dsn == "" {
		missing(t, "HEARME_TEST_POSTGRES not set: PostgreSQL test skipped")
	}
	return dsn
}

// ChromiumPath returns the path of a Chromium binary, or skips (fails under CI).
func ChromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("HEARME_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "no chromium on PATH: browser test skipped")
	return ""
}
