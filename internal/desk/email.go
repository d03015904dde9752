package desk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/mail"
)

// Jobs of the email channel, enqueued in the Write of the change that
// calls for them and run by the email sender after commit.
const (
	// JobSendEmail sends an outbound message (SendEmailJob).
	JobSendEmail = "email.send"
	// JobAcknowledge acknowledges a new conversation (AcknowledgeJob).
	JobAcknowledge = "email.ack"
)

// SendEmailJob is the payload of a JobSendEmail job.
type SendEmailJob struct {
	MessageID string `json:"message_id"`
}

// AcknowledgeJob is the payload of a JobAcknowledge job: the conversation
// and the customer's message that opened it.
type AcknowledgeJob struct {
	ConversationID string `json:"conversation_id"`
	MessageID      string `json:"message_id"`
}

// Events of the email channel.
const (
	// EventEmailIgnored records an inbound email that made no message (an
	// auto-reply, bounce or bulk mail outside any conversation, or mail
	// without a sender), so that nothing received goes unrecorded.
	EventEmailIgnored = "email.ignored"
	// EventMessageDelivery records that an outbound email was sent or
	// failed.
	EventMessageDelivery = "message.delivery"
)

// Email threading and loop limits.
const (
	// subjectWindow is how recent a conversation must be for a new email
	// with the same subject from the same customer to join it.
	subjectWindow = 14 * 24 * time.Hour
	// maxThreadRefs bounds the Message-IDs looked up to thread an email and
	// the References chain of a reply: long chains add nothing but cost.
	maxThreadRefs = 20
	// maxParticipants bounds the people copied on a thread.
	maxParticipants = 20
	// ackInterval is how often one sender may be acknowledged by one
	// mailbox, so that two auto-responders cannot keep each other busy.
	ackInterval = time.Hour
)

// InboundEmail is one email as a channel received it.
type InboundEmail struct {
	// Recipients are the envelope recipients (SMTP RCPT TO).
	Recipients []string
	// MailboxID names the mailbox when the channel knows it (IMAP); else
	// the first recipient that is a mailbox's address or alias does.
	MailboxID string
	Raw       []byte
	// Source is "smtp" or "imap".
	Source string
}

// EmailResult says what became of an inbound email.
type EmailResult struct {
	// ConversationID and MessageID are the message the email made (or,
	// for a duplicate, made the first time); "" when it was ignored.
	ConversationID, MessageID string
	// Created says the email started a conversation.
	Created bool
	// Duplicate says the email was taken in before; nothing was written.
	Duplicate bool
	// Ignored says why the email made no message ("" when it made one).
	Ignored string
	Auto    mail.AutoKind
}

// email is an inbound email parsed and prepared for the Write that
// stores it: everything that costs time (parsing, hashing, sanitising)
// is done before the transaction begins.
type email struct {
	in        InboundEmail
	msg       *mail.Message
	rawSHA256 string
	// messageID is the Message-ID without brackets ("" when there is
	// none); externalID is what the message is deduplicated on.
	messageID, externalID string
	// refs are the Message-IDs the email answers or refers to, the most
	// direct first: In-Reply-To, the message a bounce returns, then
	// References from the newest.
	refs []string
	// from is the sender's normalised address, "" when it has none;
	// replyTo are the other valid addresses that want the replies.
	from    kesher.EmailAddress
	replyTo []kesher.EmailAddress
	meta    *kesher.EmailMeta
	body    string
	html    string
	// attachments list the files; blobs holds their bytes by hash.
	attachments []kesher.Attachment
	blobs       map[string][]byte
	// managerAsk: see askedForManager.
	managerAsk string
}

// IngestEmail takes in one inbound email exactly once and returns when it
// is durably committed, so the channel may then acknowledge it (SMTP 250).
// The email becomes a message of the conversation it threads into, or of a
// new one; mail sent by machines (auto-replies, bounces, bulk mail) never
// starts a conversation. Channels (no user) and admins only.
//
// Errors: ECodeTooLarge for an email beyond the parser's limits,
// ECodeValidation for one that cannot be read, ECodeNotFound when no
// mailbox receives it.
func (d *Desk) IngestEmail(ctx context.Context, in InboundEmail) (*EmailResult, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	if in.Source != "smtp" && in.Source != "imap" {
		return nil, kesher.FieldError("source", "invalid", "an email comes by smtp or imap, not %q", in.Source)
	}
	msg, err := mail.Parse(in.Raw)
	if err != nil {
		if le := (*mail.LimitError)(nil); errors.As(err, &le) {
			return nil, kesher.Errorf(kesher.ECodeTooLarge, "the email is too large: %v", err)
		}
		return nil, kesher.FieldError("raw", "invalid", "the email cannot be read: %v", err)
	}
	e := d.prepareEmail(in, msg)
	return retryConflicts(func() (*EmailResult, error) { return d.ingest(ctx, e) })
}

// retryConflicts runs an intake Write again when it conflicted: another
// delivery of the same message, or a new customer's identity, was
// committed meanwhile (on another node), and the next attempt sees it.
func retryConflicts[T any](write func() (T, error)) (T, error) {
	for attempt := 1; ; attempt++ {
		res, err := write()
		if kesher.ErrorCode(err) != kesher.ECodeConflict || attempt == maxIntakeRetries {
			return res, err
		}
	}
}

