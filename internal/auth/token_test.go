package auth

import (
	"encoding/base64"
	"testing"
)

func TestRandomToken(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok := RandomToken(32)
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) != 32 {
			t.Fatalf("RandomToken(32) = %q: %d bytes, err %v", tok, len(b), err)
		}
		if seen[tok] {
			t.Fatalf("duplicate token %q", tok)
		}
		seen[tok] = true
	}
	for _, n := range []int{-1, 0, 8, 15} {
		b, err := base64.RawURLEncoding.DecodeString(RandomToken(n))
		if err != nil || len(b) != MinTokenBytes {
			t.Fatalf("RandomToken(%d): %d bytes, err %v; want %d", n, len(b), err, MinTokenBytes)
		}
	}
}

func TestHashToken(t *testing.T) {
	// SHA-256("abc"), FIPS 180-2 test vector.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := HashToken("abc"); got != want {
		t.Fatalf("HashToken(abc) = %s, want %s", got, want)
	}
	tok := RandomToken(32)
	h := HashToken(tok)
	if !TokenMatchesHash(tok, h) {
		t.Fatal("token does not match its own hash")
	}
	if TokenMatchesHash(tok+"x", h) || TokenMatchesHash(tok, HashToken("other")) || TokenMatchesHash(tok, "") {
		t.Fatal("mismatch accepted")
	}
}
