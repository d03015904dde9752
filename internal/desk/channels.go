package desk

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
)

// Jobs of the messaging channels, enqueued in the Write of the reply and
// run by the channel's sender after commit.
const (
	// JobSendWhatsApp sends an outbound WhatsApp message (SendChatJob).
	JobSendWhatsApp = "whatsapp.send"
	// JobSendTelegram sends an outbound Telegram message (SendChatJob).
	JobSendTelegram = "telegram.send"
)

// SendChatJob is the payload of a messaging channel's send job.
type SendChatJob struct {
	MessageID string `json:"message_id"`
	// Template names the approved WhatsApp template to send instead of
	// free text ("" for free text).
	Template string `json:"template,omitempty"`
}

// Events of the messaging channels' accounts.
const (
	EventChannelAccountCreated = "channel_account.created"
	EventChannelAccountUpdated = "channel_account.updated"
	EventChannelAccountDeleted = "channel_account.deleted"
)

// Default API roots of the providers.
const (
	DefaultGraphAPI    = "https://graph.facebook.com/v21.0"
	DefaultTelegramAPI = "https://api.telegram.org"
)

// sendJobs names each messaging channel's send job.
var sendJobs = map[kesher.Channel]string{kesher.ChannelWhatsApp: JobSendWhatsApp, kesher.ChannelTelegram: JobSendTelegram}

// IsMessaging reports whether ch is a messaging channel with accounts.
func IsMessaging(ch kesher.Channel) bool { return sendJobs[ch] != "" }

// ChannelAccountInput is an account's fields. Secrets are given in full:
// the API and UI fill in the stored ones that a request leaves out, since
// they cannot show them to the client.
type ChannelAccountInput struct {
	Kind          kesher.Channel
	Name          string
	TeamID        string
	APIBase       string
	PhoneNumberID string
	Token         string
	AppSecret     string
	VerifyToken   string
	Templates     []kesher.Template
}

// maxTemplates bounds an account's templates.
const maxTemplates = 100

// ChannelAccounts lists the messaging accounts, without secrets in their
// JSON form. Admins only.
func (d *Desk) ChannelAccounts(ctx context.Context, p kesher.Page) ([]*kesher.ChannelAccount, string, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, "", err
	}
	return d.store.ChannelAccounts(ctx, p)
}

// ChannelAccount returns one messaging account. Admins and channels only
// (a webhook checks its request with the account's secrets).
func (d *Desk) ChannelAccount(ctx context.Context, id string) (*kesher.ChannelAccount, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	return d.store.ChannelAccount(ctx, id)
}

