// Package e2e holds end-to-end tests: a real hearme, built by app.New and
// served by App.Serve exactly as the binary does, driven by a headless
// Chromium (package browsertest) and checked with axe-core.
//
// The tests skip when Chromium or axe-core is missing, and fail instead
// under HEARME_REQUIRE_ALL=1. Run them with
//
//	npm ci
//	HEARME_AXE_JS=$PWD/node_modules/axe-core/axe.min.js go test ./internal/e2e/
//
// TestHomePage writes docs/screenshot-home.png when HEARME_WRITE_SCREENSHOT=1.
package e2e
