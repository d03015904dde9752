package store

import (
	"context"
	"encoding/json"

	"kesher"
)

const messageColumns = "id, conversation_id, direction, channel, author_type, author_id, body_text, body_html, attachments, external_id," +
	" email, delivery, delivery_error, delivered_at, created_at"

func scanMessage(s scanner) (*kesher.Message, error) {
	var m kesher.Message
	var attachments, email string
	var delivered, created int64
	err := s.Scan(&m.ID, &m.ConversationID, &m.Direction, &m.Channel, &m.AuthorType, &m.AuthorID, &m.BodyText, &m.BodyHTML,
		&attachments, &m.ExternalID, &email, &m.Delivery, &m.DeliveryError, &delivered, &created)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attachments), &m.Attachments); err != nil {
		return nil, err
	}
	if m.Attachments == nil {
		m.Attachments = []kesher.Attachment{}
	}
	if email != "" {
		m.Email = new(kesher.EmailMeta)
		if err := json.Unmarshal([]byte(email), m.Email); err != nil {
			return nil, err
		}
	}
	m.DeliveredAt, m.CreatedAt = fromMicros(delivered), fromMicros(created)
	return &m, nil
}

// emailJSON stores a message's email metadata as JSON, or "" for none.
func emailJSON(e *kesher.EmailMeta) (string, error) {
	if e == nil {
		return "", nil
	}
	b, err := json.Marshal(e)
	return string(b), err
}

// Messages lists a conversation's thread, oldest first.
func (q *queries) Messages(ctx context.Context, conversationID string, p kesher.Page) ([]*kesher.Message, string, error) {
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{conversationID}
	query := "SELECT " + messageColumns + " FROM messages WHERE conversation_id = $1"
	if after {
		query += " AND (created_at, id) > (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY created_at, id LIMIT " + a.add(limit+1)
	ms, more, err := list(ctx, q, "messages", query, a, limit, scanMessage)
	if err != nil || !more {
		return ms, "", err
	}
	last := ms[len(ms)-1]
	return ms, encodeCursor(micros(last.CreatedAt), last.ID), nil
}

// Message returns one message.
func (q *queries) Message(ctx context.Context, id string) (*kesher.Message, error) {
	m, err := scanMessage(q.q.QueryRowContext(ctx, "SELECT "+messageColumns+" FROM messages WHERE id = $1", id))
	return m, q.dbErr(err, "message "+id)
}

// MessageByExternalID finds an ingested message by its channel's own id.
func (q *queries) MessageByExternalID(ctx context.Context, ch kesher.Channel, externalID string) (*kesher.Message, error) {
	what := "message " + externalID + " on " + string(ch)
	if externalID == "" {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "%s not found", what)
	}
	// external_id <> '' repeats the partial index's condition: a planner
	// cannot know that a bound parameter is not empty, and without it
	// would read the whole table instead of the index.
	m, err := scanMessage(q.q.QueryRowContext(ctx, "SELECT "+messageColumns+" FROM messages WHERE channel = $1 AND external_id = $2 AND external_id <> ''",
		string(ch), externalID))
	return m, q.dbErr(err, what)
}

// messagesByID loads the messages with the given ids in one query.
func (q *queries) messagesByID(ctx context.Context, ids []string) (map[string]*kesher.Message, error) {
	out := make(map[string]*kesher.Message, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var a args
	ms, _, err := list(ctx, q, "messages", "SELECT "+messageColumns+" FROM messages WHERE id IN "+in(&a, ids), a, 0, scanMessage)
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, err
}

// CreateMessage inserts m. A second message with the same external id on
// the same channel is a conflict, which makes ingestion idempotent.
func (t *tx) CreateMessage(ctx context.Context, m *kesher.Message) error {
	attachments := m.Attachments
	if attachments == nil {
		attachments = []kesher.Attachment{}
	}
	b, err := json.Marshal(attachments)
	if err != nil {
		return err
	}
	email, err := emailJSON(m.Email)
	if err != nil {
		return err
	}
	return t.insert(ctx, "message "+m.ID, "INSERT INTO messages ("+messageColumns+")"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
		args{m.ID, m.ConversationID, string(m.Direction), string(m.Channel), string(m.AuthorType), m.AuthorID, m.BodyText, m.BodyHTML,
			string(b), m.ExternalID, email, string(m.Delivery), m.DeliveryError, micros(m.DeliveredAt), micros(m.CreatedAt)})
}

// UpdateMessageDelivery saves the fields of m that change while an
// outbound email is queued and sent.
func (t *tx) UpdateMessageDelivery(ctx context.Context, m *kesher.Message) error {
	email, err := emailJSON(m.Email)
	if err != nil {
		return err
	}
	return t.exec(ctx, "message "+m.ID, "UPDATE messages SET body_text = $2, external_id = $3, email = $4, delivery = $5,"+
		" delivery_error = $6, delivered_at = $7 WHERE id = $1",
		m.ID, m.BodyText, m.ExternalID, email, string(m.Delivery), m.DeliveryError, micros(m.DeliveredAt))
}

// LatestMessage returns the newest message of a conversation on one
// channel in some directions, read backwards along messages_conversation.
func (q *queries) LatestMessage(ctx context.Context, conversationID string, ch kesher.Channel, dirs ...kesher.Direction) (*kesher.Message, error) {
	a := args{conversationID, string(ch)}
	query := "SELECT " + messageColumns + " FROM messages WHERE conversation_id = $1 AND channel = $2"
	if len(dirs) > 0 {
		query += " AND direction IN " + in(&a, strs(dirs))
	}
	m, err := scanMessage(q.q.QueryRowContext(ctx, query+" ORDER BY created_at DESC, id DESC LIMIT 1", a...))
	return m, q.dbErr(err, "message of conversation "+conversationID+" on "+string(ch))
}