// SaveChannelAccount creates an account (id "") or replaces one's fields;
// its kind never changes. Admins only.
func (d *Desk) SaveChannelAccount(ctx context.Context, id string, in ChannelAccountInput) (*kesher.ChannelAccount, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	a, err := newChannelAccount(in)
	if err != nil {
		return nil, err
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := checkRefs(ctx, tx, "", a.TeamID, ""); err != nil {
			return err
		}
		now := d.clock.Now()
		typ := EventChannelAccountCreated
		if id == "" {
			a.ID, a.CreatedAt, a.UpdatedAt = kesher.NewID(now), now, now
			if err := tx.CreateChannelAccount(ctx, a); err != nil {
				return takenNumber(err)
			}
		} else {
			cur, err := tx.ChannelAccount(ctx, id)
			if err != nil {
				return err
			}
			if cur.Kind != a.Kind {
				return kesher.FieldError("kind", "invalid", "account %s is a %s account", id, cur.Kind)
			}
			a.ID, a.CreatedAt, a.UpdatedAt, typ = id, cur.CreatedAt, now, EventChannelAccountUpdated
			if err := tx.UpdateChannelAccount(ctx, a); err != nil {
				return takenNumber(err)
			}
		}
		// The account's JSON form carries no secrets.
		return tx.AppendEvent(ctx, d.event(ctx, typ, a))
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// takenNumber turns the store's conflict on a WhatsApp number into a
// refusal of the field that names it.
func takenNumber(err error) error {
	if kesher.ErrorCode(err) == kesher.ECodeConflict {
		return kesher.FieldError("phone_number_id", "taken", "another account has this WhatsApp number")
	}
	return err
}

// newChannelAccount validates an account's fields and builds it; it
// writes nothing.
func newChannelAccount(in ChannelAccountInput) (*kesher.ChannelAccount, error) {
	var v kesher.Validation
	v.Check(IsMessaging(in.Kind), "kind", "invalid")
	a := &kesher.ChannelAccount{
		Kind: in.Kind, Name: strings.TrimSpace(in.Name), TeamID: in.TeamID, APIBase: strings.TrimRight(strings.TrimSpace(in.APIBase), "/"),
		PhoneNumberID: strings.TrimSpace(in.PhoneNumberID), Token: strings.TrimSpace(in.Token), AppSecret: strings.TrimSpace(in.AppSecret),
		VerifyToken: strings.TrimSpace(in.VerifyToken), Templates: []kesher.Template{},
	}
	v.Check(a.Name != "", "name", "required")
	v.Check(utf8.RuneCountInString(a.Name) <= 200, "name", "too_long")
	v.Check(a.Token != "", "token", "required")
	v.Check(a.VerifyToken != "", "verify_token", "required")
	switch in.Kind {
	case kesher.ChannelWhatsApp:
		a.APIBase = orDefault(a.APIBase, DefaultGraphAPI)
		v.Check(a.PhoneNumberID != "" && !strings.ContainsAny(a.PhoneNumberID, "/?# "), "phone_number_id", "required")
		v.Check(a.AppSecret != "", "app_secret", "required")
	case kesher.ChannelTelegram:
		a.APIBase = orDefault(a.APIBase, DefaultTelegramAPI)
		// Telegram sends the secret token as a header of A-Z, a-z, 0-9, _
		// and - only.
		v.Check(len(a.VerifyToken) <= 256 && strings.Trim(a.VerifyToken, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == "",
			"verify_token", "invalid")
		a.PhoneNumberID, a.AppSecret = "", ""
	}
	u, err := url.Parse(a.APIBase)
	v.Check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "", "api_base", "invalid")
	for _, t := range in.Templates {
		t.Name, t.Language = strings.TrimSpace(t.Name), orDefault(strings.TrimSpace(t.Language), "he")
		if t.Name == "" {
			continue
		}
		v.Check(in.Kind == kesher.ChannelWhatsApp, "templates", "invalid")
		v.Check(len(t.Name) <= 512 && len(t.Language) <= 15, "templates", "invalid")
		if !slices.Contains(a.Templates, t) {
			a.Templates = append(a.Templates, t)
		}
	}
	v.Check(len(a.Templates) <= maxTemplates, "templates", "too_many")
	return a, v.Err()
}

// DeleteChannelAccount removes an account. Admins only. Its conversations
// stay; they can no longer be answered on its channel.
func (d *Desk) DeleteChannelAccount(ctx context.Context, id string) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		a, err := tx.ChannelAccount(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteChannelAccount(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, EventChannelAccountDeleted, map[string]any{"account_id": id, "kind": a.Kind, "name": a.Name}))
	})
}

// InboundMessage is one message a messaging channel received.
type InboundMessage struct {
	AccountID string
	// ExternalID is the provider's id of the message, unique on its
	// channel; a second delivery of it creates nothing.
	ExternalID string
	// Sender is the customer's identity on the channel (a WhatsApp number,
	// a Telegram user id); Name is the name the channel knows them by.
	Sender kesher.Identity
	Name   string
	// Recipient is where replies go: the WhatsApp number, the Telegram
	// chat id.
	Recipient string
	Text      string
	Files     []InboundFile
	// SentAt is when the provider says the customer sent it; zero when it
	// does not say.
	SentAt time.Time
}

// InboundFile is a file that came with a message, fetched by the channel.
type InboundFile struct {
	Filename    string
	ContentType string
	Data        []byte
}

// MessageResult says what became of an inbound message.
type MessageResult struct {
	// ConversationID and MessageID are the message made (or, for a
	// duplicate, made the first time).
	ConversationID, MessageID string
	// Created says the message started a conversation.
	Created bool
	// Duplicate says the message was taken in before; nothing was written.
	Duplicate bool
}

