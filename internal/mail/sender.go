package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hearme-project/hearme/internal/sealed"
)

// SenderConfig is how a Sender reaches its SMTP server.
type SenderConfig struct {
	Host     string // empty: development mode, messages go to DevDir
	Port     int
	Username string // empty: no authentication
	Password string
	From     string
	TLS      string // "starttls" (default), "tls" (implicit) or "none"
	// TLSConfig overrides the TLS settings (tests trust their own CA).
	TLSConfig *tls.Config
	// HelloName is the name given in EHLO (default: this host's name).
	HelloName string

	// DevDir is where development mode writes each message as a .eml
	// file (the data directory's outbox-dev).
	DevDir string

	// Holder names this sender in its claims; unique per process.
	Holder string
	// Batch is how many messages one claim takes (default 50).
	Batch int
	// Lease is how long a claim lasts (default 2 minutes): a sender
	// killed part way leaves its messages for another after this.
	Lease time.Duration
	// Timeout bounds connecting and each message's SMTP exchange
	// (default 30 seconds).
	Timeout time.Duration
	// MaxAttempts is how many failed attempts a message is given before
	// it is left for staff (default 15, about 8 hours; see Backoff).
	MaxAttempts int
	// Backoff is the wait after the nth failed attempt (default
	// DefaultBackoff).
	Backoff func(attempt int) time.Duration
}

// DefaultBackoff doubles the wait after each failed attempt from 30
// seconds to at most an hour, with up to 10% random spread so that many
// messages failed together are not all retried in the same second.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Hour
	if attempt < 8 {
		d = 30 * time.Second << max(attempt-1, 0)
		d = min(d, time.Hour)
	}
	return d + time.Duration(rand.Int64N(int64(d)/10+1))
}

// Metrics counts what the sender does (hearme_mail_*).
type Metrics struct {
	sent, failed, gaveUp *prometheus.CounterVec
}

// NewMetrics registers the sender's counters with reg (already
// registered counters are reused, so a second sender in one process
// shares them).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	vec := func(name, help string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"kind"})
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return are.ExistingCollector.(*prometheus.CounterVec)
			}
			panic(err)
		}
		return c
	}
	return &Metrics{
		sent:   vec("hearme_mail_sent_total", "Email accepted by the SMTP server (or written to outbox-dev in development), by kind."),
		failed: vec("hearme_mail_failed_total", "Failed attempts to send an email, by kind (each is retried until it is given up)."),
		gaveUp: vec("hearme_mail_given_up_total", "Email given up after the last attempt and left for staff, by kind."),
	}
}

// Sender delivers the outbox. Several senders (in one process or in
// several instances against one database) may run at once: each message
// is claimed under a lease before it is sent, and marked sent as soon as
// the SMTP server accepts it.
type Sender struct {
	cfg     SenderConfig
	out     Outbox
	keys    *sealed.Keyring
	log     *slog.Logger
	metrics *Metrics
}

// NewSender makes a sender; metrics may be nil.
func NewSender(cfg SenderConfig, out Outbox, keys *sealed.Keyring, log *slog.Logger, metrics *Metrics) *Sender {
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	// A claim must cover at least one message with room to spare (see
	// RunOnce), or a sender would only claim and release.
	cfg.Lease = max(cfg.Lease, 3*cfg.Timeout)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 15
	}
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.From == "" {
		cfg.From = "hearme <hearme@localhost>" // as the --mail-from default
	}
	if cfg.TLS == "" {
		cfg.TLS = "starttls"
	}
	if cfg.Port == 0 {
		cfg.Port = 587
	}
	if cfg.HelloName == "" {
		cfg.HelloName, _ = os.Hostname()
		if cfg.HelloName == "" {
			cfg.HelloName = "localhost"
		}
	}
	if cfg.Holder == "" {
		cfg.Holder = fmt.Sprintf("%s-%d-%x", cfg.HelloName, os.Getpid(), rand.Uint32())
	}
	return &Sender{cfg: cfg, out: out, keys: keys, log: log, metrics: metrics}
}

// DevMode reports whether messages are written to files instead of sent.
func (s *Sender) DevMode() bool { return s.cfg.Host == "" }

// Result is what one run did.
type Result struct {
	Sent, Retrying, GaveUp int
}

