package mail_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearme-project/hearme/internal/i18n"
	"github.com/hearme-project/hearme/internal/mail"
	"github.com/hearme-project/hearme/internal/sealed"
	"github.com/hearme-project/hearme/internal/store"
	"github.com/hearme-project/hearme/internal/store/storetest"
)

var ctx = context.Background()

func testKeys(t testing.TB) *sealed.Keyring {
	t.Helper()
	k, err := sealed.Parse(sealed.NewKeyLine())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// queueN seals and queues n messages to n different recipients.
func queueN(t testing.TB, s *store.Store, keys *sealed.Keyring, n int) {
	t.Helper()
	var qs []mail.Queued
	for i := range n {
		q, err := mail.Seal(keys, "test", mail.Message{To: fmt.Sprintf("person%d@example.org", i), Subject: "Hello", Text: "Body\n", HTML: "<p>Body</p>", Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		qs = append(qs, q)
		if len(qs) == 500 {
			if err := s.EnqueueMail(ctx, qs...); err != nil {
				t.Fatal(err)
			}
			qs = qs[:0]
		}
	}
	if err := s.EnqueueMail(ctx, qs...); err != nil {
		t.Fatal(err)
	}
}

func quickBackoff(int) time.Duration { return 10 * time.Millisecond }

func senderFor(l *listener, s *store.Store, keys *sealed.Keyring, cfg mail.SenderConfig) *mail.Sender {
	cfg.Host, cfg.Port = l.hostPort()
	if cfg.TLS == "" {
		cfg.TLS = "none"
	}
	if cfg.From == "" {
		cfg.From = "Hear me Luton <hello@hearme.example>"
	}
	if cfg.Backoff == nil {
		cfg.Backoff = quickBackoff
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	return mail.NewSender(cfg, s, keys, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
}

// drain runs the sender until nothing is queued (or the test's patience
// ends).
func drain(t testing.TB, snd *mail.Sender, s *store.Store) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := snd.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := s.MailStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Queued == 0 {
			return
		}
		time.Sleep(15 * time.Millisecond)
	}
	t.Fatal("the outbox did not drain")
}

// A message rendered from the real templates arrives as
// multipart/alternative (plain text, then HTML) in the reader's language,
// with the headers a mail program expects; the outbox forgets the
// recipient and body once it is sent.
func TestDeliversMultipartMessage(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := testKeys(t)
		cat, err := i18n.Load()
		if err != nil {
			t.Fatal(err)
		}
		c, err := mail.NewComposer(cat, keys, func() mail.Site { return mail.Site{Name: "Hear me Łódź", BaseURL: "https://hearme.example"} })
		if err != nil {
			t.Fatal(err)
		}
		q, err := c.Compose("pl", "Zofia Nowak <zofia@example.org>", "test", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.EnqueueMail(ctx, q); err != nil {
			t.Fatal(err)
		}
		l := newListener(t)
		l.start()
		res, err := senderFor(l, s, keys, mail.SenderConfig{}).RunOnce(ctx)
		if err != nil || res.Sent != 1 {
			t.Fatalf("run: %+v %v", res, err)
		}
		msgs := l.all()
		if len(msgs) != 1 || l.rcpts[0] != "zofia@example.org" {
			t.Fatalf("received %d messages to %v", len(msgs), l.rcpts)
		}
		m, err := netmail.ReadMessage(bytes.NewReader(msgs[0]))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || subject != "Wiadomość testowa od Hear me Łódź" {
			t.Fatalf("subject %q %v (raw %q)", subject, err, m.Header.Get("Subject"))
		}
		for h, want := range map[string]string{"Content-Language": "pl", "MIME-Version": "1.0", "From": `"Hear me Luton" <hello@hearme.example>`, "To": `"Zofia Nowak" <zofia@example.org>`} {
			if got := m.Header.Get(h); got != want {
				t.Errorf("%s: %q, want %q", h, got, want)
			}
		}
		if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@hearme.example>") {
			t.Errorf("Message-ID %q", id)
		}
		if d, err := m.Header.Date(); err != nil || time.Since(d) > time.Minute {
			t.Errorf("Date %v %v", d, err)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("content type %q %v", mt, err)
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		var types, bodies []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			// (the reader decodes quoted-printable itself)
			b, err := io.ReadAll(p)
			if err != nil {
				t.Fatal(err)
			}
			types = append(types, p.Header.Get("Content-Type"))
			bodies = append(bodies, string(b))
		}
		if n := strings.Count(string(msgs[0]), "Content-Transfer-Encoding: quoted-printable\r\n"); n != 2 {
			t.Errorf("%d quoted-printable parts, want 2", n)
		}
		if fmt.Sprint(types) != "[text/plain; charset=utf-8 text/html; charset=utf-8]" {
			t.Fatalf("parts %v", types)
		}
		const body = "To jest wiadomość testowa od Hear me Łódź."
		if !strings.Contains(bodies[0], body) || !strings.Contains(bodies[1], body) || !strings.Contains(bodies[1], `<html lang="pl"`) {
			t.Fatalf("bodies:\n%s\n%s", bodies[0], bodies[1])
		}
		// Every line of the raw message is within the 998-octet limit and
		// ends in CRLF.
		for _, line := range strings.SplitAfter(string(msgs[0]), "\n") {
			if len(line) > 998 || (line != "" && !strings.HasSuffix(line, "\r\n")) {
				t.Fatalf("bad line %q", line)
			}
		}
		if held, err := s.OutboxMail(ctx); err != nil || len(held) != 1 || held[0].Payload != "" {
			t.Fatalf("payload kept after sending: %q %v", held, err)
		}
		if st, _ := s.MailStatus(ctx); st.Sent != 1 || st.Queued != 0 {
			t.Fatalf("status %+v", st)
		}
	})
}

// One connection carries a whole batch; a message the server refuses for
// good (5xx) is given up at once and does not stop the others.
func TestReusesConnectionAndGivesUpOnPermanentRefusal(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	keys := testKeys(t)
	queueN(t, s, keys, 12)
	l := newListener(t)
	l.refuse = func(rcpt string) error {
		if rcpt == "person3@example.org" {
			return refuseWith(550, "no such user")(rcpt)
		}
		return nil
	}
	l.start()
	res, err := senderFor(l, s, keys, mail.SenderConfig{Batch: 5}).RunOnce(ctx)
	if err != nil || res.Sent != 11 || res.GaveUp != 1 {
		t.Fatalf("run %+v %v", res, err)
	}
	if n := l.sessions.Load(); n != 1 {
		t.Fatalf("%d SMTP sessions for 12 messages in 3 batches, want 1", n)
	}
	f, _ := s.FailedMail(ctx, 10)
	if len(f) != 1 || f[0].Attempts != 1 || !strings.Contains(f[0].LastError, "550") {
		t.Fatalf("failed %+v", f)
	}
}

// While the server answers 4xx the message is retried with backoff; the
// attempts are counted; it arrives exactly once when the server accepts.
// The outbox's clock is the test's, so "not due before the backoff has
// passed" holds however slowly the machine runs the sender.
func TestRetriesWithBackoffWhileServerRefuses(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		var clockMu sync.Mutex
		clock := time.Now()
		s.SetClock(func() time.Time {
			clockMu.Lock()
			defer clockMu.Unlock()
			return clock
		})
		advance := func(d time.Duration) {
			clockMu.Lock()
			clock = clock.Add(d)
			clockMu.Unlock()
		}
		keys := testKeys(t)
		queueN(t, s, keys, 1)
		l := newListener(t)
		l.refuse = refuseWith(451, "try again later")
		l.start()
		var waits []int
		var mu sync.Mutex
		snd := senderFor(l, s, keys, mail.SenderConfig{Backoff: func(n int) time.Duration {
			mu.Lock()
			waits = append(waits, n)
			mu.Unlock()
			return 200 * time.Millisecond
		}})
		for range 3 {
			res, err := snd.RunOnce(ctx)
			if err != nil || res.Retrying != 1 {
				t.Fatalf("run %+v %v", res, err)
			}
			// Not due again before the backoff has passed.
			advance(199 * time.Millisecond)
			if res, _ := snd.RunOnce(ctx); res != (mail.Result{}) {
				t.Fatalf("retried before the backoff: %+v", res)
			}
			advance(time.Millisecond)
		}
		st, _ := s.MailStatus(ctx)
		if st.Queued != 1 || st.Retrying != 1 || st.Failed != 0 {
			t.Fatalf("status %+v", st)
		}
		if fmt.Sprint(waits) != "[1 2 3]" {
			t.Fatalf("backoff asked for attempts %v", waits)
		}
		l.mu.Lock()
		l.refuse = nil
		l.mu.Unlock()
		if res, err := snd.RunOnce(ctx); err != nil || res.Sent != 1 {
			t.Fatalf("run %+v %v", res, err)
		}
		if d, dup := l.counts(); d != 1 || dup != 0 {
			t.Fatalf("delivered %d, %d twice", d, dup)
		}
	})
}

