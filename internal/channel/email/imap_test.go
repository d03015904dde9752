package email_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/channel/email"
	"kesher/internal/desk"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// officeAddress is the mailbox the IMAP tests read.
const officeAddress = "office@noga.example"

// imapCorpus are Hebrew messages of the mail package's corpus, written by
// people (no auto-replies), in the charsets Israeli mail comes in.
var imapCorpus = []string{
	"outlook-he-windows-1255-8bit", "iso-8859-8-i-qp", "gmail-he-new-replyto-cc",
	"html-only-meta-charset-windows-1255", "outlook-he-html-only",
}

func corpusMessage(t *testing.T, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "mail", "testdata", "corpus", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// hebrewLetter is a new customer email, the nth of the test.
func hebrewLetter(t *testing.T, n int) []byte {
	t.Helper()
	raw, err := mail.Build(mail.Outgoing{
		From: mail.Address{Name: "אורית שפירא", Email: fmt.Sprintf("orit%d@example.com", n)}, To: []mail.Address{{Email: officeAddress}},
		Subject: fmt.Sprintf("המשלוח שלי לא הגיע (%d)", n), MessageID: fmt.Sprintf("letter-%d@mail.example.com", n),
		Text: "שלום, הזמנתי ספה לפני שבועיים והמשלוח עדיין לא הגיע.", Date: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// imapFixture is a desk on a fresh SQLite database whose one mailbox is
// read over IMAP from a real Dovecot.
type imapFixture struct {
	dv      *testkit.Dovecot
	desk    *desk.Desk
	mailbox *kesher.Mailbox
	// reg holds the metrics of the pollers started last.
	reg *prometheus.Registry
	// logs is what the pollers logged, checked for passwords at the end.
	logs imapLog
	mu   sync.Mutex // guards ignored
	// ignored holds the data of the email.ignored events published.
	ignored []map[string]any
}

// imapLog is a buffer that the pollers' goroutines log to.
type imapLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *imapLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *imapLog) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Publish keeps the data of email.ignored events.
func (f *imapFixture) Publish(events []*kesher.Event) {
	for _, e := range events {
		if e.Type == desk.EventEmailIgnored {
			var data map[string]any
			_ = json.Unmarshal(e.Data, &data)
			f.mu.Lock()
			f.ignored = append(f.ignored, data)
			f.mu.Unlock()
		}
	}
}

func (f *imapFixture) skipped() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.ignored...)
}

// newIMAPFixture starts Dovecot and makes the mailbox, read from INBOX
// without encryption and marked read after import unless adjust says
// otherwise.
func newIMAPFixture(t *testing.T, opts testkit.DovecotOptions, adjust func(*kesher.IMAPSettings, *testkit.Dovecot)) *imapFixture {
	t.Helper()
	f := &imapFixture{dv: testkit.StartDovecot(t, opts)}
	f.desk = desk.New(desk.Config{Store: testkit.SQLite(t), Publisher: f})
	settings := &kesher.IMAPSettings{Host: f.dv.Host, Port: f.dv.Port, Security: kesher.SecurityNone,
		Username: f.dv.Username, Password: f.dv.Password}
	if adjust != nil {
		adjust(settings, f.dv)
	}
	var err error
	f.mailbox, err = f.desk.SaveMailbox(context.Background(), "", desk.MailboxInput{Address: officeAddress, Name: "נוגה משרד", IMAP: settings})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the pollers' log:\n%s\nDovecot's log:\n%s", f.logs.String(), f.dv.Log())
		}
		for _, secret := range []string{settings.Password, f.dv.Password} {
			if strings.Contains(f.logs.String(), secret) {
				t.Errorf("the logs show a password:\n%s", f.logs.String())
			}
		}
	})
	return f
}

