package cli

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := run(t, "help")
	if code != 0 || !strings.Contains(out, "HEARME_DATA") || !strings.Contains(out, "admin") {
		t.Fatalf("help: %d\n%s", code, out)
	}
	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "hearme ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, _, errs := run(t, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %q", code, errs)
	}
	if code, _, errs := run(t, "serve", "--log-level", "loud"); code != 2 || !strings.Contains(errs, "log-level") {
		t.Fatalf("bad flag value: %d %q", code, errs)
	}
}

func TestAdminCommandsAndAuditVerify(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errs := run(t, "migrate", "--data", data); code != 0 || !strings.Contains(out, "0001_foundation.sql") {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	code, out, errs := run(t, "admin", "create", "--data", data, "--email", "Sam@Example.org", "--name", "Sam", "--role", "stakeholder", "--org", "healthwatch-luton")
	if code != 0 || !strings.Contains(out, "/setup/") {
		t.Fatalf("create: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, "admin", "create", "--data", data, "--email", "sam@example.org", "--name", "Sam", "--role", "analyst"); code == 0 || !strings.Contains(errs, "already exists") {
		t.Fatalf("duplicate: %d %s", code, errs)
	}
	if code, _, errs := run(t, "admin", "create", "--data", data, "--email", "x@example.org", "--name", "X", "--role", "wizard"); code != 2 || !strings.Contains(errs, "role") {
		t.Fatalf("bad role: %d %s", code, errs)
	}
	if code, out, _ := run(t, "admin", "disable", "--data", data, "--email", "sam@example.org"); code != 0 || !strings.Contains(out, "disabled") {
		t.Fatalf("disable: %d %s", code, out)
	}
	if code, out, _ := run(t, "admin", "list", "--data", data); code != 0 || !strings.Contains(out, "sam@example.org") || !strings.Contains(out, "disabled") {
		t.Fatalf("list: %d %s", code, out)
	}
	if code, out, _ := run(t, "admin", "reset", "--data", data, "--email", "sam@example.org"); code != 0 || !strings.Contains(out, "/setup/") {
		t.Fatalf("reset: %d %s", code, out)
	}
	if code, out, errs := run(t, "audit", "verify", "--data", data); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify: %d %s %s", code, out, errs)
	}
	if code, out, _ := run(t, "jobs", "run", "purge-expired-setup-links", "--data", data); code != 0 || !strings.Contains(out, "done") {
		t.Fatalf("jobs run: %d %s", code, out)
	}
	if code, out, _ := run(t, "demo", "load", "--data", data); code != 0 || !strings.Contains(out, "6 languages") {
		t.Fatalf("demo load: %d %s", code, out)
	}
}

// serve starts, prints the first administrator's link, answers /healthz,
// and stops cleanly when its context ends.
func TestServeStartsAndStopsGracefully(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() { done <- Run(ctx, []string{"--data", t.TempDir(), "--addr", addr}, &out, &errb) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode != 200 {
				t.Fatalf("healthz %d", r.StatusCode)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %v\n%s", err, errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit code %d: %s", code, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("did not shut down")
	}
	if !strings.Contains(out.String(), "/setup/") {
		t.Fatalf("no first-administrator link printed:\n%s", out.String())
	}
}

// Without --base-url, serve names its listening address in links, and
// warns (JSON log) when that address is not loopback.
func TestServeWarnsWithoutBaseURLOffLoopback(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Skipf("cannot listen on every interface here: %v", err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncWriter
	done := make(chan int)
	go func() { done <- Run(ctx, []string{"--data", t.TempDir(), "--addr", "0.0.0.0:" + port}, &out, &errb) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "/setup/") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
	if !strings.Contains(out.String(), "http://localhost:"+port+"/setup/") {
		t.Errorf("the first-administrator link does not name the listening address:\n%s", out.String())
	}
	warned := false
	for _, line := range strings.Split(errb.String(), "\n") {
		warned = warned || strings.HasPrefix(line, "{") && strings.Contains(line, `"level":"WARN"`) && strings.Contains(line, "no --base-url")
	}
	if !warned {
		t.Errorf("no JSON warning about the missing --base-url:\n%s", errb.String())
	}
}

// syncWriter is a buffer the server writes to while the test reads it.
type syncWriter struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}
