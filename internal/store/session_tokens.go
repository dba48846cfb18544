package store

import (
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/hearme-project/hearme/internal/auth"
)

// hashedTokens keeps web sessions under the SHA-256 of their token, never
// the token itself: someone who reads sessions.db or the sessions table
// (a backup, a copied file, a read-only database role) learns nothing
// they can put in a cookie. The token is 256 random bits, so a plain hash
// is enough; the cookie carries the token, the store only its hash.
//
// It deliberately does not offer scs's iteration (All): that hands the
// stored keys back as if they were tokens. Sessions stored before this
// existed (under their raw token) are never found again and expire.
type hashedTokens struct{ inner scs.Store }

func (h hashedTokens) Find(token string) ([]byte, bool, error) {
	return h.inner.Find(auth.HashToken(token))
}

func (h hashedTokens) Commit(token string, b []byte, expiry time.Time) error {
	return h.inner.Commit(auth.HashToken(token), b, expiry)
}

func (h hashedTokens) Delete(token string) error {
	return h.inner.Delete(auth.HashToken(token))
}
