package email_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/channel/email"
	"kesher/internal/desk"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// sending is a desk whose support mailbox sends through an SMTP sink, with
// an agent to write the replies.
type sending struct {
	*fixture
	sink   *testkit.SMTPSink
	sender *email.Sender
	agent  context.Context // signed in as Ronit, an agent
}

func newSending(t *testing.T, ack bool) *sending {
	t.Helper()
	sink := testkit.NewSMTPSink(t)
	f := newFixture(t, kesher.RelaySettings{Host: sink.Host, Port: sink.Port, Security: kesher.SecurityNone}, ack)
	agent, err := f.desk.CreateUser(context.Background(), desk.NewUser{Email: "ronit@noga.example", Name: "רונית לוי", Role: kesher.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	sender := email.NewSender(email.SenderConfig{Desk: f.desk, Blobs: f.store, PublicURL: "https://noga.example/"})
	return &sending{fixture: f, sink: sink, sender: sender, agent: kesher.WithActor(context.Background(), agent)}
}

// open starts a conversation with Moshe's email, Rivka copied.
func (s *sending) open(t *testing.T) *desk.EmailResult {
	t.Helper()
	return s.ingest(t, build(t, mail.Outgoing{From: moshe, Cc: []mail.Address{rivka}, Subject: "המקרר לא מקרר", MessageID: "m1@example.com",
		Text: "שלום, המקרר שקניתי לפני שבוע הפסיק לקרר."}))
}

// reply adds Ronit's reply to a conversation.
func (s *sending) reply(t *testing.T, convID string, attachments ...kesher.Attachment) *kesher.Message {
	t.Helper()
	m, err := s.desk.AddMessage(s.agent, convID, desk.NewMessage{BodyText: "שלום משה,\n\nטכנאי יגיע מחר בין 8:00 ל-12:00.",
		Attachments: attachments})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// message returns a stored message by id.
func (s *sending) message(t *testing.T, convID, id string) *kesher.Message {
	t.Helper()
	for _, m := range s.messages(t, convID) {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %s is not in conversation %s", id, convID)
	return nil
}

// received is a message the sink took, read back.
type received struct {
	testkit.SinkMessage
	header netmail.Header
	msg    *mail.Message
}

func read(t *testing.T, m testkit.SinkMessage) received {
	t.Helper()
	nm, err := netmail.ReadMessage(bytes.NewReader(m.Raw))
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := mail.Parse(m.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return received{SinkMessage: m, header: nm.Header, msg: parsed}
}

// TestSendReply sends an agent's reply through the runner to the sink and
// reads it as the customer's mail program would, then threads the
// customer's answer to it.
func TestSendReply(t *testing.T) {
	s := newSending(t, false)
	s.run(t, s.sender)
	first := s.open(t)
	conv, err := s.desk.Conversation(context.Background(), first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	quote := []byte("%PDF-1.4\n% הצעת מחיר לתיקון\n%%EOF\n")
	sum := sha256.Sum256(quote)
	hash := hex.EncodeToString(sum[:])
	if err := s.store.Write(context.Background(), func(tx kesher.Tx) error { return tx.PutBlob(context.Background(), hash, quote) }); err != nil {
		t.Fatal(err)
	}
	reply := s.reply(t, conv.ID, kesher.Attachment{Filename: "הצעת מחיר.pdf", ContentType: "application/pdf", Size: int64(len(quote)), SHA256: hash})

	got := read(t, s.sink.Wait(t, 1, 5*time.Second)[0])
	m, h := got.msg, got.header
	if got.From != supportAddress || !slices.Equal(got.To, []string{moshe.Email, rivka.Email}) {
		t.Errorf("envelope %s → %v", got.From, got.To)
	}
	if m.From != (mail.Address{Name: "רונית לוי via נוגה בית", Email: supportAddress}) {
		t.Errorf("From %+v", m.From)
	}
	if !slices.Equal(m.To, []mail.Address{moshe}) || !slices.Equal(m.Cc, []mail.Address{rivka}) {
		t.Errorf("To %+v, Cc %+v", m.To, m.Cc)
	}
	if want := "Re: המקרר לא מקרר [#" + strconv.FormatInt(conv.Number, 10) + "]"; m.Subject != want {
		t.Errorf("Subject %q, want %q", m.Subject, want)
	}
	for name, want := range map[string]string{
		"Message-Id": "<" + reply.Email.MessageID + ">", "In-Reply-To": "<m1@example.com>", "References": "<m1@example.com>",
	} {
		if v := h.Get(name); v != want {
			t.Errorf("%s: %q, want %q", name, v, want)
		}
	}
	if h.Get("Auto-Submitted") != "" {
		t.Errorf("a reply is marked Auto-Submitted: %s", h.Get("Auto-Submitted"))
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "multipart/mixed") || !bytes.Contains(got.Raw, []byte("multipart/alternative")) {
		t.Errorf("Content-Type %q; no alternatives in\n%s", h.Get("Content-Type"), got.Raw)
	}
	wantText := "שלום משה,\n\nטכנאי יגיע מחר בין 8:00 ל-12:00.\n\n-- \n" + signature
	if strings.TrimSpace(m.Text) != wantText {
		t.Errorf("text %q, want %q", m.Text, wantText)
	}
	if !strings.Contains(m.HTML, "טכנאי יגיע מחר") || !strings.Contains(m.HTML, "טל&#39; 03-5551234") {
		t.Errorf("HTML %q", m.HTML)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "הצעת מחיר.pdf" || !bytes.Equal(m.Attachments[0].Data, quote) {
		t.Errorf("attachments %+v", m.Attachments)
	}
	waitUntil(t, 5*time.Second, "the reply recorded as sent", func() bool { return s.message(t, conv.ID, reply.ID).Delivery == kesher.DeliverySent })

	// Moshe answers with another subject; In-Reply-To threads it.
	answer := s.ingest(t, build(t, mail.Outgoing{From: moshe, Subject: "תודה", MessageID: "m2@example.com",
		InReplyTo: reply.Email.MessageID, References: []string{"m1@example.com", reply.Email.MessageID}, Text: "תודה, מחר מתאים."}))
	if answer.ConversationID != conv.ID || answer.Created {
		t.Errorf("the answer went to %s (created %v), want %s", answer.ConversationID, answer.Created, conv.ID)
	}
}

// TestSendFailures shows how relay failures end: a 4xx reply is retried
// until the relay takes the message, a 5xx reply fails it at once with the
// relay's reason for the agent to see.
func TestSendFailures(t *testing.T) {
	for _, tc := range []struct {
		name     string
		code     int
		text     string
		times    int
		delivery kesher.Delivery
		attempts int
	}{
		{"temporary", 451, "greylisted, try again later", 2, kesher.DeliverySent, 3},
		{"permanent", 550, "no such user here", -1, kesher.DeliveryFailed, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSending(t, false)
			s.run(t, s.sender)
			s.sink.Refuse(tc.code, tc.text, tc.times)
			conv := s.open(t).ConversationID
			reply := s.reply(t, conv)
			waitUntil(t, 5*time.Second, "the delivery to end", func() bool { return s.message(t, conv, reply.ID).Delivery == tc.delivery })
			m := s.message(t, conv, reply.ID)
			if tc.delivery == kesher.DeliveryFailed && (!strings.Contains(m.DeliveryError, strconv.Itoa(tc.code)) || !strings.Contains(m.DeliveryError, tc.text)) {
				t.Errorf("delivery error %q, want the relay's %d %s", m.DeliveryError, tc.code, tc.text)
			}
			if n := s.sink.Attempts(); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
		})
	}
}

// TestSendAtLeastOnce runs a reply's job twice, as a runner whose process
// died after sending would: the reply goes out once.
func TestSendAtLeastOnce(t *testing.T) {
	s := newSending(t, false)
	conv := s.open(t).ConversationID
	reply := s.reply(t, conv)
	payload, _ := json.Marshal(desk.SendEmailJob{MessageID: reply.ID})
	handle := s.sender.Handlers()[desk.JobSendEmail]
	for i := range 2 {
		if err := handle(context.Background(), &kesher.Job{Kind: desk.JobSendEmail, Payload: payload}); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	if n := len(s.sink.Messages()); n != 1 {
		t.Errorf("%d emails sent, want 1", n)
	}
}

// TestAcknowledgement has a new conversation acknowledged in its
// customer's language, with its number, the mailbox's response time and
// the help centre, marked as sent automatically; an auto-reply is never
// acknowledged.
func TestAcknowledgement(t *testing.T) {
	for _, tc := range []struct {
		name     string
		customer desk.CustomerRef // created before the email, "" for none
		from     mail.Address
		want     []string
	}{
		{"hebrew", desk.CustomerRef{}, moshe, []string{"שלום משה כהן,", "ומספרה {n}.", "בתוך 4 שע׳", "https://noga.example/help", "בברכה,\nנוגה בית"}},
		{"english", desk.CustomerRef{Name: "John Smith", Email: "john@example.com", Language: "en"}, mail.Address{Name: "John Smith", Email: "john@example.com"},
			[]string{"Hello John Smith,", "its number is {n}.", "within 4h.", "https://noga.example/help", "Best regards,\nנוגה בית"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSending(t, true)
			s.run(t, s.sender)
			if tc.customer.Email != "" {
				if _, err := s.desk.CreateCustomer(context.Background(), tc.customer); err != nil {
					t.Fatal(err)
				}
			}
			// An out-of-office reply first: it starts nothing and gets no
			// acknowledgement, so the one email sent is the person's.
			s.ingest(t, build(t, mail.Outgoing{From: mail.Address{Name: "אבי", Email: "avi@example.com"}, Subject: "מחוץ למשרד",
				Text: "אני מחוץ למשרד עד יום ראשון.", Headers: map[string]string{"Auto-Submitted": "auto-replied"}}))
			res := s.ingest(t, build(t, mail.Outgoing{From: tc.from, Subject: "הזמנה 56001", Text: "מתי תגיע ההזמנה שלי?"}))
			conv, err := s.desk.Conversation(context.Background(), res.ConversationID)
			if err != nil {
				t.Fatal(err)
			}
			got := read(t, s.sink.Wait(t, 1, 5*time.Second)[0])
			if got.header.Get("Auto-Submitted") != "auto-replied" || got.header.Get("X-Auto-Response-Suppress") != "All" {
				t.Errorf("not marked as sent automatically: %v", got.header)
			}
			if !slices.Equal(got.To, []string{tc.from.Email}) || got.msg.From.Name != "נוגה בית" {
				t.Errorf("from %+v to %v", got.msg.From, got.To)
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "{n}", strconv.FormatInt(conv.Number, 10)); !strings.Contains(got.msg.Text, w) {
					t.Errorf("the acknowledgement lacks %q:\n%s", w, got.msg.Text)
				}
			}
			var ack *kesher.Message
			waitUntil(t, 5*time.Second, "the acknowledgement recorded as sent", func() bool {
				ms := s.messages(t, conv.ID)
				ack = ms[len(ms)-1]
				return ack.Delivery == kesher.DeliverySent
			})
			if ack.Email.Auto != kesher.AutoReply || !strings.HasPrefix(got.msg.Text, ack.BodyText) || ack.BodyText == "" {
				t.Errorf("stored acknowledgement %q (auto %q), sent %q", ack.BodyText, ack.Email.Auto, got.msg.Text)
			}
			waitUntil(t, 5*time.Second, "the outbox to empty", func() bool {
				n, err := s.store.CountJobs(context.Background(), kesher.JobPending)
				return err == nil && n == 0
			})
			if n := len(s.sink.Messages()); n != 1 {
				t.Errorf("%d emails sent, want only the acknowledgement of the person's email", n)
			}
		})
	}
}