// start starts the pollers on d (the fixture's desk when nil) with short
// intervals, stopped when the test ends.
func (f *imapFixture) start(t *testing.T, ctx context.Context, d email.IMAPDesk, maxBytes int64) *email.IMAPPollers {
	t.Helper()
	if d == nil {
		d = f.desk
	}
	f.reg = prometheus.NewRegistry()
	p, err := email.StartIMAP(ctx, email.IMAPConfig{
		Desk: d, Logger: slog.New(slog.NewTextHandler(&f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Registerer: f.reg,
		Poll: 100 * time.Millisecond, Reload: 100 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		TLS: f.dv.TLSConfig(), MaxBytes: maxBytes,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Stop)
	return p
}

// inbound lists the inbound email messages of the desk by Message-ID.
func (f *imapFixture) inbound(t *testing.T) map[string][]*kesher.Message {
	t.Helper()
	ctx := context.Background()
	convs, _, err := f.desk.Conversations(ctx, kesher.ConversationFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*kesher.Message{}
	for _, c := range convs {
		ms, _, err := f.desk.Messages(ctx, c.ID, kesher.Page{Limit: kesher.MaxPageLimit})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if m.Direction == kesher.Inbound && m.Email != nil {
				out[m.Email.MessageID] = append(out[m.Email.MessageID], m)
			}
		}
	}
	return out
}

// imapTotal is the number of inbound messages; once says each came once.
func imapTotal(byID map[string][]*kesher.Message) (n int, once bool) {
	once = true
	for _, ms := range byID {
		n += len(ms)
		once = once && len(ms) == 1
	}
	return n, once
}

func (f *imapFixture) state(t *testing.T, folder string) *kesher.IMAPState {
	t.Helper()
	st, err := f.desk.IMAPState(context.Background(), f.mailbox.ID, folder)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Fatal(err)
	}
	if st == nil {
		st = &kesher.IMAPState{}
	}
	return st
}

// metric reads the value of the metric name for the mailbox, summed over
// the series whose other labels match (e.g. "result", "ok").
func (f *imapFixture) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := f.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"mailbox": officeAddress}
	for i := 0; i+1 < len(labels); i += 2 {
		want[labels[i]] = labels[i+1]
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	series:
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := want[l.GetName()]; ok && v != l.GetValue() {
					continue series
				}
			}
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue()
		}
	}
	return sum
}

// waitUntil polls cond until it holds or the time is up.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func allSeen(msgs []testkit.DovecotMessage) bool {
	for _, m := range msgs {
		if !m.Seen() {
			return false
		}
	}
	return true
}