// Run sends whatever is due every interval until ctx ends.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := s.RunOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("mail sender", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce sends everything due now, a batch at a time over one SMTP
// connection, and returns when nothing more is due, ctx ends, or the
// server cannot be reached (the claimed messages are then retried later).
//
// Cancelling ctx stops before the next message: the one in flight is
// finished (within Timeout) and recorded, the rest of the batch is
// released for another sender. Only a crash (the process killed) can
// leave a message accepted by the server but not recorded as sent; see
// docs/email.md.
//
// The sender overlaps the database with the network but never more than
// one message's acceptance: while message N's mark is being committed,
// message N+1 is opened and built and its envelope and body are sent
// (MAIL, RCPT, DATA, the text), but the end of its data, the "." the
// server answers 250 to, is only sent once N's mark is committed. So at
// any moment at most one message has been accepted and not yet recorded:
// the window of docs/email.md stays one message per sender.
func (s *Sender) RunOnce(ctx context.Context) (res Result, err error) {
	// A From address that cannot be used is the configuration's fault,
	// not the messages': leave them queued.
	if _, err := parseOne(s.cfg.From); err != nil {
		return res, fmt.Errorf("the From address %q cannot be used: %w", s.cfg.From, err)
	}
	var c *client
	defer func() {
		if c != nil {
			c.close()
		}
	}()
	devKinds := map[string]int{}
	defer func() {
		if len(devKinds) > 0 {
			kinds := make([]string, 0, len(devKinds))
			for k := range devKinds {
				kinds = append(kinds, k)
			}
			sort.Strings(kinds)
			for _, k := range kinds {
				// Never the recipient or the body: those are in the file.
				s.log.Info("mail: development mode, message written to outbox-dev instead of sent", "kind", k, "count", devKinds[k], "dir", s.cfg.DevDir)
			}
		}
	}()
	// The accepted message whose mark is being committed, if any. Every
	// way out of RunOnce waits for it: an acceptance is always recorded.
	var mark *pendingMark
	waitMark := func() error {
		if mark == nil {
			return nil
		}
		err := <-mark.done
		m := mark.m
		mark = nil
		if err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
		res.Sent++
		if s.metrics != nil {
			s.metrics.sent.WithLabelValues(m.Kind).Inc()
		}
		return nil
	}
	defer func() { err = errors.Join(err, waitMark()) }()
	// The next batch, claimed while the last messages of this one are
	// sent (a full batch means more may be due); given back if unused.
	var next chan claimed
	defer func() {
		if next != nil {
			if r := <-next; len(r.batch) > 0 {
				err = errors.Join(err, s.release(ctx, r.batch))
			}
		}
	}()
	for ctx.Err() == nil {
		var r claimed
		if next != nil {
			r = <-next
			next = nil
		} else {
			r = s.claim(ctx)
		}
		batch := r.batch
		if r.err != nil {
			return res, fmt.Errorf("claim: %w", r.err)
		}
		if len(batch) == 0 {
			return res, nil
		}
		// Counted from before the claim: the lease may end a little
		// later than this, never earlier.
		leaseEnd := r.at.Add(s.cfg.Lease)
		for i, m := range batch {
			if len(batch) == s.cfg.Batch && i == len(batch)-min(prefetchAt, len(batch)) && ctx.Err() == nil {
				next = make(chan claimed, 1)
				go func(next chan<- claimed) { next <- s.claim(ctx) }(next)
			}
			if ctx.Err() != nil {
				if err := errors.Join(waitMark(), s.release(ctx, batch[i:])); err != nil {
					return res, err
				}
				return res, ctx.Err()
			}
			// Never start a message the lease might not cover: another
			// sender may take it once the lease lapses.
			if time.Until(leaseEnd) < s.cfg.Timeout+min(s.cfg.Timeout, 5*time.Second) {
				return res, errors.Join(waitMark(), s.release(ctx, batch[i:]))
			}
			msg, env, err := s.prepare(m)
			if err != nil {
				// Cannot be opened or built: retrying will not help.
				if ferr := errors.Join(waitMark(), s.fail(ctx, m, err, true, &res)); ferr != nil {
					return res, ferr
				}
				continue
			}
			if s.DevMode() {
				if err := errors.Join(waitMark(), s.writeDev(m, msg)); err != nil {
					return res, err
				}
				mark = s.markSent(ctx, m)
				if err := waitMark(); err != nil {
					return res, err
				}
				devKinds[m.Kind]++
				continue
			}
			if c == nil {
				if c, err = s.dial(ctx); err != nil {
					if werr := waitMark(); werr != nil {
						return res, werr
					}
					if ctx.Err() != nil {
						return res, errors.Join(ctx.Err(), s.release(ctx, batch[i:]))
					}
					// The server is unreachable: every message of the
					// batch counts one failed attempt.
					for _, m := range batch[i:] {
						if ferr := s.fail(ctx, m, err, false, &res); ferr != nil {
							return res, ferr
						}
					}
					return res, nil
				}
			}
			// Everything up to the end of the data, while the previous
			// message's mark is being committed.
			err = c.begin(env, msg, s.cfg.Timeout)
			if err == nil {
				if werr := waitMark(); werr != nil {
					// The previous acceptance could not be recorded:
					// this one is not completed (the server discards a
					// message whose data never ended).
					c.abort()
					c = nil
					return res, werr
				}
				if time.Until(leaseEnd) < s.cfg.Timeout {
					// The mark took so long that the lease might lapse
					// while this message is accepted: give it back.
					c.abort()
					c = nil
					return res, s.release(ctx, batch[i:])
				}
				err = c.finish(s.cfg.Timeout)
			}
			if err == nil {
				mark = s.markSent(ctx, m)
				continue
			}
			if werr := waitMark(); werr != nil {
				return res, werr
			}
			if c.broken {
				c.close()
				c = nil
			}
			if ferr := s.fail(ctx, m, err, permanent(err), &res); ferr != nil {
				return res, ferr
			}
		}
		if len(batch) < s.cfg.Batch {
			return res, nil
		}
	}
	return res, ctx.Err()
}

