package abuse

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestSigner(opts ...SignerOption) (*Signer, *fakeClock) {
	c := newFakeClock()
	return NewSigner(testKey, c.Now, opts...), c
}

func TestTokenRoundTrip(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	if !regexp.MustCompile(`^[A-Za-z0-9_-]+$`).MatchString(tok) {
		t.Fatalf("token %q is not URL-safe", tok)
	}
	if len(tok) > maxTokenLen {
		t.Fatalf("token length %d exceeds maxTokenLen %d", len(tok), maxTokenLen)
	}
	c.Advance(10 * time.Second)
	for i := range 3 {
		if err := s.Check(tok, "share"); err != nil {
			t.Fatalf("Check #%d: %v", i, err)
		}
	}
	if err := s.CheckOnce(tok, "share", NewSeen(0)); err != nil {
		t.Fatalf("CheckOnce: %v", err)
	}
	// Empty form name is allowed too.
	tok2 := s.Issue("")
	c.Advance(5 * time.Second)
	if err := s.Check(tok2, ""); err != nil {
		t.Fatalf("Check empty form: %v", err)
	}
	long := strings.Repeat("f", MaxFormNameLen)
	tok3 := s.Issue(long)
	c.Advance(5 * time.Second)
	if err := s.Check(tok3, long); err != nil {
		t.Fatalf("Check longest form: %v", err)
	}
	if len(tok3) > maxTokenLen {
		t.Fatalf("longest token length %d exceeds maxTokenLen %d", len(tok3), maxTokenLen)
	}
}

func TestTokenUnique(t *testing.T) {
	s, _ := newTestSigner()
	seen := map[string]bool{}
	for range 1000 {
		tok := s.Issue("share") // same clock reading every time
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
}

func TestTokenMissing(t *testing.T) {
	s, _ := newTestSigner()
	if err := s.Check("", "share"); !errors.Is(err, ErrTokenMissing) {
		t.Fatalf("got %v, want ErrTokenMissing", err)
	}
	if err := s.CheckOnce("", "share", NewSeen(0)); !errors.Is(err, ErrTokenMissing) {
		t.Fatalf("CheckOnce: got %v, want ErrTokenMissing", err)
	}
}

func TestTokenTampered(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	c.Advance(time.Minute)
	raw, err := tokenEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	// Every bit of every byte, and every byte fully inverted.
	for i := range raw {
		for _, mask := range []byte{1, 2, 4, 8, 16, 32, 64, 128, 0xff} {
			b := append([]byte(nil), raw...)
			b[i] ^= mask
			mut := tokenEncoding.EncodeToString(b)
			if err := s.Check(mut, "share"); !errors.Is(err, ErrTokenInvalid) {
				t.Fatalf("byte %d ^ %#x: got %v, want ErrTokenInvalid", i, mask, err)
			}
		}
	}
	// Every character of the encoded form replaced by every other
	// alphabet character (this also covers non-canonical encodings of the
	// final character, which the strict decoder must reject).
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(tok) {
		for _, r := range alphabet {
			if byte(r) == tok[i] {
				continue
			}
			mut := tok[:i] + string(r) + tok[i+1:]
			if err := s.Check(mut, "share"); !errors.Is(err, ErrTokenInvalid) {
				t.Fatalf("char %d -> %q: got %v, want ErrTokenInvalid", i, r, err)
			}
		}
	}
	// Truncated, extended, padded, wrapped in junk.
	muts := []string{tok[:len(tok)-1], tok + "A", tok[:10] + "\n" + tok[10:], tok[:10] + "\r" + tok[10:], tok[:10] + "." + tok[10:], tok + "AA", tok + "=", " " + tok, tok + "\n",
		strings.ReplaceAll(tok, "-", "+"), tok[1:], "x", "!!!!", strings.Repeat("A", 10_000)}
	for i := 1; i < len(raw); i++ {
		muts = append(muts, tokenEncoding.EncodeToString(raw[:i]))
	}
	for _, m := range muts {
		if m == tok {
			continue
		}
		if err := s.Check(m, "share"); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("%q: got %v, want ErrTokenInvalid", m, err)
		}
	}
}

