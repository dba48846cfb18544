package auth

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

func TestHashCheckRoundTrip(t *testing.T) {
	const pw = "correct-horse-battery-staple-9"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	ok, rehash, err := CheckPassword(h, pw)
	if err != nil || !ok || rehash {
		t.Fatalf("CheckPassword(correct) = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
	h2, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if h2 == h {
		t.Fatal("two hashes of the same password are identical: salt not random")
	}
}

func TestCheckPasswordWrong(t *testing.T) {
	h, err := HashPassword("the right password")
	if err != nil {
		t.Fatal(err)
	}
	for _, wrong := range []string{"the right passwore", "The right password", "", "the right password "} {
		ok, rehash, err := CheckPassword(h, wrong)
		if err != nil || ok || rehash {
			t.Errorf("CheckPassword(%q) = %v, %v, %v; want false, false, nil", wrong, ok, rehash, err)
		}
	}
}

// TestHashPasswordOWASPParams uses the real production parameters once and
// verifies the encoding independently of decodeHash.
func TestHashPasswordOWASPParams(t *testing.T) {
	useParams(t, owaspParams)
	const pw = "a long enough staff password"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	const prefix = "$argon2id$v=19$m=19456,t=2,p=1$"
	if !strings.HasPrefix(h, prefix) {
		t.Fatalf("hash %q lacks prefix %q", h, prefix)
	}
	saltB64, keyB64, found := strings.Cut(strings.TrimPrefix(h, prefix), "$")
	if !found {
		t.Fatalf("hash %q: no salt/key separator", h)
	}
	salt, err := b64.DecodeString(saltB64)
	if err != nil || len(salt) != 16 {
		t.Fatalf("salt %q: len %d, err %v", saltB64, len(salt), err)
	}
	key, err := b64.DecodeString(keyB64)
	if err != nil || len(key) != 32 {
		t.Fatalf("key %q: len %d, err %v", keyB64, len(key), err)
	}
	want := argon2.IDKey([]byte(pw), salt, 2, 19456, 1, 32)
	if string(want) != string(key) {
		t.Fatal("stored key is not argon2id(pw, salt, t=2, m=19456, p=1, 32)")
	}
	ok, rehash, err := CheckPassword(h, pw)
	if err != nil || !ok || rehash {
		t.Fatalf("CheckPassword = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestNeedsRehash(t *testing.T) {
	const pw = "rehash me when parameters change"
	old, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]argonParams{
		"memory":  {memory: 128, time: 1, threads: 1, saltLen: 16, keyLen: 32},
		"time":    {memory: 64, time: 2, threads: 1, saltLen: 16, keyLen: 32},
		"threads": {memory: 64, time: 1, threads: 2, saltLen: 16, keyLen: 32},
		"keyLen":  {memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 64},
		"saltLen": {memory: 64, time: 1, threads: 1, saltLen: 32, keyLen: 32},
	} {
		t.Run(name, func(t *testing.T) {
			useParams(t, p)
			ok, rehash, err := CheckPassword(old, pw)
			if err != nil || !ok || !rehash {
				t.Fatalf("CheckPassword(old hash) = %v, %v, %v; want true, true, nil", ok, rehash, err)
			}
			// needsRehash is never reported for a wrong password.
			if ok, rehash, _ := CheckPassword(old, "wrong password!!"); ok || rehash {
				t.Fatalf("wrong password: ok=%v rehash=%v", ok, rehash)
			}
			// A new hash under the new parameters verifies without rehash.
			h, err := HashPassword(pw)
			if err != nil {
				t.Fatal(err)
			}
			if ok, rehash, err := CheckPassword(h, pw); !ok || rehash || err != nil {
				t.Fatalf("new hash: %v, %v, %v", ok, rehash, err)
			}
		})
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const salt = "c29tZXNhbHRzb21lc2FsdA"                     // 16 bytes
	const key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" // 32 bytes
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key
	if _, _, err := CheckPassword(good, "x"); err != nil {
		t.Fatalf("control case rejected: %v", err)
	}
	malformed := map[string]string{
		"empty":            "",
		"plain text":       "hunter2",
		"no leading $":     "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"missing hash":     "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"extra field":      good + "$AAAA",
		"empty algorithm":  "$$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"missing version":  "$argon2id$m=64,t=1,p=1$" + salt + "$" + key + "$x",
		"bad version":      "$argon2id$v=x$m=64,t=1,p=1$" + salt + "$" + key,
		"params order":     "$argon2id$v=19$t=1,m=64,p=1$" + salt + "$" + key,
		"params missing":   "$argon2id$v=19$m=64,t=1$" + salt + "$" + key,
		"params extra":     "$argon2id$v=19$m=64,t=1,p=1,k=2$" + salt + "$" + key,
		"m=0":              "$argon2id$v=19$m=0,t=1,p=1$" + salt + "$" + key,
		"m below 8p":       "$argon2id$v=19$m=15,t=1,p=2$" + salt + "$" + key,
		"m huge":           "$argon2id$v=19$m=4194304,t=1,p=1$" + salt + "$" + key,
		"m overflow":       "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + key,
		"t=0":              "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + key,
		"t huge":           "$argon2id$v=19$m=64,t=1000,p=1$" + salt + "$" + key,
		"p=0":              "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + key,
		"p=256":            "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + key,
		"negative":         "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + key,
		"plus sign":        "$argon2id$v=19$m=+64,t=1,p=1$" + salt + "$" + key,
		"leading zero":     "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + key,
		"empty number":     "$argon2id$v=19$m=,t=1,p=1$" + salt + "$" + key,
		"salt not base64":  "$argon2id$v=19$m=64,t=1,p=1$!!!!$" + key,
		"salt padded":      "$argon2id$v=19$m=64,t=1,p=1$" + salt + "==$" + key,
		"salt too short":   "$argon2id$v=19$m=64,t=1,p=1$AAAA$" + key,
		"empty salt":       "$argon2id$v=19$m=64,t=1,p=1$$" + key,
		"key not base64":   "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$***",
		"key too short":    "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$AAAAAAAA",
		"key non-canon":    "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-1] + "B",
		"too long":         "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("A", 300) + "$" + key,
		"newline in salt":  "$argon2id$v=19$m=64,t=1,p=1$" + salt[:8] + "\r\n" + salt[8:] + "$" + key,
		"url-safe base64":  "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + key[:len(key)-2] + "_A",
		"dollar only":      "$",
		"five dollars":     "$$$$$",
		"unicode noise":    "$argon2id$v=19$m=６４,t=1,p=1$" + salt + "$" + key,
		"whitespace param": "$argon2id$v=19$m= 64,t=1,p=1$" + salt + "$" + key,
	}
	for name, enc := range malformed {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := CheckPassword(enc, "x")
			if !errors.Is(err, ErrMalformedHash) || ok || rehash {
				t.Fatalf("CheckPassword(%q) = %v, %v, %v; want ErrMalformedHash", enc, ok, rehash, err)
			}
		})
	}
	unsupported := map[string]string{
		"bcrypt":     "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"argon2i":    "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"argon2d":    "$argon2d$v=19$m=64,t=1,p=1$" + salt + "$" + key,
		"version 16": "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + key,
	}
	for name, enc := range unsupported {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := CheckPassword(enc, "x")
			if !errors.Is(err, ErrUnsupportedHash) || ok || rehash {
				t.Fatalf("CheckPassword(%q) = %v, %v, %v; want ErrUnsupportedHash", enc, ok, rehash, err)
			}
		})
	}
}

