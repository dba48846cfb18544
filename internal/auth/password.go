package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Password length limits (ASVS 2.1.1, 2.1.2; NIST 800-63B 5.1.1.2).
const (
	// MinPasswordRunes is the minimum number of characters (Unicode code
	// points, after NFKC normalisation and after runs of white space are
	// collapsed into one) a new password must have.
	MinPasswordRunes = 12
	// MaxPasswordBytes is the maximum size of a password in bytes of UTF-8.
	// It comfortably allows 64+ character pass phrases (ASVS 2.1.2) while
	// bounding the work done for hostile input. Passwords are never
	// truncated (ASVS 2.1.3): longer input is rejected.
	MaxPasswordBytes = 256
)

// Errors returned by ValidatePasswordPolicy and ValidatePasswordPolicyFor.
// The web layer maps each to a translation key.
var (
	ErrPasswordTooShort = errors.New("auth: password too short")
	ErrPasswordTooLong  = errors.New("auth: password too long")
	// ErrPasswordInvalidEncoding: the password is not valid UTF-8.
	ErrPasswordInvalidEncoding = errors.New("auth: password is not valid UTF-8")
	// ErrPasswordControlChars: the password contains control characters
	// (NUL, escape, …) that cannot be typed reliably.
	ErrPasswordControlChars = errors.New("auth: password contains control characters")
	// ErrPasswordCommon: the password is on the built-in list of commonly
	// used passwords or is trivially repetitive or sequential
	// ("aaaaaaaaaaaa", "123456789012", "abcabcabcabc").
	ErrPasswordCommon = errors.New("auth: password is too common or predictable")
	// ErrPasswordContextWord: the password is essentially made of a
	// context-specific word (the service name, the user's e-mail address
	// or name) passed to ValidatePasswordPolicyFor.
	ErrPasswordContextWord = errors.New("auth: password is based on the account name or service name")
)

// Errors returned by CheckPassword for stored hashes that cannot be used.
var (
	// ErrMalformedHash: the stored string is not a well-formed argon2id PHC
	// string with parameters in the accepted range.
	ErrMalformedHash = errors.New("auth: malformed password hash")
	// ErrUnsupportedHash: a well-formed PHC string for another algorithm or
	// argon2 version.
	ErrUnsupportedHash = errors.New("auth: unsupported password hash algorithm")
)

// argonParams is one argon2id parameter set.
type argonParams struct {
	memory  uint32 // KiB
	time    uint32 // iterations
	threads uint8  // parallelism
	saltLen uint32 // bytes
	keyLen  uint32 // bytes
}

// owaspParams is the OWASP Password Storage Cheat Sheet recommendation for
// argon2id: m=19 MiB, t=2, p=1.
var owaspParams = argonParams{memory: 19 * 1024, time: 2, threads: 1, saltLen: 16, keyLen: 32}

// params is the parameter set used for new hashes; CheckPassword reports
// needsRehash for hashes made with anything else. Tests lower it to keep
// the suite quick.
var params = owaspParams

// Bounds on parameters accepted from a stored hash. They stop a corrupted
// or hostile database value from making a login take minutes or gigabytes.
// Variables (not constants) so the fuzz test can tighten them.
var (
	maxArgonMemoryKiB uint32 = 256 * 1024 // 256 MiB
	maxArgonTime      uint32 = 16
	maxArgonThreads   uint32 = 16
)

const (
	minSaltLen, maxSaltLen = 8, 64
	minKeyLen, maxKeyLen   = 16, 64
	// maxEncodedLen bounds the stored string before any parsing.
	maxEncodedLen = 256
)

var b64 = base64.RawStdEncoding.Strict()

// normalizePassword applies NFKC (NIST 800-63B 5.1.1.2) so that the same
// password typed on different devices (composed vs decomposed accents,
// full-width digits, …) hashes identically.
func normalizePassword(pw string) []byte {
	return norm.NFKC.Bytes([]byte(pw))
}

