package testenv

import (
	"os/exec"
	"testing"
)

// Tool returns the path of a command-line program a test needs (for
// example pdftotext from Debian's poppler-utils, which .ci/run installs),
// or skips (fails under CI).
func Tool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name+" not on PATH: test skipped")
	}
	return p
}