// prefetchAt is how many messages before the end of a full batch the
// next batch is claimed: late enough that its lease is barely used
// before its first message, early enough that the claim's commit is
// done by then.
const prefetchAt = 10

// claimed is the outcome of one claim.
type claimed struct {
	batch []Claimed
	at    time.Time // when the claim was asked for: its lease runs from no earlier
	err   error
}

func (s *Sender) claim(ctx context.Context) claimed {
	at := time.Now()
	b, err := s.out.ClaimMail(ctx, s.cfg.Holder, s.cfg.Lease, s.cfg.Batch)
	return claimed{batch: b, at: at, err: err}
}

// pendingMark is an accepted message whose mark is being committed.
type pendingMark struct {
	m    Claimed
	done chan error
}

// prepare opens a claimed message and builds it.
func (s *Sender) prepare(m Claimed) ([]byte, Envelope, error) {
	msg, err := Open(s.keys, m.Payload)
	if err != nil {
		return nil, Envelope{}, fmt.Errorf("open sealed message: %w", err)
	}
	return Build(msg, s.cfg.From, m.ID, m.CreatedAt)
}

// markSent records an accepted message at once, in the background; the
// caller waits for it (RunOnce's waitMark) before the next acceptance. It
// is written even when ctx has just ended: the server has the message,
// and forgetting that would send it twice.
func (s *Sender) markSent(ctx context.Context, m Claimed) *pendingMark {
	p := &pendingMark{m: m, done: make(chan error, 1)}
	wctx, cancel := after(ctx)
	go func() {
		defer cancel()
		p.done <- s.out.MarkMailSent(wctx, m.ID)
	}()
	return p
}

func (s *Sender) fail(ctx context.Context, m Claimed, cause error, giveUp bool, res *Result) error {
	attempt := m.Attempts + 1
	giveUp = giveUp || attempt >= s.cfg.MaxAttempts
	reason := cause.Error()
	wctx, cancel := after(ctx)
	defer cancel()
	if err := s.out.MarkMailFailed(wctx, s.cfg.Holder, m.ID, reason, s.cfg.Backoff(attempt), giveUp); err != nil {
		return fmt.Errorf("mark failed: %w", err)
	}
	if s.metrics != nil {
		s.metrics.failed.WithLabelValues(m.Kind).Inc()
	}
	if giveUp {
		res.GaveUp++
		if s.metrics != nil {
			s.metrics.gaveUp.WithLabelValues(m.Kind).Inc()
		}
		// The reason comes from the SMTP server or the network; it may
		// name the recipient, so it stays in the database for staff.
		s.log.Warn("mail: given up, left for staff at /staff/mail", "kind", m.Kind, "attempts", attempt)
	} else {
		res.Retrying++
	}
	return nil
}

func (s *Sender) release(ctx context.Context, rest []Claimed) error {
	ids := make([]string, len(rest))
	for i, m := range rest {
		ids[i] = m.ID
	}
	wctx, cancel := after(ctx)
	defer cancel()
	return s.out.ReleaseMail(wctx, s.cfg.Holder, ids...)
}

// after is the context for recording what has already happened: it
// outlives a cancelled ctx, so a stop never forgets an attempt made.
func after(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
}

// writeDev writes a message development mode would have sent.
func (s *Sender) writeDev(m Claimed, msg []byte) error {
	if err := os.MkdirAll(s.cfg.DevDir, 0o700); err != nil {
		return err
	}
	// An older install made the folder 0755; the messages hold addresses.
	if err := os.Chmod(s.cfg.DevDir, 0o700); err != nil {
		return err
	}
	name := filepath.Join(s.cfg.DevDir, m.CreatedAt.Format("20060102-150405")+"-"+m.Kind+"-"+m.ID+".eml")
	return os.WriteFile(name, msg, 0o600)
}

