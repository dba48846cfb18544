// Package auth holds the authentication primitives used for hearme staff
// accounts: password hashing and policy (password.go), TOTP second factor
// (totp.go), in-memory login throttling (throttle.go) and one-time tokens
// (token.go).
//
// The package deliberately has no HTTP dependency: every function is pure
// (or takes an injected clock) so it can be unit-tested in isolation, and the
// web layer maps the exported sentinel errors to translation keys.
//
// The choices here target OWASP ASVS 4.0 level 2 (V2 Authentication) and
// NIST SP 800-63B.
package auth
