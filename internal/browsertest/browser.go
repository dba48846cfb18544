// Package browsertest is test support for tests that drive a real headless
// Chromium: it starts the browser, injects axe-core to check a page for
// WCAG 2.x A/AA problems, takes screenshots and types text.
//
// It follows the policy of package testenv: when Chromium or axe-core is
// missing, a test skips with a one-line reason locally, and fails under CI
// (HEARME_REQUIRE_ALL=1, set by .ci/run).
//
// Typical use:
//
//	ctx := browsertest.New(t)
//	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
//		t.Fatal(err)
//	}
//	browsertest.AssertAccessible(t, ctx)
package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/testenv"
)

// DefaultTimeout bounds the whole life of the browser that New starts: every
// action of one test must be done within it.
const DefaultTimeout = 60 * time.Second

// Window size of the browser that New starts.
const (
	WindowWidth  = 1280
	WindowHeight = 900
)

// AxeEnv names the environment variable that holds the path of axe.min.js.
const AxeEnv = "HEARME_AXE_JS"

// Option changes how New starts the browser.
type Option func(*config)

type config struct {
	timeout time.Duration
}

// WithTimeout sets the overall time limit of the browser (default
// DefaultTimeout), which HEARME_TEST_TIMEOUT_SCALE multiplies (see
// testenv.Scaled). When it runs out, every later action fails with
// context.DeadlineExceeded.
func WithTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// New starts a headless Chromium for the test and returns a chromedp context
// whose actions run in its first tab. The browser is stopped by t.Cleanup.
//
// It skips the test when no Chromium is found (fails under
// HEARME_REQUIRE_ALL=1), see testenv.ChromiumPath. A package with several
// browser tests shares one browser instead (see Shared).
func New(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	cfg := options(opts)
	path := testenv.ChromiumPath(t)
	dataDir := t.TempDir() // removed after the browser stops (cleanups run LIFO)

	out := &tailBuffer{max: 8 << 10}
	tctx, cancelTimeout := context.WithTimeout(context.Background(), cfg.timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(tctx, allocatorOptions(path, dataDir, out)...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
		cancelTimeout()
		if t.Failed() {
			if s := strings.TrimSpace(out.String()); s != "" {
				t.Logf("chromium output (tail):\n%s", s)
			}
		}
	})

	// Start the browser now so that a launch problem is reported here, with
	// the browser's own output, and not by the first action of the test.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("browsertest: start chromium %s: %v\n%s", path, err, out.String())
	}
	return ctx
}

// options is the configuration opts make, with the timeout multiplied by
// testenv.TimeoutScale (HEARME_TEST_TIMEOUT_SCALE, 1 unless set).
func options(opts []Option) config {
	cfg := config{timeout: DefaultTimeout}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.timeout = testenv.Scaled(cfg.timeout)
	return cfg
}

// allocatorOptions are the flags of every browser the package starts.
func allocatorOptions(path, dataDir string, out *tailBuffer) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "Translate"),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("password-store", "basic"),
		chromedp.Flag("use-mock-keychain", true),
		// Tabs of tests that run in parallel are all in the background
		// but one: they must not be slowed down for it.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(dataDir),
		chromedp.WindowSize(WindowWidth, WindowHeight),
		chromedp.CombinedOutput(out),
	}
}

// Browser is one headless Chromium that the tests of a package share:
// starting Chromium costs a second or more, and tests that run in parallel
// then open tabs in the one browser instead of a browser each. Every tab
// that Tab opens is in a browser context of its own (cookies, storage,
// cache), so tests cannot see each other's sessions.
type Browser struct {
	ctx     context.Context // the first tab, which holds the browser
	stop    func()
	out     *tailBuffer
	dataDir string
}

// Start starts a headless Chromium at path (see testenv.ChromiumPath).
// Close stops it.
func Start(path string) (*Browser, error) {
	dataDir, err := os.MkdirTemp("", "browsertest-")
	if err != nil {
		return nil, err
	}
	out := &tailBuffer{max: 8 << 10}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path, dataDir, out)...)
	ctx, cancelBrowser := chromedp.NewContext(actx)
	b := &Browser{ctx: ctx, out: out, dataDir: dataDir, stop: func() {
		cancelBrowser()
		cancelAlloc() // waits for the browser process to exit
	}}
	if err := chromedp.Do(ctx); err != nil {
		b.Close()
		return nil, fmt.Errorf("browsertest: start chromium %s: %w\n%s", path, err, out.String())
	}
	return b, nil
}

