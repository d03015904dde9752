package email

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/desk"
)

// DefaultMaxBytes is the largest message the listener takes by default:
// 25 MiB, the size most mail providers accept.
const DefaultMaxBytes = 25 << 20

// Limits of an SMTP session. The timeouts are RFC 5321's (§4.5.3.2): five
// minutes waiting for a command, three for each block of DATA. maxLine is
// ten times the RFC's 1,000 bytes, since some HTML mailers write longer
// lines and refusing their mail would lose it; the message as a whole is
// bounded by MaxBytes anyway.
const (
	commandTimeout = 5 * time.Minute
	dataTimeout    = 3 * time.Minute
	writeTimeout   = time.Minute
	maxRecipients  = 100
	maxLine        = 10000
	// lookupTimeout bounds a recipient check; ingestTimeout bounds
	// committing a message, well inside the ten minutes a client waits
	// for the answer to DATA.
	lookupTimeout = 30 * time.Second
	ingestTimeout = 2 * time.Minute
	// maxReplyText bounds the reason quoted in a 554 reply.
	maxReplyText = 200
)

// SMTPConfig says what the SMTP listener serves and how.
type SMTPConfig struct {
	Desk *desk.Desk
	// Addr is the address to listen on, such as 127.0.0.1:2525; port 0
	// picks a free one (see SMTPServer.Addr).
	Addr string
	// Domain names the server in its greeting; the host name by default.
	Domain string
	// MaxBytes is the largest message accepted; DefaultMaxBytes when zero.
	MaxBytes int64
	Logger   *slog.Logger
	// Registerer, when set, receives the listener's metrics.
	Registerer prometheus.Registerer
}

// SMTPServer takes mail for the desk's mailboxes over SMTP. It accepts a
// recipient only when a mailbox that receives mail through the listener
// has that address, and answers a message's DATA with 250 only after the
// desk has committed it, so a sender that got 250 may forget the message.
type SMTPServer struct {
	desk    *desk.Desk
	log     *slog.Logger
	srv     *smtp.Server
	ln      net.Listener
	metrics smtpMetrics
}

// NewSMTPServer listens on cfg.Addr, so that a taken port is reported
// before anything is served; Serve then takes mail.
func NewSMTPServer(cfg SMTPConfig) (*SMTPServer, error) {
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Domain == "" {
		cfg.Domain, _ = os.Hostname()
	}
	if cfg.Domain == "" {
		cfg.Domain = "localhost"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp listener: %w", err)
	}
	s := &SMTPServer{desk: cfg.Desk, log: cfg.Logger, ln: ln, metrics: newSMTPMetrics()}
	if cfg.Registerer != nil {
		s.metrics.register(cfg.Registerer)
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = cfg.Domain
	srv.MaxMessageBytes = cfg.MaxBytes
	srv.MaxRecipients = maxRecipients
	srv.MaxLineLength = maxLine
	srv.ReadTimeout = commandTimeout
	srv.WriteTimeout = writeTimeout
	// The desk reads UTF-8 headers, so internationalised mail is welcome.
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)
	s.srv = srv
	return s, nil
}

// Addr is the address the listener listens on.
func (s *SMTPServer) Addr() net.Addr { return s.ln.Addr() }

// Serve takes mail until ctx ends. Then it stops taking connections and
// waits up to drain for the sessions to end, so that messages being
// committed get their answer; sessions still open after that are closed.
// A message whose session is closed before its 250 is sent again by its
// sender, and the desk takes it in once.
func (s *SMTPServer) Serve(ctx context.Context, drain time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Serve(s.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("smtp: shutting down: finishing the sessions in progress", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := s.srv.Shutdown(sctx); errors.Is(err, context.DeadlineExceeded) {
		s.log.Warn("smtp: sessions still open after the drain; closing them")
		_ = s.srv.Close()
	}
	// Shutdown closes only the listeners the server's Serve has registered;
	// when ctx ends before that goroutine got so far, Serve would then
	// accept forever. Closing the listener here ends it either way.
	_ = s.ln.Close()
	return <-errc
}

func (s *SMTPServer) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c.Conn(), helo: c.Hostname()}, nil
}

// Replies of the listener. Enhanced codes are RFC 3463's.
var (
	errUnknownRecipient = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox here"}
	errTooLarge         = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "message exceeds the size limit"}
	errTryLater         = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "cannot store the message now, try again later"}
)

// Reasons a message or recipient is refused, as the metrics count them.
const (
	reasonUnknownRecipient = "unknown_recipient"
	reasonTooLarge         = "too_large"
	reasonUnreadable       = "unreadable"
	reasonTransient        = "transient"
	// reasonAborted is a DATA that never ended: the connection broke, a
	// line was too long or the client stopped sending.
	reasonAborted = "aborted"
)

// session is one SMTP connection's state. go-smtp calls its methods one at
// a time.
type session struct {
	srv  *SMTPServer
	conn net.Conn
	helo string
	from string
	rcpt []string
}

func (s *session) Reset()        { s.from, s.rcpt = "", nil }
func (s *session) Logout() error { return nil }

// Mail notes the sender for the log. go-smtp has refused a declared SIZE
// over the limit already.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