// IngestMessage takes in one message from a messaging channel exactly once
// and returns when it is durably committed, so the channel may then
// acknowledge it (webhook 200). It finds or creates the customer by their
// identity (a WhatsApp number is a phone number too, so it matches the
// customer's phone identity, P1) and threads the message into the
// customer's latest conversation on the channel that is not closed,
// reopening it when it waited or was solved, or opens a new one in the
// account's team. Channels (no user) and admins only.
//
// Errors: ECodeNotFound for an unknown account, ECodeValidation for a
// message without an id, a valid sender, or content.
func (d *Desk) IngestMessage(ctx context.Context, in InboundMessage) (*MessageResult, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	var v kesher.Validation
	v.Check(in.ExternalID != "" && len(in.ExternalID) <= 500, "external_id", "invalid")
	value, err := kesher.NormalizeIdentity(in.Sender.Kind, in.Sender.Value)
	v.Check(err == nil, "sender", "invalid")
	v.Check(strings.TrimSpace(in.Text) != "" || len(in.Files) > 0, "body_text", "required")
	v.Check(in.Recipient != "", "recipient", "required")
	if err := v.Err(); err != nil {
		return nil, err
	}
	ids := []kesher.Identity{{Kind: in.Sender.Kind, Value: value}}
	if in.Sender.Kind == kesher.IdentityWhatsApp {
		ids = append(ids, kesher.Identity{Kind: kesher.IdentityPhone, Value: value})
	}
	p := prepareInbound(in)
	return retryConflicts(func() (*MessageResult, error) { return d.ingestMessage(ctx, in, ids, p) })
}

// preparedInbound is what an inbound message's Write stores, worked out
// before the transaction begins.
type preparedInbound struct {
	body        string
	attachments []kesher.Attachment
	blobs       map[string][]byte
	managerAsk  string
}

func prepareInbound(in InboundMessage) *preparedInbound {
	p := &preparedInbound{body: clip(strings.TrimSpace(in.Text), kesher.MaxBodyText), attachments: []kesher.Attachment{}, blobs: map[string][]byte{}}
	for _, f := range in.Files {
		if len(p.attachments) == kesher.MaxAttachments {
			break
		}
		p.attachments = append(p.attachments, attach(p.blobs, f.Filename, f.ContentType, f.Data))
	}
	p.managerAsk = askedForManager(NewMessage{Direction: kesher.Inbound, BodyText: p.body})
	return p
}

