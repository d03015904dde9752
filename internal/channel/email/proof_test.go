package email_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/channel/email"
	"kesher/internal/desk"
	"kesher/internal/jobs"
)

// lockedBuffer is a log the runner's goroutines may write while the test
// reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runLogged runs the outbox with sender, logging at debug level into log.
func (s *sending) runLogged(t *testing.T, sender *email.Sender, log *slog.Logger) {
	t.Helper()
	r := jobs.New(jobs.Config{Store: s.store, Handlers: sender.Handlers(), OnFinish: sender.OnFinish, Logger: log,
		Poll: 20 * time.Millisecond, Backoff: func(int) time.Duration { return 50 * time.Millisecond }})
	wake := r.Wake
	s.wake.Store(&wake)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		s.wake.Store(nil)
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

var linkPattern = regexp.MustCompile(`https://noga\.example/portal/link\?token=(kpl_[A-Za-z0-9_-]+)`)

// TestProofEmail mails portal links through the outbox to the sink: in
// Hebrew to a customer without a language, in English to one who chose
// it, with text and HTML parts, marked as sent automatically. The link in
// the email signs in; its secret is in no log and in no job.
func TestProofEmail(t *testing.T) {
	for _, tc := range []struct {
		name     string
		customer desk.CustomerRef
		want     []string
		dir      string
	}{
		{"hebrew", desk.CustomerRef{Name: "משה כהן", Email: "moshe@example.com"},
			[]string{"שלום משה כהן,", "ביקשת להיכנס לאזור הלקוחות", "הקישור תקף לכניסה אחת, עד ", "בברכה,\nנוגה בית"}, "rtl"},
		{"english", desk.CustomerRef{Name: "John Smith", Email: "john@example.com", Language: "en"},
			[]string{"Hello John Smith,", "You asked to sign in", "The link works once, until ", "Best regards,\nנוגה בית"}, "ltr"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSending(t, false)
			var logs lockedBuffer
			log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			sender := email.NewSender(email.SenderConfig{Desk: s.desk, Blobs: s.store, PublicURL: "https://noga.example/", Logger: log})
			s.runLogged(t, sender, log)
			if _, err := s.desk.CreateCustomer(context.Background(), tc.customer); err != nil {
				t.Fatal(err)
			}
			// An address of nobody's gets nothing; the customer's gets the link.
			for _, addr := range []string{"stranger@example.com", tc.customer.Email} {
				if err := s.desk.RequestEmailProof(context.Background(), desk.EmailProofRequest{Email: addr, Purpose: desk.ProofPortal}); err != nil {
					t.Fatal(err)
				}
			}
			got := read(t, s.sink.Wait(t, 1, 5*time.Second)[0])
			if !slices.Equal(got.To, []string{tc.customer.Email}) || got.From != supportAddress || got.msg.From.Name != "נוגה בית" {
				t.Errorf("from %s (%+v) to %v; want from the support mailbox to the customer", got.From, got.msg.From, got.To)
			}
			if got.header.Get("Auto-Submitted") != "auto-generated" || got.header.Get("X-Auto-Response-Suppress") != "All" {
				t.Errorf("not marked as sent automatically: %v", got.header)
			}
			if !strings.Contains(got.msg.Subject, "נוגה בית") {
				t.Errorf("subject %q does not name the desk", got.msg.Subject)
			}
			for _, w := range tc.want {
				if !strings.Contains(got.msg.Text, w) {
					t.Errorf("the text lacks %q:\n%s", w, got.msg.Text)
				}
			}
			m := linkPattern.FindStringSubmatch(got.msg.Text)
			if m == nil {
				t.Fatalf("no portal link in the text:\n%s", got.msg.Text)
			}
			token := m[1]
			if !strings.Contains(got.msg.HTML, `href="https://noga.example/portal/link?token=`+url.QueryEscape(token)+`"`) ||
				!strings.Contains(got.msg.HTML, `dir="`+tc.dir+`"`) {
				t.Errorf("the HTML part lacks the link or dir=%q:\n%s", tc.dir, got.msg.HTML)
			}
			waitUntil(t, 5*time.Second, "the outbox to empty", func() bool {
				n, err := s.store.CountJobs(context.Background(), kesher.JobPending)
				return err == nil && n == 0
			})
			if n := len(s.sink.Messages()); n != 1 {
				t.Errorf("%d emails sent, want one, to the customer only", n)
			}
			if strings.Contains(logs.String(), token) {
				t.Errorf("the link's secret is in the log:\n%s", logs.String())
			}
			done, _, err := s.store.JobsByState(context.Background(), kesher.JobDone, kesher.Page{Limit: 10})
			if err != nil || len(done) != 1 || done[0].Kind != desk.JobEmailProof || strings.Contains(string(done[0].Payload), token) {
				t.Errorf("done jobs %+v, %v; want the proof's job, without the secret", done, err)
			}
			p, err := s.desk.RedeemEmailProof(context.Background(), token, desk.ProofPortal)
			if err != nil || p.Email != tc.customer.Email {
				t.Errorf("the emailed link: %+v, %v", p, err)
			}
		})
	}
}

// TestProofEmailNeedsPublicURL: without the desk's public URL there is no
// link to send, and the job fails at once rather than retrying.
func TestProofEmailNeedsPublicURL(t *testing.T) {
	s := newSending(t, false)
	s.run(t, email.NewSender(email.SenderConfig{Desk: s.desk, Blobs: s.store}))
	if _, err := s.desk.CreateCustomer(context.Background(), desk.CustomerRef{Name: "משה כהן", Email: "moshe@example.com"}); err != nil {
		t.Fatal(err)
	}
	if err := s.desk.RequestEmailProof(context.Background(), desk.EmailProofRequest{Email: "moshe@example.com", Purpose: desk.ProofPortal}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 5*time.Second, "the job to fail", func() bool {
		n, err := s.store.CountJobs(context.Background(), kesher.JobFailed)
		return err == nil && n == 1
	})
	failed, _, err := s.store.JobsByState(context.Background(), kesher.JobFailed, kesher.Page{Limit: 1})
	if err != nil || failed[0].Attempts != 1 || !strings.Contains(failed[0].LastError, "--public-url") {
		t.Errorf("the failed job = %+v, %v; want one attempt naming --public-url", failed, err)
	}
	if n := s.sink.Attempts(); n != 0 {
		t.Errorf("%d emails offered to the relay, want none", n)
	}
}
