package desk_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// emailFixture is a desk that publishes to a watcher, with a team and two
// mailboxes: support (acknowledges, alias help@) and billing (does not).
type emailFixture struct {
	*fixture
	w                *watcher
	team             *kesher.Team
	support, billing *kesher.Mailbox
	n                int // numbers the Message-IDs of the letters
}

var (
	dana  = mail.Address{Name: "דנה כהן", Email: "dana@example.com"}
	yossi = mail.Address{Name: "יוסי לוי", Email: "yossi@example.com"}
)

func newEmailFixture(t *testing.T, st kesher.Store) *emailFixture {
	t.Helper()
	f, w := liveFixture(t, st)
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "תמיכה"})
	if err != nil {
		t.Fatal(err)
	}
	relay := kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS, Username: "support", Password: "סוד"}
	support, err := f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{
		Address: "support@noga.co.il", Aliases: []string{"help@noga.co.il"}, Name: "נגה תמיכה", TeamID: team.ID,
		Acknowledge: true, ResponseTime: 4 * time.Hour, SMTP: true, Relay: relay,
	})
	if err != nil {
		t.Fatal(err)
	}
	billing, err := f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "billing@noga.co.il", Name: "נגה חשבונות", SMTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return &emailFixture{fixture: f, w: w, team: team, support: support, billing: billing}
}

// letter is an email to build with mail.Build; To defaults to support.
type letter struct {
	from        mail.Address
	to, cc      []mail.Address
	replyTo     *mail.Address
	subject     string
	messageID   string // made up when empty
	inReplyTo   string
	references  []string
	text        string
	attachments []mail.Attachment
	headers     map[string]string
	written     time.Duration // how long before now it was written
}

func (f *emailFixture) raw(t *testing.T, l letter) []byte {
	t.Helper()
	if l.to == nil {
		l.to = []mail.Address{{Email: "support@noga.co.il"}}
	}
	if l.messageID == "" {
		f.n++
		l.messageID = fmt.Sprintf("m%d@mail.example.com", f.n)
	}
	raw, err := mail.Build(mail.Outgoing{
		From: l.from, To: l.to, Cc: l.cc, ReplyTo: l.replyTo, Subject: l.subject, MessageID: l.messageID,
		InReplyTo: l.inReplyTo, References: l.references, Text: orText(l.text), Attachments: l.attachments,
		Headers: l.headers, Date: f.clock.Now().Add(-l.written),
	})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func orText(s string) string {
	if s == "" {
		return "שלום, ההזמנה שלי לא הגיעה."
	}
	return s
}

// ingest takes in raw as the SMTP listener would, for its recipients.
func (f *emailFixture) ingest(t *testing.T, raw []byte) *desk.EmailResult {
	t.Helper()
	res, err := f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{"support@noga.co.il"}, Raw: raw, Source: "smtp"})
	if err != nil {
		t.Fatalf("IngestEmail: %v", err)
	}
	return res
}

// send ingests a letter and returns the result.
func (f *emailFixture) send(t *testing.T, l letter) *desk.EmailResult {
	t.Helper()
	return f.ingest(t, f.raw(t, l))
}

