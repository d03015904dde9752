package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"kesher"
)

const callColumns = "id, external_id, conversation_id, message_id, direction, from_number, to_number, agent_id, queue," +
	" state, started_at, answered_at, ended_at, queue_wait_seconds, answer_seconds, answer_target, within_target, wait_seconds," +
	" duration_seconds, recording_url, callback_id, created_at, updated_at"

func scanCall(s scanner) (*kesher.Call, error) {
	var c kesher.Call
	var agent *string
	var started, answered, ended, created, updated int64
	var queueWait, answer, within sql.NullInt64
	err := s.Scan(&c.ID, &c.ExternalID, &c.ConversationID, &c.MessageID, &c.Direction, &c.From, &c.To, &agent, &c.Queue,
		&c.State, &started, &answered, &ended, &queueWait, &answer, &c.AnswerTargetSeconds, &within, &c.WaitSeconds,
		&c.DurationSeconds, &c.RecordingURL, &c.CallbackID, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.AgentID = deref(agent)
	c.StartedAt, c.AnsweredAt, c.EndedAt = fromMicros(started), fromMicros(answered), fromMicros(ended)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	c.QueueWaitSeconds, c.AnswerSeconds = optionalInt(queueWait), optionalInt(answer)
	if within.Valid {
		b := within.Int64 != 0
		c.AnsweredWithinTarget = &b
	}
	return &c, nil
}

func optionalInt(n sql.NullInt64) *int {
	if !n.Valid {
		return nil
	}
	v := int(n.Int64)
	return &v
}

// nullableInt stores an unknown count as NULL.
func nullableInt(n *int) any {
	if n == nil {
		return nil
	}
	return int64(*n)
}

func nullableBool(b *bool) any {
	if b == nil {
		return nil
	}
	return boolInt(*b)
}

// callValues are a call's columns in callColumns' order.
func callValues(c *kesher.Call) args {
	return args{c.ID, c.ExternalID, c.ConversationID, c.MessageID, string(c.Direction), c.From, c.To, nullable(c.AgentID),
		c.Queue, string(c.State), micros(c.StartedAt), micros(c.AnsweredAt), micros(c.EndedAt), nullableInt(c.QueueWaitSeconds),
		nullableInt(c.AnswerSeconds), c.AnswerTargetSeconds, nullableBool(c.AnsweredWithinTarget), c.WaitSeconds, c.DurationSeconds,
		c.RecordingURL, c.CallbackID, micros(c.CreatedAt), micros(c.UpdatedAt)}
}

// Call returns a call.
func (q *queries) Call(ctx context.Context, id string) (*kesher.Call, error) {
	c, err := scanCall(q.q.QueryRowContext(ctx, "SELECT "+callColumns+" FROM calls WHERE id = $1", id))
	return c, q.dbErr(err, "call "+id)
}

// CallByExternalID finds a call by the telephone system's id.
func (q *queries) CallByExternalID(ctx context.Context, externalID string) (*kesher.Call, error) {
	c, err := scanCall(q.q.QueryRowContext(ctx, "SELECT "+callColumns+" FROM calls WHERE external_id = $1", externalID))
	return c, q.dbErr(err, "call "+externalID)
}

// Calls lists what f selects by start, newest first: a range of
// calls_started, of calls_agent for one agent, of calls_conversation for
// one conversation.
func (q *queries) Calls(ctx context.Context, f kesher.CallFilter) ([]*kesher.Call, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	var where []string
	if after {
		where = append(where, "(started_at, id) < ("+a.add(key)+", "+a.add(id)+")")
	}
	if f.ConversationID != "" {
		where = append(where, "conversation_id = "+a.add(f.ConversationID))
	}
	if f.AgentID != "" {
		where = append(where, "agent_id = "+a.add(f.AgentID))
	}
	if f.Missed != nil {
		op := "<>"
		if *f.Missed {
			op = "="
		}
		where = append(where, "state "+op+" "+a.add(string(kesher.CallStateMissed)))
	}
	if !f.From.IsZero() {
		where = append(where, "started_at >= "+a.add(micros(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "started_at < "+a.add(micros(f.To)))
	}
	query := "SELECT " + callColumns + " FROM calls"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY started_at DESC, id DESC LIMIT " + a.add(limit+1)
	cs, more, err := list(ctx, q, "calls", query, a, limit, scanCall)
	if err != nil || !more {
		return cs, "", err
	}
	last := cs[len(cs)-1]
	return cs, encodeCursor(micros(last.StartedAt), last.ID), nil
}

// CallEvents returns a call's events by their time; a call has at most
// one of each type.
func (q *queries) CallEvents(ctx context.Context, callID string) ([]*kesher.CallEvent, error) {
	es, _, err := list(ctx, q, "call events", "SELECT data FROM call_events WHERE call_id = $1 ORDER BY at, type",
		args{callID}, 0, func(s scanner) (*kesher.CallEvent, error) {
			var raw string
			if err := s.Scan(&raw); err != nil {
				return nil, err
			}
			var e kesher.CallEvent
			return &e, json.Unmarshal([]byte(raw), &e)
		})
	return es, err
}

// CreateCall inserts a call; a taken external id is ECodeConflict.
func (t *tx) CreateCall(ctx context.Context, c *kesher.Call) error {
	return t.insert(ctx, "call "+c.ExternalID, "INSERT INTO calls ("+callColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"+
		" $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)", callValues(c))
}

// UpdateCall saves every field of a call but its ids and creation time,
// which never change: matching them lets one list of values serve the
// insert and the update (PostgreSQL wants every parameter used).
func (t *tx) UpdateCall(ctx context.Context, c *kesher.Call) error {
	return t.exec(ctx, "call "+c.ID, "UPDATE calls SET message_id = $4, direction = $5, from_number = $6, to_number = $7,"+
		" agent_id = $8, queue = $9, state = $10, started_at = $11, answered_at = $12, ended_at = $13, queue_wait_seconds = $14,"+
		" answer_seconds = $15, answer_target = $16, within_target = $17, wait_seconds = $18, duration_seconds = $19,"+
		" recording_url = $20, callback_id = $21, updated_at = $23 WHERE id = $1 AND external_id = $2 AND conversation_id = $3"+
		" AND created_at = $22", callValues(c)...)
}

// AddCallEvent records an event; the primary key (call_id, type) makes a
// repeat ECodeConflict.
func (t *tx) AddCallEvent(ctx context.Context, callID string, e *kesher.CallEvent, receivedAt time.Time) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return t.insert(ctx, "call event "+string(e.Type)+" of call "+callID, "INSERT INTO call_events (call_id, type, at, data, received_at)"+
		" VALUES ($1, $2, $3, $4, $5)", args{callID, string(e.Type), micros(e.At), string(data), micros(receivedAt)})
}