// prepareEmail turns a parsed email into what its Write stores.
func (d *Desk) prepareEmail(in InboundEmail, msg *mail.Message) *email {
	sum := sha256.Sum256(in.Raw)
	e := &email{in: in, msg: msg, rawSHA256: hex.EncodeToString(sum[:]), messageID: bareID(msg.MessageID), blobs: map[string][]byte{}}
	e.externalID = e.messageID
	if e.externalID == "" {
		e.externalID = "sha256:" + e.rawSHA256
	}
	seen := map[string]bool{}
	addRefs := func(ids ...string) {
		for _, id := range bareIDs(ids) {
			if !seen[id] && len(e.refs) < maxThreadRefs {
				seen[id] = true
				e.refs = append(e.refs, id)
			}
		}
	}
	addRefs(msg.InReplyTo...)
	if msg.Bounce != nil {
		addRefs(msg.Bounce.MessageID)
	}
	for i := len(msg.References) - 1; i >= 0; i-- {
		addRefs(msg.References[i])
	}
	if from, ok := emailAddress(msg.From); ok {
		e.from = from
		for _, a := range msg.ReplyTo {
			if r, ok := emailAddress(a); ok && r.Email != from.Email {
				e.replyTo = append(e.replyTo, r)
			}
		}
	}
	e.meta = &kesher.EmailMeta{
		MessageID: e.messageID, InReplyTo: bareIDs(msg.InReplyTo), References: bareIDs(msg.References),
		From:    kesher.EmailAddress{Name: msg.From.Name, Email: orDefault(e.from.Email, msg.From.Email)},
		ReplyTo: addresses(msg.ReplyTo), To: addresses(msg.To), Cc: addresses(msg.Cc),
		Subject: truncate(strings.TrimSpace(msg.Subject), kesher.MaxSubject), RawSHA256: e.rawSHA256, Auto: string(msg.Auto),
	}
	// The agent reads the visible part first (no quoted history or
	// signature); the whole message stays in the raw blob.
	e.body = clip(orDefault(msg.Visible, msg.Text), kesher.MaxBodyText)
	e.managerAsk = askedForManager(NewMessage{Direction: kesher.Inbound, BodyText: e.body})
	if html := d.sanitize(msg.HTML); len(html) <= kesher.MaxBodyHTML {
		e.html = html
	}
	e.attachments = []kesher.Attachment{}
	for _, a := range msg.Attachments {
		if len(e.attachments) == kesher.MaxAttachments {
			break // the raw blob keeps the rest
		}
		e.attachments = append(e.attachments, attach(e.blobs, a.Filename, a.ContentType, a.Data))
	}
	return e
}

// attach describes a file that came with a message and keeps its bytes in
// blobs under their hash, for the Write to store.
func attach(blobs map[string][]byte, filename, contentType string, data []byte) kesher.Attachment {
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	blobs[hash] = data
	return kesher.Attachment{Filename: orDefault(filename, "attachment"), ContentType: contentType, Size: int64(len(data)), SHA256: hash}
}

// ingest stores one email in one Write.
func (d *Desk) ingest(ctx context.Context, e *email) (*EmailResult, error) {
	var res *EmailResult
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		res = &EmailResult{Auto: e.msg.Auto}
		if dup, err := duplicateOf(ctx, tx, e); err != nil || dup != nil {
			if dup != nil {
				res.ConversationID, res.MessageID, res.Duplicate = dup.ConversationID, dup.StoredMessageID, true
			}
			return err
		}
		mb, err := d.mailboxFor(ctx, tx, e.in)
		if err != nil {
			return err
		}
		e.meta.MailboxID = mb.ID
		receipt := &kesher.EmailReceipt{
			RawSHA256: e.rawSHA256, MessageID: e.messageID, MailboxID: mb.ID, Source: e.in.Source, ReceivedAt: d.clock.Now(),
		}
		if err := tx.PutBlob(ctx, e.rawSHA256, e.in.Raw); err != nil {
			return err
		}
		switch {
		case e.from.Email == "":
			res.Ignored = "no_sender"
		case e.msg.Auto != "":
			err = d.ingestAuto(ctx, tx, e, res)
		default:
			err = d.ingestHuman(ctx, tx, e, mb, res)
		}
		if err != nil {
			return err
		}
		if res.Ignored != "" {
			ev := d.event(ctx, EventEmailIgnored, map[string]any{
				"reason": res.Ignored, "raw_sha256": e.rawSHA256, "message_id": e.messageID, "mailbox_id": mb.ID,
				"from": e.meta.From.Email, "subject": e.meta.Subject,
			})
			if err := tx.AppendEvent(ctx, ev); err != nil {
				return err
			}
		}
		receipt.ConversationID, receipt.StoredMessageID, receipt.Ignored = res.ConversationID, res.MessageID, res.Ignored
		return tx.CreateEmailReceipt(ctx, receipt)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// duplicateOf returns the receipt of an earlier delivery of e, or nil. An
// email whose Message-ID is one of the desk's own messages (a reply it
// sent, come back through a copy to itself) counts as taken in already.
func duplicateOf(ctx context.Context, q kesher.Queries, e *email) (*kesher.EmailReceipt, error) {
	r, err := q.EmailReceipt(ctx, e.messageID, e.rawSHA256)
	if kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return r, err
	}
	m, err := q.MessageByExternalID(ctx, kesher.ChannelEmail, e.externalID)
	switch kesher.ErrorCode(err) {
	case kesher.ECodeNotFound:
		return nil, nil
	case "":
		return &kesher.EmailReceipt{ConversationID: m.ConversationID, StoredMessageID: m.ID}, nil
	}
	return nil, err
}