func (f *emailFixture) messages(t *testing.T, convID string) []*kesher.Message {
	t.Helper()
	ms, _, err := f.desk.Messages(f.asAgent, convID, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (f *emailFixture) conversation(t *testing.T, id string) *kesher.Conversation {
	t.Helper()
	c, err := f.desk.Conversation(f.asAgent, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *emailFixture) countConversations(t *testing.T) int {
	t.Helper()
	n, err := f.desk.CountConversations(f.asAgent, kesher.ConversationFilter{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// jobs returns the pending jobs of a kind, oldest first.
func (f *emailFixture) jobs(t *testing.T, kind string) []*kesher.Job {
	t.Helper()
	all, _, err := f.store.JobsByState(context.Background(), kesher.JobPending, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	var out []*kesher.Job
	for _, j := range slices.Backward(all) {
		if j.Kind == kind {
			out = append(out, j)
		}
	}
	return out
}

// published returns every event published so far of one type.
func (f *emailFixture) published(typ string) []*kesher.Event {
	f.w.mu.Lock()
	defer f.w.mu.Unlock()
	var out []*kesher.Event
	for _, b := range f.w.batches {
		for _, e := range b {
			if e.Type == typ {
				out = append(out, e)
			}
		}
	}
	return out
}

// reply adds an agent's reply to a conversation.
func (f *emailFixture) reply(t *testing.T, convID, body string) *kesher.Message {
	t.Helper()
	m, err := f.desk.AddMessage(f.asAgent, convID, desk.NewMessage{BodyText: body})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func setStatus(t *testing.T, f *emailFixture, convID string, s kesher.Status) {
	t.Helper()
	if _, err := f.desk.UpdateConversation(f.asLead, convID, kesher.ConversationUpdate{Status: &s}); err != nil {
		t.Fatal(err)
	}
}

func TestEmail(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *emailFixture)
		}{
			{"a new email opens a conversation and a customer", testEmailNew},
			{"the same Message-ID is taken in once", testEmailDuplicateID},
			{"the same email without a Message-ID is taken in once", testEmailDuplicateRaw},
			{"a reply threads by In-Reply-To to the desk's email", testEmailInReplyTo},
			{"the ticket token threads mail from the customer", testEmailToken},
			{"the ticket token from a stranger does not thread", testEmailTokenStranger},
			{"a participant's reply threads and is copied", testEmailParticipants},
			{"the same subject from the same customer threads for two weeks", testEmailSubject},
			{"mail to a closed conversation opens a new one", testEmailClosed},
			{"an auto-reply joins its thread without reopening it", testEmailAutoReply},
			{"mail from machines never opens a conversation", testEmailMachines},
			{"a bounce of the desk's email marks it failed", testEmailBounce},
			{"acknowledgements and mail loops", testEmailAcknowledge},
			{"the acknowledgement is recorded once", testEmailAcknowledgement},
			{"Reply-To is a second identity and gets the replies", testEmailReplyTo},
			{"an attachment is stored once", testEmailAttachments},
			{"an agent's reply is queued with a stable Message-ID", testEmailOutbound},
			{"a reply that cannot be sent fails at once", testEmailUnsendable},
			{"deliveries are recorded and published", testEmailDelivery},
			{"who may take in email, and for which mailbox", testEmailRefused},
			{"concurrent deliveries of one email make one message", testEmailConcurrent},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newEmailFixture(t, open(t))) })
		}
	})
}

func testEmailNew(t *testing.T, f *emailFixture) {
	ctx := context.Background()
	raw := f.raw(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה", text: "שלום,\nההזמנה 4471 לא הגיעה.\n\n-- \nדנה"})
	res := f.ingest(t, raw)
	if !res.Created || res.Duplicate || res.Ignored != "" || res.Auto != "" {
		t.Fatalf("result %+v, want a created conversation", res)
	}
	c := f.conversation(t, res.ConversationID)
	if c.Channel != kesher.ChannelEmail || c.TeamID != f.team.ID || c.Subject != "ההזמנה שלי לא הגיעה" || c.Status != kesher.StatusOpen || c.WaitingSince.IsZero() {
		t.Errorf("conversation %+v", c)
	}
	cust, err := f.store.CustomerByIdentity(ctx, kesher.IdentityEmail, "dana@example.com")
	if err != nil || cust.ID != c.CustomerID || cust.Name != "דנה כהן" {
		t.Errorf("customer %+v, %v; want %s named דנה כהן", cust, err, c.CustomerID)
	}
	ms := f.messages(t, c.ID)
	if len(ms) != 1 {
		t.Fatalf("%d messages", len(ms))
	}
	m := ms[0]
	if m.ID != res.MessageID || m.Direction != kesher.Inbound || m.AuthorType != kesher.AuthorCustomer || m.AuthorID != cust.ID ||
		m.ExternalID != "m1@mail.example.com" || m.Delivery != "" {
		t.Errorf("message %+v", m)
	}
	// The agent reads the new part first; the signature is in the raw email.
	if strings.Contains(m.BodyText, "-- ") || !strings.Contains(m.BodyText, "ההזמנה 4471 לא הגיעה") {
		t.Errorf("body %q", m.BodyText)
	}
	if m.Email == nil || m.Email.MessageID != "m1@mail.example.com" || m.Email.From.Email != "dana@example.com" ||
		m.Email.Subject != "ההזמנה שלי לא הגיעה" || m.Email.MailboxID != f.support.ID || m.Email.Auto != "" {
		t.Fatalf("email %+v", m.Email)
	}
	if stored, err := f.store.Blob(ctx, m.Email.RawSHA256); err != nil || !bytes.Equal(stored, raw) {
		t.Errorf("the raw email blob: %d bytes, %v", len(stored), err)
	}
	if th, err := f.store.EmailThread(ctx, c.ID); err != nil || th.MailboxID != f.support.ID || th.ReplyTo.Email != "dana@example.com" {
		t.Errorf("thread %+v, %v", th, err)
	}
	if got, want := eventTypes(t, f.fixture, c.ID), []string{kesher.EventConversationCreated, kesher.EventMessageAdded}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	acks := f.jobs(t, desk.JobAcknowledge)
	if len(acks) != 1 {
		t.Fatalf("%d acknowledgement jobs, want 1", len(acks))
	}
	var p desk.AcknowledgeJob
	if err := json.Unmarshal(acks[0].Payload, &p); err != nil || p.ConversationID != c.ID || p.MessageID != m.ID {
		t.Errorf("acknowledgement payload %s (%v)", acks[0].Payload, err)
	}
}

func testEmailDuplicateID(t *testing.T, f *emailFixture) {
	l := letter{from: dana, subject: "החזר כספי", messageID: "same@mail.example.com"}
	first := f.send(t, l)
	batches := len(f.w.published())
	// The same bytes again, then the same email with other headers (as
	// when two servers deliver it, each adding its own).
	again := f.send(t, l)
	l.headers = map[string]string{"X-Delivered-By": "mx2"}
	other := f.send(t, l)
	for _, res := range []*desk.EmailResult{again, other} {
		if !res.Duplicate || res.Created || res.ConversationID != first.ConversationID || res.MessageID != first.MessageID {
			t.Errorf("a second delivery: %+v, want a duplicate of %+v", res, first)
		}
	}
	if n := len(f.messages(t, first.ConversationID)); n != 1 || f.countConversations(t) != 1 {
		t.Errorf("%d messages in %d conversations, want 1 in 1", n, f.countConversations(t))
	}
	if n := len(f.w.published()); n != batches {
		t.Errorf("duplicates published %d batches", n-batches)
	}
	if n := len(f.jobs(t, desk.JobAcknowledge)); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
}

// rawWithoutMessageID is an email as some scripts send it: no Message-ID.
func rawWithoutMessageID(subject, body string) []byte {
	return []byte("From: =?UTF-8?B?15PXoNeU?= <dana@example.com>\r\nTo: support@noga.co.il\r\nSubject: " + mime.BEncoding.Encode("UTF-8", subject) +
		"\r\nDate: Sun, 01 Mar 2026 11:00:00 +0200\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
}

func testEmailDuplicateRaw(t *testing.T, f *emailFixture) {
	raw := rawWithoutMessageID("טופס צור קשר", "אשמח שתחזרו אליי")
	first := f.ingest(t, raw)
	second := f.ingest(t, raw)
	if !first.Created || !second.Duplicate || second.MessageID != first.MessageID {
		t.Errorf("first %+v, second %+v", first, second)
	}
	ms := f.messages(t, first.ConversationID)
	if len(ms) != 1 || !strings.HasPrefix(ms[0].ExternalID, "sha256:") || ms[0].Email.MessageID != "" {
		t.Errorf("messages %+v", ms)
	}
	// Another email without a Message-ID is another email.
	if third := f.ingest(t, rawWithoutMessageID("טופס צור קשר", "ועוד שאלה")); third.Duplicate {
		t.Errorf("a different email without a Message-ID: %+v", third)
	}
}

func testEmailInReplyTo(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	out := f.reply(t, first.ConversationID, "בדקנו, היא יצאה אתמול")
	setStatus(t, f, first.ConversationID, kesher.StatusPending)
	res := f.send(t, letter{from: dana, subject: "נושא אחר לגמרי", inReplyTo: out.Email.MessageID, references: []string{"m1@mail.example.com", out.Email.MessageID}})
	if res.Created || res.ConversationID != first.ConversationID {
		t.Fatalf("a reply to the desk's email: %+v, want conversation %s", res, first.ConversationID)
	}
	if c := f.conversation(t, first.ConversationID); c.Status != kesher.StatusOpen || c.WaitingSince.IsZero() {
		t.Errorf("the customer's reply reopens the conversation: %+v", c)
	}
}

func testEmailToken(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "החזרת מוצר"})
	c := f.conversation(t, first.ConversationID)
	res := f.send(t, letter{from: dana, subject: "עדכון " + mail.TicketToken(c.Number) + " - שלחתי את המוצר"})
	if res.Created || res.ConversationID != c.ID {
		t.Errorf("mail with the ticket token: %+v, want conversation %s", res, c.ID)
	}
}

func testEmailTokenStranger(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "החזרת מוצר"})
	c := f.conversation(t, first.ConversationID)
	res := f.send(t, letter{from: mail.Address{Email: "stranger@example.net"}, subject: "Re: " + mail.TicketToken(c.Number)})
	if !res.Created || res.ConversationID == c.ID {
		t.Errorf("a stranger's mail with the token: %+v, want a new conversation", res)
	}
	if n := len(f.messages(t, c.ID)); n != 1 {
		t.Errorf("the customer's conversation has %d messages, want 1", n)
	}
}