func TestPasswordUnicodeNormalization(t *testing.T) {
	composed := "caf\u00e9 au lait, s'il vous pla\u00eet"
	decomposed := "cafe\u0301 au lait, s'il vous plai\u0302t"
	h, err := HashPassword(composed)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := CheckPassword(h, decomposed); !ok || err != nil {
		t.Fatalf("decomposed form of the password rejected: %v, %v", ok, err)
	}
}

func TestPasswordLengthLimitNotTruncated(t *testing.T) {
	long := strings.Repeat("x", MaxPasswordBytes)
	h, err := HashPassword(long)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, _ := CheckPassword(h, long[:MaxPasswordBytes-1]); ok {
		t.Fatal("prefix of the password accepted")
	}
	if ok, _, _ := CheckPassword(h, long+"x"); ok {
		t.Fatal("over-long password accepted")
	}
	if _, err := HashPassword(long + "x"); !errors.Is(err, ErrPasswordTooLong) {
		t.Fatalf("HashPassword(over-long) err = %v", err)
	}
}

// TestDummyCheckCost checks DummyCheck really does argon2 work comparable to
// CheckPassword with the production parameters.
func TestDummyCheckCost(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test")
	}
	useParams(t, owaspParams)
	h, err := HashPassword("timing equalisation test")
	if err != nil {
		t.Fatal(err)
	}
	// The two are timed in turn, five times each, and the fastest of
	// each kept: on a loaded machine a burst of other work then slows
	// both alike instead of one of them.
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	check, dummy := time.Duration(1<<62), time.Duration(1<<62)
	for range 5 {
		check = min(check, timed(func() { _, _, _ = CheckPassword(h, "wrong guess here") }))
		dummy = min(dummy, timed(DummyCheck))
	}
	if dummy < check/3 {
		t.Fatalf("DummyCheck took %v, CheckPassword %v: timing not equalised", dummy, check)
	}
}

