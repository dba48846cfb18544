package auth

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"
)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

const (
	email = "jane.smith@example.org"
	ip1   = "203.0.113.7"
)

// attempt runs Allow and, if allowed, Failure.
func failAttempt(t *testing.T, th *Throttle, account, ip string) {
	t.Helper()
	if ok, wait := th.Allow(account, ip); !ok {
		t.Fatalf("Allow(%q, %q) refused (retry after %v) before the failure", account, ip, wait)
	}
	th.Failure(account, ip)
}

func TestThrottleProgressiveDelay(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	for i := 0; i < 5; i++ {
		failAttempt(t, th, email, ip1)
	}
	ok, wait := th.Allow(email, ip1)
	if ok || wait <= 0 {
		t.Fatalf("after 5 failures: Allow = %v, %v; want blocked with retryAfter > 0", ok, wait)
	}
	if wait != 2*time.Second {
		t.Fatalf("first delay = %v, want 2s", wait)
	}
	// Other accounts from the same address are unaffected.
	if ok, _ := th.Allow("someone.else@example.org", ip1); !ok {
		t.Fatal("another account blocked")
	}
	// Waiting almost long enough is not enough; waiting it out is.
	clk.Advance(wait - time.Millisecond)
	if ok, _ := th.Allow(email, ip1); ok {
		t.Fatal("allowed before the delay elapsed")
	}
	clk.Advance(time.Millisecond)
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("not allowed after waiting out the delay")
	}
	th.Failure(email, ip1)

	// Each further failure doubles the delay, up to the 15-minute cap.
	want := 4 * time.Second
	for i := 0; i < 20; i++ {
		ok, wait := th.Allow(email, ip1)
		if ok {
			t.Fatalf("failure %d: allowed immediately", 6+i)
		}
		if wait != want {
			t.Fatalf("failure %d: retryAfter = %v, want %v", 6+i, wait, want)
		}
		clk.Advance(wait)
		failAttempt(t, th, email, ip1)
		want = min(2*want, 15*time.Minute)
	}
	// Never a permanent lock-out: the cap is the longest wait.
	_, wait = th.Allow(email, ip1)
	if wait != 15*time.Minute {
		t.Fatalf("capped retryAfter = %v, want 15m", wait)
	}
	clk.Advance(wait)
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("real user locked out beyond the cap")
	}
	th.Success(email, ip1)
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("blocked right after a success")
	}
}

func TestThrottleSuccessResets(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	for i := 0; i < 4; i++ {
		failAttempt(t, th, email, ip1)
	}
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("blocked after 4 failures")
	}
	th.Success(email, ip1)
	// The counter restarts: four more failures are still free.
	for i := 0; i < 4; i++ {
		failAttempt(t, th, email, ip1)
	}
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("success did not reset the failure count")
	}
	th.Failure(email, ip1)
	if ok, _ := th.Allow(email, ip1); ok {
		t.Fatal("not blocked after 5 consecutive failures following the reset")
	}
}

func TestThrottleWindowLapse(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{AccountWindow: time.Hour}, clk.Now)
	for i := 0; i < 4; i++ {
		failAttempt(t, th, email, ip1)
	}
	clk.Advance(time.Hour)
	failAttempt(t, th, email, ip1)
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("failures older than the window still counted")
	}
}

func TestThrottleAccountNormalised(t *testing.T) {
	names := []string{"Jane.Smith@Example.org", " jane.smith@example.org", "JANE.SMITH@EXAMPLE.ORG", "jane.smith@example.org ", email}
	// Account and address together.
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	for _, acct := range names {
		failAttempt(t, th, acct, "192.0.2.1")
	}
	if ok, _ := th.Allow(email, "192.0.2.1"); ok {
		t.Fatal("differently-cased account names counted separately (account and address)")
	}
	// The account's ceiling across addresses (set low to reach it).
	th = NewThrottle(ThrottleConfig{AccountCeiling: 5}, clk.Now)
	for i, acct := range names {
		failAttempt(t, th, acct, fmt.Sprintf("198.51.100.%d", i))
	}
	if ok, _ := th.Allow(email, "192.0.2.1"); ok {
		t.Fatal("differently-cased account names counted separately (account ceiling)")
	}
}