func testEmailParticipants(t *testing.T, f *emailFixture) {
	ctx := context.Background()
	first := f.send(t, letter{from: dana, to: []mail.Address{{Email: "help@noga.co.il"}, {Email: "billing@noga.co.il"}},
		cc: []mail.Address{yossi, {Email: "Dana@Example.com"}}, subject: "חשבונית כפולה"})
	th, err := f.store.EmailThread(ctx, first.ConversationID)
	want := []kesher.EmailAddress{{Name: "יוסי לוי", Email: "yossi@example.com"}}
	if err != nil || !slices.Equal(th.Participants, want) {
		t.Fatalf("participants %+v (%v), want only Yossi: not the customer, not the desk's mailboxes", th, err)
	}
	c := f.conversation(t, first.ConversationID)
	res := f.send(t, letter{from: yossi, subject: "Re: חשבונית כפולה " + mail.TicketToken(c.Number), text: "גם אני קיבלתי פעמיים"})
	if res.Created || res.ConversationID != c.ID {
		t.Fatalf("a participant's mail with the token: %+v, want conversation %s", res, c.ID)
	}
	ms := f.messages(t, c.ID)
	yossiCust, err := f.store.CustomerByIdentity(ctx, kesher.IdentityEmail, "yossi@example.com")
	if err != nil || ms[1].AuthorID != yossiCust.ID || f.conversation(t, c.ID).CustomerID != c.CustomerID {
		t.Errorf("the participant's message is by %s (%v), want Yossi %+v; the conversation stays Dana's", ms[1].AuthorID, err, yossiCust)
	}
	out := f.reply(t, c.ID, "תיקנו את החשבונית")
	if out.Email == nil || len(out.Email.To) != 1 || out.Email.To[0].Email != "dana@example.com" || !slices.Equal(out.Email.Cc, want) {
		t.Errorf("the reply goes to %+v, copying %+v; want Dana, copying Yossi", out.Email.To, out.Email.Cc)
	}
}