func TestValidatePasswordPolicy(t *testing.T) {
	tests := []struct {
		pw   string
		want error
	}{
		{"", ErrPasswordTooShort},
		{"short", ErrPasswordTooShort},
		{"elevenchars", ErrPasswordTooShort},
		{"twelve chars", nil},
		{"Tr0ub4dor&3x", nil},
		{"éèêëēėęîïíī", ErrPasswordTooShort},                                 // 11 runes, 22 bytes
		{"éèêëēėęîïíīì", nil},                                                // 12 runes
		{"e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301x", ErrPasswordTooShort}, // 7 characters once composed
		{"ab    cd    ef    gh", ErrPasswordTooShort},                        // "ab cd ef gh" = 11
		{"   padded    ", ErrPasswordTooShort},
		{"correct horse battery staple!", nil},
		{"🐱🐶🐭🐹🐰🦊🐻🐼🐨🐯🦁🐮", nil},                                                            // 12 emoji
		{strings.Repeat("x", 10) + "yzw" + strings.Repeat("v", 243), nil},                // 256 bytes
		{strings.Repeat("x", 10) + "yzw" + strings.Repeat("v", 244), ErrPasswordTooLong}, // 257 bytes
		{"bad utf8 \xff\xfe here!", ErrPasswordInvalidEncoding},
		{"has a nul\x00 in it", ErrPasswordControlChars},
		{"has an escape\x1b[0m", ErrPasswordControlChars},
		{"tab\tseparated words", nil},
		{"password1234", ErrPasswordCommon},
		{"Password1234", ErrPasswordCommon},
		{"QWERTY123456", ErrPasswordCommon},
		{"correct horse  battery staple", ErrPasswordCommon},
		{"aaaaaaaaaaaaaaaa", ErrPasswordCommon},
		{"abababababab", ErrPasswordCommon},
		{"abcabcabcabc", ErrPasswordCommon},
		{"123456789012", ErrPasswordCommon},
		{"9876543210987", ErrPasswordCommon},
		{"abcdefghijklmnop", ErrPasswordCommon},
		{"abcdefghijklmnoq", nil},
	}
	for _, tt := range tests {
		if got := ValidatePasswordPolicy(tt.pw); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("ValidatePasswordPolicy(%q) = %v; want %v", tt.pw, got, tt.want)
		}
	}
}

func TestValidatePasswordPolicyFor(t *testing.T) {
	ctx := []string{"hearme", "Jane.Smith@example.org", "Jane Smith"}
	tests := []struct {
		pw   string
		want error
	}{
		{"jane.smith@example.org", ErrPasswordContextWord},
		{"Jane.Smith@example.org1", ErrPasswordContextWord},
		{"hearmehearme2026!", ErrPasswordContextWord},
		{"JaneSmith1234", ErrPasswordContextWord},
		{"smith family garden", nil}, // "smith" removed: "family garden" = 13
		{"smith garden", ErrPasswordContextWord},
		{"purple otter kettle", nil},
		{"short", ErrPasswordTooShort}, // length still checked first
	}
	for _, tt := range tests {
		if got := ValidatePasswordPolicyFor(tt.pw, ctx...); !errors.Is(got, tt.want) || (tt.want == nil && got != nil) {
			t.Errorf("ValidatePasswordPolicyFor(%q) = %v; want %v", tt.pw, got, tt.want)
		}
	}
}

func FuzzCheckPassword(f *testing.F) {
	// Keep any accidentally valid parameter set cheap.
	maxArgonMemoryKiB, maxArgonTime, maxArgonThreads = 1024, 2, 4
	f.Cleanup(func() { maxArgonMemoryKiB, maxArgonTime, maxArgonThreads = 256*1024, 16, 16 })

	valid, err := HashPassword("fuzz seed password")
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		valid,
		"",
		"$",
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"$argon2id$v=19$m=0,t=0,p=0$AAAA$AAAA",
		"$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA",
		"$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
	} {
		f.Add(s, "fuzz seed password")
	}
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		ok, rehash, err := CheckPassword(encoded, pw)
		if err != nil && (ok || rehash) {
			t.Fatalf("error %v with ok=%v rehash=%v", err, ok, rehash)
		}
		if rehash && !ok {
			t.Fatal("needsRehash without a matching password")
		}
		if err != nil && !errors.Is(err, ErrMalformedHash) && !errors.Is(err, ErrUnsupportedHash) {
			t.Fatalf("unexpected error type: %v", err)
		}
		if err == nil {
			// Anything accepted must round-trip through the encoder.
			p, salt, key, derr := decodeHash(encoded)
			if derr != nil {
				t.Fatalf("decodeHash disagrees: %v", derr)
			}
			if got := encodeHash(p, salt, key); got != encoded {
				t.Fatalf("accepted non-canonical hash %q (canonical %q)", encoded, got)
			}
		}
	})
}
