package testkit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// SMTPSink is a mail server on 127.0.0.1 that keeps every message it is
// given, for tests and benchmarks of what the desk sends. It can be told
// to refuse messages, to show how the sender handles a relay's 4xx and
// 5xx replies. It is safe for concurrent use.
type SMTPSink struct {
	// Host and Port are where it listens.
	Host string
	Port int

	srv *smtp.Server
	ln  net.Listener

	mu       sync.Mutex
	messages []SinkMessage
	attempts int
	refusal  *smtp.SMTPError
	refusals int // how many more messages to refuse; < 0 for all
	arrived  chan struct{}
}

// SinkMessage is one message the sink took: its envelope and its bytes.
type SinkMessage struct {
	From string
	To   []string
	Raw  []byte
}

// NewSMTPSink starts a sink that stops when the test ends.
func NewSMTPSink(t testing.TB) *SMTPSink {
	t.Helper()
	s, err := StartSMTPSink()
	if err != nil {
		t.Fatalf("start the SMTP sink: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// StartSMTPSink starts a sink on a free port of 127.0.0.1; Close stops it.
func StartSMTPSink() (*SMTPSink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().(*net.TCPAddr)
	s := &SMTPSink{Host: "127.0.0.1", Port: addr.Port, ln: ln, arrived: make(chan struct{}, 1)}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{sink: s}, nil }))
	s.srv.Domain = "sink.test"
	s.srv.ReadTimeout = time.Minute
	s.srv.WriteTimeout = time.Minute
	s.srv.EnableSMTPUTF8 = true
	// The sender under test reports problems; the sink's own log of a
	// client that hung up would be noise.
	s.srv.ErrorLog = discardLog{}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the sink's address, host:port.
func (s *SMTPSink) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// Close stops the sink.
func (s *SMTPSink) Close() error { return s.srv.Close() }

// Refuse makes the sink answer the next n messages' DATA with the reply
// code and text, such as 451 "try again later" or 550 "no such user"; n
// below 0 refuses every message until Refuse is called with n = 0.
func (s *SMTPSink) Refuse(code int, text string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusal = &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: text}
	s.refusals = n
}

// Messages returns the messages taken so far, in the order they came.
func (s *SMTPSink) Messages() []SinkMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SinkMessage(nil), s.messages...)
}

// Attempts counts the messages offered, taken or refused.
func (s *SMTPSink) Attempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.attempts
}

// Wait waits until the sink has taken n messages and returns them; it
// fails the test when they have not come within timeout.
func (s *SMTPSink) Wait(t testing.TB, n int, timeout time.Duration) []SinkMessage {
	t.Helper()
	ms, err := s.WaitFor(n, timeout)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// WaitFor is Wait for callers without a test.
func (s *SMTPSink) WaitFor(n int, timeout time.Duration) ([]SinkMessage, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		if ms := s.Messages(); len(ms) >= n {
			return ms, nil
		}
		select {
		case <-s.arrived:
		case <-deadline.C:
			return nil, fmt.Errorf("the SMTP sink took %d messages within %v, want %d", len(s.Messages()), timeout, n)
		}
	}
}

// take records one message, or refuses it as Refuse said.
func (s *SMTPSink) take(m SinkMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts++
	if s.refusals != 0 {
		if s.refusals > 0 {
			s.refusals--
		}
		return s.refusal
	}
	s.messages = append(s.messages, m)
	select {
	case s.arrived <- struct{}{}:
	default:
	}
	return nil
}

type sinkSession struct {
	sink *SMTPSink
	msg  SinkMessage
}

func (s *sinkSession) Reset()        { s.msg = SinkMessage{} }
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err
	}
	if len(s.msg.To) == 0 {
		return errors.New("no recipients")
	}
	m := s.msg
	m.Raw = buf.Bytes()
	return s.sink.take(m)
}

type discardLog struct{}

func (discardLog) Printf(string, ...any) {}
func (discardLog) Println(...any)        {}

// SwaksEnv names the swaks binary the email tests drive. Without it they
// use `swaks` on PATH (Debian's package); without either they skip, except
// in CI (CI set), where nothing may skip.
const SwaksEnv = "KESHER_TEST_SWAKS"

// Swaks returns the path of swaks, a real SMTP client that the tests of
// the SMTP listener deliver mail with.
func Swaks(t testing.TB) string {
	t.Helper()
	if path := os.Getenv(SwaksEnv); path != "" {
		found, err := exec.LookPath(path)
		if err != nil {
			t.Fatalf("%s=%s: %v", SwaksEnv, path, err)
		}
		return found
	}
	found, err := exec.LookPath("swaks")
	if err != nil {
		const msg = "swaks tests skipped: install swaks (apt-get install swaks) or set " + SwaksEnv + "=/path/to/swaks to run them"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so swaks tests may not skip)")
		}
		t.Skip(msg)
	}
	return found
}