// HashPassword hashes pw with argon2id using the current parameters and a
// fresh random salt, returning a PHC string such as
//
//	$argon2id$v=19$m=19456,t=2,p=1$<base64 salt>$<base64 hash>
//
// (unpadded standard base64, as in the PHC specification). It does not apply
// the password policy — call ValidatePasswordPolicy first — but refuses input
// longer than MaxPasswordBytes, which the policy would never have accepted.
func HashPassword(pw string) (string, error) {
	if len(pw) > MaxPasswordBytes {
		return "", ErrPasswordTooLong
	}
	p := params
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: reading salt: %w", err)
	}
	key := argon2.IDKey(normalizePassword(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	return encodeHash(p, salt, key), nil
}

func encodeHash(p argonParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether pw matches the PHC string encoded, comparing
// in constant time. needsRehash is true only when ok is true and encoded was
// made with parameters other than the current ones; the caller should then
// store a fresh HashPassword(pw). A malformed or unsupported encoded string
// returns an error (wrapping ErrMalformedHash or ErrUnsupportedHash) and
// ok == false; a wrong password returns ok == false and a nil error.
func CheckPassword(encoded, pw string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey(normalizePassword(pw), salt, p.time, p.memory, p.threads, p.keyLen)
	// An over-long password can never have been set. It still costs the
	// full argon2 work above, so that its timing matches DummyCheck and
	// does not reveal whether the account exists.
	if subtle.ConstantTimeCompare(got, want) != 1 || len(pw) > MaxPasswordBytes {
		return false, false, nil
	}
	return true, p != params, nil
}

// dummySalt is a fixed salt for DummyCheck; its value is irrelevant.
var dummySalt = make([]byte, owaspParams.saltLen)

// DummyCheck performs the same argon2id work as CheckPassword on a current
// hash and discards the result. Call it when a login names an account that
// does not exist (or is disabled) so that response timing does not reveal
// whether the account exists (ASVS 2.2.x / user enumeration).
func DummyCheck() {
	p := params
	salt := dummySalt
	if uint32(len(salt)) != p.saltLen {
		salt = make([]byte, p.saltLen)
	}
	_ = argon2.IDKey([]byte("hearme-dummy-password"), salt, p.time, p.memory, p.threads, p.keyLen)
}

// decodeHash parses an argon2id PHC string. It never panics and rejects
// parameters outside sane bounds.
func decodeHash(encoded string) (p argonParams, salt, key []byte, err error) {
	if len(encoded) > maxEncodedLen {
		return p, nil, nil, fmt.Errorf("%w: too long", ErrMalformedHash)
	}
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, hash
	if len(parts) < 2 || parts[0] != "" || parts[1] == "" {
		return p, nil, nil, fmt.Errorf("%w: not a PHC string", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return p, nil, nil, fmt.Errorf("%w: %q", ErrUnsupportedHash, parts[1])
	}
	if len(parts) != 6 {
		return p, nil, nil, fmt.Errorf("%w: wrong number of fields", ErrMalformedHash)
	}
	v, ok := strings.CutPrefix(parts[2], "v=")
	if !ok {
		return p, nil, nil, fmt.Errorf("%w: missing version", ErrMalformedHash)
	}
	version, err := parseDecimal(v)
	if err != nil {
		return p, nil, nil, fmt.Errorf("%w: version: %v", ErrMalformedHash, err)
	}
	if version != argon2.Version {
		return p, nil, nil, fmt.Errorf("%w: argon2 version %d", ErrUnsupportedHash, version)
	}

	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return p, nil, nil, fmt.Errorf("%w: want m,t,p parameters", ErrMalformedHash)
	}
	var vals [3]uint32
	for i, name := range [3]string{"m=", "t=", "p="} {
		s, ok := strings.CutPrefix(fields[i], name)
		if !ok {
			return p, nil, nil, fmt.Errorf("%w: want parameter %q", ErrMalformedHash, name[:1])
		}
		if vals[i], err = parseDecimal(s); err != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %s: %v", ErrMalformedHash, name[:1], err)
		}
	}
	m, t, threads := vals[0], vals[1], vals[2]
	switch {
	case threads < 1 || threads > maxArgonThreads:
		return p, nil, nil, fmt.Errorf("%w: p=%d out of range", ErrMalformedHash, threads)
	case t < 1 || t > maxArgonTime:
		return p, nil, nil, fmt.Errorf("%w: t=%d out of range", ErrMalformedHash, t)
	case m < 8*threads || m > maxArgonMemoryKiB:
		return p, nil, nil, fmt.Errorf("%w: m=%d out of range", ErrMalformedHash, m)
	}

	salt, ok = decodeB64(parts[4])
	if !ok || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return p, nil, nil, fmt.Errorf("%w: bad salt", ErrMalformedHash)
	}
	key, ok = decodeB64(parts[5])
	if !ok || len(key) < minKeyLen || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: bad hash value", ErrMalformedHash)
	}
	p = argonParams{
		memory:  m,
		time:    t,
		threads: uint8(threads),
		saltLen: uint32(len(salt)),
		keyLen:  uint32(len(key)),
	}
	return p, salt, key, nil
}

