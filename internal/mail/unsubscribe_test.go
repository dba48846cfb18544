package mail_test

import (
	"bytes"
	"errors"
	netmail "net/mail"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
)

// TestListUnsubscribeHeaders: a message with an unsubscribe link carries
// it as RFC 8058 one-click headers; one without carries neither; a link
// that could end the header, or is not http(s), is refused.
func TestListUnsubscribeHeaders(t *testing.T) {
	t.Parallel()
	date := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	link := "https://hearme.example/report/unsubscribe/01938a7b-0c1d-7e2f-8a9b-0c1d2e3f4a5b.abcdefABCDEF0123456789_-xy"
	raw, _, err := mail.Build(mail.Message{To: "a@example.org", Subject: "Digest", Text: "t", HTML: "<p>t</p>", ListUnsubscribe: link}, "hearme <h@hearme.example>", "id-1", date)
	if err != nil {
		t.Fatal(err)
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get("List-Unsubscribe"); got != "<"+link+">" {
		t.Errorf("List-Unsubscribe %q", got)
	}
	if got := m.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Errorf("List-Unsubscribe-Post %q", got)
	}
	raw, _, _ = mail.Build(mail.Message{To: "a@example.org", Subject: "s", Text: "t"}, "hearme <h@hearme.example>", "id-1", date)
	if bytes.Contains(raw, []byte("List-Unsubscribe")) {
		t.Error("a message without a link has unsubscribe headers")
	}
	for _, bad := range []string{"mailto:x@example.org", "https://x.example/u>\r\nBcc: e@example.org", "https://x.example/a b", "javascript:alert(1)", "https://x.example/\u00e9"} {
		if _, _, err := mail.Build(mail.Message{To: "a@example.org", Text: "t", ListUnsubscribe: bad}, "hearme <h@hearme.example>", "id-1", date); !errors.Is(err, mail.ErrBadHeader) {
			t.Errorf("link %q: %v", bad, err)
		}
	}
}