func testEmailSubject(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "Order 4471 לא הגיע"})
	f.clock.Advance(13 * 24 * time.Hour)
	// Mail programs that drop In-Reply-To still keep the subject.
	res := f.send(t, letter{from: dana, subject: "RE: order 4471 לא הגיע"})
	if res.Created || res.ConversationID != first.ConversationID {
		t.Errorf("the same subject after 13 days: %+v, want conversation %s", res, first.ConversationID)
	}
	// Someone else's mail with that subject is their own.
	if other := f.send(t, letter{from: yossi, subject: "Order 4471 לא הגיע"}); !other.Created {
		t.Errorf("another customer's mail with the subject: %+v", other)
	}
	f.clock.Advance(15 * 24 * time.Hour)
	if late := f.send(t, letter{from: dana, subject: "Re: Order 4471 לא הגיע"}); !late.Created {
		t.Errorf("the same subject 15 days after the last message: %+v, want a new conversation", late)
	}
}

func testEmailClosed(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "שאלה על משלוח"})
	out := f.reply(t, first.ConversationID, "נשלח היום")
	setStatus(t, f, first.ConversationID, kesher.StatusClosed)
	res := f.send(t, letter{from: dana, subject: "Re: שאלה על משלוח", inReplyTo: out.Email.MessageID})
	if !res.Created || res.ConversationID == first.ConversationID {
		t.Errorf("a reply to a closed conversation: %+v, want a new one", res)
	}
	if c := f.conversation(t, first.ConversationID); c.Status != kesher.StatusClosed || c.MessageCount != 2 {
		t.Errorf("the closed conversation changed: %+v", c)
	}
}

func testEmailAutoReply(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	out := f.reply(t, first.ConversationID, "בודקים מול חברת השליחויות")
	setStatus(t, f, first.ConversationID, kesher.StatusPending)
	before := f.conversation(t, first.ConversationID)
	res := f.send(t, letter{from: dana, subject: "מחוץ למשרד: Re: ההזמנה שלי לא הגיעה", inReplyTo: out.Email.MessageID,
		text: "אחזור ביום ראשון", headers: map[string]string{"Auto-Submitted": "auto-replied"}})
	if res.Created || res.ConversationID != first.ConversationID || res.Auto != mail.AutoReply {
		t.Fatalf("an auto-reply in a thread: %+v", res)
	}
	c := f.conversation(t, first.ConversationID)
	if c.Status != kesher.StatusPending || !c.WaitingSince.IsZero() || c.Excerpt != before.Excerpt || c.MessageCount != before.MessageCount+1 {
		t.Errorf("after the auto-reply: %+v; want it pending, not waiting, with the excerpt of the reply", c)
	}
	ms := f.messages(t, c.ID)
	if last := ms[len(ms)-1]; last.Email == nil || last.Email.Auto != "auto_reply" || last.Direction != kesher.Inbound {
		t.Errorf("the auto-reply's message: %+v", last)
	}
	if n := len(f.jobs(t, desk.JobAcknowledge)); n != 1 {
		t.Errorf("%d acknowledgements, want the first email's only", n)
	}
}

func testEmailMachines(t *testing.T, f *emailFixture) {
	for _, tt := range []struct {
		name string
		l    letter
		want mail.AutoKind
	}{
		{"out of office", letter{from: dana, subject: "תשובה אוטומטית: מחוץ למשרד"}, mail.AutoReply},
		{"newsletter", letter{from: mail.Address{Email: "news@shop.example.com"}, subject: "מבצעי החודש", headers: map[string]string{"Precedence": "bulk"}}, mail.Bulk},
		{"bounce", letter{from: mail.Address{Name: "Mail Delivery System", Email: "MAILER-DAEMON@mx.example.com"}, subject: "Undelivered Mail Returned to Sender"}, mail.Bounce},
	} {
		raw := f.raw(t, tt.l)
		res := f.ingest(t, raw)
		if res.Created || res.ConversationID != "" || res.Ignored != string(tt.want) || res.Auto != tt.want {
			t.Errorf("%s: %+v, want ignored as %s", tt.name, res, tt.want)
		}
		ignored := f.published(desk.EventEmailIgnored)
		if len(ignored) == 0 || !strings.Contains(string(ignored[len(ignored)-1].Data), string(tt.want)) {
			t.Errorf("%s: no %s event recorded it", tt.name, desk.EventEmailIgnored)
		}
		if again := f.ingest(t, raw); !again.Duplicate {
			t.Errorf("%s delivered twice: %+v", tt.name, again)
		}
	}
	if n := f.countConversations(t); n != 0 {
		t.Errorf("machines opened %d conversations", n)
	}
	if _, err := f.store.CustomerByIdentity(context.Background(), kesher.IdentityEmail, "mailer-daemon@mx.example.com"); kesher.ErrorCode(err) != kesher.ECodeNotFound {
		t.Errorf("a bounce made a customer: %v", err)
	}
	if n := len(f.jobs(t, desk.JobAcknowledge)); n != 0 {
		t.Errorf("machines got %d acknowledgements", n)
	}
}

