package abuse

import (
	"bytes"
	"crypto/sha256"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestLimiter(cfg LimiterConfig) (*Limiter, *fakeClock) {
	c := newFakeClock()
	return NewLimiter(cfg, c.Now), c
}

func allowN(l *Limiter, form, ip string, n int) int {
	got := 0
	for range n {
		if l.Allow(form, ip) {
			got++
		}
	}
	return got
}

func TestLimiterBurstBlockRefill(t *testing.T) {
	l, c := newTestLimiter(LimiterConfig{})
	const ip = "203.0.113.7"
	if got := allowN(l, "share", ip, 20); got != DefaultLimit.Burst {
		t.Fatalf("burst: %d allowed, want %d", got, DefaultLimit.Burst)
	}
	if l.Allow("share", ip) {
		t.Fatal("allowed after burst")
	}
	c.Advance(DefaultLimit.Every - time.Second)
	if l.Allow("share", ip) {
		t.Fatal("allowed before one refill interval")
	}
	c.Advance(time.Second)
	if !l.Allow("share", ip) {
		t.Fatal("not allowed after one refill interval")
	}
	if l.Allow("share", ip) {
		t.Fatal("allowed twice after one refill interval")
	}
	// One hour sustained: 10 (the documented rate).
	got := 0
	for range 60 {
		c.Advance(time.Minute)
		if l.Allow("share", ip) {
			got++
		}
	}
	if got != 10 {
		t.Fatalf("sustained: %d an hour, want 10", got)
	}
	// A long pause refills to the burst, not beyond.
	c.Advance(24 * time.Hour)
	if got := allowN(l, "share", ip, 20); got != DefaultLimit.Burst {
		t.Fatalf("after a day: %d allowed, want %d", got, DefaultLimit.Burst)
	}
}

func TestLimiterPerFormConfig(t *testing.T) {
	l, c := newTestLimiter(LimiterConfig{
		Forms: map[string]Limit{
			"idea":  {Every: time.Minute, Burst: 2},
			"share": {Burst: 3}, // Every from Default
		},
		Default: Limit{Every: time.Hour, Burst: 1},
	})
	const ip = "198.51.100.1"
	if got := allowN(l, "idea", ip, 10); got != 2 {
		t.Fatalf("idea burst %d, want 2", got)
	}
	if got := allowN(l, "share", ip, 10); got != 3 {
		t.Fatalf("share burst %d, want 3 (forms are independent)", got)
	}
	if got := allowN(l, "other", ip, 10); got != 1 {
		t.Fatalf("default burst %d, want 1", got)
	}
	c.Advance(time.Minute)
	if got := allowN(l, "idea", ip, 10); got != 1 {
		t.Fatalf("idea after a minute %d, want 1", got)
	}
	if got := allowN(l, "share", ip, 10); got != 0 {
		t.Fatalf("share after a minute %d, want 0", got)
	}
	if lf := l.LimitFor("share"); lf != (Limit{Every: time.Hour, Burst: 3}) {
		t.Fatalf("LimitFor(share) = %+v", lf)
	}
	if lf := l.LimitFor("nope"); lf != (Limit{Every: time.Hour, Burst: 1}) {
		t.Fatalf("LimitFor(nope) = %+v", lf)
	}
}

func TestLimiterAddressesIndependent(t *testing.T) {
	l, _ := newTestLimiter(LimiterConfig{})
	if got := allowN(l, "share", "203.0.113.7", 10); got != 5 {
		t.Fatalf("first address %d", got)
	}
	for _, ip := range []string{"203.0.113.8", "198.51.100.7", "2001:db8:1:2::1", "2001:db8:1:3::1", "", "not-an-ip"} {
		if got := allowN(l, "share", ip, 10); got != 5 {
			t.Fatalf("%q: %d allowed, want 5 (independent of others)", ip, got)
		}
	}
}

func TestLimiterAddressGrouping(t *testing.T) {
	l, _ := newTestLimiter(LimiterConfig{})
	// All the same client.
	same := []string{
		"2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:DB8:1:2::abcd",
		"[2001:db8:1:2::5]:443", "fe80::1%eth0", // (different group, checked below)
	}
	got := 0
	for _, ip := range same[:4] {
		if l.Allow("share", ip) {
			got++
		}
		if l.Allow("share", ip) {
			got++
		}
	}
	if got != 5 {
		t.Fatalf("one /64: %d allowed, want 5", got)
	}
	// Neighbouring /64 is separate.
	if !l.Allow("share", "2001:db8:1:3::1") {
		t.Fatal("neighbouring /64 limited")
	}
	// IPv4, IPv4-mapped IPv6 and with a port are the same client; other
	// IPv4 addresses are not grouped.
	v4 := []string{"203.0.113.9", "::ffff:203.0.113.9", "203.0.113.9:51515", " 203.0.113.9 ", "[::ffff:203.0.113.9]:80"}
	got = 0
	for _, ip := range v4 {
		got += allowN(l, "share", ip, 2)
	}
	if got != 5 {
		t.Fatalf("one IPv4 client: %d allowed, want 5", got)
	}
	if !l.Allow("share", "203.0.113.10") {
		t.Fatal("neighbouring IPv4 address limited")
	}
	// Zones are dropped.
	if got := allowN(l, "share", "fe80::1%eth0", 3) + allowN(l, "share", "fe80::2%eth1", 3); got != 5 {
		t.Fatalf("link-local with zones: %d allowed, want 5", got)
	}
}

func TestLimiterPrefixBits(t *testing.T) {
	l, _ := newTestLimiter(LimiterConfig{IPv6PrefixBits: 128})
	if got := allowN(l, "share", "2001:db8::1", 10) + allowN(l, "share", "2001:db8::2", 10); got != 10 {
		t.Fatalf("/128 grouping: %d allowed, want 10", got)
	}
	l, _ = newTestLimiter(LimiterConfig{IPv6PrefixBits: 48})
	if got := allowN(l, "share", "2001:db8:1:1::1", 10) + allowN(l, "share", "2001:db8:1:2::1", 10); got != 5 {
		t.Fatalf("/48 grouping: %d allowed, want 5", got)
	}
	if got := l.Config().IPv6PrefixBits; got != 48 {
		t.Fatalf("config prefix bits %d", got)
	}
	l, _ = newTestLimiter(LimiterConfig{IPv6PrefixBits: 500})
	if got := l.Config().IPv6PrefixBits; got != 128 {
		t.Fatalf("prefix bits clamp: %d", got)
	}
}

func TestLimiterMemoryCap(t *testing.T) {
	l, c := newTestLimiter(LimiterConfig{MaxEntries: 50})
	for i := range 1000 {
		ip := netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}).String()
		l.Allow("share", ip)
		if l.Len() > 50 {
			t.Fatalf("Len %d exceeds cap 50", l.Len())
		}
		c.Advance(time.Millisecond)
	}
	if l.Len() != 50 {
		t.Fatalf("Len %d, want 50", l.Len())
	}
	// LRU: a busy address stays tracked (and limited) while others churn.
	const busy = "192.0.2.1"
	allowN(l, "share", busy, 5)
	for i := range 200 {
		ip := netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}).String()
		l.Allow("share", ip)
		if i%10 == 0 && l.Allow("share", busy) {
			t.Fatalf("busy address allowed after churn %d: evicted although recently used", i)
		}
	}
	if l.Len() != 50 {
		t.Fatalf("Len %d, want 50", l.Len())
	}
}

