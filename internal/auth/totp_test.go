package auth

import (
	"bytes"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// fixed instant 15 s into a step so ±30 s stays in the neighbouring steps.
var totpNow = time.Date(2026, 3, 2, 9, 30, 15, 0, time.UTC)

// fixedSecret makes the verification tests deterministic.
const fixedSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

func newTestSecret(t *testing.T) string {
	t.Helper()
	secret, u, err := NewTOTPSecret("hearme Test Council", "jane@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if u == "" {
		t.Fatal("empty otpauth URL")
	}
	return secret
}

func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totpOpts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewTOTPSecret(t *testing.T) {
	secret, raw, err := NewTOTPSecret("hearme Test Council", "jane@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes of base32
		t.Fatalf("secret %q has %d characters, want 32", secret, len(secret))
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("secret") != secret ||
		q.Get("issuer") != "hearme Test Council" || q.Get("digits") != "6" ||
		q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Fatalf("unexpected otpauth URL %q", raw)
	}
	if !strings.Contains(u.Path, "jane@example.org") {
		t.Fatalf("account missing from %q", raw)
	}
	other, _, err := NewTOTPSecret("hearme Test Council", "jane@example.org")
	if err != nil || other == secret {
		t.Fatalf("second secret %q (err %v) equals first", other, err)
	}
	if _, _, err := NewTOTPSecret("", "jane@example.org"); err == nil {
		t.Fatal("empty issuer accepted")
	}
}

func TestVerifyTOTPSkew(t *testing.T) {
	secret := fixedSecret
	cur := TOTPStep(totpNow)
	for _, tc := range []struct {
		offset time.Duration
		ok     bool
	}{
		{0, true},
		{-30 * time.Second, true},
		{30 * time.Second, true},
		{-60 * time.Second, false},
		{-90 * time.Second, false},
		{60 * time.Second, false},
		{-10 * time.Minute, false},
	} {
		code := codeAt(t, secret, totpNow.Add(tc.offset))
		step, ok := VerifyTOTP(secret, code, totpNow, 0)
		if ok != tc.ok {
			t.Errorf("offset %v: VerifyTOTP ok = %v, want %v", tc.offset, ok, tc.ok)
			continue
		}
		if ok {
			if want := cur + int64(tc.offset/(30*time.Second)); step != want {
				t.Errorf("offset %v: step = %d, want %d", tc.offset, step, want)
			}
		}
	}
}

func TestVerifyTOTPReplay(t *testing.T) {
	secret := fixedSecret
	code := codeAt(t, secret, totpNow)
	step, ok := VerifyTOTP(secret, code, totpNow, 0)
	if !ok {
		t.Fatal("fresh code rejected")
	}
	if _, ok := VerifyTOTP(secret, code, totpNow, step); ok {
		t.Fatal("replayed code accepted")
	}
	if _, ok := VerifyTOTP(secret, code, totpNow.Add(20*time.Second), step); ok {
		t.Fatal("replayed code accepted a little later")
	}
	// An older (still in-window) code is also refused once a newer step was used.
	prev := codeAt(t, secret, totpNow.Add(-30*time.Second))
	if _, ok := VerifyTOTP(secret, prev, totpNow, step); ok {
		t.Fatal("code from an earlier step accepted after a later one was used")
	}
	// The next step's code is fine.
	next := codeAt(t, secret, totpNow.Add(30*time.Second))
	step2, ok := VerifyTOTP(secret, next, totpNow.Add(30*time.Second), step)
	if !ok || step2 != step+1 {
		t.Fatalf("next code: step %d ok %v; want %d true", step2, ok, step+1)
	}
}

func TestVerifyTOTPInput(t *testing.T) {
	secret := fixedSecret
	code := codeAt(t, secret, totpNow)
	spaced := code[:3] + " " + code[3:]
	for _, good := range []string{" " + code + " ", spaced, "\t" + code + "\n", code[:2] + " " + code[2:4] + " " + code[4:]} {
		if _, ok := VerifyTOTP(secret, good, totpNow, 0); !ok {
			t.Errorf("VerifyTOTP(%q) rejected", good)
		}
	}
	arabic := strings.Map(func(r rune) rune { return r - '0' + '\u0660' }, code)
	for _, bad := range []string{
		"", "      ", "abcdef", "12345", "1234567", code + "0", code[:5],
		code[:5] + "x", "-" + code[1:], "+" + code[1:], arabic, "１２３４５６",
		"000000", "999999", "12345\x00", code + "\x00",
	} {
		if bad == code {
			continue
		}
		if _, ok := VerifyTOTP(secret, bad, totpNow, 0); ok {
			t.Errorf("VerifyTOTP(%q) accepted", bad)
		}
	}
	for _, badSecret := range []string{"", "   ", "JBSWY3DP", "not base32 at all!!", "0189018901890189"} {
		c := code
		if gen, err := totp.GenerateCodeCustom(badSecret, totpNow, totpOpts); err == nil {
			c = gen // a code that would match this (weak) secret
		}
		if _, ok := VerifyTOTP(badSecret, c, totpNow, 0); ok {
			t.Errorf("VerifyTOTP with secret %q accepted", badSecret)
		}
	}
	// Another secret's code fails.
	if _, ok := VerifyTOTP("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", code, totpNow, 0); ok {
		t.Error("code for another secret accepted")
	}
}

func TestTOTPStep(t *testing.T) {
	for _, tc := range []struct {
		unix int64
		want int64
	}{{0, 0}, {29, 0}, {30, 1}, {59, 1}, {-1, -1}, {-30, -1}, {-31, -2}} {
		if got := TOTPStep(time.Unix(tc.unix, 0)); got != tc.want {
			t.Errorf("TOTPStep(%d) = %d, want %d", tc.unix, got, tc.want)
		}
	}
}

func TestTOTPQRCodePNG(t *testing.T) {
	_, u, err := NewTOTPSecret("hearme", "jane@example.org")
	if err != nil {
		t.Fatal(err)
	}
	b, err := TOTPQRCodePNG(u)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() != TOTPQRCodeSize || r.Dy() != TOTPQRCodeSize {
		t.Fatalf("image is %v, want %dx%d", r, TOTPQRCodeSize, TOTPQRCodeSize)
	}
	if _, err := TOTPQRCodePNG("otpauth://hotp/x:y?secret=JBSWY3DPEHPK3PXP&counter=0"); !errors.Is(err, ErrNotTOTPURL) {
		t.Fatalf("HOTP URL: err = %v, want ErrNotTOTPURL", err)
	}
	if _, err := TOTPQRCodePNG("otpauth://totp/x:y?issuer=x"); !errors.Is(err, ErrNotTOTPURL) {
		t.Fatalf("URL without secret: err = %v, want ErrNotTOTPURL", err)
	}
	if _, err := TOTPQRCodePNG("%%%"); err == nil {
		t.Fatal("garbage URL accepted")
	}
}

func TestFormatTOTPSecret(t *testing.T) {
	for in, want := range map[string]string{
		"JBSWY3DPEHPK3PXP":                 "JBSW Y3DP EHPK 3PXP",
		"jbswy3dpehpk3pxpa":                "JBSW Y3DP EHPK 3PXP A",
		"ABC":                              "ABC",
		"":                                 "",
		"JBSW Y3DP EHPK 3PXP":              "JBSW Y3DP EHPK 3PXP",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567": "ABCD EFGH IJKL MNOP QRST UVWX YZ23 4567",
	} {
		if got := FormatTOTPSecret(in); got != want {
			t.Errorf("FormatTOTPSecret(%q) = %q, want %q", in, got, want)
		}
	}
}