// Close stops the browser and removes its data directory.
func (b *Browser) Close() {
	b.stop()
	os.RemoveAll(b.dataDir)
}

// Tab opens a tab in a new browser context of b and returns its chromedp
// context. The page behaves as the focused one even when tests in other
// tabs run at the same time. Every action of the test must be done within
// the timeout (DefaultTimeout, or WithTimeout); t.Cleanup closes the tab
// and its browser context.
func (b *Browser) Tab(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	cfg := options(opts)
	ctx, cancel, err := OpenTab(b.ctx)
	if err != nil {
		t.Fatalf("%v\n%s", err, b.out.String())
	}
	tctx, cancelTimeout := context.WithTimeout(ctx, cfg.timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		if t.Failed() {
			if s := strings.TrimSpace(b.out.String()); s != "" {
				t.Logf("chromium output (tail, shared by the package's tests):\n%s", s)
			}
		}
	})
	return tctx
}

// OpenTab opens a tab in a new browser context (its own cookies, storage
// and cache) of the browser that parent's tab belongs to, and makes its
// page behave as the focused one (EmulateFocus). cancel closes the tab and
// its browser context. Every tab the package's helpers open goes through
// here, so that Stats counts it.
func OpenTab(parent context.Context) (context.Context, context.CancelFunc, error) {
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	// The first action binds the tab's life to the context it runs with:
	// run it with ctx itself, and add any timeout to what follows.
	if err := chromedp.Do(ctx, EmulateFocus()); err != nil {
		cancel()
		return nil, nil, fmt.Errorf("browsertest: open a tab: %w", err)
	}
	stats.tabs.Add(1)
	return ctx, cancel, nil
}

// stats counts what the helpers of the package did in Chromium, for the
// whole test binary: these counts do not depend on the load of the
// machine, unlike the time a run takes.
var stats struct {
	tabs          atomic.Int64 // tabs opened by OpenTab (Tab, Shared.Tab)
	axeInjections atomic.Int64 // axe-core put into a page (RunAxe)
	axeRuns       atomic.Int64 // axe-core runs in a page (RunAxe)
}

// Stats describes what the package's helpers did in this test binary: the
// tabs opened, and the axe-core runs and injections into a page.
func Stats() string {
	return fmt.Sprintf("browsertest: %d tabs opened, %d axe-core runs, axe-core injected %d times",
		stats.tabs.Load(), stats.axeRuns.Load(), stats.axeInjections.Load())
}

// EmulateFocus is an action that makes the page of its tab behave as the
// focused one (focus events, document.hasFocus, :focus styles) whatever
// other tabs of the browser do.
func EmulateFocus() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	})
}

// Shared is the Browser of a test package: it starts the first time a test
// asks for a tab, and TestMain closes it after the tests have run.
//
//	var browser browsertest.Shared
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		browser.Close()
//		os.Exit(code)
//	}
type Shared struct {
	once sync.Once
	b    *Browser
	err  error
}

// Tab opens a tab of the shared browser (see Browser.Tab), starting the
// browser if no test has yet. It skips the test when no Chromium is found
// (fails under HEARME_REQUIRE_ALL=1), as New does.
func (s *Shared) Tab(t testing.TB, opts ...Option) context.Context {
	t.Helper()
	path := testenv.ChromiumPath(t)
	s.once.Do(func() { s.b, s.err = Start(path) })
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.b.Tab(t, opts...)
}

// Close stops the browser, if it was started.
func (s *Shared) Close() {
	if s.b != nil {
		s.b.Close()
	}
}

// InsertText is an action that types text into the focused element with
// Input.insertText. Unlike chromedp.SendKeys it keeps every character, such
// as the Polish letters ą ć ę ł ń ó ś ź ż. It fires input events but no key
// events. Focus the field first, e.g. with chromedp.Focus or chromedp.Click.
func InsertText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	})
}

// Screenshot writes a full-page PNG of the current page to path, creating
// its directory. It is meant for humans looking at what a test saw.
func Screenshot(ctx context.Context, path string) error {
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return fmt.Errorf("browsertest: screenshot: %w", err)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, buf, 0o644)
}

// AxePath returns the path of axe-core's axe.min.js: $HEARME_AXE_JS, or else
// <repo root>/node_modules/axe-core/axe.min.js (installed by `npm ci`).
//
// When HEARME_AXE_JS names a file that does not exist, the test fails. When
// the variable is unset and the file is not installed, the test skips
// locally and fails under HEARME_REQUIRE_ALL=1, as testenv does.
func AxePath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(AxeEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", AxeEnv, p, err)
		}
		return p
	}
	root, err := repoRoot()
	if err != nil {
		missing(t, fmt.Sprintf("%s not set and %v: accessibility test skipped", AxeEnv, err))
		return ""
	}
	p := filepath.Join(root, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(p); err != nil {
		missing(t, fmt.Sprintf("%s not set and no %s (run `npm ci`): accessibility test skipped", AxeEnv, p))
		return ""
	}
	return p
}

