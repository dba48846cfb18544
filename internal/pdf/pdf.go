// Package pdf prints an HTML document to PDF with headless Chromium, the
// route ENGINEERING.md chose: Chromium lays out right-to-left Urdu and
// Bengali with the system's Noto fonts (Debian's fonts-noto-core), which
// no pure-Go PDF library does. A deployment without Chromium has no PDF;
// Available says so, and the report offers its print page instead.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// ErrUnavailable is returned when no Chromium is installed.
var ErrUnavailable = errors.New("pdf: no Chromium on this server")

// Timeout bounds one print.
const Timeout = 60 * time.Second

// Browser finds Chromium: $HEARME_CHROMIUM (if it names a program), else the first of the usual
// names on the PATH. "" when there is none.
func Browser() string {
	if p := os.Getenv("HEARME_CHROMIUM"); p != "" {
		if p, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Available reports whether PDFs can be made here.
func Available() bool { return Browser() != "" }

// one print at a time: Chromium takes hundreds of megabytes, and a public
// route must not let many requests start many browsers.
var printing sync.Mutex

// Print lays out html (a whole document whose styles are inline: it is
// opened from a file, with the network closed) and returns the PDF.
func Print(ctx context.Context, html []byte) ([]byte, error) {
	bin := Browser()
	if bin == "" {
		return nil, ErrUnavailable
	}
	printing.Lock()
	defer printing.Unlock()
	dir, err := os.MkdirTemp("", "hearme-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page, out := filepath.Join(dir, "page.html"), filepath.Join(dir, "page.pdf")
	if err := os.WriteFile(page, html, 0o600); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		// The page is ours and complete (styles inline, scripts removed):
		// nothing may be fetched. Turning scripts off in Blink as well
		// stops Chromium printing at all, so the page is stripped instead.
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--user-data-dir="+filepath.Join(dir, "profile"),
		"--no-pdf-header-footer", "--print-to-pdf="+out, "file://"+page)
	cmd.Dir = dir
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdf: chromium: %w: %.500s", err, msg)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("pdf: chromium wrote no PDF: %w", err)
	}
	if len(b) < 5 || string(b[:5]) != "%PDF-" {
		return nil, errors.New("pdf: chromium wrote something that is not a PDF")
	}
	return b, nil
}
