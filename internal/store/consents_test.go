package store_test

import (
	"errors"
	"testing"

	"github.com/hearme-project/hearme/internal/experience"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

// Consents lead somewhere: who agreed to be contacted is on the
// follow-ups list with their sealed details and a state; who agreed to be
// named or to speak is on the speakers' list; one consent is withdrawn
// alone, and withdrawing contact deletes the details.
func TestFollowUpsSpeakersAndWithdrawingOneConsent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		submit := func(contact, named bool, details experience.Contact) experience.Receipt {
			t.Helper()
			sub := submission()
			sub.Consent.Contact, sub.Consent.Named = contact, named
			rc, err := s.SubmitExperience(ctx, sub, details)
			if err != nil {
				t.Fatal(err)
			}
			return rc
		}
		a := submit(true, true, experience.Contact{Name: "v1:k:sealed-name", Phone: "v1:k:sealed-phone"})
		b := submit(false, false, experience.Contact{})
		c := submit(false, true, experience.Contact{})

		fu, err := s.FollowUps(ctx)
		if err != nil || len(fu) != 1 || fu[0].ExperienceID != a.ID || fu[0].PhoneSealed != "v1:k:sealed-phone" || fu[0].State != "todo" {
			t.Fatalf("follow-ups: %+v, %v", fu, err)
		}
		sp, err := s.Speakers(ctx)
		if err != nil || len(sp) != 2 {
			t.Fatalf("speakers: %+v, %v", sp, err)
		}
		for _, x := range sp {
			if (x.ExperienceID == a.ID) != x.CanContact {
				t.Errorf("speaker %s: can contact %v", x.Reference, x.CanContact)
			}
			if x.ExperienceID == b.ID {
				t.Errorf("someone who did not agree to be named is on the speakers' list")
			}
		}
		if err := s.SetFollowUp(ctx, "connector-1", a.ID, "contacted"); err != nil {
			t.Fatal(err)
		}
		if fu, _ := s.FollowUps(ctx); fu[0].State != "contacted" || fu[0].StateBy != "connector-1" || fu[0].StateAt == nil {
			t.Fatalf("after contacting: %+v", fu[0])
		}
		if err := s.SetFollowUp(ctx, "connector-1", b.ID, "done"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a follow-up for someone who did not agree to be contacted: %v", err)
		}
		if err := s.SetFollowUp(ctx, "connector-1", a.ID, "shouted"); err == nil {
			t.Errorf("an unknown follow-up state was accepted")
		}

		// Withdrawing one consent alone.
		if err := s.WithdrawConsent(ctx, a.Reference, "WRONG-SECR-ET00-0000", store.ConsentContact); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("wrong secret: %v", err)
		}
		if err := s.WithdrawConsent(ctx, a.Reference, a.Secret, "evidence"); !errors.Is(err, store.ErrUnknownConsent) {
			t.Errorf("evidence cannot be withdrawn alone: %v", err)
		}
		if err := s.WithdrawConsent(ctx, a.Reference, a.Secret, store.ConsentContact); err != nil {
			t.Fatal(err)
		}
		h, err := s.ExperienceByReference(ctx, a.Reference, a.Secret)
		if err != nil || h.Submission.Consent.Contact || h.HasContact || !h.Submission.Consent.Named || !h.Submission.Consent.Quote || !h.Submission.Consent.Evidence {
			t.Fatalf("after withdrawing contact: consent %+v, has contact %v, %v", h.Submission.Consent, h.HasContact, err)
		}
		if fu, _ := s.FollowUps(ctx); len(fu) != 0 {
			t.Fatalf("still on the follow-ups list: %+v", fu)
		}
		var details int
		s.ReadDB().QueryRow(`SELECT COUNT(*) FROM contact_details WHERE experience_id = '` + a.ID + `'`).Scan(&details)
		if details != 0 {
			t.Errorf("contact details kept after consent to contact was withdrawn")
		}
		var pending int
		s.ReadDB().QueryRow(`SELECT COUNT(*) FROM erasures_pending`).Scan(&pending)
		if pending == 0 {
			t.Errorf("withdrawing contact did not queue the clean-up of what the deletion left on disk")
		}
		if err := s.WithdrawConsent(ctx, c.Reference, c.Secret, store.ConsentQuote); err != nil {
			t.Fatal(err)
		}
		if h, _ := s.ExperienceByReference(ctx, c.Reference, c.Secret); h.Submission.Consent.Quote || !h.Submission.Consent.Named {
			t.Errorf("after withdrawing quotation: %+v", h.Submission.Consent)
		}
		if err := s.WithdrawConsent(ctx, c.Reference, c.Secret, store.ConsentNamed); err != nil {
			t.Fatal(err)
		}
		if sp, _ := s.Speakers(ctx); len(sp) != 1 || sp[0].ExperienceID != a.ID {
			t.Errorf("speakers after c withdrew: %+v", sp)
		}
		var audited int
		s.ReadDB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'consent.withdrawn'`).Scan(&audited)
		if audited != 3 {
			t.Errorf("%d consent withdrawals audited, want 3", audited)
		}
	})
}
