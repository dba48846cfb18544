package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// hearme mail test queues and sends the test email (development mode
// writes it to outbox-dev); hearme mail status counts it as sent.
func TestMailCommands(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	code, out, errs := run(t, "mail", "test", "sam@example.org", "--data", data, "--lang", "pl")
	if code != 0 || !strings.Contains(out, "sent 1") || !strings.Contains(out, "development mode") {
		t.Fatalf("mail test: %d %s %s", code, out, errs)
	}
	if strings.Contains(errs, "sam@example.org") {
		t.Fatalf("the recipient reached the log: %s", errs)
	}
	files, _ := filepath.Glob(filepath.Join(data, "outbox-dev", "*-test-*.eml"))
	if len(files) != 1 {
		t.Fatalf("%d files in outbox-dev", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if !strings.Contains(string(b), "To: <sam@example.org>") || !strings.Contains(string(b), "Content-Language: pl") {
		t.Fatalf("message:\n%s", b)
	}
	code, out, _ = run(t, "mail", "status", "--data", data)
	if code != 0 || !strings.Contains(out, "queued  0") || !strings.Contains(out, "sent    1") {
		t.Fatalf("status: %d %s", code, out)
	}
	if code, _, errs := run(t, "mail", "test", "not an address", "--data", data); code != 2 || !strings.Contains(errs, "not an email address") {
		t.Fatalf("bad address: %d %s", code, errs)
	}
	if code, _, _ := run(t, "mail", "frob"); code != 2 {
		t.Fatalf("unknown action: %d", code)
	}
	// Queued only, then sent by hearme mail send.
	if code, out, _ := run(t, "mail", "test", "kim@example.org", "--data", data, "--queue-only"); code != 0 || strings.Contains(out, "sent") {
		t.Fatalf("queue only: %d %s", code, out)
	}
	if code, out, _ := run(t, "mail", "status", "--data", data); code != 0 || !strings.Contains(out, "queued  1") {
		t.Fatalf("status: %d %s", code, out)
	}
	if code, out, _ := run(t, "mail", "send", "--data", data); code != 0 || !strings.Contains(out, "sent 1") {
		t.Fatalf("send: %d %s", code, out)
	}
}