// dsn is a delivery status notification for the message with Message-ID id.
func dsn(id string) []byte {
	return []byte(strings.ReplaceAll(`From: Mail Delivery System <MAILER-DAEMON@mx.noga.co.il>
To: support@noga.co.il
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-1@mx.noga.co.il>
Date: Sun, 01 Mar 2026 11:00:00 +0200
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"

--b1
Content-Type: text/plain; charset=us-ascii

The mail could not be delivered.

--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.noga.co.il

Final-Recipient: rfc822; dana@example.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 no such user

--b1
Content-Type: text/rfc822-headers

From: support@noga.co.il
To: dana@example.com
Message-ID: <`+id+`>
Subject: Re: x

--b1--
`, "\n", "\r\n"))
}

func testEmailBounce(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	out := f.reply(t, first.ConversationID, "בודקים")
	if err := f.desk.RecordDelivery(context.Background(), out.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: out.Email.MessageID}); err != nil {
		t.Fatal(err)
	}
	res := f.ingest(t, dsn(out.Email.MessageID))
	if res.Auto != mail.Bounce || res.ConversationID != first.ConversationID || res.Created {
		t.Fatalf("the bounce: %+v, want it in conversation %s", res, first.ConversationID)
	}
	m, err := f.store.Message(context.Background(), out.ID)
	if err != nil || m.Delivery != kesher.DeliveryFailed || !strings.Contains(m.DeliveryError, "5.1.1") {
		t.Errorf("the bounced reply: %+v, %v; want failed with the reason", m, err)
	}
	if c := f.conversation(t, first.ConversationID); c.Status != kesher.StatusOpen || !c.WaitingSince.IsZero() {
		t.Errorf("the bounce made the desk owe an answer: %+v", c)
	}
}

func testEmailAcknowledge(t *testing.T, f *emailFixture) {
	count := func() int { return len(f.jobs(t, desk.JobAcknowledge)) }
	f.send(t, letter{from: dana, subject: "שאלה ראשונה"})
	if count() != 1 {
		t.Fatalf("%d acknowledgements of a new conversation, want 1", count())
	}
	// A second new conversation of the same sender within the hour: a
	// loop with another auto-responder would look like this.
	f.clock.Advance(20 * time.Minute)
	if res := f.send(t, letter{from: dana, subject: "שאלה שנייה"}); !res.Created || count() != 1 {
		t.Errorf("a second conversation within the hour: %+v, %d acknowledgements; want a conversation and still 1", res, count())
	}
	f.clock.Advance(time.Hour)
	if f.send(t, letter{from: dana, subject: "שאלה שלישית"}); count() != 2 {
		t.Errorf("an hour later: %d acknowledgements, want 2", count())
	}
	// Mail from the desk's own address, to a mailbox that does not
	// acknowledge, and replies in a thread get none.
	if res := f.send(t, letter{from: mail.Address{Email: "billing@noga.co.il"}, subject: "הועבר מחשבונות"}); !res.Created || count() != 2 {
		t.Errorf("mail from a mailbox: %+v, %d acknowledgements", res, count())
	}
	res, err := f.desk.IngestEmail(context.Background(), desk.InboundEmail{MailboxID: f.billing.ID, Source: "imap",
		Raw: f.raw(t, letter{from: yossi, to: []mail.Address{{Email: "billing@noga.co.il"}}, subject: "חיוב כפול"})})
	if err != nil || !res.Created || count() != 2 {
		t.Errorf("mail to a mailbox without acknowledgements: %+v, %v, %d acknowledgements", res, err, count())
	}
	if c := f.conversation(t, res.ConversationID); c.TeamID != "" {
		t.Errorf("billing has no team, its conversation has %q", c.TeamID)
	}
	// Old mail, as when IMAP first reads a mailbox, opens a conversation
	// but gets no acknowledgement today.
	if res := f.send(t, letter{from: yossi, subject: "מייל מלפני שבוע", written: 7 * 24 * time.Hour}); !res.Created || count() != 2 {
		t.Errorf("mail written a week ago: %+v, %d acknowledgements; want a conversation and still 2", res, count())
	}
}