// Knowing someone's account (an email, a story's reference) is not enough
// to lock them out: an attacker's failures hold up the attacker's address,
// not the owner's.
func TestThrottleOwnerFromAnotherAddressNotLockedOut(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	for i := 0; i < 5; i++ {
		failAttempt(t, th, email, ip1)
	}
	if ok, _ := th.Allow(email, ip1); ok {
		t.Fatal("the attacker's address is not throttled after 5 failures")
	}
	if ok, wait := th.Allow(email, "198.51.100.50"); !ok {
		t.Fatalf("the owner, from another address, is locked out for %v by the attacker's failures", wait)
	}
	th.Success(email, "198.51.100.50")
	if ok, _ := th.Allow(email, ip1); ok {
		t.Fatal("the owner's success cleared the attacker's delay")
	}
}

// Guesses spread over many addresses meet the account's ceiling: after
// AccountCeiling failures every address waits.
func TestThrottleAccountCeilingAcrossAddresses(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	// 50 failures from 25 addresses, two each (never the pair's limit).
	for i := 0; i < 50; i++ {
		failAttempt(t, th, email, fmt.Sprintf("198.51.%d.1", i/2))
	}
	ok, wait := th.Allow(email, "192.0.2.200")
	if ok || wait != 2*time.Second {
		t.Fatalf("after 50 failures from 25 addresses a fresh address: Allow = %v, %v; want a 2s wait", ok, wait)
	}
	// The owner's success does not give the spread attack a new allowance.
	clk.Advance(wait)
	if ok, _ := th.Allow(email, "192.0.2.200"); !ok {
		t.Fatal("not allowed after the ceiling's delay")
	}
	th.Success(email, "192.0.2.200")
	th.Failure(email, "198.51.100.77")
	if ok, _ := th.Allow(email, "198.51.100.78"); ok {
		t.Fatal("a success reset the account's ceiling")
	}
	// It lapses after the window without failures.
	clk.Advance(time.Hour)
	if ok, _ := th.Allow(email, "198.51.100.78"); !ok {
		t.Fatal("the ceiling did not lapse after the window")
	}
}

// TestThrottleDelayReservation: in the delay phase, concurrent attempts
// cannot all slip through before the first one reports its failure.
func TestThrottleDelayReservation(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{}, clk.Now)
	for i := 0; i < 5; i++ {
		failAttempt(t, th, email, ip1)
	}
	clk.Advance(2 * time.Second)
	if ok, _ := th.Allow(email, ip1); !ok {
		t.Fatal("not allowed after the delay")
	}
	if ok, wait := th.Allow(email, ip1); ok || wait <= 0 {
		t.Fatalf("second attempt before the first reported: %v, %v; want blocked", ok, wait)
	}
	// The same holds for the account's ceiling, from another address.
	th2 := NewThrottle(ThrottleConfig{AccountCeiling: 5}, clk.Now)
	for i := 0; i < 5; i++ {
		failAttempt(t, th2, email, fmt.Sprintf("192.0.2.%d", i))
	}
	clk.Advance(2 * time.Second)
	if ok, _ := th2.Allow(email, ip1); !ok {
		t.Fatal("not allowed after the ceiling's delay")
	}
	if ok, wait := th2.Allow(email, "198.51.100.1"); ok || wait <= 0 {
		t.Fatalf("second attempt past the ceiling before the first reported: %v, %v; want blocked", ok, wait)
	}
	// Before the delay phase, parallel attempts are allowed.
	if ok, _ := th.Allow("fresh@example.org", ip1); !ok {
		t.Fatal("fresh account blocked")
	}
	if ok, _ := th.Allow("fresh@example.org", ip1); !ok {
		t.Fatal("fresh account blocked on second attempt")
	}
}