// mailboxFor finds the mailbox an email was delivered to.
func (d *Desk) mailboxFor(ctx context.Context, q kesher.Queries, in InboundEmail) (*kesher.Mailbox, error) {
	if in.MailboxID != "" {
		return q.Mailbox(ctx, in.MailboxID)
	}
	for _, r := range in.Recipients {
		a, err := kesher.NormalizeEmail(strings.TrimSpace(r))
		if err != nil {
			continue
		}
		mb, err := q.MailboxByAddress(ctx, a)
		if kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return mb, err
		}
	}
	return nil, kesher.Errorf(kesher.ECodeNotFound, "no mailbox receives mail for %s", strings.Join(in.Recipients, ", "))
}

// ingestAuto records mail sent by a machine. It joins the conversation it
// threads into without reopening it or making the desk owe an answer;
// outside any conversation it is only recorded as ignored. It never makes
// a customer: a bounce's sender is a mail server, not a person.
func (d *Desk) ingestAuto(ctx context.Context, tx kesher.Tx, e *email, res *EmailResult) error {
	sender, err := tx.CustomerByIdentity(ctx, kesher.IdentityEmail, e.from.Email)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return err
	}
	conv, _, err := d.threadOf(ctx, tx, e, sender)
	if err != nil {
		return err
	}
	if conv == nil {
		res.Ignored = string(e.msg.Auto)
		return nil
	}
	m := d.quietMessage(ctx, conv, NewMessage{Direction: kesher.Inbound, Channel: kesher.ChannelEmail, BodyText: e.body, ExternalID: e.externalID})
	m.AuthorType, m.AuthorID = kesher.AuthorSystem, ""
	if sender != nil {
		m.AuthorType, m.AuthorID = kesher.AuthorCustomer, sender.ID
	}
	if err := d.storeInbound(ctx, tx, e, conv, m); err != nil {
		return err
	}
	res.ConversationID, res.MessageID = conv.ID, m.ID
	if err := tx.UpdateConversation(ctx, conv); err != nil {
		return err
	}
	return d.recordBounce(ctx, tx, e.msg.Bounce)
}

// recordBounce marks the desk's email that a bounce returns as failed, with
// the remote server's reason: the relay took it, but it never arrived.
func (d *Desk) recordBounce(ctx context.Context, tx kesher.Tx, b *mail.BounceReport) error {
	if b == nil || bareID(b.MessageID) == "" {
		return nil
	}
	m, err := tx.MessageByExternalID(ctx, kesher.ChannelEmail, bareID(b.MessageID))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound || err == nil && (m.Direction != kesher.Outbound || m.Delivery == "") {
		return nil
	} else if err != nil {
		return err
	}
	m.Delivery, m.DeliveryError = kesher.DeliveryFailed, truncate(strings.TrimSpace(b.Status+" "+b.Diagnostic), maxDeliveryError)
	return d.saveDelivery(ctx, tx, m)
}

// ingestHuman records mail a person wrote: in the conversation it threads
// into, reopened if it waited or was solved, or in a new conversation of
// the mailbox's team, acknowledged when the mailbox says so.
func (d *Desk) ingestHuman(ctx context.Context, tx kesher.Tx, e *email, mb *kesher.Mailbox, res *EmailResult) error {
	ids := []kesher.Identity{{Kind: kesher.IdentityEmail, Value: e.from.Email}}
	for _, r := range e.replyTo {
		if own, err := isMailboxAddress(ctx, tx, r.Email); err != nil {
			return err
		} else if !own {
			ids = append(ids, kesher.Identity{Kind: kesher.IdentityEmail, Value: r.Email})
		}
	}
	cust, err := d.resolveCustomer(ctx, tx, CustomerRef{Name: e.from.Name}, ids)
	if err != nil {
		return err
	}
	conv, th, err := d.threadOf(ctx, tx, e, cust)
	if err != nil {
		return err
	}
	if conv == nil {
		if conv, err = d.startEmailConversation(ctx, tx, e, mb, cust); err != nil {
			return err
		}
		res.Created = true
	} else if err := d.reopenForCustomer(ctx, tx, conv); err != nil {
		return err
	}
	m := d.newMessage(ctx, conv, NewMessage{Direction: kesher.Inbound, Channel: kesher.ChannelEmail, BodyText: e.body, ExternalID: e.externalID})
	m.AuthorID = cust.ID // a participant's reply is theirs, not the customer's
	var route *routing
	if res.Created {
		route = &routing{channel: conv.Channel, mailboxID: mb.ID, language: cust.Language, priority: conv.Priority}
	}
	m.BodyHTML, m.Attachments, m.Email = e.html, e.attachments, e.meta
	if err := d.storeCustomerMessage(ctx, tx, conv, m, e.blobs, e.managerAsk, route); err != nil {
		return err
	}
	res.ConversationID, res.MessageID = conv.ID, m.ID
	if err := d.updateThread(ctx, tx, th, e, conv, cust); err != nil {
		return err
	}
	if !res.Created {
		return nil
	}
	return d.acknowledge(ctx, tx, e, mb, conv, m)
}