func testEmailAcknowledgement(t *testing.T, f *emailFixture) {
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	before := f.conversation(t, first.ConversationID)
	out, err := f.desk.AcknowledgementEmail(context.Background(), first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.desk.AcknowledgementEmail(context.Background(), first.ConversationID)
	if err != nil || again.Message.ID != out.Message.ID || again.MessageID != out.MessageID {
		t.Errorf("a second call recorded another acknowledgement: %+v, %v", again, err)
	}
	m := out.Message
	if !out.Ack || m.Direction != kesher.Outbound || m.AuthorType != kesher.AuthorSystem || m.Delivery != kesher.DeliveryQueued || m.Email.Auto != kesher.AutoReply {
		t.Errorf("acknowledgement %+v, message %+v", out, m)
	}
	if out.Mailbox.ID != f.support.ID || out.Mailbox.ResponseTime != 4*time.Hour || out.Customer.ID != before.CustomerID ||
		len(out.To) != 1 || out.To[0].Email != "dana@example.com" || out.InReplyTo != "m1@mail.example.com" ||
		!strings.Contains(out.Subject, mail.TicketToken(before.Number)) || !strings.HasSuffix(out.MessageID, "@noga.co.il") {
		t.Errorf("what the sender gets: %+v", out)
	}
	// The customer still waits for a person (P3).
	c := f.conversation(t, first.ConversationID)
	if !c.WaitingSince.Equal(before.WaitingSince) || c.Excerpt != before.Excerpt || c.MessageCount != 2 {
		t.Errorf("after the acknowledgement %+v, before %+v", c, before)
	}
	text := "קיבלנו את פנייתך " + mail.TicketToken(before.Number) + ". נחזור אלייך תוך 4 שעות."
	if err := f.desk.RecordDelivery(context.Background(), m.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: out.MessageID, BodyText: text}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.store.Message(context.Background(), m.ID); err != nil || got.BodyText != text || got.Delivery != kesher.DeliverySent {
		t.Errorf("the sent acknowledgement: %+v, %v", got, err)
	}
}

func testEmailReplyTo(t *testing.T, f *emailFixture) {
	home := mail.Address{Name: "דנה", Email: "Dana.Home@Example.com"}
	first := f.send(t, letter{from: dana, replyTo: &home, subject: "כתובת למשלוח"})
	cust, err := f.store.CustomerByIdentity(context.Background(), kesher.IdentityEmail, "dana.home@example.com")
	if err != nil || cust.ID != f.conversation(t, first.ConversationID).CustomerID || len(cust.Identities) != 2 {
		t.Fatalf("the Reply-To address belongs to %+v (%v), want Dana with two identities", cust, err)
	}
	out := f.reply(t, first.ConversationID, "עדכנו")
	if len(out.Email.To) != 1 || out.Email.To[0].Email != "dana.home@example.com" {
		t.Errorf("the reply goes to %+v, want the Reply-To address", out.Email.To)
	}
	if m := f.messages(t, first.ConversationID)[0]; len(m.Email.ReplyTo) != 1 || m.Email.ReplyTo[0].Email != "dana.home@example.com" {
		t.Errorf("the email's Reply-To is not recorded: %+v", m.Email)
	}
}

func testEmailAttachments(t *testing.T, f *emailFixture) {
	pdf := bytes.Repeat([]byte("%PDF-1.7 חשבונית "), 500)
	att := []mail.Attachment{{Filename: "חשבונית.pdf", ContentType: "application/pdf", Data: pdf}}
	a := f.send(t, letter{from: dana, subject: "חשבונית", attachments: att})
	b := f.send(t, letter{from: yossi, subject: "גם לי", attachments: att})
	var hashes []string
	for _, res := range []*desk.EmailResult{a, b} {
		m := f.messages(t, res.ConversationID)[0]
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "חשבונית.pdf" || m.Attachments[0].Size != int64(len(pdf)) {
			t.Fatalf("attachments %+v", m.Attachments)
		}
		hashes = append(hashes, m.Attachments[0].SHA256)
	}
	if hashes[0] != hashes[1] {
		t.Errorf("the same file under two hashes %v", hashes)
	}
	if data, err := f.store.Blob(context.Background(), hashes[0]); err != nil || !bytes.Equal(data, pdf) {
		t.Errorf("the attachment's blob: %d bytes, %v", len(data), err)
	}
}

func testEmailOutbound(t *testing.T, f *emailFixture) {
	ctx := context.Background()
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה", references: []string{"older@mail.example.com"}})
	c := f.conversation(t, first.ConversationID)
	out := f.reply(t, c.ID, "שלחנו שוב, מספר מעקב 123")
	if out.Delivery != kesher.DeliveryQueued || out.Email == nil || out.ExternalID != out.Email.MessageID || !strings.HasSuffix(out.ExternalID, "@noga.co.il") ||
		out.Email.MailboxID != f.support.ID || !slices.Equal(out.Email.InReplyTo, []string{"m1@mail.example.com"}) ||
		!slices.Equal(out.Email.References, []string{"older@mail.example.com", "m1@mail.example.com"}) {
		t.Fatalf("the queued reply %+v, email %+v", out, out.Email)
	}
	if stored, err := f.store.Message(ctx, out.ID); err != nil || stored.Delivery != kesher.DeliveryQueued || stored.Email.MessageID != out.Email.MessageID {
		t.Errorf("the stored reply %+v, %v", stored, err)
	}
	sends := f.jobs(t, desk.JobSendEmail)
	if len(sends) != 1 || sends[0].Key != out.ID {
		t.Fatalf("send jobs %+v, want one keyed by the message", sends)
	}
	var p desk.SendEmailJob
	if err := json.Unmarshal(sends[0].Payload, &p); err != nil || p.MessageID != out.ID {
		t.Errorf("payload %s (%v)", sends[0].Payload, err)
	}
	// Every attempt sends the same email.
	for range 2 {
		e, err := f.desk.OutboundEmail(ctx, out.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e.MessageID != out.Email.MessageID || e.Mailbox.ID != f.support.ID || e.Mailbox.Relay.Password != "סוד" || e.AgentName != f.agent.Name || e.Ack ||
			len(e.To) != 1 || e.To[0] != (mail.Address{Name: "דנה כהן", Email: "dana@example.com"}) || e.InReplyTo != "m1@mail.example.com" ||
			e.Subject != "Re: ההזמנה שלי לא הגיעה "+mail.TicketToken(c.Number) || e.Conversation.ID != c.ID || e.Customer.ID != c.CustomerID {
			t.Errorf("OutboundEmail = %+v", e)
		}
	}
	// Notes are not email; a WhatsApp reply to a customer who never wrote
	// on WhatsApp has nowhere to go and is refused.
	note, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Note, BodyText: "פנימי"})
	if err != nil || note.Delivery != "" || note.Email != nil {
		t.Errorf("a note: %+v, %v", note, err)
	}
	wa, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Channel: kesher.ChannelWhatsApp, BodyText: "שלחתי גם בוואטסאפ"})
	if kesher.ErrorCode(err) != kesher.ECodeValidation || len(f.jobs(t, desk.JobSendEmail)) != 1 {
		t.Errorf("a WhatsApp reply: %+v, %v", wa, err)
	}
	_, err = f.desk.OutboundEmail(ctx, note.ID)
	wantCode(t, err, kesher.ECodeConflict)
	// The customer's answer threads to the reply's Message-ID.
	if res := f.send(t, letter{from: dana, subject: "תודה", inReplyTo: out.Email.MessageID}); res.ConversationID != c.ID {
		t.Errorf("the answer to the reply: %+v", res)
	}
}

