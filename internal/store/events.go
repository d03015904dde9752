package store

import (
	"context"

	"kesher"
)

const eventColumns = "id, type, conversation_id, customer_id, message_id, actor_type, actor_id, data, created_at"

func scanEvent(s scanner) (*kesher.Event, error) {
	var e kesher.Event
	var conversation, customer, message, actor *string
	var data string
	var created int64
	if err := s.Scan(&e.ID, &e.Type, &conversation, &customer, &message, &e.ActorType, &actor, &data, &created); err != nil {
		return nil, err
	}
	e.ConversationID, e.CustomerID, e.MessageID, e.ActorID = deref(conversation), deref(customer), deref(message), deref(actor)
	e.Data = []byte(data)
	e.CreatedAt = fromMicros(created)
	return &e, nil
}

// Events lists a conversation's log, oldest first.
func (q *queries) Events(ctx context.Context, conversationID string, p kesher.Page) ([]*kesher.Event, string, error) {
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{conversationID}
	query := "SELECT " + eventColumns + " FROM events WHERE conversation_id = $1"
	if after {
		query += " AND (created_at, id) > (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY created_at, id LIMIT " + a.add(limit+1)
	es, more, err := list(ctx, q, "events", query, a, limit, scanEvent)
	if err != nil || !more {
		return es, "", err
	}
	last := es[len(es)-1]
	return es, encodeCursor(micros(last.CreatedAt), last.ID), nil
}

// Timeline lists a customer's events, newest first, with the messages of
// message.added events read in one more query.
func (q *queries) Timeline(ctx context.Context, customerID string, p kesher.Page) ([]*kesher.TimelineEntry, string, error) {
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{customerID}
	query := "SELECT " + eventColumns + " FROM events WHERE customer_id = $1"
	if after {
		query += " AND (created_at, id) < (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + a.add(limit+1)
	es, more, err := list(ctx, q, "timeline", query, a, limit, scanEvent)
	if err != nil {
		return nil, "", err
	}
	var messageIDs []string
	for _, e := range es {
		if e.Type == kesher.EventMessageAdded && e.MessageID != "" {
			messageIDs = append(messageIDs, e.MessageID)
		}
	}
	messages, err := q.messagesByID(ctx, messageIDs)
	if err != nil {
		return nil, "", err
	}
	entries := make([]*kesher.TimelineEntry, len(es))
	for i, e := range es {
		entries[i] = &kesher.TimelineEntry{Event: *e}
		if e.Type == kesher.EventMessageAdded {
			entries[i].Message = messages[e.MessageID]
		}
	}
	next := ""
	if more {
		last := es[len(es)-1]
		next = encodeCursor(micros(last.CreatedAt), last.ID)
	}
	return entries, next, nil
}

// AppendEvent adds e to the log. Empty data is stored as {}.
func (t *tx) AppendEvent(ctx context.Context, e *kesher.Event) error {
	data := string(e.Data)
	if data == "" {
		data = "{}"
	}
	return t.insert(ctx, "event "+e.ID, "INSERT INTO events ("+eventColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		args{e.ID, e.Type, nullable(e.ConversationID), nullable(e.CustomerID), nullable(e.MessageID), string(e.ActorType),
			nullable(e.ActorID), data, micros(e.CreatedAt)})
}
