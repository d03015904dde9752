package store

import (
	"context"
	"encoding/json"

	"kesher"
)

const messageColumns = "id, conversation_id, direction, channel, author_type, author_id, body_text, body_html, attachments, external_id, created_at"

func scanMessage(s scanner) (*kesher.Message, error) {
	var m kesher.Message
	var attachments string
	var created int64
	err := s.Scan(&m.ID, &m.ConversationID, &m.Direction, &m.Channel, &m.AuthorType, &m.AuthorID, &m.BodyText, &m.BodyHTML,
		&attachments, &m.ExternalID, &created)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(attachments), &m.Attachments); err != nil {
		return nil, err
	}
	if m.Attachments == nil {
		m.Attachments = []kesher.Attachment{}
	}
	m.CreatedAt = fromMicros(created)
	return &m, nil
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

// MessageByExternalID finds an ingested message by its channel's own id.
func (q *queries) MessageByExternalID(ctx context.Context, ch kesher.Channel, externalID string) (*kesher.Message, error) {
	what := "message " + externalID + " on " + string(ch)
	if externalID == "" {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "%s not found", what)
	}
	m, err := scanMessage(q.q.QueryRowContext(ctx, "SELECT "+messageColumns+" FROM messages WHERE channel = $1 AND external_id = $2",
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
	return t.insert(ctx, "message "+m.ID, "INSERT INTO messages ("+messageColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		args{m.ID, m.ConversationID, string(m.Direction), string(m.Channel), string(m.AuthorType), m.AuthorID, m.BodyText, m.BodyHTML,
			string(b), m.ExternalID, micros(m.CreatedAt)})
}
