package email_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/channel/email"
	"kesher/internal/desk"
	"kesher/internal/jobs"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// Noga Home's mailboxes: support takes mail through the SMTP listener;
// archive only reads its mail over IMAP, so the listener refuses it.
const (
	supportAddress = "support@noga.example"
	archiveAddress = "archive@noga.example"
	signature      = "נוגה בית – שירות לקוחות\nטל' 03-5551234"
)

var (
	moshe = mail.Address{Name: "משה כהן", Email: "moshe@example.com"}
	rivka = mail.Address{Name: "רבקה כהן", Email: "rivka@example.com"}
)

// fixture is a desk on a fresh SQLite database with Noga Home's
// mailboxes; support sends through relay and acknowledges new
// conversations when ack is set. The store can be made to fail its
// writes, as a database that is down would.
type fixture struct {
	store   *flakyStore
	desk    *desk.Desk
	support *kesher.Mailbox
	// wake, once set, is called after every committed write, as serve's
	// publisher wakes the job runner.
	wake atomic.Pointer[func()]
}

func newFixture(t *testing.T, relay kesher.RelaySettings, ack bool) *fixture {
	t.Helper()
	f := &fixture{store: &flakyStore{Store: testkit.SQLite(t)}}
	f.desk = desk.New(desk.Config{Store: f.store, Publisher: publisherFunc(func([]*kesher.Event) {
		if w := f.wake.Load(); w != nil {
			(*w)()
		}
	})})
	ctx := context.Background()
	var err error
	f.support, err = f.desk.SaveMailbox(ctx, "", desk.MailboxInput{
		Address: supportAddress, Aliases: []string{"help@noga.example"}, Name: "נוגה בית", Signature: signature,
		Acknowledge: ack, ResponseTime: 4 * time.Hour, SMTP: true, Relay: relay,
	})
	if err != nil {
		t.Fatal(err)
	}
	imap := &kesher.IMAPSettings{Host: "imap.noga.example", Port: 993, Security: kesher.SecurityTLS, Username: "archive", Password: "סוד"}
	if _, err := f.desk.SaveMailbox(ctx, "", desk.MailboxInput{Address: archiveAddress, Name: "ארכיון", IMAP: imap}); err != nil {
		t.Fatal(err)
	}
	return f
}

type publisherFunc func([]*kesher.Event)

func (p publisherFunc) Publish(events []*kesher.Event) { p(events) }

// flakyStore fails every Write while failing is set.
type flakyStore struct {
	kesher.Store
	failing atomic.Bool
}

var errDatabaseDown = errors.New("database is down")

func (s *flakyStore) Write(ctx context.Context, fn func(kesher.Tx) error) error {
	if s.failing.Load() {
		return errDatabaseDown
	}
	return s.Store.Write(ctx, fn)
}

// listen starts the SMTP listener on a free port for the test's length.
func (f *fixture) listen(t *testing.T, maxBytes int64, reg prometheus.Registerer) string {
	t.Helper()
	srv, err := email.NewSMTPServer(email.SMTPConfig{Desk: f.desk, Addr: "127.0.0.1:0", Domain: "mx.noga.example",
		MaxBytes: maxBytes, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, 5*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv.Addr().String()
}

// run starts a job runner with the sender's handlers, woken by every
// commit, retrying after a moment instead of half a minute.
func (f *fixture) run(t *testing.T, sender *email.Sender) {
	t.Helper()
	r := jobs.New(jobs.Config{Store: f.store, Handlers: sender.Handlers(), OnFinish: sender.OnFinish, Poll: 20 * time.Millisecond,
		Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	wake := r.Wake
	f.wake.Store(&wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		f.wake.Store(nil)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

// conversations lists every conversation, newest first.
func (f *fixture) conversations(t *testing.T) []*kesher.Conversation {
	t.Helper()
	cs, _, err := f.desk.Conversations(context.Background(), kesher.ConversationFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (f *fixture) messages(t *testing.T, convID string) []*kesher.Message {
	t.Helper()
	ms, _, err := f.desk.Messages(context.Background(), convID, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// only returns the one conversation of the desk and its messages.
func (f *fixture) only(t *testing.T) (*kesher.Conversation, []*kesher.Message) {
	t.Helper()
	cs := f.conversations(t)
	if len(cs) != 1 {
		t.Fatalf("%d conversations, want 1", len(cs))
	}
	return cs[0], f.messages(t, cs[0].ID)
}

// build makes a raw email, in the shape mail.Build gives every client.
func build(t *testing.T, o mail.Outgoing) []byte {
	t.Helper()
	if o.Date.IsZero() {
		o.Date = time.Now()
	}
	if len(o.To) == 0 {
		o.To = []mail.Address{{Email: supportAddress}}
	}
	raw, err := mail.Build(o)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// ingest takes in raw as the listener would.
func (f *fixture) ingest(t *testing.T, raw []byte) *desk.EmailResult {
	t.Helper()
	res, err := f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{supportAddress}, Raw: raw, Source: "smtp"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
