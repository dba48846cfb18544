package abuse

import (
	"testing"
	"time"
)

func newTestGuard() (*Guard, *fakeClock) {
	c := newFakeClock()
	s := NewSigner(testKey, c.Now)
	l := NewLimiter(LimiterConfig{}, c.Now)
	return NewGuard(s, l, NewSeen(0)), c
}

func TestGuardVerdictTable(t *testing.T) {
	const ip = "203.0.113.7"
	otherKey := NewSigner([]byte("ffffffffffffffffffffffffffffffff"), nil)
	for _, tc := range []struct {
		name     string
		token    func(g *Guard) string // issued at the start
		wait     time.Duration
		honeypot string
		before   int // prior submissions from ip
		want     Verdict
	}{
		{"good", issue("share"), 10 * time.Second, "", 0, Allow},
		{"good at limit", issue("share"), 10 * time.Second, "", 4, Allow},
		{"too fast", issue("share"), time.Second, "", 0, ReshowTooFast},
		{"expired", issue("share"), 5 * time.Hour, "", 0, ReshowExpired},
		{"missing", func(*Guard) string { return "" }, 10 * time.Second, "", 0, ReshowExpired},
		{"garbage", func(*Guard) string { return "not a token" }, 10 * time.Second, "", 0, ReshowExpired},
		{"other form", issue("idea"), 10 * time.Second, "", 0, ReshowExpired},
		{"other key", func(*Guard) string { return otherKey.Issue("share") }, 10 * time.Second, "", 0, ReshowExpired},
		{"honeypot", issue("share"), 10 * time.Second, "https://spam.example", 0, BlockSilently},
		{"honeypot white space only", issue("share"), 10 * time.Second, "  ", 0, Allow},
		{"honeypot and too fast", issue("share"), time.Second, "x", 0, BlockSilently},
		{"rate limited", issue("share"), 10 * time.Second, "", 5, BlockSilently},
		{"rate limited and too fast", issue("share"), time.Second, "", 5, BlockSilently},
		{"rate limited and expired", issue("share"), 5 * time.Hour, "", 5, BlockSilently},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, c := newTestGuard()
			tok := tc.token(g)
			c.Advance(tc.wait)
			for range tc.before { // earlier posts from the same address
				g.limiter.Allow("share", ip)
			}
			if got := g.Check("share", tok, tc.honeypot, ip); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func issue(form string) func(*Guard) string {
	return func(g *Guard) string { return g.Signer().Issue(form) }
}

func TestGuardReplay(t *testing.T) {
	g, c := newTestGuard()
	tok := g.Signer().Issue("share")
	c.Advance(30 * time.Second)
	if v := g.Check("share", tok, "", "203.0.113.7"); v != Allow {
		t.Fatalf("first: %v", v)
	}
	if v := g.Check("share", tok, "", "203.0.113.7"); v != BlockSilently {
		t.Fatalf("double submit: %v, want BlockSilently", v)
	}
	if v := g.Check("share", tok, "", "198.51.100.1"); v != BlockSilently {
		t.Fatalf("replay from elsewhere: %v, want BlockSilently", v)
	}
	if v := g.CheckStep("share", tok, ""); v != BlockSilently {
		t.Fatalf("step with consumed token: %v, want BlockSilently", v)
	}
}

func TestGuardTooFastThenResubmit(t *testing.T) {
	g, c := newTestGuard()
	tok := g.Signer().Issue("share")
	c.Advance(time.Second)
	if v := g.Check("share", tok, "", "203.0.113.7"); v != ReshowTooFast {
		t.Fatalf("fast: %v", v)
	}
	// The re-shown form carries a fresh token; the person sends it again.
	tok = g.Signer().Issue("share")
	c.Advance(4 * time.Second)
	if v := g.Check("share", tok, "", "203.0.113.7"); v != Allow {
		t.Fatalf("resubmit: %v", v)
	}
}

func TestGuardMultiStep(t *testing.T) {
	g, c := newTestGuard()
	const ip = "203.0.113.7"
	tok := g.Signer().Issue("share")
	if v := g.CheckStep("share", tok, ""); v != ReshowTooFast {
		t.Fatalf("step too fast: %v", v)
	}
	for i := range 10 { // more steps than the rate limit's burst
		c.Advance(time.Minute)
		if v := g.CheckStep("share", tok, ""); v != Allow {
			t.Fatalf("step %d: %v", i, v)
		}
	}
	if v := g.CheckStep("share", tok, "bot"); v != BlockSilently {
		t.Fatalf("step honeypot: %v", v)
	}
	if v := g.CheckStep("idea", tok, ""); v != ReshowExpired {
		t.Fatalf("step other form: %v", v)
	}
	if v := g.Check("share", tok, "", ip); v != Allow {
		t.Fatalf("final: %v", v)
	}
	if v := g.Check("share", tok, "", ip); v != BlockSilently {
		t.Fatalf("final replayed: %v", v)
	}
	c.Advance(5 * time.Hour)
	if v := g.CheckStep("share", g.Signer().Issue("share"), ""); v != ReshowTooFast {
		t.Fatalf("new token step: %v", v)
	}
}

func TestGuardHoneypotSpendsBudget(t *testing.T) {
	g, c := newTestGuard()
	const ip = "203.0.113.7"
	for range 5 {
		tok := g.Signer().Issue("share")
		c.Advance(5 * time.Second)
		if v := g.Check("share", tok, "spam", ip); v != BlockSilently {
			t.Fatalf("honeypot: %v", v)
		}
	}
	tok := g.Signer().Issue("share")
	c.Advance(5 * time.Second)
	if v := g.Check("share", tok, "", ip); v != BlockSilently {
		t.Fatalf("after 5 bot posts: %v, want BlockSilently", v)
	}
	if v := g.Check("share", tok, "", "198.51.100.1"); v != Allow {
		t.Fatalf("other address: %v", v)
	}
}

func TestGuardWithoutLimiterOrSeen(t *testing.T) {
	c := newFakeClock()
	g := NewGuard(NewSigner(testKey, c.Now), nil, nil)
	tok := g.Signer().Issue("share")
	c.Advance(5 * time.Second)
	for range 20 {
		if v := g.Check("share", tok, "", "203.0.113.7"); v != Allow {
			t.Fatalf("got %v, want Allow (no limiter, multi-use)", v)
		}
	}
	if v := g.Check("share", tok, "x", "203.0.113.7"); v != BlockSilently {
		t.Fatalf("honeypot: %v", v)
	}
}

func TestVerdictString(t *testing.T) {
	for v, s := range map[Verdict]string{
		Allow: "allow", ReshowTooFast: "reshow-too-fast", ReshowExpired: "reshow-expired",
		BlockSilently: "block-silently", Verdict(99): "verdict(?)",
	} {
		if v.String() != s {
			t.Errorf("%d: %q, want %q", int(v), v.String(), s)
		}
	}
}

func TestNewGuardNilSigner(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic")
		}
	}()
	NewGuard(nil, nil, nil)
}

