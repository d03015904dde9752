package desk

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"
	"unicode/utf8"

	"kesher"
	"kesher/internal/auth"
)

// The chat channel's rules. A visitor of the widget is known by a secret
// the widget keeps in the browser; their first message makes them a
// customer (an identity of kind chat) and opens a conversation on the chat
// channel. Every message carries the widget's own id of it, so a message
// sent again after a lost connection is stored once. An address the visitor
// gives joins their timeline to the customer who owns it only once the
// visitor follows the link emailed to it: until then the visitor sees
// nothing but their own chat.

// ChatConfig tunes the chat channel.
type ChatConfig struct {
	// Limit is how many unsolved chats assignment gives one agent at a
	// time; a chat beyond every agent's limit waits with the team's lead.
	// Default 5.
	Limit int
}

func (c ChatConfig) withDefaults() ChatConfig {
	c.Limit = orDefault(c.Limit, 5)
	return c
}

// ChatTokenPrefix starts every visitor secret, so a leaked one is easy to
// tell from other secrets.
const ChatTokenPrefix = "kcv_"

// ChatVisit is a widget connecting: Token is the secret it kept from an
// earlier visit ("" on the first), Language its language.
type ChatVisit struct {
	Token    string
	Language string
}

// Visit returns the visitor a widget's secret names or, for a missing or
// unknown secret, a new visitor and the secret to keep ("" when the given
// one is kept).
func (d *Desk) Visit(ctx context.Context, in ChatVisit) (string, *kesher.ChatVisitor, error) {
	lang := in.Language
	if lang != "he" && lang != "en" {
		lang = "he"
	}
	if strings.HasPrefix(in.Token, ChatTokenPrefix) {
		v, err := d.store.ChatVisitorByHash(ctx, auth.HashToken(in.Token))
		if err == nil {
			return "", v, nil
		}
		if kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return "", nil, err
		}
	}
	token := ChatTokenPrefix + randomString()
	now := d.clock.Now()
	v := &kesher.ChatVisitor{ID: kesher.NewID(now), TokenHash: auth.HashToken(token), Language: lang, CreatedAt: now, LastSeenAt: now}
	if err := d.store.Write(ctx, func(tx kesher.Tx) error { return tx.CreateChatVisitor(ctx, v) }); err != nil {
		return "", nil, err
	}
	return token, v, nil
}

// ChatMessage is a visitor's message: ClientID is the widget's id of it.
type ChatMessage struct {
	ClientID    string
	Text        string
	Attachments []kesher.Attachment
}

// chatExternalID is the external id of a visitor's message: unique per
// visitor and widget id, so the messages_external index deduplicates.
func chatExternalID(visitorID, clientID string) string { return visitorID + ":" + clientID }

// ChatSend stores a visitor's message and returns it once it is committed:
// in the visitor's open chat, else in a new one. A message whose ClientID
// the visitor used before is not stored again; the first one is returned.
//
// Errors: ECodeValidation on client_id, body_text or attachments;
// ECodeNotFound for an unknown visitor.
func (d *Desk) ChatSend(ctx context.Context, visitorID string, in ChatMessage) (*kesher.Message, error) {
	var v kesher.Validation
	v.Check(in.ClientID != "" && len(in.ClientID) <= kesher.MaxChatClientID, "client_id", "invalid")
	v.Check(len(in.Text) <= kesher.MaxChatText && utf8.ValidString(in.Text), "body_text", "too_long")
	v.Check(strings.TrimSpace(in.Text) != "" || len(in.Attachments) > 0, "body_text", "required")
	v.Check(len(in.Attachments) <= 10, "attachments", "too_many")
	if err := v.Err(); err != nil {
		return nil, err
	}
	ctx = asChannel(ctx)
	ext := chatExternalID(visitorID, in.ClientID)
	msg := NewMessage{Direction: kesher.Inbound, Channel: kesher.ChannelChat, BodyText: in.Text, Attachments: in.Attachments, ExternalID: ext}
	for attempt := 1; ; attempt++ {
		if m, err := d.store.MessageByExternalID(ctx, kesher.ChannelChat, ext); err == nil {
			return m, nil
		} else if kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return nil, err
		}
		vis, err := d.store.ChatVisitor(ctx, visitorID)
		if err != nil {
			return nil, err
		}
		var m *kesher.Message
		if vis.ConversationID != "" {
			m, err = d.chatAppend(ctx, vis, msg)
		}
		if vis.ConversationID == "" || kesher.ErrorCode(err) == kesher.ECodeNotFound {
			m, err = d.chatOpen(ctx, vis, msg)
		}
		// A conflict is a race with the same message sent again (or with
		// another tab opening the chat): the next round finds the winner.
		if kesher.ErrorCode(err) != kesher.ECodeConflict || attempt == maxIntakeRetries {
			return m, err
		}
	}
}