func testEmailUnsendable(t *testing.T, f *emailFixture) {
	// A conversation an agent opened by phone number only, on the email
	// channel: there is no address to write to.
	c, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{Customer: desk.CustomerRef{Phone: "050-1234567"}, Channel: kesher.ChannelEmail,
		Message: desk.NewMessage{BodyText: "התקשרה לגבי הזמנה"}})
	if err != nil {
		t.Fatal(err)
	}
	m := f.reply(t, c.ID, "נשלח מייל")
	if m.Delivery != kesher.DeliveryFailed || m.DeliveryError == "" || len(f.jobs(t, desk.JobSendEmail)) != 0 {
		t.Errorf("a reply without an address: %+v", m)
	}
	// With an address, it goes out from the team's mailbox.
	c2, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{Customer: desk.CustomerRef{Email: "noa@example.com", Name: "נועה"},
		Channel: kesher.ChannelEmail, TeamID: f.team.ID, Message: desk.NewMessage{BodyText: "שאלה"}})
	if err != nil {
		t.Fatal(err)
	}
	if m := f.reply(t, c2.ID, "תשובה"); m.Delivery != kesher.DeliveryQueued || m.Email.MailboxID != f.support.ID || m.Email.To[0].Email != "noa@example.com" {
		t.Errorf("a reply in an API conversation: %+v %+v", m, m.Email)
	}
	// With no mailbox at all there is nothing to send from.
	for _, mb := range []*kesher.Mailbox{f.support, f.billing} {
		if err := f.desk.DeleteMailbox(f.asAdmin, mb.ID); err != nil {
			t.Fatal(err)
		}
	}
	if m := f.reply(t, c2.ID, "עוד תשובה"); m.Delivery != kesher.DeliveryFailed || !strings.Contains(m.DeliveryError, "mailbox") {
		t.Errorf("a reply without mailboxes: %+v", m)
	}
	// Imports keep their history without sending it again.
	old, err := f.desk.AddMessage(f.asAdmin, c2.ID, desk.NewMessage{BodyText: "ישן", CreatedAt: f.clock.Now().Add(-time.Hour)})
	if err != nil || old.Delivery != "" {
		t.Errorf("a backdated reply: %+v, %v", old, err)
	}
}