// startEmailConversation opens a conversation for an email in the
// mailbox's team, with the email's subject, and records it.
func (d *Desk) startEmailConversation(ctx context.Context, tx kesher.Tx, e *email, mb *kesher.Mailbox, cust *kesher.Customer) (*kesher.Conversation, error) {
	number, err := tx.NextConversationNumber(ctx)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	conv := &kesher.Conversation{
		ID: kesher.NewID(now), Number: number, Subject: orDefault(e.meta.Subject, subjectFrom(e.body)), Status: kesher.StatusOpen,
		Priority: kesher.PriorityNormal, Channel: kesher.ChannelEmail, CustomerID: cust.ID, TeamID: mb.TeamID, Tags: []string{},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := tx.CreateConversation(ctx, conv); err != nil {
		return nil, err
	}
	ev := d.event(ctx, kesher.EventConversationCreated, map[string]any{
		"number": number, "subject": conv.Subject, "channel": conv.Channel, "priority": conv.Priority,
		"owner_id": "", "team_id": conv.TeamID, "reason": "", "tags": conv.Tags, "mailbox_id": mb.ID,
	})
	ev.ConversationID, ev.CustomerID = conv.ID, cust.ID
	return conv, tx.AppendEvent(ctx, ev)
}

// storeInbound gives m the email's content and stores it, its event and
// its attachments' bytes.
func (d *Desk) storeInbound(ctx context.Context, tx kesher.Tx, e *email, conv *kesher.Conversation, m *kesher.Message) error {
	m.BodyHTML, m.Attachments, m.Email = e.html, e.attachments, e.meta
	if err := putBlobs(ctx, tx, e.blobs); err != nil {
		return err
	}
	return d.recordMessage(ctx, tx, conv, m)
}

// storeCustomerMessage stores m, a customer's message just made for conv,
// with its files' bytes, its event and what it sets off (assignment on a
// route, SLA clocks, an escalation when managerAsk is set), and saves conv.
func (d *Desk) storeCustomerMessage(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, m *kesher.Message,
	blobs map[string][]byte, managerAsk string, route *routing) error {
	fx, err := d.onMessage(ctx, tx, conv, m, managerAsk, route)
	if err != nil {
		return err
	}
	if err := putBlobs(ctx, tx, blobs); err != nil {
		return err
	}
	if err := d.recordMessage(ctx, tx, conv, m); err != nil {
		return err
	}
	if _, err := d.record(ctx, tx, conv, fx); err != nil {
		return err
	}
	return tx.UpdateConversation(ctx, conv)
}

// putBlobs stores files' bytes by their hash.
func putBlobs(ctx context.Context, tx kesher.Tx, blobs map[string][]byte) error {
	for hash, data := range blobs {
		if err := tx.PutBlob(ctx, hash, data); err != nil {
			return err
		}
	}
	return nil
}

// quietMessage makes a message that joins conv's thread without changing
// what the desk owes the customer: the customer's waiting time and the
// excerpt lists show stay as they were. Auto-replies and the desk's own
// acknowledgements are such messages (P3: an acknowledgement is not an
// answer).
func (d *Desk) quietMessage(ctx context.Context, conv *kesher.Conversation, in NewMessage) *kesher.Message {
	waiting, excerpt := conv.WaitingSince, conv.Excerpt
	m := d.newMessage(ctx, conv, in)
	conv.WaitingSince, conv.Excerpt = waiting, excerpt
	return m
}

// threadOf finds the conversation an email continues, with its email
// thread (nil when it has none), or nil for a new conversation. In order:
//  1. In-Reply-To and References naming a message of the desk, inbound or
//     outbound;
//  2. the ticket token "[#1234]" in the subject, trusted only from the
//     conversation's customer or a participant of its thread, since anyone
//     can type a number;
//  3. an open or recently solved conversation of the same customer with
//     the same subject, active in the last two weeks.
//
// A closed conversation is final, so mail to it starts a new one.
func (d *Desk) threadOf(ctx context.Context, q kesher.Queries, e *email, sender *kesher.Customer) (*kesher.Conversation, *kesher.EmailThread, error) {
	conv, err := d.threadByReference(ctx, q, e)
	if err != nil || conv != nil {
		return d.withThread(ctx, q, conv, err)
	}
	if n, ok := mail.TicketNumber(e.msg.Subject); ok {
		c, err := q.ConversationByNumber(ctx, n)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return nil, nil, err
		}
		if err == nil && c.Status != kesher.StatusClosed {
			c, th, err := d.withThread(ctx, q, c, nil)
			if err != nil {
				return nil, nil, err
			}
			if (sender != nil && c.CustomerID == sender.ID) || (th != nil && participates(th, e.from.Email)) {
				return c, th, nil
			}
		}
	}
	if sender == nil {
		return nil, nil, nil
	}
	subject := mail.NormalizeSubject(e.msg.Subject)
	if subject == "" {
		return nil, nil, nil
	}
	since := d.clock.Now().Add(-subjectWindow)
	cs, _, err := q.Conversations(ctx, kesher.ConversationFilter{
		CustomerID: sender.ID, UpdatedAfter: since, Page: kesher.Page{Limit: kesher.MaxPageLimit},
		Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold, kesher.StatusSolved},
	})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		if mail.NormalizeSubject(c.Subject) == subject {
			return d.withThread(ctx, q, c, nil)
		}
	}
	return nil, nil, nil
}

