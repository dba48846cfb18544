package auth

import "testing"

// testCost is a cheap argon2id cost for test binaries (64 KiB, one pass):
// at the production cost (owaspParams) a hash takes tens of milliseconds
// and 19 MiB, and signing in through the router in the web tests made a
// fifth of that package's CPU time.
var testCost = argonParams{memory: 64, time: 1, threads: 1, saltLen: 16, keyLen: 32}

// UseTestCost makes HashPassword, and DummyCheck, use a cheap argon2id cost
// for the rest of the process; a test binary calls it from TestMain, before
// any test runs. Hashes made at another cost still check (and report that
// they need a new hash, as in production). It panics outside a test binary,
// so a server always hashes at the production cost, which
// TestProductionCost asserts.
func UseTestCost() {
	if !testing.Testing() {
		panic("auth: UseTestCost outside a test binary")
	}
	params = testCost
}
