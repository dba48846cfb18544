package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/web"
)

// TestMailOutbox: the running server's sender delivers a queued email
// within seconds (development mode writes it to outbox-dev); an
// administrator sees a message given up on /staff/mail (in English and in
// Urdu, zero axe violations), presses "Send again", and the sender
// delivers it.
func TestMailOutbox(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	st := s.App.Store
	keys, err := sealed.LoadOrCreate(s.App.Config.KeyPath())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	c, err := mail.NewComposer(cat, keys, func() mail.Site { return mail.Site{Name: "Hear me Luton", BaseURL: s.URL} })
	if err != nil {
		t.Fatal(err)
	}
	q, err := c.Compose("en", "sent.by.loop@example.org", "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.EnqueueMail(bg, q); err != nil {
		t.Fatal(err)
	}
	devFiles := func() int {
		files, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "outbox-dev", "*-test-*.eml"))
		return len(files)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if ok() {
				return
			}
		}
		t.Fatalf("waited 15 s for %s", what)
	}
	waitFor("the sender loop to write the queued email", func() bool { return devFiles() == 1 })

	// A message given up: claimed before the loop takes it, then failed.
	var failedID string
	for failedID == "" {
		q, _ := c.Compose("en", "given.up@example.org", "test", nil)
		if err := st.EnqueueMail(bg, q); err != nil {
			t.Fatal(err)
		}
		got, err := st.ClaimMail(bg, "e2e", time.Hour, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 {
			failedID = got[0].ID
			if err := st.MarkMailFailed(bg, "e2e", failedID, "550 5.1.1 mailbox unavailable", 0, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := devFiles()

	ctx := browser.Tab(t)
	b := newTab(t, ctx, s.URL)
	admin := firstAdmin()
	b.createFirstAdmin(s.firstAdminLink(), admin)
	b.enrol(s, admin)
	axe := newAxeChecker(t)
	defer axe.summary()

	if st := b.open("/staff/mail"); st != http.StatusOK {
		t.Fatalf("/staff/mail: %d", st)
	}
	main := b.text("main")
	for _, want := range []string{"550 5.1.1 mailbox unavailable", "Development mode", "Send again"} {
		if !strings.Contains(main, want) {
			t.Errorf("/staff/mail lacks %q:\n%s", want, main)
		}
	}
	if strings.Contains(main, "example.org") {
		t.Error("/staff/mail shows a recipient")
	}
	axe.check(b, "en", "staff mail page with a message given up")
	b.open("/staff/mail?lang=ur")
	b.wantLang("ur", "rtl")
	axe.check(b, "ur", "staff mail page with a message given up")
	b.open("/staff/mail?lang=en")

	if st := follow(b, chromedp.CSS(`form[action="/staff/mail/`+failedID+`/retry"] button`)); st != http.StatusOK {
		t.Fatalf("send again: %d", st)
	}
	if got := b.text(".notice"); !strings.Contains(got, "queued again") {
		t.Errorf("after send again the notice says %q", got)
	}
	axe.check(b, "en", "staff mail page after send again")
	waitFor("the sender to deliver the message sent again", func() bool { return devFiles() == before+1 })
	// The sender writes the file, then marks the message sent: wait for
	// the mark rather than read the outbox in between (CI caught it
	// queued, the file already written).
	waitFor("the outbox to record the message sent again, nothing queued or given up", func() bool {
		s, err := st.MailStatus(bg)
		return err == nil && s.Failed == 0 && s.Queued == 0
	})
	// The file holds the full message for the developer; the log only
	// the kind and a count.
	files, _ := filepath.Glob(filepath.Join(s.App.Config.DataDir, "outbox-dev", "*.eml"))
	if b, _ := os.ReadFile(files[0]); !strings.Contains(string(b), "@example.org") {
		t.Errorf("development file lacks its recipient")
	}
	for _, line := range s.logs.lines() {
		if strings.Contains(line, "example.org") && strings.Contains(line, "mail") {
			t.Errorf("a recipient reached the log: %s", line)
		}
	}
}