// TestIMAPImport reads five Hebrew messages (windows-1255, ISO-8859-8-i,
// UTF-8) from the inbox over each kind of connection, marks them read and
// saves how far it read; a message that arrives later is read within two
// seconds, announced by IDLE or, where the server has no IDLE, polled.
func TestIMAPImport(t *testing.T) {
	tests := []struct {
		name       string
		security   kesher.Security
		capability string
	}{
		{"IDLE without encryption", kesher.SecurityNone, ""},
		{"IDLE over STARTTLS", kesher.SecurityStartTLS, ""},
		{"polling over TLS", kesher.SecurityTLS, "IMAP4rev1 LITERAL+"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIMAPFixture(t, testkit.DovecotOptions{Capability: tt.capability}, func(s *kesher.IMAPSettings, dv *testkit.Dovecot) {
				s.Security = tt.security
				if tt.security == kesher.SecurityTLS {
					s.Port = dv.TLSPort
				}
			})
			for _, name := range imapCorpus {
				f.dv.Append("INBOX", corpusMessage(t, name))
			}
			f.start(t, context.Background(), nil, 0)
			waitUntil(t, 10*time.Second, "five messages imported and marked read", func() bool {
				n, _ := imapTotal(f.inbound(t))
				return n == 5 && allSeen(f.dv.Messages("INBOX")) && f.state(t, "INBOX").LastUID == 5
			})
			st := f.state(t, "INBOX")
			if st.UIDValidity != f.dv.UIDValidity("INBOX") || st.LastError != "" || st.Failures != 0 || st.LastOKAt.IsZero() {
				t.Errorf("state %+v, want the folder's UIDVALIDITY, no failure and a time of success", st)
			}
			// windows-1255 in 8 bits, as Outlook sends it, reads as Hebrew.
			if ms := f.inbound(t)["001a01db8e5f$7c8d9e00$75bad400$@example.org"]; len(ms) != 1 || !strings.Contains(ms[0].BodyText, "בחשבונית שקיבלתי") {
				t.Errorf("the windows-1255 message: %v", ms)
			}

			start := time.Now()
			f.dv.Append("INBOX", hebrewLetter(t, 6))
			waitUntil(t, 2*time.Second, "the new message imported", func() bool {
				n, _ := imapTotal(f.inbound(t))
				return n == 6 && f.state(t, "INBOX").LastUID == 6
			})
			t.Logf("a new message was imported %v after it arrived", time.Since(start).Round(time.Millisecond))
			if idle := "idle=" + strconv.FormatBool(tt.capability == ""); !strings.Contains(f.logs.String(), idle) {
				t.Errorf("the poller never logged %s:\n%s", idle, f.logs.String())
			}
			if n, once := imapTotal(f.inbound(t)); n != 6 || !once {
				t.Errorf("%d inbound messages (each once: %v), want six, each once", n, once)
			}
			if got := f.metric(t, "kesher_imap_imported_total"); got != 6 {
				t.Errorf("kesher_imap_imported_total = %v, want 6", got)
			}
			if f.metric(t, "kesher_imap_polls_total", "result", "ok") < 1 || f.metric(t, "kesher_imap_polls_total", "result", "error") != 0 ||
				f.metric(t, "kesher_imap_failing") != 0 {
				t.Errorf("polls ok %v, error %v, failing %v; want some, none, 0", f.metric(t, "kesher_imap_polls_total", "result", "ok"),
					f.metric(t, "kesher_imap_polls_total", "result", "error"), f.metric(t, "kesher_imap_failing"))
			}
		})
	}
}

// crashingDesk ends the pollers' context right after its nth email is
// committed, as a process killed at that moment would stop: before the
// poller saved how far it read or marked the message.
type crashingDesk struct {
	email.IMAPDesk
	n     atomic.Int32
	after int32
	crash context.CancelFunc
}

func (d *crashingDesk) IngestEmail(ctx context.Context, in desk.InboundEmail) (*desk.EmailResult, error) {
	res, err := d.IMAPDesk.IngestEmail(ctx, in)
	if d.n.Add(1) == d.after {
		d.crash()
	}
	return res, err
}

