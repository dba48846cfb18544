package config

import (
	"flag"
	"io"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	var c Config
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	finish := FlagSet(fs, &c, func(k string) string { return env[k] })
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, finish()
}

func TestDefaultsEnvAndFlags(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Addr != "127.0.0.1:8080" || c.DataDir != "./hearme-data" || !c.Demo || c.SessionIdle != 30*time.Minute || c.Secure() {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	if c.DatabaseDSN() != "hearme-data/hearme.db" || c.KeyPath() != "hearme-data/keys.txt" {
		t.Fatalf("paths: %s %s", c.DatabaseDSN(), c.KeyPath())
	}
	c, err = parse(t, map[string]string{"HEARME_ADDR": ":9000", "HEARME_DEMO": "false", "HEARME_BASE_URL": "https://h.example.org"}, "--addr", ":9001", "--trust-proxy")
	if err != nil || c.Addr != ":9001" || c.Demo || !c.TrustProxy || !c.Secure() || len(c.FormLimitExempt) != 0 {
		t.Fatalf("env and flags: %+v %v", c, err)
	}
}

func TestTrustedProxies(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Proxies() != nil {
		t.Fatalf("default trusts %v (%v)", c.Proxies(), err)
	}
	c, err = parse(t, nil, "--trust-proxy")
	if err != nil || len(c.Proxies()) != 2 || c.Proxies()[0].String() != "127.0.0.0/8" || c.Proxies()[1].String() != "::1/128" {
		t.Fatalf("--trust-proxy alone trusts %v (%v), want loopback", c.Proxies(), err)
	}
	c, err = parse(t, map[string]string{"HEARME_TRUSTED_PROXIES": "10.1.2.3/16, 2001:db8::/32"})
	if err != nil || len(c.Proxies()) != 2 || c.Proxies()[0].String() != "10.1.0.0/16" {
		t.Fatalf("HEARME_TRUSTED_PROXIES: %v (%v)", c.Proxies(), err)
	}
	if _, err := parse(t, nil, "--trusted-proxies", "10.0.0.1"); err == nil {
		t.Fatal("a bare address (not CIDR) was accepted")
	}
}

func TestRetentionOption(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.RetainContactDetails != 90*24*time.Hour {
		t.Fatalf("default: %s %v", c.RetainContactDetails, err)
	}
	c, err = parse(t, map[string]string{"HEARME_RETAIN_CONTACT_DETAILS": "720h"})
	if err != nil || c.RetainContactDetails != 30*24*time.Hour {
		t.Fatalf("env: %s %v", c.RetainContactDetails, err)
	}
	c, err = parse(t, map[string]string{"HEARME_RETAIN_CONTACT_DETAILS": "720h"}, "--retain-contact-details", "48h")
	if err != nil || c.RetainContactDetails != 48*time.Hour {
		t.Fatalf("flag: %s %v", c.RetainContactDetails, err)
	}
}

func TestBadValuesAreRefused(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		args []string
	}{
		"env bool":     {map[string]string{"HEARME_DEMO": "perhaps"}, nil},
		"base url":     {nil, []string{"--base-url", "ftp://x"}},
		"database":     {nil, []string{"--database", "mysql://x"}},
		"session":      {nil, []string{"--session-idle", "24h", "--session-lifetime", "1h"}},
		"duration":     {nil, []string{"--session-idle", "soon"}},
		"log level":    {nil, []string{"--log-level", "loud"}},
		"retention":    {map[string]string{"HEARME_RETAIN_CONTACT_DETAILS": "0s"}, nil},
		"retention 0":  {nil, []string{"--retain-contact-details", "0s"}},
		"unknown flag": {nil, []string{"--colour", "red"}},
		"exempt range": {nil, []string{"--form-limit-exempt", "10.0.0.0/33"}},
	} {
		if _, err := parse(t, tc.env, tc.args...); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestFormLimitExempt(t *testing.T) {
	c, err := parse(t, map[string]string{"HEARME_FORM_LIMIT_EXEMPT": "192.0.2.7/24, 2001:db8::/48"})
	if err != nil || len(c.FormLimitExempt) != 2 || c.FormLimitExempt[0].String() != "192.0.2.0/24" {
		t.Fatalf("%v %v", c.FormLimitExempt, err)
	}
}

// Without --base-url the public address is the listening address, with
// an unspecified host named localhost; only loopback addresses are quiet.
func TestPublicURLWithoutBaseURL(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1:8080": "http://127.0.0.1:8080", ":8080": "http://localhost:8080", "0.0.0.0:9000": "http://localhost:9000",
		"[::]:9000": "http://localhost:9000", "[::1]:8080": "http://[::1]:8080", "192.0.2.7:80": "http://192.0.2.7:80",
	} {
		if got := (Config{Addr: addr}).PublicURL(); got != want {
			t.Errorf("PublicURL with --addr %s = %q, want %q", addr, got, want)
		}
	}
	if got := (Config{Addr: ":8080", BaseURL: "https://hearme.example.org/"}).PublicURL(); got != "https://hearme.example.org" {
		t.Errorf("PublicURL with --base-url = %q", got)
	}
	for addr, want := range map[string]bool{"127.0.0.1:1": true, "[::1]:1": true, "localhost:1": true, "0.0.0.0:1": false, "[::]:1": false, "192.0.2.7:1": false, ":1": false} {
		if got := LoopbackAddr(addr); got != want {
			t.Errorf("LoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}
