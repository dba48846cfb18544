package web_test

import (
	"os"
	"testing"

	"github.com/hearme-project/hearme/internal/auth"
)

func TestMain(m *testing.M) {
	// Passwords hashed at a cheap argon2id cost: at the production cost
	// (asserted in package auth) hashing and signing in were a fifth of
	// this package's CPU time.
	auth.UseTestCost()
	os.Exit(m.Run())
}