// errChatClosed makes ChatSend open a new chat when the visitor's last one
// was closed.
var errChatClosed = kesher.Errorf(kesher.ECodeNotFound, "the chat is closed")

// chatAppend adds a visitor's message to their chat, reopening it when it
// was solved.
func (d *Desk) chatAppend(ctx context.Context, vis *kesher.ChatVisitor, in NewMessage) (*kesher.Message, error) {
	in.managerAsk = askedForManager(in)
	var m *kesher.Message
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Conversation(ctx, vis.ConversationID)
		if err != nil {
			return err
		}
		if c.Status == kesher.StatusClosed {
			return errChatClosed
		}
		if err := d.reopenForCustomer(ctx, tx, c); err != nil {
			return err
		}
		m, err = d.appendMessage(ctx, tx, c, in)
		return err
	})
	return m, err
}

// chatOpen opens a chat with the visitor's message, making the visitor a
// customer if they are not one yet, and records it as theirs in the same
// Write.
func (d *Desk) chatOpen(ctx context.Context, vis *kesher.ChatVisitor, in NewMessage) (*kesher.Message, error) {
	ref := CustomerRef{ID: vis.CustomerID, Name: vis.Name, Language: vis.Language}
	if ref.ID == "" {
		ref.Chat = vis.ID
	}
	_, m, err := d.CreateConversation(ctx, NewConversation{Customer: ref, Channel: kesher.ChannelChat, Message: in,
		alsoRecord: func(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation) error {
			now, err := tx.ChatVisitor(ctx, vis.ID)
			if err != nil {
				return err
			}
			if now.ConversationID != vis.ConversationID {
				return kesher.Errorf(kesher.ECodeConflict, "the visitor opened another chat meanwhile")
			}
			now.CustomerID, now.ConversationID, now.LastSeenAt = conv.CustomerID, conv.ID, d.clock.Now()
			if err := d.chatEmailReplies(ctx, tx, now); err != nil {
				return err
			}
			return tx.UpdateChatVisitor(ctx, now)
		}})
	return m, err
}

// chatEmailReplies makes the visitor's chat send agents' replies to the
// address they left, when they asked for that, by giving the chat an email
// thread that replies to it.
func (d *Desk) chatEmailReplies(ctx context.Context, tx kesher.Tx, v *kesher.ChatVisitor) error {
	if !v.EmailReplies || v.Email == "" || v.ConversationID == "" {
		return nil
	}
	th, err := tx.EmailThread(ctx, v.ConversationID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		th, err = &kesher.EmailThread{ConversationID: v.ConversationID}, nil
	}
	if err != nil {
		return err
	}
	th.ReplyTo = kesher.EmailAddress{Name: v.Name, Email: v.Email}
	return tx.SaveEmailThread(ctx, th)
}

// repliesByEmail reports whether an agent's reply in conv goes out by
// email too: a chat whose visitor left an address for replies.
func repliesByEmail(ctx context.Context, q kesher.Queries, conv *kesher.Conversation) (bool, error) {
	if conv.Channel != kesher.ChannelChat {
		return false, nil
	}
	th, err := q.EmailThread(ctx, conv.ID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return false, nil
	}
	return err == nil && th.ReplyTo.Email != "", err
}

// ChatContact is what a visitor tells about themselves: a name, and an
// email address, for replies by email when EmailReplies is set (nobody was
// online to chat). Client is the visitor's network address, for the rate
// limit of proofs.
type ChatContact struct {
	Name         string
	Email        string
	EmailReplies bool
	Client       string
}

