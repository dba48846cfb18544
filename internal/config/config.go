// Package config is hearme's typed configuration, loaded once from flags
// and HEARME_* environment variables (flags win) and passed explicitly.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the binary can be told.
type Config struct {
	Addr     string
	DataDir  string
	Database string // postgres://... or empty for SQLite in DataDir
	BaseURL  string // public address, e.g. https://hearme.example.gov.uk
	KeyFile  string
	// AuditKeyFile keys the audit trail's hash chain (HMAC); default
	// DATA/audit-key.txt. AuditCheckpointFile anchors its head; default
	// DATA/audit-checkpoint.json.
	AuditKeyFile        string
	AuditCheckpointFile string
	Demo                bool // load the demo programme on first start
	TOTPForChampion     bool
	TrustProxy          bool // take the client address from X-Forwarded-For sent by a trusted proxy
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed. Empty with TrustProxy set means a proxy on this machine
	// (loopback).
	TrustedProxies  []netip.Prefix
	MetricsToken    string
	LogLevel        string
	MaxBodyBytes    int64
	SessionIdle     time.Duration
	SessionLifetime time.Duration
	ShutdownTimeout time.Duration
	// OfflineShellTag is mixed into the capture service worker's version
	// (docs/offline.md): changing it makes every phone fetch the offline
	// shell again, as a new release does. No flag: tests set it to rehearse
	// an update.
	OfflineShellTag string
	// RetainContactDetails is how long contact details are kept after
	// the person was last contacted (the retention rule).
	RetainContactDetails time.Duration
	// RetainExperiences is how long experiences are kept after the
	// programme's end date (a programme setting).
	RetainExperiences time.Duration
	// FormMinFill is the least time a person takes to send a public form;
	// faster posts are re-shown (bots are fast). 0 means the default, 3 s.
	FormMinFill time.Duration
	// FormLimitExempt lists address ranges whose public-form posts are
	// never rate limited: the Wi-Fi of a library or community centre
	// where a drop-in session has many residents sharing from one address.
	FormLimitExempt []netip.Prefix

	// Mail is how email leaves: through an SMTP server, or written to
	// the log in development (SMTP host empty).
	Mail Mail

	// RetainRegistrations is how long an event registration's contact
	// details and access needs are kept after the event.
	RetainRegistrations time.Duration
	// RetainChampionApplications is how long an application to be a
	// champion that never proceeded is kept.
	RetainChampionApplications time.Duration
	// RetainChampionsLeft is how long a champion who left keeps more
	// than their activity counts.
	RetainChampionsLeft time.Duration
	// SupportReviewAfter is how long a support directory entry may go
	// unchecked before staff are told to check it.
	SupportReviewAfter time.Duration
	// BackupDir is where the daily backup job writes encrypted backups
	// (empty: no scheduled backups); BackupKeep is how many it keeps.
	BackupDir  string
	BackupKeep int

	// The Account step (docs/accountability.md): the working days an
	// organisation has to answer a recommendation, the working days
	// between updates on an open commitment, and the commitment statuses
	// (comma-separated, checked by accountability.ParseStatuses). Zero
	// or empty (a Config built in code) means the defaults.
	ResponseWorkingDays int
	UpdateWorkingDays   int
	CommitmentStatuses  string
}

// Mail is the outgoing email configuration.
type Mail struct {
	SMTPHost string // empty: development mode, messages are written to <data>/outbox-dev, not sent
	SMTPPort int
	Username string
	Password string
	From     string // "hearme <hello@example.org>"
	// TLS is "starttls" (default: upgrade, and refuse a server that
	// cannot), "tls" (implicit TLS, port 465) or "none" (a local relay).
	TLS string
}

// Secure reports whether the site is served over HTTPS, which turns on
// __Host- cookies and HSTS.
func (c Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// PublicURL is where every link in an email, and every set-up or reset
// link, starts: --base-url, or in development (no --base-url) the
// listening address. It never comes from a request's Host header, which
// whoever sends the request chooses.
func (c Config) PublicURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return ListenURL(c.Addr)
}

// ListenURL is the http:// address of a listening address; an empty or
// unspecified host (":8080", "0.0.0.0:8080", "[::]:8080") becomes localhost.
func ListenURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if ip, err := netip.ParseAddr(host); host == "" || err == nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// LoopbackAddr reports whether a listening address can be reached only
// from this machine (localhost, 127.0.0.0/8, ::1). Without --base-url,
// links in emails name the listening address, which is fine there and
// wrong anywhere else.
func LoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// DatabaseDSN returns the database to open: the PostgreSQL URL, or the
// SQLite file in the data directory.
func (c Config) DatabaseDSN() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "hearme.db")
}

// AuditKeyPath returns the audit trail's key file.
func (c Config) AuditKeyPath() string {
	if c.AuditKeyFile != "" {
		return c.AuditKeyFile
	}
	return filepath.Join(c.DataDir, "audit-key.txt")
}

// AuditCheckpointPath returns the audit trail's checkpoint file.
func (c Config) AuditCheckpointPath() string {
	if c.AuditCheckpointFile != "" {
		return c.AuditCheckpointFile
	}
	return filepath.Join(c.DataDir, "audit-checkpoint.json")
}