// After MaxAttempts failures the message is left for staff; "send again"
// queues it with a fresh schedule.
func TestGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	keys := testKeys(t)
	queueN(t, s, keys, 1)
	l := newListener(t)
	l.refuse = refuseWith(421, "busy")
	l.start()
	snd := senderFor(l, s, keys, mail.SenderConfig{MaxAttempts: 3, Backoff: func(int) time.Duration { return 0 }})
	for range 5 {
		if _, err := snd.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := s.FailedMail(ctx, 10)
	if len(f) != 1 || f[0].Attempts != 3 || !strings.Contains(f[0].LastError, "421") {
		t.Fatalf("failed %+v", f)
	}
	l.mu.Lock()
	l.refuse = nil
	l.mu.Unlock()
	if err := s.RetryMail(ctx, f[0].ID); err != nil {
		t.Fatal(err)
	}
	if res, err := snd.RunOnce(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("after retry: %+v %v", res, err)
	}
}

// Nothing is lost while the SMTP server is down: messages queued then
// are delivered, each exactly once, when it comes back.
func TestNothingLostWhileServerDown(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := testKeys(t)
		l := newListener(t)
		l.start()
		l.stop() // keep its address, nothing listening
		snd := senderFor(l, s, keys, mail.SenderConfig{})
		queueN(t, s, keys, 30)
		res, err := snd.RunOnce(ctx)
		if err != nil || res.Retrying != 30 || res.Sent != 0 {
			t.Fatalf("while down: %+v %v", res, err)
		}
		queueN(t, s, keys, 20) // more arrive while it is down
		time.Sleep(20 * time.Millisecond)
		if _, err := snd.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if st, _ := s.MailStatus(ctx); st.Queued != 50 || st.Sent != 0 || st.Failed != 0 {
			t.Fatalf("status while down %+v", st)
		}
		l.start()
		drain(t, snd, s)
		if d, dup := l.counts(); d != 50 || dup != 0 {
			t.Fatalf("delivered %d distinct of 50, %d twice", d, dup)
		}
	})
}