// threadByReference finds the conversation of the most direct message of
// the desk's the email refers to, unless that conversation is closed.
func (d *Desk) threadByReference(ctx context.Context, q kesher.Queries, e *email) (*kesher.Conversation, error) {
	for _, ref := range e.refs {
		m, err := q.MessageByExternalID(ctx, kesher.ChannelEmail, ref)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		c, err := q.Conversation(ctx, m.ConversationID)
		if err != nil || c.Status == kesher.StatusClosed {
			return nil, err
		}
		return c, nil
	}
	return nil, nil
}

// withThread adds conv's email thread, nil when it has none.
func (d *Desk) withThread(ctx context.Context, q kesher.Queries, conv *kesher.Conversation, err error) (*kesher.Conversation, *kesher.EmailThread, error) {
	if err != nil || conv == nil {
		return nil, nil, err
	}
	th, err := q.EmailThread(ctx, conv.ID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return conv, nil, nil
	}
	return conv, th, err
}

// participates reports whether address is a participant of the thread.
func participates(th *kesher.EmailThread, address string) bool {
	return slices.ContainsFunc(th.Participants, func(p kesher.EmailAddress) bool { return p.Email == address })
}

// updateThread records on the conversation's thread (made now if it has
// none) where the customer wants replies and who else is on the email (its
// To and Cc but the customer, the sender and the desk's own mailboxes), so
// replies copy them.
func (d *Desk) updateThread(ctx context.Context, tx kesher.Tx, th *kesher.EmailThread, e *email, conv *kesher.Conversation, sender *kesher.Customer) error {
	if th == nil {
		th = &kesher.EmailThread{ConversationID: conv.ID, MailboxID: e.meta.MailboxID, Participants: []kesher.EmailAddress{}}
	}
	if sender.ID == conv.CustomerID {
		th.ReplyTo = e.from
		if len(e.replyTo) > 0 {
			th.ReplyTo = e.replyTo[0]
		}
	}
	customer := sender
	if sender.ID != conv.CustomerID {
		c, err := tx.Customer(ctx, conv.CustomerID)
		if err != nil {
			return err
		}
		customer = c
	}
	skip := map[string]bool{e.from.Email: true, th.ReplyTo.Email: true}
	for _, id := range append(slices.Clone(customer.Identities), sender.Identities...) {
		skip[id.Value] = true
	}
	for _, a := range append(slices.Clone(e.msg.To), e.msg.Cc...) {
		p, ok := emailAddress(a)
		if !ok || skip[p.Email] || participates(th, p.Email) || len(th.Participants) == maxParticipants {
			continue
		}
		if own, err := isMailboxAddress(ctx, tx, p.Email); err != nil {
			return err
		} else if !own {
			th.Participants = append(th.Participants, p)
		}
	}
	th.UpdatedAt = d.clock.Now()
	return tx.SaveEmailThread(ctx, th)
}

// acknowledge enqueues the acknowledgement of a new conversation when the
// mailbox sends them and the email is not part of a mail loop: mail from
// the desk's own addresses gets none, and a sender gets at most one per
// mailbox and hour (the job's key dedupes). Mail marked Auto-Submitted
// (other than "no") is classified as an auto-reply by the parser and never
// starts a conversation, so it never comes here.
func (d *Desk) acknowledge(ctx context.Context, tx kesher.Tx, e *email, mb *kesher.Mailbox, conv *kesher.Conversation, m *kesher.Message) error {
	now := d.clock.Now()
	// Mail written long ago (a mailbox's old mail, read when IMAP is first
	// connected) gets no "we received your request" today.
	if !mb.Acknowledge || !e.msg.Date.IsZero() && now.Sub(e.msg.Date) > ackMaxAge {
		return nil
	}
	if own, err := isMailboxAddress(ctx, tx, e.from.Email); err != nil || own {
		return err
	}
	key := "ack:" + mb.ID + ":" + e.from.Email + ":" + strconv.FormatInt(now.Unix()/int64(ackInterval/time.Second), 10)
	return d.enqueue(ctx, tx, JobAcknowledge, key, AcknowledgeJob{ConversationID: conv.ID, MessageID: m.ID})
}

