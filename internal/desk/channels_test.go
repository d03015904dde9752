package desk_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// chatFixture is a desk with a WhatsApp number and a Telegram bot.
type chatFixture struct {
	*fixture
	sys     context.Context
	wa, tg  *kesher.ChannelAccount
	team    *kesher.Team
	mailbox *kesher.Mailbox
}

func newChatFixture(t *testing.T, st kesher.Store) *chatFixture {
	t.Helper()
	f := newFixture(t, st)
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "וואטסאפ"})
	if err != nil {
		t.Fatal(err)
	}
	wa, err := f.desk.SaveChannelAccount(f.asAdmin, "", desk.ChannelAccountInput{
		Kind: kesher.ChannelWhatsApp, Name: "נגה", TeamID: team.ID, PhoneNumberID: "106540352242922", Token: "wa-token",
		AppSecret: "app-secret", VerifyToken: "verify", Templates: []kesher.Template{{Name: "order_update"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := f.desk.SaveChannelAccount(f.asAdmin, "", desk.ChannelAccountInput{
		Kind: kesher.ChannelTelegram, Name: "בוט נגה", Token: "123:ABC", VerifyToken: "secret_token-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	mb, err := f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "support@noga.co.il", Name: "נגה תמיכה",
		Relay: kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS}})
	if err != nil {
		t.Fatal(err)
	}
	return &chatFixture{fixture: f, sys: context.Background(), wa: wa, tg: tg, team: team, mailbox: mb}
}

func (f *chatFixture) whatsapp(t *testing.T, id, from, name, text string) *desk.MessageResult {
	t.Helper()
	res, err := f.desk.IngestMessage(f.sys, desk.InboundMessage{
		AccountID: f.wa.ID, ExternalID: id, Sender: kesher.Identity{Kind: kesher.IdentityWhatsApp, Value: "+" + from}, Name: name,
		Recipient: from, Text: text, SentAt: f.clock.Now(),
	})
	if err != nil {
		t.Fatalf("IngestMessage(%s): %v", id, err)
	}
	return res
}

func TestChannels(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *chatFixture)
		}{
			{"accounts are validated and keep their secrets", testChannelAccounts},
			{"inbound messages thread and merge by phone", testInboundThreading},
			{"a duplicate delivery creates nothing", testInboundDuplicate},
			{"the WhatsApp window allows only templates after 24 hours", testWhatsAppWindow},
			{"status reports move a message forwards only", testDeliveryStatus},
			{"a WhatsApp customer is answered by email", testReplyByEmail},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newChatFixture(t, open(t))) })
		}
	})
}

func testChannelAccounts(t *testing.T, f *chatFixture) {
	_, err := f.desk.SaveChannelAccount(f.asAdmin, "", desk.ChannelAccountInput{Kind: kesher.ChannelWhatsApp, Name: "שני",
		PhoneNumberID: f.wa.PhoneNumberID, Token: "t", AppSecret: "s", VerifyToken: "v"})
	if fieldOf(err, "phone_number_id") != "taken" {
		t.Errorf("a second account of one number: %v", err)
	}
	_, err = f.desk.SaveChannelAccount(f.asAdmin, "", desk.ChannelAccountInput{Kind: kesher.ChannelTelegram, Name: "x", Token: "t",
		VerifyToken: "no spaces allowed", APIBase: "ftp://api"})
	if fieldOf(err, "verify_token") != "invalid" || fieldOf(err, "api_base") != "invalid" {
		t.Errorf("a bad Telegram account: %v", err)
	}
	_, err = f.desk.SaveChannelAccount(f.asAgent, "", desk.ChannelAccountInput{Kind: kesher.ChannelTelegram})
	wantCode(t, err, kesher.ECodeForbidden)
	if f.wa.APIBase != desk.DefaultGraphAPI || f.tg.APIBase != desk.DefaultTelegramAPI {
		t.Errorf("default API roots: %q, %q", f.wa.APIBase, f.tg.APIBase)
	}
	if f.wa.Templates[0] != (kesher.Template{Name: "order_update", Language: "he"}) {
		t.Errorf("a template without a language is Hebrew: %+v", f.wa.Templates)
	}
	if _, err := f.desk.SaveChannelAccount(f.asAdmin, f.wa.ID, desk.ChannelAccountInput{Kind: kesher.ChannelTelegram, Name: "x", Token: "t", VerifyToken: "v"}); kesher.ErrorCode(err) != kesher.ECodeValidation {
		t.Errorf("changing an account's kind: %v", err)
	}
}

// fieldOf is the code a validation error gives field, "" for none.
func fieldOf(err error, field string) string {
	var e *kesher.Error
	if errors.As(err, &e) {
		return e.Fields[field]
	}
	return ""
}