// decodeB64 decodes canonical unpadded standard base64. The standard
// decoder silently skips '\r' and '\n', so the result is re-encoded and
// compared to reject those (and any other non-canonical form).
func decodeB64(s string) ([]byte, bool) {
	b, err := b64.DecodeString(s)
	if err != nil || b64.EncodeToString(b) != s {
		return nil, false
	}
	return b, true
}

// parseDecimal parses a canonical (no sign, no leading zero) decimal uint32.
func parseDecimal(s string) (uint32, error) {
	if s == "" {
		return 0, errors.New("empty number")
	}
	if len(s) > 1 && s[0] == '0' {
		return 0, errors.New("leading zero")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errors.New("not a decimal number")
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("number out of range")
	}
	return uint32(n), nil
}

// ValidatePasswordPolicy checks a new password against the NIST 800-63B /
// ASVS 2.1 rules: valid UTF-8, at most MaxPasswordBytes bytes, no control
// characters, at least MinPasswordRunes characters (counted after NFKC and
// after collapsing runs of white space), and not a common, repetitive or
// sequential password. There are deliberately no composition rules (ASVS
// 2.1.9): any printable Unicode, including spaces and emoji, is allowed.
//
// The first failing rule is returned, in the order listed above.
func ValidatePasswordPolicy(pw string) error {
	return ValidatePasswordPolicyFor(pw)
}

// ValidatePasswordPolicyFor is ValidatePasswordPolicy plus a check against
// context-specific words (NIST 800-63B 5.1.1.2), typically the service name
// and the user's e-mail address and display name. An e-mail address is also
// split at '@' and '.' so its parts count as words. Words (and parts) of
// fewer than 4 characters are ignored. The password is rejected with
// ErrPasswordContextWord when, with every occurrence of these words removed
// (case-insensitively), what remains would be too short.
func ValidatePasswordPolicyFor(pw string, contextWords ...string) error {
	if !utf8.ValidString(pw) {
		return ErrPasswordInvalidEncoding
	}
	if len(pw) > MaxPasswordBytes {
		return ErrPasswordTooLong
	}
	for _, r := range pw {
		if unicode.IsControl(r) && r != '\t' {
			return ErrPasswordControlChars
		}
	}
	canon := canonicalForLength(string(normalizePassword(pw)))
	if utf8.RuneCountInString(canon) < MinPasswordRunes {
		return ErrPasswordTooShort
	}
	lower := strings.ToLower(canon)
	if isCommonPassword(lower) {
		return ErrPasswordCommon
	}
	if len(contextWords) > 0 {
		rest := lower
		for _, w := range expandContextWords(contextWords) {
			rest = strings.ReplaceAll(rest, w, "")
		}
		if utf8.RuneCountInString(canonicalForLength(rest)) < MinPasswordRunes {
			return ErrPasswordContextWord
		}
	}
	return nil
}