func TestTokenOtherKey(t *testing.T) {
	s, c := newTestSigner()
	other := NewSigner([]byte("ffffffffffffffffffffffffffffffff"), c.Now)
	tok := other.Issue("share")
	c.Advance(time.Minute)
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("got %v, want ErrTokenInvalid", err)
	}
}

func TestTokenWrongForm(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	c.Advance(time.Minute)
	for _, f := range []string{"idea", "", "shar", "share2", "Share", "share\x00"} {
		if err := s.Check(tok, f); !errors.Is(err, ErrTokenInvalid) {
			t.Fatalf("form %q: got %v, want ErrTokenInvalid", f, err)
		}
	}
}

func TestTokenTooFast(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTooFast) {
		t.Fatalf("immediately: got %v, want ErrTooFast", err)
	}
	c.Advance(DefaultMinAge - time.Millisecond)
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTooFast) {
		t.Fatalf("just under min age: got %v, want ErrTooFast", err)
	}
	c.Advance(time.Millisecond)
	if err := s.Check(tok, "share"); err != nil {
		t.Fatalf("at min age: %v", err)
	}

	// Issued "in the future" (clock stepped back): too fast, not valid.
	c.Advance(-time.Hour)
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTooFast) {
		t.Fatalf("future token: got %v, want ErrTooFast", err)
	}

	// Configurable.
	s2, c2 := newTestSigner(WithMinAge(10 * time.Second))
	tok = s2.Issue("idea")
	c2.Advance(9 * time.Second)
	if err := s2.Check(tok, "idea"); !errors.Is(err, ErrTooFast) {
		t.Fatalf("custom min age: got %v, want ErrTooFast", err)
	}
	c2.Advance(time.Second)
	if err := s2.Check(tok, "idea"); err != nil {
		t.Fatalf("custom min age reached: %v", err)
	}
	s3, _ := newTestSigner(WithMinAge(0))
	if err := s3.Check(s3.Issue("idea"), "idea"); err != nil {
		t.Fatalf("min age 0: %v", err)
	}
}

func TestTokenExpired(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	c.Advance(DefaultMaxAge)
	if err := s.Check(tok, "share"); err != nil {
		t.Fatalf("at max age: %v", err)
	}
	c.Advance(time.Millisecond)
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("past max age: got %v, want ErrTokenExpired", err)
	}
	if err := s.CheckOnce(tok, "share", NewSeen(0)); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("CheckOnce past max age: got %v, want ErrTokenExpired", err)
	}
	c.Advance(100 * 365 * 24 * time.Hour)
	if err := s.Check(tok, "share"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("a century later: got %v, want ErrTokenExpired", err)
	}

	s2, c2 := newTestSigner(WithMaxAge(time.Minute))
	tok = s2.Issue("share")
	c2.Advance(time.Minute + time.Millisecond)
	if err := s2.Check(tok, "share"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("custom max age: got %v, want ErrTokenExpired", err)
	}
}

func TestSignerOptions(t *testing.T) {
	s, _ := newTestSigner()
	if s.MinAge() != DefaultMinAge || s.MaxAge() != DefaultMaxAge {
		t.Fatalf("defaults: %v %v", s.MinAge(), s.MaxAge())
	}
	s, _ = newTestSigner(WithMinAge(-1), WithMaxAge(0))
	if s.MinAge() != DefaultMinAge || s.MaxAge() != DefaultMaxAge {
		t.Fatalf("ignored options: %v %v", s.MinAge(), s.MaxAge())
	}
	s, _ = newTestSigner(WithMinAge(time.Hour), WithMaxAge(time.Minute))
	if s.MinAge() != 0 || s.MaxAge() != time.Minute {
		t.Fatalf("min >= max: %v %v", s.MinAge(), s.MaxAge())
	}
}

func TestSignerPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: no panic", name)
			}
		}()
		f()
	}
	mustPanic("short key", func() { NewSigner(make([]byte, MinKeySize-1), nil) })
	mustPanic("long form", func() {
		NewSigner(testKey, nil).Issue(strings.Repeat("x", MaxFormNameLen+1))
	})
}

