package store

import (
	"context"
	"encoding/json"
	"strconv"

	"kesher"
)

// ConversationByNumber finds a conversation by its ticket number, which
// customers quote in email subjects ("[#1234]").
func (q *queries) ConversationByNumber(ctx context.Context, number int64) (*kesher.Conversation, error) {
	c, err := scanConversation(q.q.QueryRowContext(ctx, "SELECT "+conversationColumns+" FROM conversations WHERE number = $1", number))
	return c, q.dbErr(err, "conversation #"+strconv.FormatInt(number, 10))
}

// EmailThread returns the email state of a conversation.
func (q *queries) EmailThread(ctx context.Context, conversationID string) (*kesher.EmailThread, error) {
	var th kesher.EmailThread
	var mailbox *string
	var replyTo, participants string
	var updated int64
	err := q.q.QueryRowContext(ctx, "SELECT conversation_id, mailbox_id, reply_to, participants, ack_message_id, updated_at FROM email_threads"+
		" WHERE conversation_id = $1", conversationID).Scan(&th.ConversationID, &mailbox, &replyTo, &participants, &th.AckMessageID, &updated)
	if err != nil {
		return nil, q.dbErr(err, "email thread of conversation "+conversationID)
	}
	if err := json.Unmarshal([]byte(replyTo), &th.ReplyTo); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(participants), &th.Participants); err != nil {
		return nil, err
	}
	if th.Participants == nil {
		th.Participants = []kesher.EmailAddress{}
	}
	th.MailboxID, th.UpdatedAt = deref(mailbox), fromMicros(updated)
	return &th, nil
}

// SaveEmailThread inserts or replaces the email state of a conversation.
func (t *tx) SaveEmailThread(ctx context.Context, th *kesher.EmailThread) error {
	participants := th.Participants
	if participants == nil {
		participants = []kesher.EmailAddress{}
	}
	p, err := json.Marshal(participants)
	if err != nil {
		return err
	}
	r, err := json.Marshal(th.ReplyTo)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, "INSERT INTO email_threads (conversation_id, mailbox_id, reply_to, participants, ack_message_id, updated_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (conversation_id) DO UPDATE SET mailbox_id = excluded.mailbox_id, reply_to = excluded.reply_to,"+
		" participants = excluded.participants, ack_message_id = excluded.ack_message_id, updated_at = excluded.updated_at",
		th.ConversationID, nullable(th.MailboxID), string(r), string(p), th.AckMessageID, micros(th.UpdatedAt))
	return t.dbErr(err, "email thread of conversation "+th.ConversationID)
}

const receiptColumns = "raw_sha256, message_id, mailbox_id, source, conversation_id, stored_message_id, ignored, received_at"

// EmailReceipt finds the receipt of an email by its raw hash or its
// Message-ID; each is a unique key, so at most two rows match.
func (q *queries) EmailReceipt(ctx context.Context, messageID, rawSHA256 string) (*kesher.EmailReceipt, error) {
	var r kesher.EmailReceipt
	var received int64
	err := q.q.QueryRowContext(ctx, "SELECT "+receiptColumns+" FROM email_receipts WHERE raw_sha256 = $1 OR (message_id = $2 AND message_id <> '')"+
		" ORDER BY received_at LIMIT 1", rawSHA256, messageID).
		Scan(&r.RawSHA256, &r.MessageID, &r.MailboxID, &r.Source, &r.ConversationID, &r.StoredMessageID, &r.Ignored, &received)
	if err != nil {
		return nil, q.dbErr(err, "receipt of email "+rawSHA256)
	}
	r.ReceivedAt = fromMicros(received)
	return &r, nil
}

// CreateEmailReceipt records an inbound email. ON CONFLICT DO NOTHING
// covers both unique keys, so a second delivery, even one racing on
// another node, is a conflict and not an aborted transaction.
func (t *tx) CreateEmailReceipt(ctx context.Context, r *kesher.EmailReceipt) error {
	return t.insert(ctx, "receipt of email "+r.RawSHA256, "INSERT INTO email_receipts ("+receiptColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		args{r.RawSHA256, r.MessageID, r.MailboxID, r.Source, r.ConversationID, r.StoredMessageID, r.Ignored, micros(r.ReceivedAt)})
}