// Proxies returns the address ranges whose X-Forwarded-For is believed:
// none unless --trust-proxy or --trusted-proxies is set, and loopback
// when only --trust-proxy is.
func (c Config) Proxies() []netip.Prefix {
	switch {
	case len(c.TrustedProxies) > 0:
		return c.TrustedProxies
	case c.TrustProxy:
		return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	}
	return nil
}

// KeyPath returns the encryption keyring file.
func (c Config) KeyPath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.DataDir, "keys.txt")
}

type option struct {
	name, env, def, help string
	set                  func(string) error
	isBool               bool // --flag alone means true
}

// FlagSet builds the shared flags into fs, reading defaults from the
// environment, and returns a function that finishes and checks the
// Config after fs.Parse.
func FlagSet(fs *flag.FlagSet, c *Config, getenv func(string) string) func() error {
	var errs []error
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	boolean := func(p *bool) func(string) error {
		return func(v string) error {
			b, err := strconv.ParseBool(v)
			*p = b
			return err
		}
	}
	dur := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			*p = d
			return err
		}
	}
	positive := func(p *time.Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			if err == nil && d <= 0 {
				err = errors.New("must be positive")
			}
			*p = d
			return err
		}
	}
	count := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err == nil && n < 1 {
				err = errors.New("must be at least 1")
			}
			*p = n
			return err
		}
	}
	integer := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			if err == nil && (n < 1 || n > 65535) {
				err = errors.New("must be a port number")
			}
			*p = n
			return err
		}
	}
	prefixes := func(p *[]netip.Prefix) func(string) error {
		return func(v string) error {
			*p = nil
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part == "" {
					continue
				}
				pr, err := netip.ParsePrefix(part)
				if err != nil {
					return err
				}
				*p = append(*p, pr.Masked())
			}
			return nil
		}
	}
	opts := []option{
		{"addr", "HEARME_ADDR", "127.0.0.1:8080", "address to listen on", str(&c.Addr), false},
		{"data", "HEARME_DATA", "./hearme-data", "data directory (SQLite database, encryption keys)", str(&c.DataDir), false},
		{"database", "HEARME_DATABASE", "", "PostgreSQL URL (postgres://...); empty for the embedded SQLite database", str(&c.Database), false},
		{"base-url", "HEARME_BASE_URL", "", "public address of the site, e.g. https://hearme.example.org (https turns on secure cookies and HSTS)", str(&c.BaseURL), false},
		{"key-file", "HEARME_KEY_FILE", "", "encryption keyring file (default DATA/keys.txt; shared by every instance)", str(&c.KeyFile), false},
		{"audit-key-file", "HEARME_AUDIT_KEY_FILE", "", "key of the audit trail's hash chain (default DATA/audit-key.txt; created at first start; keep it out of database backups, shared by every instance)", str(&c.AuditKeyFile), false},
		{"audit-checkpoint-file", "HEARME_AUDIT_CHECKPOINT_FILE", "", "signed checkpoint of the audit trail's head (default DATA/audit-checkpoint.json)", str(&c.AuditCheckpointFile), false},
		{"backup-dir", "HEARME_BACKUP_DIR", "", "directory for a daily encrypted backup of the SQLite database (empty: no scheduled backups; see docs/backup.md)", str(&c.BackupDir), false},
		{"backup-keep", "HEARME_BACKUP_KEEP", "7", "how many scheduled backups to keep in --backup-dir (the oldest beyond it are deleted)", count(&c.BackupKeep), false},
		{"demo", "HEARME_DEMO", "true", "load the demo programme (Luton) on first start", boolean(&c.Demo), true},
		{"totp-for-champions", "HEARME_TOTP_FOR_CHAMPIONS", "false", "require a security code for champions too", boolean(&c.TOTPForChampion), true},
		{"trust-proxy", "HEARME_TRUST_PROXY", "false", "behind a reverse proxy: take the client address from X-Forwarded-For, only when the request comes from a trusted proxy (--trusted-proxies; loopback when that is empty)", boolean(&c.TrustProxy), true},
		{"trusted-proxies", "HEARME_TRUSTED_PROXIES", "", "comma-separated address ranges (CIDR) of the reverse proxies whose X-Forwarded-For is believed; setting it turns on --trust-proxy", prefixes(&c.TrustedProxies), false},
		{"metrics-token", "HEARME_METRICS_TOKEN", "", "bearer token for /metrics (empty: /metrics answers only on loopback)", str(&c.MetricsToken), false},
		{"log-level", "HEARME_LOG_LEVEL", "info", "debug, info, warn or error", str(&c.LogLevel), false},
		{"session-idle", "HEARME_SESSION_IDLE", "30m", "staff session ends after this long without use", dur(&c.SessionIdle), false},
		{"session-lifetime", "HEARME_SESSION_LIFETIME", "12h", "staff session ends this long after sign in, used or not", dur(&c.SessionLifetime), false},
		{"form-limit-exempt", "HEARME_FORM_LIMIT_EXEMPT", "", "comma-separated address ranges (CIDR) never rate limited on public forms, e.g. a community centre's Wi-Fi", prefixes(&c.FormLimitExempt), false},
		{"retain-experiences", "HEARME_RETAIN_EXPERIENCES", "8760h", "delete experiences this long after the programme's end date (365 days; no end date, no deletion)", positive(&c.RetainExperiences), false},
		{"retain-registrations", "HEARME_RETAIN_REGISTRATIONS", "720h", "remove event registrations' contact details and access needs this long after the event (30 days)", positive(&c.RetainRegistrations), false},
		{"retain-champion-applications", "HEARME_RETAIN_CHAMPION_APPLICATIONS", "4320h", "delete applications to be a champion that never proceeded this long after the last change (180 days)", positive(&c.RetainChampionApplications), false},
		{"retain-champions-left", "HEARME_RETAIN_CHAMPIONS_LEFT", "8760h", "keep only the activity counts of champions who left this long ago (365 days)", positive(&c.RetainChampionsLeft), false},
		{"support-review-after", "HEARME_SUPPORT_REVIEW_AFTER", "4320h", "list support directory entries not checked for this long (180 days)", positive(&c.SupportReviewAfter), false},
		{"smtp-host", "HEARME_SMTP_HOST", "", "SMTP server for outgoing email (empty: development mode, each email is written to <data>/outbox-dev instead of sent)", str(&c.Mail.SMTPHost), false},
		{"smtp-port", "HEARME_SMTP_PORT", "587", "SMTP server port", integer(&c.Mail.SMTPPort), false},
		{"smtp-username", "HEARME_SMTP_USERNAME", "", "SMTP user name (empty: no authentication)", str(&c.Mail.Username), false},
		{"smtp-password", "HEARME_SMTP_PASSWORD", "", "SMTP password", str(&c.Mail.Password), false},
		{"smtp-tls", "HEARME_SMTP_TLS", "starttls", "starttls, tls (implicit, port 465) or none (a relay on this machine)", str(&c.Mail.TLS), false},
		{"mail-from", "HEARME_MAIL_FROM", "hearme <hearme@localhost>", "the From address of outgoing email", str(&c.Mail.From), false},
		{"response-working-days", "HEARME_RESPONSE_WORKING_DAYS", "20", "working days (England and Wales) an organisation has to answer a recommendation addressed to it", count(&c.ResponseWorkingDays), false},
		{"update-working-days", "HEARME_UPDATE_WORKING_DAYS", "20", "working days between progress updates on an open commitment before one is due", count(&c.UpdateWorkingDays), false},
		{"commitment-statuses", "HEARME_COMMITMENT_STATUSES", "planned,in-progress,delayed,done,not-doing", "statuses of a commitment, in order: the defaults' slugs, or slug:kind (kind planned, active, late, done or dropped) for a programme's own", str(&c.CommitmentStatuses), false},
		{"retain-contact-details", "HEARME_RETAIN_CONTACT_DETAILS", "2160h", "delete contact details this long after the person was last contacted (90 days)", positive(&c.RetainContactDetails), false},
	}
	for _, o := range opts {
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		if err := o.set(def); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", o.env, def, err))
		}
		usage := fmt.Sprintf("%s (env %s, default %q)", o.help, o.env, o.def)
		if o.isBool {
			fs.BoolFunc(o.name, usage, o.set)
		} else {
			fs.Func(o.name, usage, o.set)
		}
	}
	c.MaxBodyBytes = 1 << 20
	c.ShutdownTimeout = 15 * time.Second
	return func() error {
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		return c.Validate()
	}
}

