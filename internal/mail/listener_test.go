package mail_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// listener is a real SMTP server in the test process: it counts every
// message it accepts by Message-ID, and can refuse or fail on demand.
type listener struct {
	t    testing.TB
	addr string
	srv  *smtp.Server
	ln   net.Listener
	tls  *tls.Config // set: STARTTLS offered (or implicit TLS with implicit)
	// implicit makes the server speak TLS from the first byte (port 465).
	implicit bool
	// user and pass, when set, are required (PLAIN, over TLS only).
	user, pass string

	mu        sync.Mutex
	delivered map[string]int // Message-ID -> times accepted
	messages  [][]byte
	rcpts     []string
	sessions  atomic.Int64
	// refuse, if set, may refuse a message: return an *smtp.SMTPError.
	refuse func(rcpt string) error
	// delay is how long the server takes over each message.
	delay time.Duration
}

func newListener(t testing.TB) *listener {
	l := &listener{t: t, delivered: map[string]int{}}
	t.Cleanup(l.stop)
	return l
}

// start listens on addr ("" for a new port; the same address again to
// bring a stopped server back).
func (l *listener) start() {
	l.t.Helper()
	addr := l.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var ln net.Listener
	var err error
	for range 50 { // the port of a stopped server may take a moment to free
		if l.implicit {
			ln, err = tls.Listen("tcp", addr, l.tls)
		} else {
			ln, err = net.Listen("tcp", addr)
		}
		if err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		l.t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		l.sessions.Add(1)
		return &session{l: l}, nil
	}))
	s.Domain = "localhost"
	s.ReadTimeout, s.WriteTimeout = 10*time.Second, 10*time.Second
	s.MaxMessageBytes = 1 << 20
	if !l.implicit {
		s.TLSConfig = l.tls
	}
	s.ErrorLog = quietLog{}
	l.srv, l.ln = s, ln
	go s.Serve(ln)
}

func (l *listener) stop() {
	if l.srv != nil {
		l.ln.Close() // Close alone misses a listener Serve has not registered yet
		l.srv.Close()
		l.srv = nil
	}
}

func (l *listener) hostPort() (string, int) {
	h, p, _ := net.SplitHostPort(l.addr)
	n := 0
	for _, c := range p {
		n = n*10 + int(c-'0')
	}
	return h, n
}

// counts returns how many distinct messages arrived and how many
// arrived more than once.
func (l *listener) counts() (distinct, dup int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.delivered {
		if n > 1 {
			dup++
		}
	}
	return len(l.delivered), dup
}

func (l *listener) all() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([][]byte(nil), l.messages...)
}

type quietLog struct{}

func (quietLog) Printf(string, ...any) {}
func (quietLog) Println(...any)        {}

type session struct {
	l    *listener
	auth bool
	rcpt string
}

func (s *session) AuthMechanisms() []string {
	if s.l.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != s.l.user || pass != s.l.pass {
			return errors.New("bad credentials")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.l.user != "" && !s.auth {
		return smtp.ErrAuthRequired
	}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.l.mu.Lock()
	refuse := s.l.refuse
	s.l.mu.Unlock()
	if refuse != nil {
		if err := refuse(to); err != nil {
			return err
		}
	}
	s.rcpt = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.l.delay > 0 {
		time.Sleep(s.l.delay)
	}
	m, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unparseable message"}
	}
	id := m.Header.Get("Message-ID")
	s.l.mu.Lock()
	s.l.delivered[id]++
	s.l.messages = append(s.l.messages, b)
	s.l.rcpts = append(s.l.rcpts, s.rcpt)
	s.l.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.rcpt = "" }
func (s *session) Logout() error { return nil }

// testTLS makes a certificate for 127.0.0.1 and a client configuration
// that trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}},
		&tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
}

func refuseWith(code int, msg string) func(string) error {
	return func(string) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: msg}
	}
}

var _ = strings.TrimSpace