func testInboundThreading(t *testing.T, f *chatFixture) {
	// Dana phoned first: her phone identity is the WhatsApp number.
	phoned := f.open(t, desk.CustomerRef{Name: "דנה כהן", Phone: "050-123-4567", Email: "dana@example.com"}, kesher.ChannelPhone, "שיחה על הזמנה")
	first := f.whatsapp(t, "wamid.1", "972501234567", "Dana", "שלום, ההזמנה שלי לא הגיעה")
	conv, err := f.desk.Conversation(f.asAgent, first.ConversationID)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || conv.CustomerID != phoned.CustomerID || conv.Channel != kesher.ChannelWhatsApp || conv.TeamID != f.team.ID {
		t.Fatalf("first WhatsApp message: %+v in %+v; want a new conversation of the phone customer in the account's team", first, conv)
	}
	if conv.Subject != "שלום, ההזמנה שלי לא הגיעה" {
		t.Errorf("subject = %q", conv.Subject)
	}
	cust, _ := f.desk.Customer(f.asAgent, phoned.CustomerID)
	if !slices.ContainsFunc(cust.Identities, func(id kesher.Identity) bool {
		return id.Kind == kesher.IdentityWhatsApp && id.Value == "+972501234567"
	}) {
		t.Errorf("the customer did not gain the WhatsApp identity: %+v", cust.Identities)
	}

	// The next message joins the conversation; once solved, it reopens.
	second := f.whatsapp(t, "wamid.2", "972501234567", "Dana", "מספר הזמנה 4471")
	if second.Created || second.ConversationID != first.ConversationID {
		t.Errorf("second message: %+v", second)
	}
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(f.asAdmin, conv.ID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	third := f.whatsapp(t, "wamid.3", "972501234567", "Dana", "עדיין לא הגיע")
	if c, _ := f.desk.Conversation(f.asAgent, conv.ID); third.ConversationID != conv.ID || c.Status != kesher.StatusOpen || c.ReopenCount != 1 {
		t.Errorf("a message to a solved conversation: %+v, status %s", third, c.Status)
	}

	// A closed one is final: the next message opens a new conversation.
	closed := kesher.StatusClosed
	if _, err := f.desk.UpdateConversation(f.asAdmin, conv.ID, kesher.ConversationUpdate{Status: &closed}); err != nil {
		t.Fatal(err)
	}
	if fourth := f.whatsapp(t, "wamid.4", "972501234567", "Dana", "שאלה חדשה"); !fourth.Created || fourth.ConversationID == conv.ID {
		t.Errorf("a message after the conversation closed: %+v", fourth)
	}

	// Telegram: a user id identity, files stored as blobs.
	res, err := f.desk.IngestMessage(f.sys, desk.InboundMessage{AccountID: f.tg.ID, ExternalID: f.tg.ID + ":555:10",
		Sender: kesher.Identity{Kind: kesher.IdentityTelegram, Value: "987654"}, Name: "יוסי", Recipient: "555",
		Files: []desk.InboundFile{{Filename: "קבלה.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.4")}}})
	if err != nil || !res.Created {
		t.Fatalf("Telegram message: %+v, %v", res, err)
	}
	msgs, _, _ := f.desk.Messages(f.asAgent, res.ConversationID, kesher.Page{Limit: 10})
	if len(msgs) != 1 || len(msgs[0].Attachments) != 1 || msgs[0].Channel != kesher.ChannelTelegram {
		t.Fatalf("Telegram thread: %+v", msgs)
	}
	if data, err := f.store.Blob(context.Background(), msgs[0].Attachments[0].SHA256); err != nil || string(data) != "%PDF-1.4" {
		t.Errorf("attachment blob: %q, %v", data, err)
	}
}