// TestIMAPRestartMidImport stops the poller right after the third of six
// messages is committed; started again, it takes in the other three and
// recognises the third, so that every message is there exactly once and
// every one is marked read.
func TestIMAPRestartMidImport(t *testing.T) {
	f := newIMAPFixture(t, testkit.DovecotOptions{}, func(s *kesher.IMAPSettings, dv *testkit.Dovecot) {
		s.Security, s.Port = kesher.SecurityStartTLS, dv.Port
	})
	for i := 1; i <= 6; i++ {
		f.dv.Append("INBOX", hebrewLetter(t, i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := f.start(t, ctx, &crashingDesk{IMAPDesk: f.desk, after: 3, crash: cancel}, 0)
	<-ctx.Done()
	p.Stop()
	if n, once := imapTotal(f.inbound(t)); n != 3 || !once {
		t.Fatalf("after the crash: %d messages (each once: %v), want the first three", n, once)
	}
	if st := f.state(t, "INBOX"); st.LastUID > 3 {
		t.Fatalf("after the crash the state says %d messages were read, want at most 3", st.LastUID)
	}

	f.start(t, context.Background(), nil, 0)
	waitUntil(t, 10*time.Second, "all six messages imported and marked read", func() bool {
		n, _ := imapTotal(f.inbound(t))
		return n == 6 && allSeen(f.dv.Messages("INBOX")) && f.state(t, "INBOX").LastUID == 6
	})
	if n, once := imapTotal(f.inbound(t)); n != 6 || !once {
		t.Errorf("%d inbound messages (each once: %v), want six, each once", n, once)
	}
	if got := f.metric(t, "kesher_imap_imported_total"); got != 3 {
		t.Errorf("after the restart kesher_imap_imported_total = %v, want 3 (the third was in already)", got)
	}
}

// TestIMAPUIDValidityReset reads a Hebrew-named folder, which is then
// recreated with the same messages under a new UIDVALIDITY: the poller
// reads it again from the start and takes in only the message that is new.
func TestIMAPUIDValidityReset(t *testing.T) {
	const folder = "תמיכה/לקוחות"
	f := newIMAPFixture(t, testkit.DovecotOptions{}, func(s *kesher.IMAPSettings, _ *testkit.Dovecot) { s.Folder = folder })
	for _, name := range imapCorpus[:3] {
		f.dv.Append(folder, corpusMessage(t, name))
	}
	f.start(t, context.Background(), nil, 0)
	waitUntil(t, 10*time.Second, "three messages imported", func() bool { return f.state(t, folder).LastUID == 3 })
	before := f.state(t, folder).UIDValidity

	// Servers change UIDVALIDITY in maintenance, which ends connections.
	after := f.dv.RecreateFolder(folder)
	f.dv.Restart()
	f.dv.Append(folder, hebrewLetter(t, 4))
	waitUntil(t, 10*time.Second, "the recreated folder read", func() bool {
		st := f.state(t, folder)
		return st.UIDValidity == after && st.LastUID == 4 && st.Failures == 0 && allSeen(f.dv.Messages(folder))
	})
	if n, once := imapTotal(f.inbound(t)); n != 4 || !once {
		t.Errorf("%d inbound messages (each once: %v), want four, each once", n, once)
	}
	if got := f.metric(t, "kesher_imap_imported_total"); got != 4 {
		t.Errorf("kesher_imap_imported_total = %v, want 4", got)
	}
	if !strings.Contains(f.logs.String(), fmt.Sprintf("was=%d", before)) {
		t.Errorf("the logs do not tell that UIDVALIDITY %d changed:\n%s", before, f.logs.String())
	}
}

// TestIMAPSameMailAsSMTP takes in an email through the SMTP side first;
// the copy the IMAP server holds, even with the headers its delivery
// added, is recognised and marked read, and makes no second message.
func TestIMAPSameMailAsSMTP(t *testing.T) {
	tests := []struct {
		name string
		copy func(raw []byte) []byte
	}{
		{"the same bytes", func(raw []byte) []byte { return raw }},
		{"with the delivery's headers", func(raw []byte) []byte {
			return append([]byte("Return-Path: <yossi.mizrahi@example.com>\r\nDelivered-To: "+officeAddress+"\r\n"), raw...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIMAPFixture(t, testkit.DovecotOptions{}, nil)
			raw := corpusMessage(t, "gmail-he-new-replyto-cc")
			if _, err := f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{officeAddress}, Raw: raw, Source: "smtp"}); err != nil {
				t.Fatal(err)
			}
			f.dv.Append("INBOX", tt.copy(raw))
			f.dv.Append("INBOX", hebrewLetter(t, 2))
			f.start(t, context.Background(), nil, 0)
			waitUntil(t, 10*time.Second, "both messages read and marked", func() bool {
				return f.state(t, "INBOX").LastUID == 2 && allSeen(f.dv.Messages("INBOX"))
			})
			if n, once := imapTotal(f.inbound(t)); n != 2 || !once {
				t.Errorf("%d inbound messages (each once: %v), want two, each once", n, once)
			}
			if got := f.metric(t, "kesher_imap_imported_total"); got != 1 {
				t.Errorf("kesher_imap_imported_total = %v, want 1", got)
			}
		})
	}
}

// TestIMAPAfterImport moves imported mail to a folder, created when
// missing, or deletes it, on servers with and without MOVE and UIDPLUS.
func TestIMAPAfterImport(t *testing.T) {
	tests := []struct {
		name       string
		capability string
		after      kesher.AfterImport
		moveTo     string
	}{
		{"move", "", kesher.AfterImportMove, "טופל/קשר"},
		{"move without MOVE", "IMAP4rev1 LITERAL+ UIDPLUS", kesher.AfterImportMove, "Processed"},
		{"delete", "", kesher.AfterImportDelete, ""},
		{"delete without UIDPLUS", "IMAP4rev1 LITERAL+", kesher.AfterImportDelete, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIMAPFixture(t, testkit.DovecotOptions{Capability: tt.capability}, func(s *kesher.IMAPSettings, _ *testkit.Dovecot) {
				s.AfterImport, s.MoveTo = tt.after, tt.moveTo
			})
			for i := 1; i <= 3; i++ {
				f.dv.Append("INBOX", hebrewLetter(t, i))
			}
			f.start(t, context.Background(), nil, 0)
			waitUntil(t, 10*time.Second, "three messages imported and gone from the inbox", func() bool {
				return f.state(t, "INBOX").LastUID == 3 && len(f.dv.Messages("INBOX")) == 0
			})
			if n, once := imapTotal(f.inbound(t)); n != 3 || !once {
				t.Errorf("%d inbound messages (each once: %v), want three, each once", n, once)
			}
			moved := 0
			if tt.moveTo != "" {
				for i, m := range f.dv.Messages(tt.moveTo) {
					if id := fmt.Sprintf("<letter-%d@mail.example.com>", i+1); !bytes.Contains(m.Raw, []byte(id)) {
						t.Errorf("message %d in %s is not %s:\n%s", i+1, tt.moveTo, id, m.Raw)
					}
					moved++
				}
				if moved != 3 {
					t.Errorf("%d messages moved to %s, want 3", moved, tt.moveTo)
				}
			}
		})
	}
}

// TestIMAPFailures: while the server is down, the password is wrong or
// the mailbox would move mail into the folder it reads, the poller backs
// off and the failure shows in the mailbox's IMAP state and in /metrics;
// once the server is back, or the mailbox is corrected, it recovers and
// reads the mail. A server restart while the poller idles costs nothing.
func TestIMAPFailures(t *testing.T) {
	// resave saves the mailbox with its IMAP settings changed.
	resave := func(t *testing.T, f *imapFixture, change func(*kesher.IMAPSettings)) {
		mb := f.mailbox
		imap := *mb.IMAP
		change(&imap)
		saved, err := f.desk.SaveMailbox(context.Background(), mb.ID, desk.MailboxInput{Address: mb.Address, Name: mb.Name, IMAP: &imap})
		if err != nil {
			t.Fatal(err)
		}
		f.mailbox = saved
	}
	tests := []struct {
		name string
		// fail makes the poller fail and says what the state shows; fix
		// mends it.
		fail func(t *testing.T, f *imapFixture) string
		fix  func(t *testing.T, f *imapFixture)
	}{
		{"server down", func(t *testing.T, f *imapFixture) string {
			f.dv.Stop()
			return "connection refused"
		}, func(t *testing.T, f *imapFixture) {
			f.dv.Start()
		}},
		{"wrong password", func(t *testing.T, f *imapFixture) string {
			f.dv.SetPassword("סיסמה-חדשה")
			f.dv.Restart() // ends the connection that logged in before
			return "AUTHENTICATIONFAILED"
		}, func(t *testing.T, f *imapFixture) {
			resave(t, f, func(s *kesher.IMAPSettings) { s.Password = f.dv.Password })
		}},
		{"moving mail into the folder it is read from", func(t *testing.T, f *imapFixture) string {
			resave(t, f, func(s *kesher.IMAPSettings) { s.AfterImport, s.MoveTo = kesher.AfterImportMove, "inbox" })
			return "the folder it is read from"
		}, func(t *testing.T, f *imapFixture) {
			resave(t, f, func(s *kesher.IMAPSettings) { s.MoveTo = "טופל" })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newIMAPFixture(t, testkit.DovecotOptions{}, nil)
			f.dv.Append("INBOX", hebrewLetter(t, 1))
			f.start(t, context.Background(), nil, 0)
			waitUntil(t, 10*time.Second, "the first message imported", func() bool { return f.state(t, "INBOX").LastUID == 1 })

			f.dv.Restart()
			f.dv.Append("INBOX", hebrewLetter(t, 2))
			waitUntil(t, 10*time.Second, "a message after the restart imported", func() bool { return f.state(t, "INBOX").LastUID == 2 })

			want := tt.fail(t, f)
			waitUntil(t, 10*time.Second, "failures recorded", func() bool {
				st := f.state(t, "INBOX")
				return st.Failures >= 3 && strings.Contains(st.LastError, want) && f.metric(t, "kesher_imap_failing") == 1
			})
			if got := f.metric(t, "kesher_imap_polls_total", "result", "error"); got < 3 {
				t.Errorf("%v failed polls counted, want at least 3", got)
			}

			tt.fix(t, f)
			f.dv.Append("INBOX", hebrewLetter(t, 3))
			waitUntil(t, 10*time.Second, "recovery", func() bool {
				st := f.state(t, "INBOX")
				return st.LastUID == 3 && st.Failures == 0 && st.LastError == "" && f.metric(t, "kesher_imap_failing") == 0
			})
			if n, once := imapTotal(f.inbound(t)); n != 3 || !once {
				t.Errorf("%d inbound messages (each once: %v), want three, each once", n, once)
			}
			if s := f.mailbox.IMAP; s.AfterImport == kesher.AfterImportMove && len(f.dv.Messages(s.MoveTo)) != 1 {
				t.Errorf("%s holds %v, want the message read after the fix", s.MoveTo, f.dv.Messages(s.MoveTo))
			}
		})
	}
}

// TestIMAPTooLarge leaves on the server, unmarked, a message larger than
// the poller fetches and one the desk refuses (too many attachments); both
// are recorded with their Hebrew subjects, read past and never tried
// again, and the message after them is taken in.
func TestIMAPTooLarge(t *testing.T) {
	f := newIMAPFixture(t, testkit.DovecotOptions{Capability: "IMAP4rev1 LITERAL+"}, nil)
	big, err := mail.Build(mail.Outgoing{
		From: mail.Address{Name: "משה כהן", Email: "moshe@example.com"}, To: []mail.Address{{Email: officeAddress}},
		Subject: "תמונות של הנזק", MessageID: "big@mail.example.com", Text: "מצורפות תמונות.", Date: time.Now(),
		Attachments: []mail.Attachment{{Filename: "נזק.jpg", ContentType: "image/jpeg", Data: bytes.Repeat([]byte{0xff, 0xd8, 7}, 100_000)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var many []mail.Attachment
	for i := range 51 {
		many = append(many, mail.Attachment{Filename: fmt.Sprintf("חשבונית-%d.pdf", i), ContentType: "application/pdf", Data: []byte("%PDF-1.4")})
	}
	crowded, err := mail.Build(mail.Outgoing{
		From: mail.Address{Name: "רבקה לוי", Email: "rivka@example.com"}, To: []mail.Address{{Email: officeAddress}},
		Subject: "כל החשבוניות", MessageID: "crowded@mail.example.com", Text: "הנה כולן.", Date: time.Now(), Attachments: many,
	})
	if err != nil {
		t.Fatal(err)
	}
	f.dv.Append("INBOX", big)
	f.dv.Append("INBOX", crowded)
	f.dv.Append("INBOX", hebrewLetter(t, 3))
	f.start(t, context.Background(), nil, 200_000)
	waitUntil(t, 10*time.Second, "the folder read", func() bool { return f.state(t, "INBOX").LastUID == 3 })

	msgs := f.dv.Messages("INBOX")
	if len(msgs) != 3 || msgs[0].Seen() || msgs[1].Seen() || !msgs[2].Seen() {
		t.Errorf("the inbox: %+v, want the two refused messages unread and the third read", msgs)
	}
	if n, _ := imapTotal(f.inbound(t)); n != 1 {
		t.Errorf("%d inbound messages, want 1", n)
	}
	// The poller reads the folder on; the refused messages stay behind it.
	polls := f.metric(t, "kesher_imap_polls_total", "result", "ok")
	waitUntil(t, 5*time.Second, "three more polls", func() bool { return f.metric(t, "kesher_imap_polls_total", "result", "ok") >= polls+3 })
	if got := f.metric(t, "kesher_imap_skipped_total", "reason", desk.SkipTooLarge); got != 2 {
		t.Errorf("kesher_imap_skipped_total = %v, want 2", got)
	}
	skipped := f.skipped()
	if len(skipped) != 2 {
		t.Fatalf("recorded %d skipped emails, want 2: %v", len(skipped), skipped)
	}
	for i, want := range []struct{ subject, from string }{{"תמונות של הנזק", "moshe@example.com"}, {"כל החשבוניות", "rivka@example.com"}} {
		got := skipped[i]
		if got["reason"] != desk.SkipTooLarge || got["subject"] != want.subject || got["from"] != want.from || got["mailbox_id"] != f.mailbox.ID {
			t.Errorf("skipped email %d recorded as %v, want %s from %s", i+1, got, want.subject, want.from)
		}
	}
}

// TestIMAPMailboxChanges: a mailbox added while the pollers run is read;
// one deleted is no longer read, and its series leave /metrics.
func TestIMAPMailboxChanges(t *testing.T) {
	f := newIMAPFixture(t, testkit.DovecotOptions{}, nil)
	f.start(t, context.Background(), nil, 0)
	waitUntil(t, 10*time.Second, "the office inbox read", func() bool { return !f.state(t, "INBOX").LastOKAt.IsZero() })

	imap := *f.mailbox.IMAP
	imap.Folder = "מכירות"
	sales, err := f.desk.SaveMailbox(context.Background(), "", desk.MailboxInput{Address: "sales@noga.example", Name: "מכירות", IMAP: &imap})
	if err != nil {
		t.Fatal(err)
	}
	f.dv.Append(imap.Folder, hebrewLetter(t, 1))
	waitUntil(t, 10*time.Second, "the new mailbox read", func() bool {
		st, err := f.desk.IMAPState(context.Background(), sales.ID, imap.Folder)
		return err == nil && st.LastUID == 1
	})

	if err := f.desk.DeleteMailbox(context.Background(), f.mailbox.ID); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 10*time.Second, "the deleted mailbox's poller stopped", func() bool {
		mfs, _ := f.reg.Gather()
		for _, mf := range mfs {
			for _, m := range mf.GetMetric() {
				if mf.GetName() == "kesher_imap_failing" && m.GetLabel()[0].GetValue() == officeAddress {
					return false
				}
			}
		}
		return true
	})
	f.dv.Append("INBOX", hebrewLetter(t, 2))
	f.dv.Append(imap.Folder, hebrewLetter(t, 3))
	waitUntil(t, 10*time.Second, "the new mailbox's second message", func() bool {
		n, _ := imapTotal(f.inbound(t))
		return n == 2
	})
	if msgs := f.dv.Messages("INBOX"); len(msgs) != 1 || msgs[0].Seen() {
		t.Errorf("the deleted mailbox's inbox: %+v, want its message untouched", msgs)
	}
}
