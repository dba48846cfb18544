package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// MinTokenBytes is the minimum entropy of RandomToken: 128 bits.
const MinTokenBytes = 16

// RandomToken returns nBytes bytes from crypto/rand as unpadded URL-safe
// base64, for one-time links (first administrator set-up, invitations,
// password resets). nBytes below MinTokenBytes is raised to MinTokenBytes.
// Store only HashToken(token), never the token itself.
func RandomToken(nBytes int) string {
	if nBytes < MinTokenBytes {
		nBytes = MinTokenBytes
	}
	b := make([]byte, nBytes)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand.Read never returns an error since Go 1.24.
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the lower-case hex SHA-256 of token, the form to store
// and look up. A fast hash is appropriate because tokens are high-entropy.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// TokenMatchesHash reports, in constant time, whether token hashes to
// storedHash (as returned by HashToken).
func TokenMatchesHash(token, storedHash string) bool {
	return subtle.ConstantTimeCompare([]byte(HashToken(token)), []byte(storedHash)) == 1
}
