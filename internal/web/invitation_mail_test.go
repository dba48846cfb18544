package web_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/web"
)

// Every invitation email renders in every language, with the group's
// name, the event's details when scheduled, and no message key showing.
func TestInvitationMailsInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := sealed.LoadOrCreate(filepath.Join(t.TempDir(), "keys.txt"))
	c, err := mail.NewComposer(cat, keys, func() mail.Site {
		return mail.Site{Name: "Hear me Luton", BaseURL: "https://hearme.example.org", RTL: []string{"ur"}}
	})
	if err != nil {
		t.Fatal(err)
	}
	data := struct {
		Group, Reason                                string
		MiniEvent                                    bool
		EventTitle, EventWhen, EventVenue, EventLink string
		InviteLink                                   bool
	}{"Bury Park <Coffee> Morning", "No Somali speaker that week", true, "Hear me at Bury Park", "06/03/2027, 10:00–12:00",
		"Community hall", "https://hearme.example.org/events/abc?k=k", true}
	for _, lang := range []string{"en", "pl", "ro", "ur", "bn", "so"} {
		for _, kind := range []string{"received", "contacted", "scheduled", "done", "declined"} {
			m, err := c.Message(lang, "amina@example.org", "invitation_"+kind, data)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			all := m.Subject + m.Text + m.HTML
			if m.Subject == "" || strings.Contains(all, "invitations.") || !strings.Contains(m.Text, "Bury Park <Coffee> Morning") ||
				!strings.Contains(m.HTML, "Bury Park &lt;Coffee&gt; Morning") {
				t.Errorf("%s %s:\n%s\n%s", lang, kind, m.Subject, m.Text)
			}
			if kind == "scheduled" && (!strings.Contains(m.Text, "06/03/2027") || !strings.Contains(m.HTML, `href="https://hearme.example.org/events/abc?k=k"`)) {
				t.Errorf("%s scheduled email lacks the event:\n%s", lang, m.Text)
			}
			if kind == "declined" && !strings.Contains(m.Text, "No Somali speaker that week") {
				t.Errorf("%s declined email lacks the reason", lang)
			}
			if lang == "ur" && !strings.Contains(m.HTML, `dir="rtl"`) {
				t.Errorf("Urdu email not right to left")
			}
		}
	}
}
