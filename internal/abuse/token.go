package abuse

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
)

// TokenField is the suggested name of the hidden form field carrying the
// token issued by Signer.Issue:
//
//	<input type="hidden" name="form_token" value="{{.FormToken}}">
const TokenField = "form_token"

// Default token ages.
const (
	// DefaultMinAge is the least time a person can plausibly take to fill
	// in a public form; a submission sooner than this is treated as a bot
	// (or an over-eager autofill) and the form is re-shown with answers
	// kept.
	DefaultMinAge = 3 * time.Second
	// DefaultMaxAge is how long a rendered form stays valid. It is long so
	// that someone typing slowly, in their second language, or taking a
	// break to compose themselves does not lose their answers.
	DefaultMaxAge = 4 * time.Hour
)

// MinKeySize is the shortest key NewSigner accepts (the HMAC-SHA256 block
// of entropy; derive it from the application keyring).
const MinKeySize = 32

// MaxFormNameLen is the longest form name Issue accepts.
const MaxFormNameLen = 64

// Errors returned by Signer.Check and Signer.CheckOnce. Compare with
// errors.Is.
var (
	// ErrTokenMissing: the submission carried no token at all.
	ErrTokenMissing = errors.New("abuse: form token missing")
	// ErrTokenInvalid: the token is malformed, its signature does not
	// verify (tampered, or signed with another key) or it was issued for
	// another form.
	ErrTokenInvalid = errors.New("abuse: form token invalid")
	// ErrTooFast: the token is genuine but the form came back sooner than
	// the minimum age. Re-show the form with the answers kept.
	ErrTooFast = errors.New("abuse: form submitted too fast")
	// ErrTokenExpired: the token is genuine but older than the maximum age.
	ErrTokenExpired = errors.New("abuse: form token expired")
	// ErrTokenReplayed: the token is genuine and in date but has already
	// been accepted once by CheckOnce with the same Seen set.
	ErrTokenReplayed = errors.New("abuse: form token already used")
)

// Token layout (before base64url encoding, no padding):
//
//	version   1 byte   (tokenVersion)
//	issued    8 bytes  big-endian Unix milliseconds
//	nonce    12 bytes  random, so two forms served in the same millisecond
//	                   get distinct tokens (matters for single use)
//	formLen   1 byte
//	form      formLen bytes
//	mac      32 bytes  HMAC-SHA256(key, macDomain || all of the above)
const (
	tokenVersion  = 1
	nonceSize     = 12
	macSize       = sha256.Size
	headerSize    = 1 + 8 + nonceSize + 1
	minTokenBytes = headerSize + macSize
	maxTokenBytes = minTokenBytes + MaxFormNameLen
	// maxTokenLen bounds the encoded length so Check never decodes large
	// attacker-supplied input.
	maxTokenLen = (maxTokenBytes*8 + 5) / 6
)

// macDomain separates this use of the key from any other use of the same
// key material.
const macDomain = "hearme/abuse/form-token/v1\x00"

var tokenEncoding = base64.RawURLEncoding.Strict()

// SignerOption configures a Signer.
type SignerOption func(*Signer)

// WithMinAge sets the minimum age (default DefaultMinAge). Zero disables
// the check; negative values are ignored.
func WithMinAge(d time.Duration) SignerOption {
	return func(s *Signer) {
		if d >= 0 {
			s.minAge = d
		}
	}
}

// WithMaxAge sets the maximum age (default DefaultMaxAge). Values that are
// not positive are ignored.
func WithMaxAge(d time.Duration) SignerOption {
	return func(s *Signer) {
		if d > 0 {
			s.maxAge = d
		}
	}
}

// Signer issues and checks signed time tokens for public forms. It is
// stateless apart from its key and safe for concurrent use.
//
// Rendering the form:
//
//	data.FormToken = signer.Issue("share")
//
// Handling the POST (or use Guard, which also applies the honeypot and
// the rate limit):
//
//	switch err := signer.CheckOnce(r.PostFormValue(abuse.TokenField), "share", seen); {
//	case err == nil: // store
//	case errors.Is(err, abuse.ErrTooFast): // re-show, answers kept
//	...
//	}
//
// Tokens are not secret and not encrypted: the issue time and form name
// can be read by anyone holding the token. They carry nothing about the
// person.
type Signer struct {
	key    []byte
	clock  func() time.Time
	minAge time.Duration
	maxAge time.Duration
}

// NewSigner returns a Signer using key (at least MinKeySize bytes; it is
// copied) and clock (time.Now if nil). It panics if key is too short: that
// is a configuration error which must stop start-up.
func NewSigner(key []byte, clock func() time.Time, opts ...SignerOption) *Signer {
	if len(key) < MinKeySize {
		panic("abuse: NewSigner: key shorter than 32 bytes")
	}
	if clock == nil {
		clock = time.Now
	}
	s := &Signer{
		key:    append([]byte(nil), key...),
		clock:  clock,
		minAge: DefaultMinAge,
		maxAge: DefaultMaxAge,
	}
	for _, o := range opts {
		o(s)
	}
	if s.minAge >= s.maxAge {
		s.minAge = 0
	}
	return s
}