func (d *Desk) ingestMessage(ctx context.Context, in InboundMessage, ids []kesher.Identity, p *preparedInbound) (*MessageResult, error) {
	res := &MessageResult{}
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		*res = MessageResult{}
		acct, err := tx.ChannelAccount(ctx, in.AccountID)
		if err != nil {
			return err
		}
		dup, err := tx.MessageByExternalID(ctx, acct.Kind, in.ExternalID)
		if err == nil {
			res.ConversationID, res.MessageID, res.Duplicate = dup.ConversationID, dup.ID, true
			return nil
		} else if kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		cust, err := d.resolveCustomer(ctx, tx, CustomerRef{Name: in.Name}, ids)
		if err != nil {
			return err
		}
		conv, err := d.latestOn(ctx, tx, cust.ID, acct.Kind)
		if err != nil {
			return err
		}
		var route *routing
		if conv == nil {
			if conv, err = d.startChatConversation(ctx, tx, acct, cust, p.body); err != nil {
				return err
			}
			res.Created = true
			route = &routing{channel: conv.Channel, language: cust.Language, priority: conv.Priority}
		} else if err := d.reopenForCustomer(ctx, tx, conv); err != nil {
			return err
		}
		m := d.newMessage(ctx, conv, NewMessage{Direction: kesher.Inbound, Channel: acct.Kind, BodyText: p.body, Attachments: p.attachments, ExternalID: in.ExternalID})
		if err := d.storeCustomerMessage(ctx, tx, conv, m, p.blobs, p.managerAsk, route); err != nil {
			return err
		}
		res.ConversationID, res.MessageID = conv.ID, m.ID
		now := d.clock.Now()
		// WhatsApp's window runs from when the customer wrote; a message
		// delivered late (the provider retried) does not stretch it.
		sent := now
		if !in.SentAt.IsZero() && in.SentAt.Before(now) {
			sent = in.SentAt.UTC()
		}
		return tx.SaveMessagingThread(ctx, &kesher.MessagingThread{
			ConversationID: conv.ID, AccountID: acct.ID, Recipient: in.Recipient, LastInboundAt: sent, UpdatedAt: now,
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// latestOn returns the customer's most recently active conversation on
// channel ch that is not closed, or nil. The channel is picked here, not
// in the filter: given both, the databases may scan the channel's index
// (every WhatsApp conversation) instead of the customer's few.
func (d *Desk) latestOn(ctx context.Context, q kesher.Queries, customerID string, ch kesher.Channel) (*kesher.Conversation, error) {
	p := kesher.Page{Limit: kesher.MaxPageLimit}
	for {
		cs, next, err := q.Conversations(ctx, kesher.ConversationFilter{
			CustomerID: customerID, Page: p,
			Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold, kesher.StatusSolved},
		})
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(cs, func(c *kesher.Conversation) bool { return c.Channel == ch }); i >= 0 {
			return cs[i], nil
		}
		if next == "" {
			return nil, nil
		}
		p.Cursor = next
	}
}

// startChatConversation opens a conversation of the account's channel in
// its team, and records it.
func (d *Desk) startChatConversation(ctx context.Context, tx kesher.Tx, acct *kesher.ChannelAccount, cust *kesher.Customer, body string) (*kesher.Conversation, error) {
	number, err := tx.NextConversationNumber(ctx)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	conv := &kesher.Conversation{
		ID: kesher.NewID(now), Number: number, Subject: subjectFrom(body), Status: kesher.StatusOpen, Priority: kesher.PriorityNormal,
		Channel: acct.Kind, CustomerID: cust.ID, TeamID: acct.TeamID, Tags: []string{}, CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateConversation(ctx, conv); err != nil {
		return nil, err
	}
	ev := d.event(ctx, kesher.EventConversationCreated, map[string]any{
		"number": number, "subject": conv.Subject, "channel": conv.Channel, "priority": conv.Priority,
		"owner_id": "", "team_id": conv.TeamID, "reason": "", "tags": conv.Tags, "account_id": acct.ID,
	})
	ev.ConversationID, ev.CustomerID = conv.ID, cust.ID
	return conv, tx.AppendEvent(ctx, ev)
}

// queueMessaging makes m, an outbound message just stored in conv on a
// messaging channel, a message to send, and enqueues its job in the
// caller's Write. On WhatsApp, outside the customer-service window since
// the customer's last message only an approved template may be sent.
func (d *Desk) queueMessaging(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, m *kesher.Message, template string) error {
	th, err := tx.MessagingThread(ctx, conv.ID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound || err == nil && th.AccountID == "" {
		return kesher.FieldError("channel", "no_contact", "conversation %d has no %s contact to send to", conv.Number, m.Channel)
	} else if err != nil {
		return err
	}
	acct, err := tx.ChannelAccount(ctx, th.AccountID)
	if err != nil {
		return err
	}
	if acct.Kind != m.Channel {
		return kesher.FieldError("channel", "no_contact", "conversation %d has no %s contact to send to", conv.Number, m.Channel)
	}
	switch {
	case acct.Kind == kesher.ChannelWhatsApp && len(m.Attachments) > 0:
		return kesher.FieldError("attachments", "unsupported", "files cannot be sent on WhatsApp yet; send them by email")
	case template != "" && acct.Kind != kesher.ChannelWhatsApp:
		return kesher.FieldError("template", "invalid", "templates are sent on WhatsApp only")
	case template != "" && !slices.ContainsFunc(acct.Templates, func(t kesher.Template) bool { return t.Name == template }):
		return kesher.FieldError("template", "unknown", "%q is not an approved template of this WhatsApp number", template)
	case template == "" && acct.Kind == kesher.ChannelWhatsApp && d.clock.Now().Sub(th.LastInboundAt) > kesher.WhatsAppWindow:
		return kesher.FieldError("body_text", "window_closed",
			"the customer last wrote on WhatsApp more than 24 hours ago: only an approved template can be sent until they write again")
	}
	m.Delivery = kesher.DeliveryQueued
	if err := tx.UpdateMessageDelivery(ctx, m); err != nil {
		return err
	}
	return d.enqueue(ctx, tx, sendJobs[m.Channel], m.ID, SendChatJob{MessageID: m.ID, Template: template})
}

// WindowOpen reports whether a WhatsApp conversation may be answered in
// free text now, and until when; ok is false too for a conversation
// without a WhatsApp thread. Any signed-in user.
func (d *Desk) WindowOpen(ctx context.Context, conversationID string) (until time.Time, ok bool, err error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return time.Time{}, false, err
	}
	th, err := d.store.MessagingThread(ctx, conversationID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, err
	}
	until = th.LastInboundAt.Add(kesher.WhatsAppWindow)
	return until, d.clock.Now().Before(until), nil
}

// Templates returns the approved WhatsApp templates a conversation may be
// answered with: those of the number its customer wrote to. Any signed-in
// user.
func (d *Desk) Templates(ctx context.Context, conversationID string) ([]kesher.Template, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	th, err := d.store.MessagingThread(ctx, conversationID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound || err == nil && th.AccountID == "" {
		return []kesher.Template{}, nil
	} else if err != nil {
		return nil, err
	}
	acct, err := d.store.ChannelAccount(ctx, th.AccountID)
	if err != nil {
		return nil, err
	}
	if acct.Kind != kesher.ChannelWhatsApp {
		return []kesher.Template{}, nil
	}
	return acct.Templates, nil
}

// OutboundChat is everything a messaging channel's sender needs to send
// one message.
type OutboundChat struct {
	Account *kesher.ChannelAccount
	Message *kesher.Message
	// Recipient is the WhatsApp number or Telegram chat id.
	Recipient string
	// Template, when set, is sent instead of the message's text.
	Template *kesher.Template
}

// OutboundChat returns what the sender needs to send an outbound message
// of a messaging channel (its send job). A message that was sent already
// is returned too, with its Delivery saying so: the job runs at least
// once. Channels (no user) and admins only.
//
// Errors: ECodeNotFound for a missing message, thread or account,
// ECodeConflict for a message that is not one to send.
func (d *Desk) OutboundChat(ctx context.Context, job SendChatJob) (*OutboundChat, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	m, err := d.store.Message(ctx, job.MessageID)
	if err != nil {
		return nil, err
	}
	if m.Direction != kesher.Outbound || !IsMessaging(m.Channel) || m.Delivery == "" {
		return nil, kesher.Errorf(kesher.ECodeConflict, "message %s is not a %s message to send", m.ID, m.Channel)
	}
	th, err := d.store.MessagingThread(ctx, m.ConversationID)
	if err != nil {
		return nil, err
	}
	if th.AccountID == "" {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "the %s account of this conversation is gone", m.Channel)
	}
	acct, err := d.store.ChannelAccount(ctx, th.AccountID)
	if err != nil {
		return nil, err
	}
	out := &OutboundChat{Account: acct, Message: m, Recipient: th.Recipient}
	if job.Template != "" {
		i := slices.IndexFunc(acct.Templates, func(t kesher.Template) bool { return t.Name == job.Template })
		if i < 0 {
			return nil, kesher.Errorf(kesher.ECodeNotFound, "template %q is no longer approved for this number", job.Template)
		}
		out.Template = &acct.Templates[i]
	}
	return out, nil
}

// deliveryRank orders the states a provider reports, so that a late or
// repeated report never moves a message back (read, then delivered).
var deliveryRank = map[kesher.Delivery]int{
	kesher.DeliveryQueued: 0, kesher.DeliveryFailed: 1, kesher.DeliverySent: 2, kesher.DeliveryDelivered: 3, kesher.DeliveryRead: 4,
}

// RecordStatus records a provider's report on an outbound message it
// knows by its own id: sent, delivered, read or failed (with the
// provider's reason). A report on a message the desk does not know (sent
// from elsewhere) or one that would move it back changes nothing.
// Channels (no user) and admins only.
func (d *Desk) RecordStatus(ctx context.Context, ch kesher.Channel, externalID string, state kesher.Delivery, reason string) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	if _, ok := deliveryRank[state]; !ok || state == kesher.DeliveryQueued {
		return kesher.FieldError("status", "invalid", "unknown delivery state %q", state)
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		m, err := tx.MessageByExternalID(ctx, ch, externalID)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		if m.Direction != kesher.Outbound || m.Delivery == state || deliveryRank[state] < deliveryRank[m.Delivery] {
			return nil
		}
		m.Delivery = state
		switch state {
		case kesher.DeliveryFailed:
			m.DeliveryError = truncate(strings.TrimSpace(reason), maxDeliveryError)
		case kesher.DeliverySent, kesher.DeliveryDelivered, kesher.DeliveryRead:
			m.DeliveryError = ""
			if m.DeliveredAt.IsZero() {
				m.DeliveredAt = d.clock.Now()
			}
		}
		return d.saveDelivery(ctx, tx, m)
	})
}