func TestThrottlePerAddressBucket(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{IPBurst: 20, IPRefill: 6 * time.Second}, clk.Now)
	for i := 0; i < 20; i++ {
		failAttempt(t, th, fmt.Sprintf("user%d@example.org", i), ip1)
	}
	ok, wait := th.Allow("user99@example.org", ip1)
	if ok {
		t.Fatal("21st attempt from one address allowed")
	}
	if wait <= 0 || wait > 6*time.Second {
		t.Fatalf("retryAfter = %v, want in (0, 6s]", wait)
	}
	// Successful logins do not refill the bucket either.
	th.Success("user99@example.org", ip1)
	if ok, _ := th.Allow("user99@example.org", ip1); ok {
		t.Fatal("bucket refilled by Success")
	}
	// Another address is unaffected.
	if ok, _ := th.Allow("user99@example.org", "198.51.100.20"); !ok {
		t.Fatal("other address blocked")
	}
	clk.Advance(wait)
	if ok, _ := th.Allow("user99@example.org", ip1); !ok {
		t.Fatal("not allowed after a token refilled")
	}
	if ok, _ := th.Allow("user98@example.org", ip1); ok {
		t.Fatal("more than one token refilled")
	}
}

func TestThrottleIPv6Prefix(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{IPBurst: 3}, clk.Now)
	for i := 1; i <= 3; i++ {
		if ok, _ := th.Allow(fmt.Sprintf("u%d@example.org", i), fmt.Sprintf("2001:db8:1:2::%x", i)); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if ok, _ := th.Allow("u9@example.org", "2001:db8:1:2:ffff:ffff:ffff:ffff"); ok {
		t.Fatal("same /64 not grouped")
	}
	if ok, _ := th.Allow("u9@example.org", "2001:db8:1:3::1"); !ok {
		t.Fatal("different /64 blocked")
	}
	// IPv4-mapped IPv6 counts as the IPv4 address.
	th2 := NewThrottle(ThrottleConfig{IPBurst: 1}, clk.Now)
	if ok, _ := th2.Allow("a@example.org", "192.0.2.9"); !ok {
		t.Fatal("first attempt refused")
	}
	if ok, _ := th2.Allow("b@example.org", "::ffff:192.0.2.9"); ok {
		t.Fatal("IPv4-mapped address not unified with IPv4")
	}
}

func TestThrottleSweep(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{AccountWindow: time.Hour, IPBurst: 20, IPRefill: 6 * time.Second}, clk.Now)
	for i := 0; i < 100; i++ {
		failAttempt(t, th, fmt.Sprintf("user%d@example.org", i), fmt.Sprintf("198.51.100.%d", i))
	}
	if a, ips := th.Len(); a != 100 || ips != 100 {
		t.Fatalf("Len = %d, %d; want 100, 100", a, ips)
	}
	// After 2 minutes every bucket has refilled: addresses go, accounts stay.
	clk.Advance(2 * time.Minute)
	th.Sweep()
	if a, ips := th.Len(); a != 100 || ips != 0 {
		t.Fatalf("after 2m: Len = %d, %d; want 100, 0", a, ips)
	}
	// Partially: a recent failure survives while the old ones lapse.
	clk.Advance(30 * time.Minute)
	failAttempt(t, th, "recent@example.org", ip1)
	clk.Advance(30 * time.Minute)
	th.Sweep()
	if a, _ := th.Len(); a != 1 {
		t.Fatalf("after 1h: %d accounts tracked, want 1", a)
	}
	clk.Advance(time.Hour)
	th.Sweep()
	if a, ips := th.Len(); a != 0 || ips != 0 {
		t.Fatalf("after 2h: Len = %d, %d; want 0, 0", a, ips)
	}
	// Allow and Failure sweep incrementally without explicit Sweep calls.
	for i := 0; i < 10; i++ {
		failAttempt(t, th, fmt.Sprintf("user%d@example.org", i), fmt.Sprintf("198.51.100.%d", i))
	}
	clk.Advance(2 * time.Hour)
	failAttempt(t, th, email, ip1)
	if a, ips := th.Len(); a != 1 || ips != 1 {
		t.Fatalf("incremental sweep: Len = %d, %d; want 1, 1", a, ips)
	}
}