func TestLimiterIdleExpiry(t *testing.T) {
	l, c := newTestLimiter(LimiterConfig{
		Forms: map[string]Limit{"idea": {Every: time.Minute, Burst: 2}},
	})
	for i := range 20 {
		l.Allow("share", "10.0.0."+strconv.Itoa(i))
	}
	l.Allow("idea", "10.9.9.9")
	if l.Len() != 21 {
		t.Fatalf("Len %d", l.Len())
	}
	fill := DefaultLimit.fill() // 30 min
	c.Advance(fill - time.Second)
	l.Sweep()
	if l.Len() == 0 {
		t.Fatal("entries dropped before their buckets could have refilled")
	}
	c.Advance(time.Second)
	l.Sweep()
	if l.Len() != 0 {
		t.Fatalf("Len %d after idle expiry, want 0", l.Len())
	}
	// An expired entry behaves like a new one: full burst.
	if got := allowN(l, "share", "10.0.0.1", 10); got != 5 {
		t.Fatalf("after expiry %d allowed", got)
	}
	// Allow sweeps on its own.
	c.Advance(fill)
	l.Allow("share", "10.0.0.2")
	if l.Len() != 1 {
		t.Fatalf("Allow did not sweep: Len %d", l.Len())
	}
}

// The limiter must never hold a raw client address: its table keys are
// HMACs under a per-process random key.
func TestLimiterStoresNoRawAddress(t *testing.T) {
	ips := []string{
		"203.0.113.7", "198.51.100.23:4431", "2001:db8:abcd:12::1", "[2001:db8:abcd:13::7]:443",
		"::ffff:192.0.2.99", "garbage-address",
	}
	l, _ := newTestLimiter(LimiterConfig{})
	l2, _ := newTestLimiter(LimiterConfig{})
	for _, ip := range ips {
		l.Allow("share", ip)
		l2.Allow("share", ip)
	}
	keys := l.t.Keys()
	if len(keys) != len(ips) {
		t.Fatalf("%d keys for %d addresses", len(keys), len(ips))
	}
	keys2 := map[hashKey]bool{}
	for _, k := range l2.t.Keys() {
		keys2[k] = true
	}
	for _, k := range keys {
		if keys2[k] {
			t.Fatal("two limiters share a key: the HMAC key is not per process")
		}
		for _, ip := range ips {
			needles := [][]byte{[]byte(ip), []byte(l.group(ip))}
			if a, ok := parseAddr(ip); ok {
				needles = append(needles, a.AsSlice(), []byte(a.String()))
				if a.Is6() {
					needles = append(needles, a.AsSlice()[:8]) // the /64
				}
			}
			for _, n := range needles {
				if len(n) >= 4 && bytes.Contains(k[:], n) {
					t.Fatalf("key %x contains address material %q", k, n)
				}
			}
			// Not an unkeyed hash (which could be reversed by trying
			// every IPv4 address).
			for _, s := range []string{ip, l.group(ip), "share" + l.group(ip)} {
				if h := sha256.Sum256([]byte(s)); h == k {
					t.Fatalf("key is an unkeyed SHA-256 of %q", s)
				}
			}
		}
		// Each value is a *rate.Limiter only (no address field).
		if e := l.t.Get(k); e == nil || e.Value == nil {
			t.Fatal("missing entry")
		}
	}
	// And the keys are exactly what key() computes.
	want := map[hashKey]bool{}
	for _, ip := range ips {
		want[l.key("share", ip)] = true
	}
	for _, k := range keys {
		if !want[k] {
			t.Fatalf("unexpected key %x", k)
		}
	}
}