// ChatIdentify records who a visitor says they are. An address of nobody's
// becomes the visitor's; an address of another customer's only starts an
// email proof (proof is true): its link, once followed, joins the
// visitor's timeline to that customer's (ChatVerify). Until then the
// visitor is a stranger to that customer's story.
//
// Errors: ECodeValidation on name or email; ECodeRateLimited as
// RequestEmailProof.
func (d *Desk) ChatIdentify(ctx context.Context, visitorID string, in ChatContact) (proof bool, err error) {
	var v kesher.Validation
	name := strings.TrimSpace(in.Name)
	v.Check(utf8.RuneCountInString(name) <= 200, "name", "too_long")
	addr := ""
	if strings.TrimSpace(in.Email) != "" {
		addr, err = kesher.NormalizeEmail(strings.TrimSpace(in.Email))
		v.Check(err == nil && len(addr) <= 254, "email", "invalid")
	}
	v.Check(addr != "" || !in.EmailReplies, "email", "required")
	if err := v.Err(); err != nil {
		return false, err
	}
	ctx = asChannel(ctx)
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		vis, err := tx.ChatVisitor(ctx, visitorID)
		if err != nil {
			return err
		}
		vis.Name = orDefault(name, vis.Name)
		vis.EmailReplies = vis.EmailReplies || in.EmailReplies
		if addr != "" {
			vis.Email = addr
			if proof, err = d.chatAddress(ctx, tx, vis, addr, in.Client); err != nil {
				return err
			}
		}
		if err := d.chatEmailReplies(ctx, tx, vis); err != nil {
			return err
		}
		return tx.UpdateChatVisitor(ctx, vis)
	})
	return proof, err
}

// chatAddress gives the visitor an address: theirs at once when it is
// nobody's (making them a customer if need be), else through a proof.
func (d *Desk) chatAddress(ctx context.Context, tx kesher.Tx, vis *kesher.ChatVisitor, addr, client string) (bool, error) {
	owner, err := tx.CustomerByIdentity(ctx, kesher.IdentityEmail, addr)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return false, err
	}
	if owner == nil {
		ids := []kesher.Identity{{Kind: kesher.IdentityChat, Value: vis.ID}, {Kind: kesher.IdentityEmail, Value: addr}}
		cust, err := d.resolveCustomer(ctx, tx, CustomerRef{ID: vis.CustomerID, Name: vis.Name, Language: vis.Language}, ids)
		if err != nil {
			return false, err
		}
		vis.CustomerID = cust.ID
		return false, nil
	}
	if vis.CustomerID != "" {
		if mine, err := d.liveCustomer(ctx, tx, vis.CustomerID); err != nil {
			return false, err
		} else if mine.ID == owner.ID {
			return false, nil
		}
	}
	p, err := d.createEmailProof(ctx, tx, addr, ProofChat, client)
	if err != nil {
		return false, err
	}
	vis.ProofID = p.ID
	return true, nil
}

// ChatVerify follows the link of a chat visitor's email proof: the
// visitor's customer (their chats) joins the customer who owns the
// address. Anyone may; the link is the credential.
//
// Errors: ECodeUnauthorized for a link that proves nothing, as
// RedeemEmailProof.
func (d *Desk) ChatVerify(ctx context.Context, token string) (*kesher.Customer, error) {
	ctx = asChannel(ctx)
	var joined *kesher.Customer
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		p, owner, err := d.redeem(ctx, tx, token, ProofChat)
		if err != nil {
			return err
		}
		vis, err := tx.ChatVisitorByProof(ctx, p.ID)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return errInvalidLink
		} else if err != nil {
			return err
		}
		joined = owner
		if vis.CustomerID != "" {
			mine, err := d.liveCustomer(ctx, tx, vis.CustomerID)
			if err != nil {
				return err
			}
			if mine.ID != owner.ID {
				if err := d.merge(ctx, tx, mine, owner); err != nil {
					return err
				}
			}
		}
		vis.CustomerID, vis.ProofID = owner.ID, ""
		return tx.UpdateChatVisitor(ctx, vis)
	})
	return joined, err
}