// MinAge returns the effective minimum age.
func (s *Signer) MinAge() time.Duration { return s.minAge }

// MaxAge returns the effective maximum age.
func (s *Signer) MaxAge() time.Duration { return s.maxAge }

func (s *Signer) mac(dst, msg []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(macDomain))
	h.Write(msg)
	return h.Sum(dst)
}

// Issue returns a new URL-safe token for form, stamped with the current
// time. Each call returns a different token. It panics if form is longer
// than MaxFormNameLen bytes (form names are constants in the code).
func (s *Signer) Issue(form string) string {
	if len(form) > MaxFormNameLen {
		panic("abuse: Issue: form name too long")
	}
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		panic("abuse: crypto/rand failed: " + err.Error()) // unreachable since Go 1.24
	}
	return s.issue(form, s.clock(), nonce)
}

// issue builds the token; split out so tests can make deterministic tokens.
func (s *Signer) issue(form string, now time.Time, nonce [nonceSize]byte) string {
	b := make([]byte, headerSize, headerSize+len(form)+macSize)
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(now.UnixMilli()))
	copy(b[9:9+nonceSize], nonce[:])
	b[headerSize-1] = byte(len(form))
	b = append(b, form...)
	b = s.mac(b, b)
	return tokenEncoding.EncodeToString(b)
}

// verify decodes token and checks its signature, version and form. It
// returns the decoded bytes and the issue time.
func (s *Signer) verify(token, form string) ([]byte, time.Time, error) {
	if token == "" {
		return nil, time.Time{}, ErrTokenMissing
	}
	if len(token) > maxTokenLen || !urlSafe(token) {
		return nil, time.Time{}, ErrTokenInvalid
	}
	b, err := tokenEncoding.DecodeString(token)
	if err != nil || len(b) < minTokenBytes {
		return nil, time.Time{}, ErrTokenInvalid
	}
	body, sig := b[:len(b)-macSize], b[len(b)-macSize:]
	var want [macSize]byte
	if !hmac.Equal(sig, s.mac(want[:0], body)) {
		return nil, time.Time{}, ErrTokenInvalid
	}
	// The signature is ours, so the layout is too; still check it rather
	// than trust it, in case of a future version sharing the key.
	if body[0] != tokenVersion || int(body[headerSize-1]) != len(body)-headerSize {
		return nil, time.Time{}, ErrTokenInvalid
	}
	if subtle.ConstantTimeCompare(body[headerSize:], []byte(form)) != 1 {
		return nil, time.Time{}, ErrTokenInvalid
	}
	issued := time.UnixMilli(int64(binary.BigEndian.Uint64(body[1:9])))
	return b, issued, nil
}

// urlSafe reports whether s holds only base64url characters. The decoder
// alone would accept (skip) embedded CR and LF, giving one token several
// spellings.
func urlSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// age checks the token's age at now.
func (s *Signer) age(issued, now time.Time) error {
	elapsed := now.Sub(issued)
	if elapsed > s.maxAge {
		return ErrTokenExpired
	}
	// A negative elapsed time (issued "in the future", e.g. after the
	// clock stepped back or across slightly skewed instances) counts as
	// too fast: the form is re-shown with a fresh token.
	if elapsed < s.minAge {
		return ErrTooFast
	}
	return nil
}

// Check reports whether token is a genuine, in-date token for form. It
// returns nil, ErrTokenMissing, ErrTokenInvalid, ErrTooFast or
// ErrTokenExpired. It does not consume the token: the same token may be
// checked any number of times, which suits the intermediate steps of a
// multi-step form. Use CheckOnce for the final submit.
func (s *Signer) Check(token, form string) error {
	_, issued, err := s.verify(token, form)
	if err != nil {
		return err
	}
	return s.age(issued, s.clock())
}

// CheckOnce is Check followed, if the token is acceptable, by recording it
// in seen; a token already recorded there yields ErrTokenReplayed. Tokens
// that fail any other check are not recorded, so a submission re-shown as
// too fast may be submitted again. The check and the recording are atomic.
// With a nil seen, CheckOnce is Check.
func (s *Signer) CheckOnce(token, form string, seen *Seen) error {
	b, issued, err := s.verify(token, form)
	if err != nil {
		return err
	}
	now := s.clock()
	if err := s.age(issued, now); err != nil {
		return err
	}
	if seen == nil {
		return nil
	}
	if !seen.add(tokenID(b), now, now.Add(s.maxAge)) {
		return ErrTokenReplayed
	}
	return nil
}

// used reports whether an acceptable token is already recorded in seen,
// without recording it.
func (s *Signer) used(token string, seen *Seen) bool {
	if seen == nil {
		return false
	}
	b, err := tokenEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	return seen.has(tokenID(b), s.clock())
}

// tokenID is the key under which Seen remembers a token: a hash of its
// canonical decoded bytes (the strict decoder guarantees one encoding per
// token, and hashing the bytes rather than the string makes that explicit).
func tokenID(decoded []byte) hashKey {
	return sha256.Sum256(decoded)
}
