package auth

import (
	"strings"
	"testing"
)

func TestRecoveryCodes(t *testing.T) {
	t.Parallel()
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || seen[c] {
			t.Fatalf("code %q", c)
		}
		seen[c] = true
		if NormaliseRecoveryCode(c) != strings.ReplaceAll(c, "-", "") {
			t.Fatalf("normalise %q", c)
		}
		if NormaliseRecoveryCode(" "+strings.ToLower(c)+" ") == "" {
			t.Fatalf("lower case with spaces refused: %q", c)
		}
	}
	for _, bad := range []string{"", "ABCDE", "ABCDE-FGHJK1", "ABCDE-FGHJ0", "ABCDE-FGHJÉ", "<script>"} {
		if NormaliseRecoveryCode(bad) != "" {
			t.Errorf("%q accepted", bad)
		}
	}
	key := []byte("0123456789abcdef0123456789abcdef")
	h := RecoveryHash(key, "u1", codes[0])
	if h != RecoveryHash(key, "u1", strings.ToLower(codes[0])) {
		t.Fatal("the hash depends on case")
	}
	if h == RecoveryHash(key, "u2", codes[0]) || h == RecoveryHash([]byte("another key......................"), "u1", codes[0]) {
		t.Fatal("the hash ignores the account or the key")
	}
	if strings.Contains(h, strings.ReplaceAll(codes[0], "-", "")) {
		t.Fatal("the hash shows the code")
	}
}