// ackMaxAge is the oldest an email may be, by its Date header, and still
// be acknowledged.
const ackMaxAge = 24 * time.Hour

// enqueue adds a job of the email channel, due now.
func (d *Desk) enqueue(ctx context.Context, tx kesher.Tx, kind, key string, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return err
	}
	now := d.clock.Now()
	return tx.EnqueueJob(ctx, &kesher.Job{ID: kesher.NewID(now), Kind: kind, Key: key, Payload: b, RunAt: now, CreatedAt: now, UpdatedAt: now})
}

// isMailboxAddress reports whether address is one of the desk's mailboxes'.
func isMailboxAddress(ctx context.Context, q kesher.Queries, address string) (bool, error) {
	_, err := q.MailboxByAddress(ctx, address)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return false, nil
	}
	return err == nil, err
}

// OutboundEmail is everything the sender needs to send one email.
type OutboundEmail struct {
	Mailbox      *kesher.Mailbox
	Conversation *kesher.Conversation
	Message      *kesher.Message
	Customer     *kesher.Customer
	// MessageID is the email's Message-ID, fixed when it was queued, so
	// that a retried send is the same email and replies thread to it.
	MessageID string
	Subject   string
	To        []mail.Address
	Cc        []mail.Address
	// AgentName names the agent who wrote it ("" for the desk itself).
	AgentName  string
	InReplyTo  string
	References []string
	// Ack marks the desk's acknowledgement of a new conversation, which
	// the sender words itself and marks as sent automatically.
	Ack bool
}

// queueEmail makes m, an outbound message just stored in conv, an email
// to send: it fixes the recipients, threading headers and Message-ID now,
// so that every attempt sends the same email, and enqueues the job, in
// the caller's Write. When the conversation has no mailbox to send from or
// no address to send to, the message is marked failed with the reason
// instead, so the agent learns that the customer did not get it.
func (d *Desk) queueEmail(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, m *kesher.Message) error {
	if err := d.addressEmail(ctx, tx, conv, m); err != nil {
		var e *kesher.Error
		if !errors.As(err, &e) || e.Code != kesher.ECodeNotFound {
			return err
		}
		m.Delivery, m.DeliveryError = kesher.DeliveryFailed, e.Message
		return tx.UpdateMessageDelivery(ctx, m)
	}
	if err := tx.UpdateMessageDelivery(ctx, m); err != nil {
		return err
	}
	return d.enqueue(ctx, tx, JobSendEmail, m.ID, SendEmailJob{MessageID: m.ID})
}

// addressEmail gives m, an outbound message of conv, its email metadata
// and a new Message-ID, queued for sending: from the conversation's
// mailbox, to where the customer wants replies, copying the thread's
// participants, in reply to the customer's latest email. It returns
// ECodeNotFound when there is no mailbox or no address.
func (d *Desk) addressEmail(ctx context.Context, q kesher.Queries, conv *kesher.Conversation, m *kesher.Message) error {
	th, err := q.EmailThread(ctx, conv.ID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		th = &kesher.EmailThread{ConversationID: conv.ID}
	} else if err != nil {
		return err
	}
	mb, err := d.sendingMailbox(ctx, q, th, conv)
	if err != nil {
		return err
	}
	to := th.ReplyTo
	if to.Email == "" {
		cust, err := d.liveCustomer(ctx, q, conv.CustomerID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(cust.Identities, func(id kesher.Identity) bool { return id.Kind == kesher.IdentityEmail })
		if i < 0 {
			return kesher.Errorf(kesher.ECodeNotFound, "customer %s has no email address", cust.Name)
		}
		to = kesher.EmailAddress{Name: cust.Name, Email: cust.Identities[i].Value}
	}
	meta := &kesher.EmailMeta{
		MessageID: mail.NewMessageID(domainOf(mb.Address)), From: kesher.EmailAddress{Name: mb.Name, Email: mb.Address},
		To: []kesher.EmailAddress{to}, Subject: replySubject(conv), MailboxID: mb.ID,
	}
	for _, p := range th.Participants {
		if p.Email != to.Email {
			meta.Cc = append(meta.Cc, p)
		}
	}
	last, err := q.LatestMessage(ctx, conv.ID, kesher.ChannelEmail, kesher.Inbound)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return err
	}
	if err == nil && last.Email != nil && last.Email.MessageID != "" {
		meta.InReplyTo = []string{last.Email.MessageID}
		meta.References = append(slices.Clone(last.Email.References), last.Email.MessageID)
		if n := len(meta.References); n > maxThreadRefs {
			// The first Message-ID names the thread's start; the last ones
			// its recent history. RFC 5322 suggests keeping both.
			meta.References = append(meta.References[:1:1], meta.References[n-maxThreadRefs+1:]...)
		}
	}
	m.Email, m.ExternalID, m.Delivery = meta, meta.MessageID, kesher.DeliveryQueued
	return nil
}