func BenchmarkGuardCheck(b *testing.B) {
	c := newFakeClock()
	g := NewGuard(NewSigner(testKey, c.Now), NewLimiter(LimiterConfig{}, c.Now), nil)
	tok := g.Signer().Issue("share")
	c.Advance(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		g.Check("share", tok, "", "203.0.113.7")
	}
}

// CheckIn spends a unit of every bucket it is given, and a scoped bucket
// "name/scope" takes the limit of "name": one address's bucket for one
// event does not hold back the same address for another event, while the
// ceiling across events still applies.
func TestGuardCheckInScopedBuckets(t *testing.T) {
	const ip = "203.0.113.7"
	c := newFakeClock()
	l := NewLimiter(LimiterConfig{Forms: map[string]Limit{"per-event": {Every: time.Hour, Burst: 2}, "all": {Every: time.Hour, Burst: 3}}}, c.Now)
	g := NewGuard(NewSigner(testKey, c.Now), l, NewSeen(0))
	if got := l.LimitFor("per-event/abc"); got.Burst != 2 {
		t.Fatalf("a scoped bucket takes its name's limit: %+v", got)
	}
	post := func(event string) Verdict {
		tok := g.Signer().Issue("register")
		c.Advance(10 * time.Second)
		return g.CheckIn("register", []string{"per-event/" + event, "all"}, tok, "", ip)
	}
	for i, want := range []Verdict{Allow, Allow, BlockSilently} {
		if got := post("a"); got != want {
			t.Fatalf("event a, post %d: %v, want %v", i+1, got, want)
		}
	}
	// Event b has its own bucket, but the ceiling across events (3, of
	// which event a spent 3) holds.
	if got := post("b"); got != BlockSilently {
		t.Fatalf("event b past the ceiling across events: %v", got)
	}
	l2 := NewLimiter(LimiterConfig{Forms: map[string]Limit{"per-event": {Every: time.Hour, Burst: 2}, "all": {Every: time.Hour, Burst: 10}}}, c.Now)
	g = NewGuard(NewSigner(testKey, c.Now), l2, NewSeen(0))
	post("a")
	post("a")
	if got := post("b"); got != Allow {
		t.Fatalf("event b is held back by event a's bucket: %v", got)
	}
}

// A form sent twice is reported as a replay, so a page can say the first
// copy may have counted; a spent limit or a honeypot never is.
func TestGuardCheckInReplay(t *testing.T) {
	const ip = "203.0.113.9"
	g, c := newTestGuard()
	tok := g.Signer().Issue("register")
	c.Advance(10 * time.Second)
	if v, replayed := g.CheckInReplay("register", []string{"register"}, tok, "", ip); v != Allow || replayed {
		t.Fatalf("first copy: %v %v", v, replayed)
	}
	if v, replayed := g.CheckInReplay("register", []string{"register"}, tok, "", ip); v != BlockSilently || !replayed {
		t.Fatalf("second copy: %v %v, want a replay", v, replayed)
	}
	if v, replayed := g.CheckInReplay("register", []string{"register"}, tok, "http://spam.example", ip); v != BlockSilently || replayed {
		t.Fatalf("honeypot: %v %v", v, replayed)
	}
	for range 10 {
		g.CheckIn("register", []string{"register"}, g.Signer().Issue("register"), "", ip)
	}
	if v, replayed := g.CheckInReplay("register", []string{"register"}, tok, "", ip); v != BlockSilently || replayed {
		t.Fatalf("over the limit: %v %v, want no replay reported", v, replayed)
	}
}