// canonicalForLength trims white space and collapses internal runs of white
// space into a single space ("after multiple spaces are combined", ASVS 2.1.1).
func canonicalForLength(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func expandContextWords(words []string) []string {
	var out []string
	add := func(w string) {
		w = strings.ToLower(canonicalForLength(string(norm.NFKC.Bytes([]byte(w)))))
		if utf8.RuneCountInString(w) >= 4 {
			out = append(out, w)
		}
	}
	for _, w := range words {
		add(w)
		for _, part := range strings.FieldsFunc(w, func(r rune) bool {
			return r == '@' || r == '.' || r == '_' || r == '-' || r == '+' || unicode.IsSpace(r)
		}) {
			add(part)
		}
	}
	// Longest first so that "jane.smith@example.org" is removed before
	// "jane", leaving no fragments behind.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// commonPasswords is a small built-in list of frequently breached passwords
// that satisfy the 12-character minimum. It is not a substitute for a full
// breached-password corpus (ASVS 2.1.7), which can be added later.
var commonPasswords = map[string]struct{}{}

func init() {
	for _, p := range []string{
		"password1234", "password12345", "password123456", "password1234567",
		"password123!", "password2024", "password2025", "password2026",
		"passwordpassword", "passw0rd1234", "p@ssword1234", "p@ssw0rd1234",
		"qwertyuiop12", "qwerty123456", "qwertyuiop123", "qwertyuiopasdf",
		"qwertyuiopasdfghjkl", "qwertyuiopasdfghjklzxcvbnm", "1q2w3e4r5t6y",
		"1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "zaq12wsxcde3", "asdfghjkl123",
		"zxcvbnm12345", "123qweasdzxc", "qweasdzxc123", "abc123456789",
		"123456789abc", "123456abcdef", "iloveyou1234", "iloveyou12345",
		"welcome12345", "welcome123456", "letmein12345", "administrator",
		"administrator1", "admin1234567", "changeme1234", "changemenow!",
		"trustno1trustno1", "football1234", "liverpool123", "liverpoolfc1",
		"manchesterunited", "chelsea12345", "arsenal12345", "monkey123456",
		"sunshine1234", "princess1234", "dragon123456", "whatever1234",
		"starwars1234", "superman1234", "baseball1234", "michael12345",
		"correct horse battery staple", "correcthorsebatterystaple",
		"thequickbrownfox", "the quick brown fox jumps over the lazy dog",
		"hearme123456", "hearmehearme", "nhs123456789", "council12345",
	} {
		commonPasswords[p] = struct{}{}
	}
}

// isCommonPassword reports whether lower (already lower-cased and
// space-collapsed) is on the built-in list or trivially predictable.
func isCommonPassword(lower string) bool {
	if _, ok := commonPasswords[lower]; ok {
		return true
	}
	if _, ok := commonPasswords[strings.ReplaceAll(lower, " ", "")]; ok {
		return true
	}
	runes := []rune(lower)
	// Too few distinct characters: "aaaaaaaaaaaa", "abababababab", "abcabcabcabc".
	distinct := make(map[rune]struct{}, 8)
	for _, r := range runes {
		distinct[r] = struct{}{}
	}
	if len(distinct) <= 3 {
		return true
	}
	// A single ascending or descending run: "123456789012", "abcdefghijklm",
	// "987654321098" (digits wrap 9→0).
	return isSequential(runes, 1) || isSequential(runes, -1)
}

func isSequential(runes []rune, step rune) bool {
	for i := 1; i < len(runes); i++ {
		prev, cur := runes[i-1], runes[i]
		if cur-prev == step {
			continue
		}
		if step == 1 && prev == '9' && cur == '0' || step == -1 && prev == '0' && cur == '9' {
			continue
		}
		return false
	}
	return true
}