// sendingMailbox is the mailbox a conversation's replies go out from: the
// one its email came to, else one of its team, else the desk's first.
func (d *Desk) sendingMailbox(ctx context.Context, q kesher.Queries, th *kesher.EmailThread, conv *kesher.Conversation) (*kesher.Mailbox, error) {
	if th.MailboxID != "" {
		return q.Mailbox(ctx, th.MailboxID)
	}
	ms, _, err := q.Mailboxes(ctx, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "no mailbox is set up to send email")
	}
	if i := slices.IndexFunc(ms, func(m *kesher.Mailbox) bool { return conv.TeamID != "" && m.TeamID == conv.TeamID }); i >= 0 {
		return ms[i], nil
	}
	return ms[0], nil
}

// replySubject is the subject of the desk's emails in a conversation: a
// reply to its subject, with the ticket token that threads the
// customer's answer even when their mail program drops the headers.
func replySubject(conv *kesher.Conversation) string {
	subject := conv.Subject
	if n, ok := mail.TicketNumber(subject); !ok || n != conv.Number {
		subject = strings.TrimSpace(subject + " " + mail.TicketToken(conv.Number))
	}
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	return subject
}

// OutboundEmail returns what the sender needs to send an outbound email
// message (a JobSendEmail job). A message that was sent already is
// returned too, with its Delivery saying so: the job runs at least once.
// Channels (no user) and admins only.
//
// Errors: ECodeNotFound for a missing message or mailbox, ECodeConflict
// for a message that is not an email to send.
func (d *Desk) OutboundEmail(ctx context.Context, messageID string) (*OutboundEmail, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	m, err := d.store.Message(ctx, messageID)
	if err != nil {
		return nil, err
	}
	return d.outboundEmail(ctx, m)
}

func (d *Desk) outboundEmail(ctx context.Context, m *kesher.Message) (*OutboundEmail, error) {
	if m.Direction != kesher.Outbound || m.Email == nil || m.Delivery == "" {
		return nil, kesher.Errorf(kesher.ECodeConflict, "message %s is not an email to send", m.ID)
	}
	conv, err := d.store.Conversation(ctx, m.ConversationID)
	if err != nil {
		return nil, err
	}
	mb, err := d.store.Mailbox(ctx, m.Email.MailboxID)
	if err != nil {
		return nil, err
	}
	cust, err := d.liveCustomer(ctx, d.store, conv.CustomerID)
	if err != nil {
		return nil, err
	}
	out := &OutboundEmail{
		Mailbox: mb, Conversation: conv, Message: m, Customer: cust, MessageID: m.Email.MessageID, Subject: m.Email.Subject,
		To: mailAddresses(m.Email.To), Cc: mailAddresses(m.Email.Cc), References: m.Email.References, Ack: m.Email.Auto == kesher.AutoReply,
	}
	if len(m.Email.InReplyTo) > 0 {
		out.InReplyTo = m.Email.InReplyTo[0]
	}
	if m.AuthorType == kesher.AuthorAgent {
		u, err := d.store.User(ctx, m.AuthorID)
		if err != nil {
			return nil, err
		}
		out.AgentName = u.Name
	}
	return out, nil
}

// AcknowledgementEmail records the acknowledgement of a new conversation
// as an outbound message of the desk (queued, its text given when it is
// sent, see DeliveryResult) and returns what the sender needs to send it
// (a JobAcknowledge job). It records one per conversation: called again,
// it returns the same message. The acknowledgement is not an answer: the
// customer's waiting time goes on. Channels (no user) and admins only.
//
// Errors: ECodeNotFound for a missing conversation, one that did not
// start by email, or one whose mailbox is gone.
func (d *Desk) AcknowledgementEmail(ctx context.Context, conversationID string) (*OutboundEmail, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	var ack *kesher.Message
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		th, err := tx.EmailThread(ctx, conv.ID)
		if err != nil {
			return err
		}
		if th.AckMessageID != "" {
			ack, err = tx.Message(ctx, th.AckMessageID)
			return err
		}
		if th.MailboxID == "" {
			return kesher.Errorf(kesher.ECodeNotFound, "the mailbox of conversation %d is gone", conv.Number)
		}
		ack = d.quietMessage(ctx, conv, NewMessage{Direction: kesher.Outbound, Channel: kesher.ChannelEmail})
		if err := d.addressEmail(ctx, tx, conv, ack); err != nil {
			return err
		}
		ack.Email.Auto = kesher.AutoReply
		if err := d.recordMessage(ctx, tx, conv, ack); err != nil {
			return err
		}
		if err := tx.UpdateConversation(ctx, conv); err != nil {
			return err
		}
		th.AckMessageID, th.UpdatedAt = ack.ID, d.clock.Now()
		return tx.SaveEmailThread(ctx, th)
	})
	if err != nil {
		return nil, err
	}
	return d.outboundEmail(ctx, ack)
}

// DeliveryResult is how sending an email ended.
type DeliveryResult struct {
	// State is kesher.DeliverySent or kesher.DeliveryFailed.
	State kesher.Delivery
	// MessageID is the Message-ID the email went out with, when sent.
	MessageID string
	// Error is the mail server's reason, when it failed.
	Error string
	// BodyText is the text that was sent. It is saved on a message that
	// was recorded without one (an acknowledgement, which the sender
	// words), so the thread shows what the customer got.
	BodyText string
}