func TestLimiterExempt(t *testing.T) {
	l, _ := newTestLimiter(LimiterConfig{
		Exempt: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/28"), netip.MustParsePrefix("2001:db8:ee::/48")},
	})
	if got := allowN(l, "share", "192.0.2.5", 100); got != 100 {
		t.Fatalf("exempt IPv4 limited: %d", got)
	}
	if got := allowN(l, "share", "[2001:db8:ee:1::1]:443", 100); got != 100 {
		t.Fatalf("exempt IPv6 limited: %d", got)
	}
	if l.Len() != 0 {
		t.Fatalf("exempt addresses tracked: Len %d", l.Len())
	}
	if got := allowN(l, "share", "192.0.2.16", 100); got != 5 {
		t.Fatalf("non-exempt neighbour: %d", got)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l, c := newTestLimiter(LimiterConfig{MaxEntries: 64})
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 200 {
				if l.Allow("share", "203.0.113.1") {
					allowed.Add(1)
				}
				l.Allow("idea", "10.0.0."+strconv.Itoa((g*200+i)%250))
				if i%50 == 0 {
					l.Sweep()
					_ = l.Len()
				}
			}
		})
	}
	wg.Wait()
	_ = c
	if allowed.Load() != 5 {
		t.Fatalf("%d allowed concurrently from one address, want 5", allowed.Load())
	}
	if l.Len() > 64 {
		t.Fatalf("Len %d exceeds cap", l.Len())
	}
}

func TestLimitFillOverflow(t *testing.T) {
	if got := (Limit{Every: 1 << 62, Burst: 8}).fill(); got <= 0 {
		t.Fatalf("fill overflowed: %v", got)
	}
}

func BenchmarkLimiterAllow(b *testing.B) {
	l := NewLimiter(LimiterConfig{}, nil)
	ips := make([]string, 1024)
	for i := range ips {
		ips[i] = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}).String()
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		l.Allow("share", ips[i%len(ips)])
		i++
	}
}