// permanent reports whether an SMTP reply refuses the message for good
// (a 5xx reply to the recipient or to the message itself).
func permanent(err error) bool {
	var te *textproto.Error
	return errors.As(err, &te) && te.Code >= 500 && te.Code < 600 && !errors.Is(err, errMailFrom)
}

var errMailFrom = errors.New("MAIL FROM refused")

// client is one SMTP connection, reused for a batch.
type client struct {
	c      *smtp.Client
	raw    net.Conn
	broken bool // the connection cannot carry another message
	// data is the message begun and not finished (begin, finish).
	data io.WriteCloser
}

func (s *Sender) dial(ctx context.Context) (*client, error) {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	d := net.Dialer{Timeout: s.cfg.Timeout}
	tc := s.cfg.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	var raw net.Conn
	var err error
	if s.cfg.TLS == "tls" {
		raw, err = (&tls.Dialer{NetDialer: &d, Config: tc}).DialContext(ctx, "tcp", addr)
	} else {
		raw, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to SMTP server: %w", err)
	}
	// A cancelled ctx does not cut a message short (deadlines bound it):
	// closing mid-message could lose the server's acceptance of it.
	c := &client{raw: raw}
	fail := func(what string, err error) (*client, error) {
		c.close()
		return nil, fmt.Errorf("SMTP %s: %w", what, err)
	}
	if err := raw.SetDeadline(time.Now().Add(s.cfg.Timeout)); err != nil {
		return fail("deadline", err) // without one, a silent server would hold the sender for ever
	}
	if c.c, err = smtp.NewClient(raw, s.cfg.Host); err != nil {
		return fail("greeting", err)
	}
	if err := c.c.Hello(s.cfg.HelloName); err != nil {
		return fail("EHLO", err)
	}
	if s.cfg.TLS == "starttls" {
		if ok, _ := c.c.Extension("STARTTLS"); !ok {
			return fail("STARTTLS", errors.New("the server does not offer STARTTLS (set --smtp-tls none only for a relay on this machine)"))
		}
		if err := c.c.StartTLS(tc); err != nil {
			return fail("STARTTLS", err)
		}
	}
	if s.cfg.Username != "" {
		if err := c.c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			return fail("AUTH", err)
		}
	}
	return c, nil
}

// begin sends a message up to the end of its data: the envelope, DATA
// and the text, flushed to the server. The server has accepted nothing
// yet; finish sends the end.
func (c *client) begin(env Envelope, msg []byte, timeout time.Duration) error {
	if err := c.raw.SetDeadline(time.Now().Add(timeout)); err != nil {
		c.broken = true
		return fmt.Errorf("SMTP deadline: %w", err)
	}
	reset := func(err error) error {
		var te *textproto.Error
		if !errors.As(err, &te) || c.c.Reset() != nil {
			c.broken = true
		}
		return err
	}
	if err := c.c.Mail(env.From); err != nil {
		return reset(fmt.Errorf("%w: %w", errMailFrom, err))
	}
	if err := c.c.Rcpt(env.To); err != nil {
		return reset(fmt.Errorf("RCPT TO refused: %w", err))
	}
	w, err := c.c.Data()
	if err != nil {
		return reset(fmt.Errorf("DATA refused: %w", err))
	}
	if _, err := w.Write(msg); err != nil {
		c.broken = true
		return fmt.Errorf("writing the message: %w", err)
	}
	if err := c.c.Text.W.Flush(); err != nil {
		c.broken = true
		return fmt.Errorf("writing the message: %w", err)
	}
	c.data = w
	return nil
}

// finish ends the data begun by begin; nil means the server accepted
// the message.
func (c *client) finish(timeout time.Duration) error {
	w := c.data
	c.data = nil
	if err := c.raw.SetDeadline(time.Now().Add(timeout)); err != nil {
		c.broken = true
		return fmt.Errorf("SMTP deadline: %w", err)
	}
	// The server's reply to the end of the message is the moment it
	// takes responsibility for it.
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if !errors.As(err, &te) {
			c.broken = true
		}
		return fmt.Errorf("message refused: %w", err)
	}
	return nil
}

// abort drops the connection in the middle of a message's data, without
// its end: the server discards that message (RFC 5321 section 4.1.1.4
// accepts a message only at the end of its data).
func (c *client) abort() {
	c.data = nil
	c.raw.Close()
}

func (c *client) close() {
	if c.c != nil {
		if c.raw.SetDeadline(time.Now().Add(5*time.Second)) != nil || c.c.Quit() != nil {
			// Closing anyway: the connection is being given up.
			c.c.Close()
		}
		return
	}
	c.raw.Close()
}