// AxeJS returns the source of axe-core, found as AxePath finds it.
func AxeJS(t testing.TB) string {
	t.Helper()
	p := AxePath(t)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("browsertest: read axe-core: %v", err)
	}
	return string(b)
}

// missing skips the test with reason, or fails it under HEARME_REQUIRE_ALL=1
// (the same rule as testenv).
func missing(t testing.TB, reason string) {
	t.Helper()
	if testenv.RequireAll() {
		t.Fatalf("HEARME_REQUIRE_ALL=1 but %s", reason)
	}
	t.Skip(reason)
}

// repoRoot walks up from the working directory (the package directory under
// go test) to the directory that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// AxeTags are the axe-core rule tags that RunAxe checks: WCAG 2.0, 2.1 and
// 2.2 at levels A and AA.
var AxeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// Violation is one axe-core rule that the page breaks.
type Violation struct {
	ID      string          `json:"id"`
	Impact  string          `json:"impact"` // minor, moderate, serious, critical
	Help    string          `json:"help"`
	HelpURL string          `json:"helpUrl"`
	Nodes   []ViolationNode `json:"nodes"`
}

// ViolationNode is one element that breaks a rule.
type ViolationNode struct {
	// Target holds the CSS selectors of the element; more than one when it
	// sits in an iframe. A selector into a shadow root is joined with " >>> ".
	Target         []string `json:"target"`
	HTML           string   `json:"html"`
	FailureSummary string   `json:"failureSummary"`
}

// runAxeJS runs axe on the document and returns plain data for the
// violations. Targets are flattened to strings.
var runAxeJS = `axe.run(document, {
	runOnly: {type: 'tag', values: ` + jsStrings(AxeTags) + `},
	resultTypes: ['violations']
}).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact || '',
	help: v.help,
	helpUrl: v.helpUrl,
	nodes: v.nodes.map(n => ({
		target: n.target.map(s => Array.isArray(s) ? s.join(' >>> ') : String(s)),
		html: n.html,
		failureSummary: n.failureSummary || ''
	}))
})))`

func jsStrings(ss []string) string {
	return "['" + strings.Join(ss, "', '") + "']"
}

// RunAxe injects axeSource (the text of axe.min.js) into the current page of
// ctx, unless axe is there already, and runs it for the WCAG 2.x A/AA tags
// (AxeTags). It returns the violations; none means the page passed.
func RunAxe(ctx context.Context, axeSource string) ([]Violation, error) {
	present, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof window.axe !== 'undefined'`))
	if err != nil {
		return nil, fmt.Errorf("browsertest: check for axe: %w", err)
	}
	if !present {
		if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return nil, fmt.Errorf("browsertest: inject axe: %w", err)
		}
		stats.axeInjections.Add(1)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]Violation](runAxeJS, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("browsertest: run axe: %w", err)
	}
	stats.axeRuns.Add(1)
	return vs, nil
}

// AssertAccessible runs axe-core (see AxeJS and RunAxe) on the current page
// of ctx and fails the test, listing the violations, when there are any.
func AssertAccessible(t testing.TB, ctx context.Context) {
	t.Helper()
	src := AxeJS(t)
	vs, err := RunAxe(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) > 0 {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Errorf("accessibility violations on %s:\n%s", loc, FormatViolations(vs))
	}
}

// ViolationIDs returns the rule ids of vs, in order.
func ViolationIDs(vs []Violation) []string {
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids
}

// FormatViolations renders violations for a test failure message: one
// block per rule with its impact, help text and link, then each element.
func FormatViolations(vs []Violation) string {
	if len(vs) == 0 {
		return "no accessibility violations"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d accessibility violation(s):\n", len(vs))
	for _, v := range vs {
		impact := v.Impact
		if impact == "" {
			impact = "unknown"
		}
		fmt.Fprintf(&b, "- [%s] %s: %s (%s)\n", impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "    %s\n", strings.Join(n.Target, " | "))
			if n.HTML != "" {
				fmt.Fprintf(&b, "      %s\n", truncate(n.HTML, 200))
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func truncate(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

// tailBuffer keeps the last max bytes written to it; the browser writes to
// it from another goroutine.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.max; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
