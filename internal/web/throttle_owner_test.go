package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
)

// An attacker who knows a staff member's email and fails at sign-in is
// held up; the owner, from another address, signs in with the right
// password meanwhile.
func TestSignInThrottleDoesNotLockOutTheOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.newStaff("amina@example.org", account.Connector, "")
	attacker, owner := "203.0.113.7:40000", "198.51.100.20:40000"
	code := 0
	for i := 0; i < 8 && code != http.StatusTooManyRequests; i++ {
		code = e.serveFrom(attacker, "POST", "/login", url.Values{"email": {s.Email}, "password": {"not the password!"}}).Code
	}
	if code != http.StatusTooManyRequests {
		t.Fatalf("the attacker's 8 wrong passwords were never throttled (last %d)", code)
	}
	w := e.serveFrom(owner, "POST", "/login", url.Values{"email": {s.Email}, "password": {testPassword}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login/code" {
		t.Fatalf("the owner from another address, right password, while the attacker is throttled: %d %s", w.Code, w.Header().Get("Location"))
	}
	// The attacker is still held up.
	if code := e.serveFrom(attacker, "POST", "/login", url.Values{"email": {s.Email}, "password": {testPassword}}).Code; code != http.StatusTooManyRequests {
		t.Fatalf("the attacker's address after the owner signed in: %d, want 429", code)
	}
}

// A story's reference is not secret: five wrong secrets for it from one
// address must not keep the person who shared it out of /my-story.
func TestMyStoryThrottleDoesNotLockOutTheOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ref, secret := shareAndGetCodes(t, e.client())
	attacker, owner := "203.0.113.7:40000", "198.51.100.20:40000"
	code := 0
	for i := 0; i < 8 && code != http.StatusTooManyRequests; i++ {
		code = e.serveFrom(attacker, "POST", "/my-story", url.Values{"reference": {ref}, "secret": {"AAAA-BBBB-CCCC-DDDD"}}).Code
	}
	if code != http.StatusTooManyRequests {
		t.Fatalf("8 wrong secrets from one address were never throttled (last %d)", code)
	}
	w := e.serveFrom(owner, "POST", "/my-story", url.Values{"reference": {ref}, "secret": {secret}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/my-story/view" {
		t.Fatalf("the owner from another address, right secret, while the attacker is throttled: %d %s", w.Code, w.Header().Get("Location"))
	}
}