// Three senders at once (as three instances) never send a message twice
// and together send them all.
func TestConcurrentSendersNeverDoubleSend(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := testKeys(t)
		queueN(t, s, keys, 300)
		l := newListener(t)
		l.start()
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			snd := senderFor(l, s, keys, mail.SenderConfig{Batch: 10})
			go func() {
				defer wg.Done()
				for {
					res, err := snd.RunOnce(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					if res.Sent == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if d, dup := l.counts(); d != 300 || dup != 0 {
			t.Fatalf("delivered %d distinct of 300, %d twice", d, dup)
		}
		if n := l.sessions.Load(); n < 2 {
			t.Logf("only %d sender(s) got work", n)
		}
	})
}

// A sender cancelled mid-batch loses nothing and sends nothing twice: it
// finishes and records the message in flight and gives back the rest of
// its batch, which another sender delivers. (A sender killed outright is
// in TestOutboxLoad; a lapsed lease in the store's outbox tests.)
func TestKilledSenderLosesNothing(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		keys := testKeys(t)
		queueN(t, s, keys, 60)
		l := newListener(t)
		l.delay = 5 * time.Millisecond
		l.start()
		kctx, kill := context.WithCancel(ctx)
		first := senderFor(l, s, keys, mail.SenderConfig{Batch: 40, Lease: time.Second, Timeout: 100 * time.Millisecond})
		go func() {
			for {
				if d, _ := l.counts(); d >= 15 {
					kill()
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		if _, err := first.RunOnce(kctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("killed sender returned %v", err)
		}
		d, _ := l.counts()
		if d >= 60 {
			t.Fatal("the sender finished before it was killed")
		}
		second := senderFor(l, s, keys, mail.SenderConfig{})
		drain(t, second, s)
		if d, dup := l.counts(); d != 60 || dup != 0 {
			t.Fatalf("delivered %d distinct of 60, %d twice", d, dup)
		}
	})
}

// Nothing a recipient field or a subject holds can add a header.
func TestHeaderInjectionRefused(t *testing.T) {
	t.Parallel()
	date := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	for _, to := range []string{"a@example.org\r\nBcc: evil@example.org", "a@example.org\nBcc: evil@example.org", "a@example.org, evil@example.org", "", "not an address", "\"A\r\nBcc: e@x.org\" <a@example.org>"} {
		if _, _, err := mail.Build(mail.Message{To: to, Subject: "s", Text: "t"}, "hearme <h@hearme.example>", "id-1", date); !errors.Is(err, mail.ErrBadHeader) {
			t.Errorf("To %q: %v", to, err)
		}
	}
	if _, _, err := mail.Build(mail.Message{To: "a@example.org", Text: "t"}, "hearme <h@hearme.example>", "id\r\nBcc: x@y.org", date); !errors.Is(err, mail.ErrBadHeader) {
		t.Errorf("id: %v", err)
	}
	raw, env, err := mail.Build(mail.Message{To: "a@example.org", Subject: "Hello\r\nBcc: evil@example.org\r\n\r\nfake body", Text: "t", Lang: "en\r\nX-Evil: 1"}, "hearme <h@hearme.example>", "id-1", date)
	if err != nil || env.To != "a@example.org" {
		t.Fatal(err)
	}
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" || m.Header.Get("X-Evil") != "" || m.Header.Get("Content-Language") != "" {
		t.Fatalf("injected headers: %v", m.Header)
	}
	if got := m.Header.Get("Subject"); got != "Hello Bcc: evil@example.org fake body" {
		t.Fatalf("subject %q", got)
	}
	// A long subject is folded (at spaces, or into encoded words), each
	// line short.
	ascii := strings.Repeat("Your registration ", 12)
	raw, _, _ = mail.Build(mail.Message{To: "a@example.org", Subject: ascii, Text: "t"}, "hearme <h@hearme.example>", "id-1", date)
	m, _ = netmail.ReadMessage(bytes.NewReader(raw))
	if got := m.Header.Get("Subject"); got != strings.TrimSpace(ascii) {
		t.Fatalf("long ASCII subject %q", got)
	}
	if i := bytes.Index(raw, []byte("Subject: ")); bytes.IndexByte(raw[i:], '\n') > 80 {
		t.Fatalf("ASCII subject not folded: %q", raw[i:i+120])
	}
	long := strings.Repeat("Wiadomość testowa ", 12)
	raw, _, _ = mail.Build(mail.Message{To: "a@example.org", Subject: long, Text: "t"}, "hearme <h@hearme.example>", "id-1", date)
	m, _ = netmail.ReadMessage(bytes.NewReader(raw))
	if dec, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil || dec != strings.TrimSpace(long) {
		t.Fatalf("long subject %q %v", dec, err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 78 && !strings.HasPrefix(line, "Content-Type") {
			t.Fatalf("header line of %d characters: %q", len(line), line)
		}
		if line == "" {
			break
		}
	}

	// Through the sender: the injected message is given up, nothing sent.
	s := storetest.SQLite(t)
	keys := testKeys(t)
	q, err := mail.Seal(keys, "test", mail.Message{To: "a@example.org\r\nBcc: evil@example.org", Subject: "s", Text: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.EnqueueMail(ctx, q); err != nil {
		t.Fatal(err)
	}
	l := newListener(t)
	l.start()
	if res, err := senderFor(l, s, keys, mail.SenderConfig{}).RunOnce(ctx); err != nil || res.GaveUp != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	if d, _ := l.counts(); d != 0 {
		t.Fatal("an injected message was sent")
	}
}

// STARTTLS with a password, and implicit TLS; a server without STARTTLS
// is refused rather than sent the password in clear.
func TestTLSModes(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	keys := testKeys(t)
	srvTLS, cliTLS := testTLS(t)

	l := newListener(t)
	l.tls, l.user, l.pass = srvTLS, "hearme", "s3cret"
	l.start()
	queueN(t, s, keys, 2)
	res, err := senderFor(l, s, keys, mail.SenderConfig{TLS: "starttls", TLSConfig: cliTLS, Username: "hearme", Password: "s3cret"}).RunOnce(ctx)
	if err != nil || res.Sent != 2 {
		t.Fatalf("starttls: %+v %v", res, err)
	}

	imp := newListener(t)
	imp.tls, imp.implicit = srvTLS, true
	imp.start()
	queueN(t, s, keys, 1)
	if res, err := senderFor(imp, s, keys, mail.SenderConfig{TLS: "tls", TLSConfig: cliTLS}).RunOnce(ctx); err != nil || res.Sent != 1 {
		t.Fatalf("implicit tls: %+v %v", res, err)
	}

	plain := newListener(t)
	plain.start()
	queueN(t, s, keys, 1)
	if res, err := senderFor(plain, s, keys, mail.SenderConfig{TLS: "starttls", TLSConfig: cliTLS, Username: "u", Password: "p"}).RunOnce(ctx); err != nil || res.Retrying != 1 {
		t.Fatalf("no starttls: %+v %v", res, err)
	}
	if d, _ := plain.counts(); d != 0 {
		t.Fatal("sent without TLS")
	}
	st, err := s.MailStatus(ctx)
	if err != nil || !strings.Contains(st.LastError, "STARTTLS") {
		t.Fatalf("last error %q, %v", st.LastError, err)
	}
}

// Development mode writes each message to outbox-dev and logs its kind
// and a count, never the recipient or the body.
func TestDevelopmentModeWritesFiles(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	keys := testKeys(t)
	queueN(t, s, keys, 3)
	dir := filepath.Join(t.TempDir(), "outbox-dev")
	var logs bytes.Buffer
	snd := mail.NewSender(mail.SenderConfig{From: "hearme <h@hearme.example>", DevDir: dir}, s, keys, slog.New(slog.NewTextHandler(&logs, nil)), nil)
	if !snd.DevMode() {
		t.Fatal("not in development mode without a host")
	}
	res, err := snd.RunOnce(ctx)
	if err != nil || res.Sent != 3 {
		t.Fatalf("%+v %v", res, err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*-test-*.eml"))
	if len(files) != 3 {
		t.Fatalf("%d files", len(files))
	}
	b, _ := os.ReadFile(files[0])
	if !bytes.Contains(b, []byte("To: <person")) || !bytes.Contains(b, []byte("multipart/alternative")) {
		t.Fatalf("file:\n%s", b)
	}
	if info, _ := os.Stat(files[0]); info.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v", info.Mode())
	}
	out := logs.String()
	if !strings.Contains(out, "kind=test") || !strings.Contains(out, "count=3") || strings.Contains(out, "example.org") || strings.Contains(out, "Body") {
		t.Fatalf("log: %s", out)
	}
	if st, _ := s.MailStatus(ctx); st.Sent != 3 || st.Queued != 0 {
		t.Fatalf("status %+v", st)
	}
}

// A From address that cannot be used is a configuration error: the
// messages stay queued, none is given up.
func TestBadFromLeavesMessagesQueued(t *testing.T) {
	t.Parallel()
	s := storetest.SQLite(t)
	keys := testKeys(t)
	queueN(t, s, keys, 2)
	l := newListener(t)
	l.start()
	if _, err := senderFor(l, s, keys, mail.SenderConfig{From: "not an address"}).RunOnce(ctx); err == nil || !strings.Contains(err.Error(), "From") {
		t.Fatalf("bad From: %v", err)
	}
	if st, _ := s.MailStatus(ctx); st.Queued != 2 || st.Failed != 0 || st.Retrying != 0 {
		t.Fatalf("status %+v", st)
	}
}
