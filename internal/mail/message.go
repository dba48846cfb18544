package mail

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// ErrBadHeader is returned for a recipient, sender or identifier that
// would break the message's headers (a line break, a second address):
// nothing a template or a form puts in a message can add a header.
var ErrBadHeader = errors.New("mail: unsafe header value")

// Envelope is what the SMTP transaction needs besides the message: the
// bare addresses.
type Envelope struct {
	From, To string
}

// Build renders m as an RFC 5322 message from from (an address such as
// `hearme <hello@example.org>`). id is the outbox row's identifier: it
// becomes the Message-ID, the same on every attempt, so a receiving
// system can recognise a message sent twice. date is when the message
// was queued.
//
// The body is multipart/alternative with a plain-text part first and the
// HTML part last (the one a mail program prefers), both UTF-8 and
// quoted-printable; a message without HTML is plain text alone.
func Build(m Message, from, id string, date time.Time) ([]byte, Envelope, error) {
	var env Envelope
	fromAddr, err := parseOne(from)
	if err != nil {
		return nil, env, fmt.Errorf("%w: from: %v", ErrBadHeader, err)
	}
	toAddr, err := parseOne(m.To)
	if err != nil {
		return nil, env, fmt.Errorf("%w: to: %v", ErrBadHeader, err)
	}
	if id == "" || strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return nil, env, fmt.Errorf("%w: message id %q", ErrBadHeader, id)
	}
	env = Envelope{From: fromAddr.Address, To: toAddr.Address}
	domain := fromAddr.Address[strings.LastIndexByte(fromAddr.Address, '@')+1:]

	var b bytes.Buffer
	h := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	h("From", fromAddr.String())
	h("To", toAddr.String())
	h("Subject", encodeSubject(m.Subject))
	h("Date", date.UTC().Format(time.RFC1123Z))
	h("Message-ID", "<"+id+"@"+domain+">")
	h("MIME-Version", "1.0")
	if lang := m.Lang; lang != "" && !strings.ContainsFunc(lang, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) && len(lang) <= 35 {
		h("Content-Language", lang)
	}
	// RFC 3834: sent by a program, so auto-responders do not answer.
	h("Auto-Submitted", "auto-generated")
	if u := m.ListUnsubscribe; u != "" {
		// RFC 2369 and RFC 8058: one-click unsubscribe. The link must be
		// one plain http(s) URL: nothing in it can end the header.
		if !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || len(u) > 900 || strings.ContainsFunc(u, func(r rune) bool {
			return r <= ' ' || r >= 0x7f || r == '<' || r == '>' || r == '"' || r == ','
		}) {
			return nil, env, fmt.Errorf("%w: list-unsubscribe %q", ErrBadHeader, u)
		}
		h("List-Unsubscribe", "<"+u+">")
		h("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}

	if m.HTML == "" {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, env, err
		}
		return b.Bytes(), env, nil
	}
	mw := multipart.NewWriter(&b)
	h("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	for _, p := range []struct{ typ, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, env, err
		}
		if err := writeQP(pw, p.body); err != nil {
			return nil, env, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, env, err
	}
	return b.Bytes(), env, nil
}

// parseOne accepts exactly one address, with no line breaks anywhere.
func parseOne(s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n\x00") {
		return nil, errors.New("line break in address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(a.Address, "\r\n\x00 ,;<>\"") || !strings.Contains(a.Address, "@") {
		return nil, errors.New("malformed address")
	}
	return a, nil
}

// encodeSubject folds control characters (line breaks included) to
// spaces and encodes anything beyond printable ASCII as RFC 2047 words,
// one word per folded line.
func encodeSubject(s string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f || r == ' ' }), " ")
	if r := []rune(s); len(r) > 250 { // no mail program shows more
		s = string(r[:250])
	}
	enc := mime.QEncoding.Encode("utf-8", s)
	if enc == s { // plain ASCII: folded at spaces
		var b strings.Builder
		n := len("Subject:")
		for _, w := range strings.Fields(s) {
			if n+1+len(w) > 78 && n > len("Subject:") {
				b.WriteString("\r\n")
				n = 0
			}
			b.WriteString(" " + w)
			n += 1 + len(w)
		}
		return strings.TrimPrefix(b.String(), " ")
	}
	enc = strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
	// "Subject: " and a full encoded word would pass 78 characters.
	if first, _, _ := strings.Cut(enc, "\r\n"); len("Subject: "+first) > 78 {
		enc = "\r\n " + enc
	}
	return enc
}

// writeQP writes text as quoted-printable with CRLF line ends.
func writeQP(w interface{ Write([]byte) (int, error) }, text string) error {
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\r\n", "\n"))); err != nil {
		return err
	}
	return qp.Close()
}