func testInboundDuplicate(t *testing.T, f *chatFixture) {
	first := f.whatsapp(t, "wamid.dup", "972521112233", "Avi", "שלום")
	count := func() int {
		n, err := f.desk.CountConversations(f.asAgent, kesher.ConversationFilter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	again := f.whatsapp(t, "wamid.dup", "972521112233", "Avi", "שלום")
	if !again.Duplicate || again.MessageID != first.MessageID || again.ConversationID != first.ConversationID || count() != before {
		t.Errorf("second delivery: %+v (first %+v)", again, first)
	}
	msgs, _, _ := f.desk.Messages(f.asAgent, first.ConversationID, kesher.Page{Limit: 10})
	if len(msgs) != 1 {
		t.Errorf("%d messages after a duplicate delivery, want 1", len(msgs))
	}
}

func testWhatsAppWindow(t *testing.T, f *chatFixture) {
	res := f.whatsapp(t, "wamid.w1", "972541234567", "Noa", "אפשר לשנות כתובת?")
	reply := func(in desk.NewMessage) (*kesher.Message, error) {
		return f.desk.AddMessage(f.asAgent, res.ConversationID, in)
	}
	f.clock.Advance(23 * time.Hour)
	m, err := reply(desk.NewMessage{BodyText: "כן, שלחי את הכתובת החדשה"})
	if err != nil || m.Delivery != kesher.DeliveryQueued || m.Channel != kesher.ChannelWhatsApp {
		t.Fatalf("a reply inside the window: %+v, %v", m, err)
	}
	if until, open, err := f.desk.WindowOpen(f.asAgent, res.ConversationID); err != nil || !open || !until.After(f.clock.Now()) {
		t.Errorf("WindowOpen inside: %v %v %v", until, open, err)
	}
	f.clock.Advance(time.Hour + time.Second)
	_, err = reply(desk.NewMessage{BodyText: "עוד משהו?"})
	if fieldOf(err, "body_text") != "window_closed" {
		t.Fatalf("free text after 24 hours: %v", err)
	}
	_, err = reply(desk.NewMessage{Template: "unknown_template"})
	if fieldOf(err, "template") != "unknown" {
		t.Errorf("an unapproved template: %v", err)
	}
	_, err = reply(desk.NewMessage{Template: "order_update", Attachments: []kesher.Attachment{{Filename: "a.pdf", SHA256: strings.Repeat("a", 64)}}})
	if fieldOf(err, "attachments") != "unsupported" {
		t.Errorf("a file on WhatsApp: %v", err)
	}
	m, err = reply(desk.NewMessage{Template: "order_update"})
	if err != nil || m.BodyText != "order_update" || m.Delivery != kesher.DeliveryQueued {
		t.Fatalf("a template after 24 hours: %+v, %v", m, err)
	}
	out, err := f.desk.OutboundChat(f.sys, desk.SendChatJob{MessageID: m.ID, Template: "order_update"})
	if err != nil || out.Recipient != "972541234567" || out.Template == nil || out.Template.Language != "he" || out.Account.Token != "wa-token" {
		t.Errorf("OutboundChat: %+v, %v", out, err)
	}
	// The customer writes again: the window opens again.
	f.whatsapp(t, "wamid.w2", "972541234567", "Noa", "תודה")
	if _, err := reply(desk.NewMessage{BodyText: "בשמחה"}); err != nil {
		t.Errorf("free text after the customer wrote again: %v", err)
	}
}

func testDeliveryStatus(t *testing.T, f *chatFixture) {
	res := f.whatsapp(t, "wamid.s1", "972531234567", "Lior", "היי")
	m, err := f.desk.AddMessage(f.asAgent, res.ConversationID, desk.NewMessage{BodyText: "שלום ליאור"})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.desk.RecordDelivery(f.sys, m.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: "wamid.out1"}); err != nil {
		t.Fatal(err)
	}
	state := func() *kesher.Message {
		got, err := f.store.Message(context.Background(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := state(); got.Delivery != kesher.DeliverySent || got.ExternalID != "wamid.out1" {
		t.Fatalf("after sending: %+v", got)
	}
	for _, s := range []kesher.Delivery{kesher.DeliveryRead, kesher.DeliveryDelivered, kesher.DeliverySent} {
		if err := f.desk.RecordStatus(f.sys, kesher.ChannelWhatsApp, "wamid.out1", s, ""); err != nil {
			t.Fatal(err)
		}
	}
	if got := state(); got.Delivery != kesher.DeliveryRead {
		t.Errorf("read, then late delivered and sent reports: %s; want read", got.Delivery)
	}
	if err := f.desk.RecordStatus(f.sys, kesher.ChannelWhatsApp, "wamid.unknown", kesher.DeliveryRead, ""); err != nil {
		t.Errorf("a report on an unknown message: %v", err)
	}
	if err := f.desk.RecordStatus(f.sys, kesher.ChannelWhatsApp, "wamid.out1", "bogus", ""); kesher.ErrorCode(err) != kesher.ECodeValidation {
		t.Errorf("an unknown state: %v", err)
	}
	if !slices.Contains(eventTypes(t, f.fixture, res.ConversationID), desk.EventMessageDelivery) {
		t.Errorf("no delivery event")
	}
}

func testReplyByEmail(t *testing.T, f *chatFixture) {
	res := f.whatsapp(t, "wamid.e1", "972551234567", "Maya", "אפשר לקבל את החשבונית במייל?")
	_, err := f.desk.AddMessage(f.asAgent, res.ConversationID, desk.NewMessage{Channel: kesher.ChannelEmail, BodyText: "מצורפת"})
	if fieldOf(err, "channel") != "no_email" {
		t.Fatalf("an email reply to a customer without an address: %v", err)
	}
	conv, _ := f.desk.Conversation(f.asAgent, res.ConversationID)
	if _, err := f.desk.AddIdentity(f.asAgent, conv.CustomerID, kesher.IdentityEmail, "maya@example.com"); err != nil {
		t.Fatal(err)
	}
	m, err := f.desk.AddMessage(f.asAgent, res.ConversationID, desk.NewMessage{Channel: kesher.ChannelEmail, BodyText: "החשבונית מצורפת"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Channel != kesher.ChannelEmail || m.Delivery != kesher.DeliveryQueued || m.Email == nil || m.Email.To[0].Email != "maya@example.com" || m.Email.MailboxID != f.mailbox.ID {
		t.Errorf("the email reply: %+v %+v", m, m.Email)
	}
	msgs, _, _ := f.desk.Messages(f.asAgent, res.ConversationID, kesher.Page{Limit: 10})
	if len(msgs) != 2 || msgs[0].Channel != kesher.ChannelWhatsApp || msgs[1].Channel != kesher.ChannelEmail {
		t.Errorf("one thread of both channels: %+v", msgs)
	}
}
