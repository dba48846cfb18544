package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Second-factor recovery codes: shown once when a second factor is set
// up (and when new ones are made), each usable once instead of a code
// from the authenticator app.
//
// A code is 10 characters from a 30-character alphabet without 0/O,
// 1/I/L or U (49 bits), written "XXXXX-XXXXX". It is stored as
// HMAC-SHA-256 under a key derived from the keyring (RecoveryHash), not
// with argon2id like a password: a password is chosen by a person and
// may be guessed, so it needs a slow hash; a recovery code is random, so
// no guess list helps, and the key, kept outside the database, means a
// copied database gives nothing to try codes against at all. A fast hash
// lets sign-in compare against every unused code of the account without
// spending a second of CPU per attempt (docs/security.md).
const (
	RecoveryCodeCount = 10
	recoveryAlphabet  = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
	recoveryLen       = 10
)

// NewRecoveryCodes returns RecoveryCodeCount fresh codes, as shown.
func NewRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		var b strings.Builder
		for j := range recoveryLen {
			if j == recoveryLen/2 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[randIndex(len(recoveryAlphabet))])
		}
		codes[i] = b.String()
	}
	return codes
}

// randIndex returns a uniform random index below n (rejection sampling).
func randIndex(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// NormaliseRecoveryCode makes what a person typed comparable: upper
// case, without spaces or hyphens. It returns "" when the result is not
// a code's length or holds a character no code has.
func NormaliseRecoveryCode(typed string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(typed) {
		switch {
		case r == ' ' || r == '-' || r == '\t':
			continue
		case r < 128 && strings.IndexByte(recoveryAlphabet, byte(r)) >= 0:
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != recoveryLen {
		return ""
	}
	return b.String()
}

// RecoveryHash is the stored form of a code: hex HMAC-SHA-256 under key
// (sealed.Keyring.Derive("recovery-codes")) of the normalised code and
// the account's id, so one code's hash says nothing about another
// account's.
func RecoveryHash(key []byte, userID, code string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(userID))
	mac.Write([]byte{0})
	mac.Write([]byte(NormaliseRecoveryCode(code)))
	return hex.EncodeToString(mac.Sum(nil))
}
