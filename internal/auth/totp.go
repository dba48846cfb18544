package auth

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"image/png"
	"strings"
	"time"
	"unicode"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters. These are the RFC 6238 defaults that every common
// authenticator app (Microsoft/Google Authenticator, FreeOTP, 1Password, …)
// supports; changing them would break enrolled devices.
const (
	TOTPPeriod     = 30 // seconds per step
	TOTPDigits     = 6
	totpSecretSize = 20 // bytes = 160 bits, as recommended by RFC 4226
	totpSkew       = 1  // steps either side of now
	// minTOTPSecretChars rejects secrets under 80 bits (16 base32
	// characters), e.g. an empty value from a broken database row, which
	// would otherwise verify against an HMAC with an empty key.
	minTOTPSecretChars = 16
	// TOTPQRCodeSize is the width and height in pixels of TOTPQRCodePNG's image.
	TOTPQRCodeSize = 256
)

// ErrNotTOTPURL is returned by TOTPQRCodePNG for a URL that is not an
// otpauth://totp/ URL with a secret.
var ErrNotTOTPURL = errors.New("auth: not an otpauth TOTP URL")

var hotpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// NewTOTPSecret generates a random 160-bit TOTP secret for account (the
// label the user sees in the authenticator app, e.g. their e-mail address)
// at issuer (e.g. "hearme – Anytown Council"). It returns the unpadded
// base32 secret, which the caller should store (ideally encrypted at rest)
// only once the user has confirmed a first code, and the otpauth:// URL for
// TOTPQRCodePNG.
func NewTOTPSecret(issuer, account string) (secret string, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      TOTPPeriod,
		SecretSize:  totpSecretSize,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// TOTPStep returns the TOTP time step containing t.
func TOTPStep(t time.Time) int64 {
	s := t.Unix()
	step := s / TOTPPeriod
	if s < 0 && s%TOTPPeriod != 0 {
		step-- // floor division
	}
	return step
}

// VerifyTOTP checks code against secret at time now, accepting the current
// step and one step either side (clock skew). A code whose step is not
// greater than lastUsedStep is rejected, so each code — and any code older
// than the last one accepted — can be used only once (ASVS 2.8.4). On
// success the caller must persist the returned step as the new lastUsedStep
// (use 0 before the first successful use).
//
// White space anywhere in code is ignored ("123 456"); anything other than
// exactly six ASCII digits fails. An invalid secret fails.
func VerifyTOTP(secret, code string, now time.Time, lastUsedStep int64) (step int64, ok bool) {
	code = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, code)
	if len(code) != TOTPDigits {
		return 0, false
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return 0, false
		}
	}
	if len(strings.TrimSpace(secret)) < minTOTPSecretChars {
		return 0, false
	}
	cur := TOTPStep(now)
	matched := int64(-1)
	// Check every candidate (no early exit) and keep the newest match.
	for s := cur - totpSkew; s <= cur+totpSkew; s++ {
		if s < 0 {
			continue
		}
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotpOpts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = s
		}
	}
	if matched < 0 || matched <= lastUsedStep {
		return 0, false
	}
	return matched, true
}

// TOTPQRCodePNG renders otpauthURL (from NewTOTPSecret) as a PNG QR code so
// the set-up page can serve it from its own origin rather than sending the
// secret to a third-party QR service.
func TOTPQRCodePNG(otpauthURL string) ([]byte, error) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		return nil, err
	}
	if key.Type() != "totp" || key.Secret() == "" {
		return nil, ErrNotTOTPURL
	}
	img, err := key.Image(TOTPQRCodeSize, TOTPQRCodeSize)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// FormatTOTPSecret splits a base32 secret into space-separated groups of
// four characters for manual entry ("JBSW Y3DP EHPK 3PXP"). Authenticator
// apps ignore the spaces.
func FormatTOTPSecret(secret string) string {
	secret = strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	var b strings.Builder
	n := 0
	for _, r := range secret {
		if n > 0 && n%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