func TestSignerCopiesKey(t *testing.T) {
	key := append([]byte(nil), testKey...)
	c := newFakeClock()
	s := NewSigner(key, c.Now)
	tok := s.Issue("share")
	key[0] ^= 1
	c.Advance(time.Minute)
	if err := s.Check(tok, "share"); err != nil {
		t.Fatalf("caller mutating its key slice affected the signer: %v", err)
	}
}

func TestTokenReplay(t *testing.T) {
	s, c := newTestSigner()
	seen := NewSeen(0)
	tok := s.Issue("share")

	// Too fast: refused but not recorded, so it can be sent again.
	if err := s.CheckOnce(tok, "share", seen); !errors.Is(err, ErrTooFast) {
		t.Fatalf("too fast: got %v", err)
	}
	c.Advance(5 * time.Second)
	// Other form: refused, not recorded.
	if err := s.CheckOnce(tok, "idea", seen); !errors.Is(err, ErrTokenInvalid) {
		t.Fatalf("other form: got %v", err)
	}
	if seen.Len() != 0 {
		t.Fatalf("rejected tokens recorded: %d", seen.Len())
	}
	if err := s.CheckOnce(tok, "share", seen); err != nil {
		t.Fatalf("first use: %v", err)
	}
	if err := s.CheckOnce(tok, "share", seen); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("second use: got %v, want ErrTokenReplayed", err)
	}
	c.Advance(time.Hour)
	if err := s.CheckOnce(tok, "share", seen); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("use an hour later: got %v, want ErrTokenReplayed", err)
	}
	// Another token is unaffected.
	tok2 := s.Issue("share")
	c.Advance(5 * time.Second)
	if err := s.CheckOnce(tok2, "share", seen); err != nil {
		t.Fatalf("other token: %v", err)
	}
	// A separate Seen set (or none) does not know about it.
	if err := s.CheckOnce(tok, "share", NewSeen(0)); err != nil {
		t.Fatalf("fresh Seen: %v", err)
	}
	if err := s.CheckOnce(tok, "share", nil); err != nil {
		t.Fatalf("nil Seen: %v", err)
	}
}

func TestTokenMultiUse(t *testing.T) {
	s, c := newTestSigner()
	tok := s.Issue("share")
	c.Advance(5 * time.Second)
	for i := range 5 {
		if err := s.Check(tok, "share"); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		c.Advance(time.Minute)
	}
	// Check never records, even alongside a Seen set in use.
	seen := NewSeen(0)
	if err := s.CheckOnce(tok, "share", seen); err != nil {
		t.Fatalf("final submit: %v", err)
	}
	if err := s.Check(tok, "share"); err != nil {
		t.Fatalf("Check after CheckOnce: %v (Check is stateless)", err)
	}
}

func TestSeenExpiryAndCap(t *testing.T) {
	s, c := newTestSigner()
	seen := NewSeen(0)
	tok := s.Issue("share")
	c.Advance(5 * time.Second)
	if err := s.CheckOnce(tok, "share", seen); err != nil {
		t.Fatal(err)
	}
	c.Advance(DefaultMaxAge - time.Second)
	seen.Sweep(c.Now())
	if seen.Len() != 1 {
		t.Fatalf("entry dropped before its token expired: len %d", seen.Len())
	}
	c.Advance(time.Second)
	seen.Sweep(c.Now())
	if seen.Len() != 0 {
		t.Fatalf("entry kept after its token expired: len %d", seen.Len())
	}
	if err := s.CheckOnce(tok, "share", seen); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("after expiry: got %v, want ErrTokenExpired", err)
	}

	small := NewSeen(3)
	var toks []string
	for range 10 {
		toks = append(toks, s.Issue("share"))
	}
	c.Advance(5 * time.Second)
	for _, tk := range toks {
		if err := s.CheckOnce(tk, "share", small); err != nil {
			t.Fatal(err)
		}
		if small.Len() > 3 {
			t.Fatalf("Seen exceeded its cap: %d", small.Len())
		}
	}
	// The most recent are still refused.
	if err := s.CheckOnce(toks[9], "share", small); !errors.Is(err, ErrTokenReplayed) {
		t.Fatalf("most recent token: got %v, want ErrTokenReplayed", err)
	}
}