// Rcpt accepts an address of a mailbox that takes mail through the
// listener. A mailbox that only reads its mail over IMAP is not served
// here, so mail for it is refused like mail for a stranger.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), lookupTimeout)
	defer cancel()
	mb, err := s.srv.desk.MailboxForAddress(ctx, to)
	switch {
	case err == nil && mb.SMTP:
		for _, r := range s.rcpt {
			if strings.EqualFold(r, to) {
				return nil
			}
		}
		s.rcpt = append(s.rcpt, to)
		return nil
	case err == nil || kesher.ErrorCode(err) == kesher.ECodeNotFound:
		s.srv.metrics.rejected.WithLabelValues(reasonUnknownRecipient).Inc()
		s.srv.log.Info("smtp: recipient refused", "rcpt", to, "from", s.from, "remote", s.conn.RemoteAddr().String())
		return errUnknownRecipient
	}
	s.srv.metrics.rejected.WithLabelValues(reasonTransient).Inc()
	s.srv.log.Error("smtp: looking up a recipient failed", "rcpt", to, "err", err)
	return errTryLater
}

// Data reads the whole message and answers only once the desk has
// committed it. The raw bytes are stored exactly as received, without a
// Received: header of the listener's: the raw message is the audit
// record and what deduplicates a message sent twice, and a trace header
// with the time in it would make each delivery differ. Who delivered it
// is logged instead.
func (s *session) Data(r io.Reader) error {
	raw, err := s.read(r)
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			s.srv.metrics.rejected.WithLabelValues(reasonTooLarge).Inc()
			return errTooLarge
		}
		s.srv.metrics.rejected.WithLabelValues(reasonAborted).Inc()
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), ingestTimeout)
	defer cancel()
	start := time.Now()
	res, err := s.srv.desk.IngestEmail(ctx, desk.InboundEmail{Recipients: s.rcpt, Raw: raw, Source: "smtp"})
	s.srv.metrics.ingest.Observe(time.Since(start).Seconds())
	log := s.srv.log.With("from", s.from, "rcpt", s.rcpt, "remote", s.conn.RemoteAddr().String(), "helo", s.helo, "bytes", len(raw))
	if err != nil {
		reason, reply := refusal(err)
		s.srv.metrics.rejected.WithLabelValues(reason).Inc()
		if reason == reasonTransient {
			log.Error("smtp: storing a message failed; the sender will retry", "err", err)
		} else {
			log.Info("smtp: message refused", "reason", reason, "err", err)
		}
		return reply
	}
	result := "accepted"
	if res.Duplicate {
		result = "duplicate"
	}
	s.srv.metrics.messages.WithLabelValues(result).Inc()
	log.Debug("smtp: message taken in", "result", result, "conversation", res.ConversationID, "message", res.MessageID, "ignored", res.Ignored)
	return nil
}

// read reads the DATA to its end. Each read may wait dataTimeout for the
// next block, so a large message on a slow link arrives as long as it
// keeps moving.
func (s *session) read(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := buf.ReadFrom(readerFunc(func(p []byte) (int, error) {
		_ = s.conn.SetReadDeadline(time.Now().Add(dataTimeout))
		return r.Read(p)
	}))
	return buf.Bytes(), err
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// refusal turns an error of the desk into the reason it is counted under
// and the SMTP reply. Only what the sender can fix by changing the message
// is permanent; anything else is 451, so the message is sent again rather
// than lost.
func refusal(err error) (string, *smtp.SMTPError) {
	switch kesher.ErrorCode(err) {
	case kesher.ECodeTooLarge:
		return reasonTooLarge, errTooLarge
	case kesher.ECodeValidation:
		msg := err.Error()
		var e *kesher.Error
		if errors.As(err, &e) {
			msg = e.Message
		}
		return reasonUnreadable, &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0}, Message: replyText(msg)}
	case kesher.ECodeNotFound:
		// The mailbox was deleted between RCPT and the end of DATA.
		return reasonUnknownRecipient, errUnknownRecipient
	}
	return reasonTransient, errTryLater
}

// replyText makes a reason fit one line of an SMTP reply: printable
// ASCII, at most maxReplyText bytes.
func replyText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > maxReplyText {
		s = s[:maxReplyText]
	}
	return s
}

type smtpMetrics struct {
	messages *prometheus.CounterVec
	rejected *prometheus.CounterVec
	ingest   prometheus.Histogram
}

func newSMTPMetrics() smtpMetrics {
	return smtpMetrics{
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_smtp_messages_total",
			Help: "Messages the SMTP listener answered 250, by result: accepted (new) or duplicate (taken in before).",
		}, []string{"result"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_smtp_rejected_total",
			Help: "Recipients and messages the SMTP listener refused, by reason: unknown_recipient, too_large, unreadable, " +
				"transient (451, the sender retries) or aborted. A SIZE declared over the limit is refused before the listener counts it.",
		}, []string{"reason"}),
		ingest: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "kesher_smtp_ingest_duration_seconds",
			Help:    "Time from the end of a message's DATA to its commit (or refusal) by the desk.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
	}
}

func (m smtpMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(m.messages, m.rejected, m.ingest)
}