// maxDeliveryError bounds a stored failure reason.
const maxDeliveryError = 1000

// RecordDelivery records that an outbound email, or a message of a
// messaging channel, was sent or failed, and
// appends an EventMessageDelivery event so that open pages show it. A
// failed email may be sent later; a sent one stays sent, and recording it
// sent again changes nothing (the job runs at least once). Channels (no
// user) and admins only.
//
// Errors: ECodeNotFound for a missing message, ECodeConflict for one that
// is not an outbound email or was sent already, ECodeValidation for
// another State.
func (d *Desk) RecordDelivery(ctx context.Context, messageID string, r DeliveryResult) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	if r.State != kesher.DeliverySent && r.State != kesher.DeliveryFailed {
		return kesher.FieldError("state", "invalid", "a delivery is sent or failed, not %q", r.State)
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		m, err := tx.Message(ctx, messageID)
		if err != nil {
			return err
		}
		switch {
		case m.Direction != kesher.Outbound || m.Delivery == "":
			return kesher.Errorf(kesher.ECodeConflict, "message %s is not an outbound message to deliver", messageID)
		case deliveryRank[m.Delivery] >= deliveryRank[kesher.DeliverySent] && r.State == kesher.DeliverySent:
			return nil
		case deliveryRank[m.Delivery] >= deliveryRank[kesher.DeliverySent]:
			return kesher.Errorf(kesher.ECodeConflict, "message %s was sent already", messageID)
		}
		m.Delivery = r.State
		if r.State == kesher.DeliverySent {
			m.DeliveredAt, m.DeliveryError = d.clock.Now(), ""
			switch id := bareID(r.MessageID); {
			case id == "":
			case m.Email != nil:
				m.Email.MessageID, m.ExternalID = id, id
			default:
				// A messaging provider's id of the message, which its
				// status reports name.
				m.ExternalID = id
			}
		} else {
			m.DeliveryError = truncate(strings.TrimSpace(r.Error), maxDeliveryError)
		}
		if m.BodyText == "" {
			m.BodyText = clip(r.BodyText, kesher.MaxBodyText)
		}
		return d.saveDelivery(ctx, tx, m)
	})
}

// saveDelivery saves m's new delivery state with its event.
func (d *Desk) saveDelivery(ctx context.Context, tx kesher.Tx, m *kesher.Message) error {
	if err := tx.UpdateMessageDelivery(ctx, m); err != nil {
		return err
	}
	conv, err := tx.Conversation(ctx, m.ConversationID)
	if err != nil {
		return err
	}
	data := map[string]any{"delivery": m.Delivery, "error": m.DeliveryError, "channel": m.Channel}
	if m.Email != nil {
		data["email_message_id"] = m.Email.MessageID
	} else {
		data["external_id"] = m.ExternalID
	}
	e := d.event(ctx, EventMessageDelivery, data)
	e.ConversationID, e.CustomerID, e.MessageID = conv.ID, conv.CustomerID, m.ID
	return tx.AppendEvent(ctx, e)
}

// bareID is a Message-ID without its angle brackets and spaces.
func bareID(id string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(id), "<"), ">"))
}

func bareIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id = bareID(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// emailAddress returns a with its address normalised, and whether it is
// an address at all.
func emailAddress(a mail.Address) (kesher.EmailAddress, bool) {
	v, err := kesher.NormalizeEmail(strings.TrimSpace(a.Email))
	return kesher.EmailAddress{Name: strings.TrimSpace(a.Name), Email: v}, err == nil
}

// addresses keeps a header's addresses as they came, normalised where
// they are valid.
func addresses(as []mail.Address) []kesher.EmailAddress {
	var out []kesher.EmailAddress
	for _, a := range as {
		if e, ok := emailAddress(a); ok {
			out = append(out, e)
		} else {
			out = append(out, kesher.EmailAddress{Name: a.Name, Email: a.Email})
		}
	}
	return out
}

func mailAddresses(as []kesher.EmailAddress) []mail.Address {
	out := make([]mail.Address, len(as))
	for i, a := range as {
		out[i] = mail.Address{Name: a.Name, Email: a.Email}
	}
	return out
}

// domainOf is the domain of an address, which names the desk's
// Message-IDs of its mail.
func domainOf(address string) string {
	return address[strings.LastIndex(address, "@")+1:]
}

// clip shortens s to at most n bytes without cutting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// EmailOriginal returns an inbound email exactly as it arrived: the
// conversation shows its new part, and this is the rest (quoted history,
// every header) for whoever needs it. Any signed-in user.
//
// Errors: ECodeNotFound when the message is not an inbound email.
func (d *Desk) EmailOriginal(ctx context.Context, messageID string) ([]byte, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	m, err := d.store.Message(ctx, messageID)
	if err != nil {
		return nil, err
	}
	if m.Email == nil || m.Email.RawSHA256 == "" {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "message %s did not arrive by email", messageID)
	}
	return d.store.Blob(ctx, m.Email.RawSHA256)
}