func TestSeenKeysAreHashes(t *testing.T) {
	s, c := newTestSigner()
	seen := NewSeen(0)
	tok := s.Issue("share")
	c.Advance(5 * time.Second)
	if err := s.CheckOnce(tok, "share", seen); err != nil {
		t.Fatal(err)
	}
	raw, _ := tokenEncoding.DecodeString(tok)
	keys := seen.t.Keys()
	if len(keys) != 1 || keys[0] != tokenID(raw) {
		t.Fatalf("Seen keys %x, want only SHA-256 of the token", keys)
	}
	if strings.Contains(string(keys[0][:]), string(raw[len(raw)-macSize:len(raw)-macSize+8])) {
		t.Fatal("Seen key contains the token's MAC")
	}
}

func TestCheckOnceConcurrent(t *testing.T) {
	s, c := newTestSigner()
	seen := NewSeen(0)
	tok := s.Issue("share")
	c.Advance(5 * time.Second)
	var ok, replayed atomic.Int32
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			switch err := s.CheckOnce(tok, "share", seen); {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, ErrTokenReplayed):
				replayed.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 1 || replayed.Load() != 63 {
		t.Fatalf("ok=%d replayed=%d, want 1 and 63", ok.Load(), replayed.Load())
	}
}

// FuzzCheckToken: arbitrary token strings never panic and never validate
// (or even get past the signature) unless issued.
func FuzzCheckToken(f *testing.F) {
	c := newFakeClock()
	s := NewSigner(testKey, c.Now)
	// Tokens must be deterministic: with -fuzz, this setup runs again in
	// every worker process, which must agree on what was issued.
	issued := map[string]string{} // token -> form
	for i, form := range []string{"share", "idea", ""} {
		tok := s.issue(form, c.Now(), [nonceSize]byte{byte(i)})
		issued[tok] = form
		f.Add(tok, form)
		f.Add(tok, "share")
		f.Add(tok[:len(tok)-1], form)
		f.Add(tok+"A", form)
		f.Add(strings.ToUpper(tok), form)
	}
	f.Add("", "share")
	f.Add("AQAAAZWmY2QAAAAAAAAAAAAAAAAFc2hhcmU", "share")
	c.Advance(time.Minute)
	now := c.Now()
	f.Fuzz(func(t *testing.T, token, form string) {
		err := s.Check(token, form)
		if c.Now() != now {
			t.Fatal("clock moved")
		}
		if f, ok := issued[token]; ok && f == form {
			if err != nil {
				t.Fatalf("issued token refused: %v", err)
			}
			return
		}
		switch {
		case token == "" && errors.Is(err, ErrTokenMissing):
		case token != "" && errors.Is(err, ErrTokenInvalid):
		default:
			t.Fatalf("Check(%q, %q) = %v, want ErrTokenInvalid", token, form, err)
		}
		if err2 := s.CheckOnce(token, form, NewSeen(1)); !errors.Is(err2, err) {
			t.Fatalf("CheckOnce disagrees with Check: %v vs %v", err2, err)
		}
	})
}

func BenchmarkIssue(b *testing.B) {
	s := NewSigner(testKey, nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = s.Issue("share")
	}
}

func BenchmarkCheck(b *testing.B) {
	c := newFakeClock()
	s := NewSigner(testKey, c.Now)
	tok := s.Issue("share")
	c.Advance(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Check(tok, "share"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckInvalid(b *testing.B) {
	c := newFakeClock()
	s := NewSigner(testKey, c.Now)
	tok := []byte(s.Issue("share"))
	tok[10] ^= 1
	bad := string(tok)
	c.Advance(time.Minute)
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Check(bad, "share"); err == nil {
			b.Fatal("accepted")
		}
	}
}

func BenchmarkCheckOnce(b *testing.B) {
	c := newFakeClock()
	s := NewSigner(testKey, c.Now)
	toks := make([]string, 4096)
	for i := range toks {
		toks[i] = s.Issue("share")
	}
	c.Advance(time.Minute)
	seen := NewSeen(len(toks))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i%len(toks) == 0 {
			seen = NewSeen(len(toks))
		}
		if err := s.CheckOnce(toks[i%len(toks)], "share", seen); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
