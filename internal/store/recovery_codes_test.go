package store_test

import (
	"errors"
	"testing"

	"github.com/hearme-project/hearme/internal/account"
	"github.com/hearme-project/hearme/internal/audit"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

func TestRecoveryCodesOnceEachAndReset(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u := newUser(t, s, "codes@example.org", account.Connector)
		if err := s.EnrolTOTPWithCodes(ctx, u.ID, "v1:k:secret", 5, []string{"h1", "h2", "h3"}); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 3 {
			t.Fatalf("left %d", n)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "h2"); err != nil {
			t.Fatal(err)
		}
		if action, _ := lastAudit(t, s); action != audit.RecoveryCodeUsed {
			t.Fatalf("audit after use: %s", action)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "h2"); !errors.Is(err, store.ErrRecoveryCodeUsed) {
			t.Fatalf("second use: %v", err)
		}
		if action, _ := lastAudit(t, s); action != audit.RecoveryCodeRefused {
			t.Fatalf("audit after refusal: %s", action)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown code: %v", err)
		}
		other := newUser(t, s, "other@example.org", account.Connector)
		if err := s.UseRecoveryCode(ctx, other.ID, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another account's code: %v", err)
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 2 {
			t.Fatalf("left after one use: %d", n)
		}
		// New codes replace the old ones.
		if err := s.ReplaceRecoveryCodes(ctx, u.ID, []string{"n1", "n2"}); err != nil {
			t.Fatal(err)
		}
		if err := s.UseRecoveryCode(ctx, u.ID, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old code after new ones: %v", err)
		}
		// An administrator's reset clears the factor and the codes, ends
		// sessions, keeps the password, and is audited with who did it.
		before, _ := s.UserByID(ctx, u.ID)
		if err := s.ResetSecondFactor(ctx, "admin-1", u.ID); err != nil {
			t.Fatal(err)
		}
		after, _ := s.UserByID(ctx, u.ID)
		if after.HasTOTP() || after.SessionEpoch == before.SessionEpoch || after.PasswordHash != before.PasswordHash {
			t.Fatalf("after reset: totp %v epoch %d->%d", after.HasTOTP(), before.SessionEpoch, after.SessionEpoch)
		}
		if n, _ := s.RecoveryCodesLeft(ctx, u.ID); n != 0 {
			t.Fatalf("codes left after reset: %d", n)
		}
		if action, subject := lastAudit(t, s); action != audit.SecondFactorResetAdmin || subject != u.ID {
			t.Fatalf("audit after reset: %s %s", action, subject)
		}
		if err := s.ResetSecondFactor(ctx, "admin-1", "missing"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("reset of a missing account: %v", err)
		}
	})
}
