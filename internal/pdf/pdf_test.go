package pdf

import (
	"context"
	"errors"
	"testing"
)

// TestNoChromiumSaysSo: with no Chromium to be found, PDFs are reported
// unavailable and Print answers ErrUnavailable rather than failing
// obscurely. (Printing itself is tested through the report, in
// internal/web TestReportPDFRendersUrduAndBengali.)
func TestNoChromiumSaysSo(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("HEARME_CHROMIUM", "/nonexistent/chromium")
	if Available() {
		t.Fatal("a missing Chromium is reported available")
	}
	if _, err := Print(context.Background(), []byte("<!doctype html><p>x")); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Print without Chromium: %v", err)
	}
}