// ChatHistory returns the messages of the visitor's chat that the visitor
// may see (theirs and the agents' replies, no notes), oldest first, after
// the message afterID ("" or an id not in the chat: all of them). It is
// how a widget catches up after a reload, a lost connection or a restart.
func (d *Desk) ChatHistory(ctx context.Context, visitorID, afterID string) ([]*kesher.Message, error) {
	vis, err := d.store.ChatVisitor(ctx, visitorID)
	if err != nil || vis.ConversationID == "" {
		return nil, err
	}
	var out []*kesher.Message
	err = eachPage(func(p kesher.Page) (string, error) {
		ms, next, err := d.store.Messages(ctx, vis.ConversationID, p)
		for _, m := range ms {
			switch {
			case m.ID == afterID:
				out = out[:0]
			case m.Direction != kesher.Note:
				out = append(out, m)
			}
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// VisitorMessage returns a message of the visitor's chat that the visitor
// may see, for pushing it live.
//
// Errors: ECodeNotFound for a message of another conversation or a note.
func (d *Desk) VisitorMessage(ctx context.Context, visitorID, messageID string) (*kesher.Message, error) {
	vis, err := d.store.ChatVisitor(ctx, visitorID)
	if err != nil {
		return nil, err
	}
	m, err := d.store.Message(ctx, messageID)
	if err != nil {
		return nil, err
	}
	if m.ConversationID != vis.ConversationID || m.Direction == kesher.Note {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "message %s is not in the visitor's chat", messageID)
	}
	return m, nil
}

// ChatSignal is a typing indicator or a read mark (EventChatTyping,
// EventChatRead) in a chat; MessageID names the message read.
type ChatSignal struct {
	Type           string
	ConversationID string
	MessageID      string
}

// SignalChat passes a typing indicator or read mark to whoever watches
// the chat, live and without storing it. An agent signals in a
// conversation they may open; a visitor (visitorID not "") only in their
// own chat.
//
// Errors: ECodeValidation on type; ECodeNotFound for a conversation the
// signaller may not reach.
func (d *Desk) SignalChat(ctx context.Context, visitorID string, s ChatSignal) error {
	if s.Type != kesher.EventChatTyping && s.Type != kesher.EventChatRead {
		return kesher.FieldError("type", "invalid", "a chat signal is typing or read")
	}
	e := d.event(ctx, s.Type, map[string]string{"message_id": s.MessageID})
	e.ConversationID, e.MessageID = s.ConversationID, s.MessageID
	if visitorID != "" {
		vis, err := d.store.ChatVisitor(ctx, visitorID)
		if err != nil {
			return err
		}
		if vis.ConversationID == "" || vis.ConversationID != s.ConversationID {
			return kesher.Errorf(kesher.ECodeNotFound, "the visitor has no chat %s", s.ConversationID)
		}
		e.ActorType, e.ActorID, e.CustomerID = kesher.AuthorCustomer, vis.CustomerID, vis.CustomerID
	} else {
		c, err := d.Conversation(ctx, s.ConversationID)
		if err != nil {
			return err
		}
		e.CustomerID = c.CustomerID
	}
	if d.pub != nil {
		d.pub.Publish([]*kesher.Event{e})
	}
	return nil
}

// AgentsOnline reports whether any active agent is online to chat now;
// when none is, the widget says so and offers to continue by email.
func (d *Desk) AgentsOnline(ctx context.Context) (bool, error) {
	now := d.clock.Now()
	online := false
	err := eachPage(func(p kesher.Page) (string, error) {
		us, next, err := d.store.Users(ctx, p)
		for _, u := range us {
			if u.Active && d.availability(u, now) == kesher.Online {
				online, next = true, ""
			}
		}
		return next, err
	})
	return online, err
}

// MaxChatUpload is the largest file a visitor may send.
const MaxChatUpload = 5 << 20

// ChatUploadTypes lists the kinds of file a visitor may send: pictures,
// PDF documents and plain text, the screenshots, invoices and logs that
// explain a problem. Others (archives, programs) are refused: nobody
// opens them safely.
func ChatUploadTypes() []string {
	return []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
}

// fileType recognises an upload by its first bytes, "" for a kind not
// accepted: what the widget claims does not count.
func fileType(b []byte) string {
	if t := imageType(b); t != "" {
		return t
	}
	if bytes.HasPrefix(b, []byte("%PDF-")) {
		return "application/pdf"
	}
	if utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
		return "text/plain"
	}
	return ""
}

// ChatUpload stores a file from a visitor and sends it as a message of its
// own, deduplicated on clientID like ChatSend.
//
// Errors: ECodeTooLarge over MaxChatUpload; ECodeValidation on file (empty
// or of a type not in ChatUploadTypes) or client_id.
func (d *Desk) ChatUpload(ctx context.Context, visitorID, clientID, name string, data []byte) (*kesher.Message, error) {
	if len(data) > MaxChatUpload {
		return nil, kesher.Errorf(kesher.ECodeTooLarge, "a file is at most %d bytes", MaxChatUpload)
	}
	var v kesher.Validation
	typ := fileType(data)
	v.Check(len(data) > 0 && typ != "", "file", "invalid")
	name = strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name))
	v.Check(name != "" && utf8.RuneCountInString(name) <= 200, "name", "invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	a := kesher.Attachment{Filename: name, ContentType: typ, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	if err := d.store.Write(ctx, func(tx kesher.Tx) error { return tx.PutBlob(ctx, a.SHA256, data) }); err != nil {
		return nil, err
	}
	return d.ChatSend(ctx, visitorID, ChatMessage{ClientID: clientID, Attachments: []kesher.Attachment{a}})
}
