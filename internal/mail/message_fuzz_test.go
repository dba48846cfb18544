package mail_test

import (
	"bytes"
	"errors"
	"mime"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/mail"
)

// Whatever a recipient, subject, language or body holds, Build either
// refuses it (ErrBadHeader) or makes a message with exactly hearme's
// headers, addressed to one recipient, whose subject decodes to the
// original text with control characters as spaces.
func FuzzBuild(f *testing.F) {
	f.Add("a@example.org", "Hello", "en", "body")
	f.Add("Zofia Nowak <zofia@example.org>", "Wiadomość testowa", "pl", "treść\r\n.\r\n")
	f.Add("a@example.org\r\nBcc: x@example.org", "s", "en", "b")
	f.Add("a@example.org", "s\r\nBcc: x@example.org", "en\nX: y", "b")
	f.Add("\"A\\\"B\" <a@example.org>", "=?utf-8?q?x?=", "ur", "")
	allowed := map[string]bool{"From": true, "To": true, "Subject": true, "Date": true, "Message-Id": true, "Mime-Version": true,
		"Content-Language": true, "Auto-Submitted": true, "Content-Type": true, "Content-Transfer-Encoding": true}
	f.Fuzz(func(t *testing.T, to, subject, lang, body string) {
		raw, env, err := mail.Build(mail.Message{To: to, Subject: subject, Text: body, HTML: body, Lang: lang}, "hearme <h@hearme.example>", "0190-abc", time.Unix(0, 0))
		if err != nil {
			if !errors.Is(err, mail.ErrBadHeader) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		m, err := netmail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("unreadable message: %v\n%q", err, raw)
		}
		for k := range m.Header {
			if !allowed[k] {
				t.Fatalf("header %q appeared (to %q subject %q lang %q)", k, to, subject, lang)
			}
		}
		addrs, err := m.Header.AddressList("To")
		if err != nil || len(addrs) != 1 || addrs[0].Address != env.To {
			t.Fatalf("To %q parsed as %v %v, envelope %q", m.Header.Get("To"), addrs, err, env.To)
		}
		if strings.ContainsAny(env.To, "\r\n") {
			t.Fatalf("envelope recipient %q", env.To)
		}
		for _, line := range strings.Split(string(raw), "\r\n") {
			if len(line) > 998 {
				t.Fatalf("a line of %d octets", len(line))
			}
		}
		if !strings.Contains(subject, "=?") && strings.ToValidUTF8(subject, "") == subject && len([]rune(subject)) <= 250 {
			got, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			want := strings.Join(strings.FieldsFunc(subject, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }), " ")
			if err != nil || got != want {
				t.Fatalf("subject %q came back as %q (%v)", want, got, err)
			}
		}
	})
}