func testEmailDelivery(t *testing.T, f *emailFixture) {
	ctx := context.Background()
	first := f.send(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	out := f.reply(t, first.ConversationID, "בודקים")
	events := func() int { return len(f.published(desk.EventMessageDelivery)) }
	fail := desk.DeliveryResult{State: kesher.DeliveryFailed, Error: "421 4.7.0 נסו שוב מאוחר יותר"}
	if err := f.desk.RecordDelivery(ctx, out.ID, fail); err != nil {
		t.Fatal(err)
	}
	m, _ := f.store.Message(ctx, out.ID)
	if m.Delivery != kesher.DeliveryFailed || m.DeliveryError != fail.Error || events() != 1 {
		t.Errorf("after a failure: %+v, %d events", m, events())
	}
	f.clock.Advance(time.Minute)
	if err := f.desk.RecordDelivery(ctx, out.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: "<" + out.Email.MessageID + ">"}); err != nil {
		t.Fatal(err)
	}
	m, _ = f.store.Message(ctx, out.ID)
	if m.Delivery != kesher.DeliverySent || m.DeliveryError != "" || !m.DeliveredAt.Equal(f.clock.Now()) || m.ExternalID != out.Email.MessageID || events() != 2 {
		t.Errorf("after sending: %+v, %d events", m, events())
	}
	e := f.published(desk.EventMessageDelivery)[1]
	if e.ConversationID != first.ConversationID || e.MessageID != out.ID || !strings.Contains(string(e.Data), `"sent"`) {
		t.Errorf("the delivery event %+v", e)
	}
	// The job runs at least once: recording the same again changes nothing.
	if err := f.desk.RecordDelivery(ctx, out.ID, desk.DeliveryResult{State: kesher.DeliverySent}); err != nil || events() != 2 {
		t.Errorf("sent twice: %v, %d events", err, events())
	}
	err := f.desk.RecordDelivery(ctx, out.ID, fail)
	wantCode(t, err, kesher.ECodeConflict)
	err = f.desk.RecordDelivery(ctx, first.MessageID, desk.DeliveryResult{State: kesher.DeliverySent})
	wantCode(t, err, kesher.ECodeConflict)
	err = f.desk.RecordDelivery(ctx, out.ID, desk.DeliveryResult{State: kesher.DeliveryQueued})
	wantCode(t, err, kesher.ECodeValidation)
	err = f.desk.RecordDelivery(f.asLead, out.ID, desk.DeliveryResult{State: kesher.DeliverySent})
	wantCode(t, err, kesher.ECodeForbidden)
}

func testEmailRefused(t *testing.T, f *emailFixture) {
	raw := f.raw(t, letter{from: dana, subject: "שלום"})
	_, err := f.desk.IngestEmail(f.asLead, desk.InboundEmail{Recipients: []string{"support@noga.co.il"}, Raw: raw, Source: "smtp"})
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{"sales@noga.co.il"}, Raw: raw, Source: "smtp"})
	wantCode(t, err, kesher.ECodeNotFound)
	_, err = f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{"support@noga.co.il"}, Raw: raw, Source: "pigeon"})
	wantCode(t, err, kesher.ECodeValidation)
	// An alias, in any case, is the mailbox's.
	res, err := f.desk.IngestEmail(f.asAdmin, desk.InboundEmail{Recipients: []string{"nobody@example.com", "Help@Noga.co.il"}, Raw: raw, Source: "smtp"})
	if err != nil || !res.Created {
		t.Errorf("mail to an alias: %+v, %v", res, err)
	}
	if n := f.countConversations(t); n != 1 {
		t.Errorf("%d conversations, want 1", n)
	}
	for _, address := range []string{"help@noga.co.il", "SUPPORT@noga.co.il"} {
		if mb, err := f.desk.MailboxForAddress(context.Background(), address); err != nil || mb.ID != f.support.ID {
			t.Errorf("MailboxForAddress(%s) = %+v, %v", address, mb, err)
		}
	}
	for _, address := range []string{"sales@noga.co.il", "not an address"} {
		_, err := f.desk.MailboxForAddress(context.Background(), address)
		wantCode(t, err, kesher.ECodeNotFound)
	}
}

func testEmailConcurrent(t *testing.T, f *emailFixture) {
	raw := f.raw(t, letter{from: dana, subject: "ההזמנה שלי לא הגיעה"})
	const n = 10
	results := make([]*desk.EmailResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{"support@noga.co.il"}, Raw: raw, Source: "smtp"})
		})
	}
	wg.Wait()
	created, messageIDs := 0, map[string]bool{}
	for i, res := range results {
		if errs[i] != nil {
			t.Fatalf("delivery %d: %v", i, errs[i])
		}
		if res.Created {
			created++
		} else if !res.Duplicate {
			t.Errorf("delivery %d: %+v, want a duplicate", i, res)
		}
		messageIDs[res.MessageID] = true
	}
	if len(messageIDs) != 1 {
		t.Errorf("the deliveries name %d messages, want 1", len(messageIDs))
	}
	if created != 1 || f.countConversations(t) != 1 || len(f.jobs(t, desk.JobAcknowledge)) != 1 {
		t.Errorf("%d created, %d conversations, %d acknowledgements; want 1 each", created, f.countConversations(t), len(f.jobs(t, desk.JobAcknowledge)))
	}
}