func TestThrottleSizeCap(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{MaxAccounts: 3, MaxAddresses: 2, AccountCeiling: 5}, clk.Now)
	// The target account is blocked first …
	for i := 0; i < 5; i++ {
		failAttempt(t, th, email, ip1)
	}
	for i := 0; i < 10; i++ {
		clk.Advance(time.Second)
		failAttempt(t, th, fmt.Sprintf("user%d@example.org", i), fmt.Sprintf("198.51.100.%d", i))
		if a, ips := th.Len(); a > 3 || ips > 2 {
			t.Fatalf("Len = %d, %d exceeds caps 3, 2", a, ips)
		}
	}
	// … and, being least recently updated, evicted first.
	if ok, _ := th.Allow(email, "192.0.2.1"); !ok {
		t.Fatal("least recently used account not evicted")
	}
	// The most recent account is still tracked.
	for i := 0; i < 4; i++ {
		failAttempt(t, th, "user9@example.org", "192.0.2.2")
	}
	if ok, _ := th.Allow("user9@example.org", "192.0.2.3"); ok {
		t.Fatal("recently updated account lost its failures")
	}
}

func TestThrottleNoRawIdentifiers(t *testing.T) {
	clk := newFakeClock()
	a := NewThrottle(ThrottleConfig{}, clk.Now)
	b := NewThrottle(ThrottleConfig{}, clk.Now)
	ka, kb := a.accountKey(email), b.accountKey(email)
	if ka == kb {
		t.Fatal("account keys equal across throttles: HMAC key not random")
	}
	if ka == sha256.Sum256([]byte(email)) {
		t.Fatal("account key is a plain hash of the e-mail")
	}
	if a.accountKey(email) == a.addrKey(email) {
		t.Fatal("account and address keys share a domain")
	}
	a.Failure(email, ip1)
	for _, k := range a.accounts.Keys() {
		if k != ka {
			t.Fatalf("unexpected key %x", k)
		}
	}
}

func TestThrottleConcurrent(t *testing.T) {
	clk := newFakeClock()
	th := NewThrottle(ThrottleConfig{AccountFreeFailures: 1000}, clk.Now)
	var wg sync.WaitGroup
	for g := 0; g < 50; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				th.Allow(email, fmt.Sprintf("198.51.100.%d", g))
				th.Failure(email, ip1)
				th.Len()
			}
		}()
	}
	wg.Wait()
	e := th.accounts.Get(th.accountKey(email))
	if e == nil || e.Value.failures != 1000 {
		t.Fatalf("lost updates under concurrency: %+v", e)
	}
}

func TestThrottleDefaults(t *testing.T) {
	c := NewThrottle(ThrottleConfig{}, nil).Config()
	want := ThrottleConfig{
		AccountFreeFailures: 5, AccountBaseDelay: 2 * time.Second, AccountMaxDelay: 15 * time.Minute,
		AccountWindow: time.Hour, AccountCeiling: 50, IPBurst: 20, IPRefill: 6 * time.Second, IPv6PrefixBits: 64,
		MaxAccounts: 100_000, MaxAddresses: 100_000,
	}
	if c != want {
		t.Fatalf("defaults = %+v, want %+v", c, want)
	}
	// The window never ends before the longest delay.
	c = NewThrottle(ThrottleConfig{AccountWindow: time.Minute}, nil).Config()
	if c.AccountWindow != 15*time.Minute {
		t.Fatalf("window %v shorter than max delay", c.AccountWindow)
	}
}