// Validate checks values that flags cannot.
func (c Config) Validate() error {
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url must be an http or https address, got %q", c.BaseURL)
		}
	}
	if c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		return errors.New("--database must be a postgres:// URL (leave it empty for SQLite)")
	}
	if c.SessionIdle <= 0 || c.SessionLifetime < c.SessionIdle {
		return errors.New("--session-idle must be positive and no longer than --session-lifetime")
	}
	// Zero (a Config built in code) means the retention default.
	if c.RetainContactDetails < 0 {
		return errors.New("--retain-contact-details must be positive")
	}
	switch c.Mail.TLS {
	case "", "starttls", "tls", "none":
	default:
		return fmt.Errorf("--smtp-tls must be starttls, tls or none, got %q", c.Mail.TLS)
	}
	if c.Mail.From != "" {
		if _, err := mail.ParseAddress(c.Mail.From); err != nil {
			return fmt.Errorf("--mail-from must be an email address, got %q", c.Mail.From)
		}
	}
	if c.BackupKeep < 0 {
		return errors.New("--backup-keep must be at least 1")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level must be debug, info, warn or error, got %q", c.LogLevel)
	}
	return nil
}

// PrintDefaults writes the flags help, for `hearme help`.
func PrintDefaults(w io.Writer) {
	fs := flag.NewFlagSet("hearme", flag.ContinueOnError)
	var c Config
	FlagSet(fs, &c, func(string) string { return "" })
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// Getenv is os.Getenv, named for injection in tests.
var Getenv = os.Getenv
