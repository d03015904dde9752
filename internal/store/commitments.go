package store

import (
	"context"
	"strings"
	"time"

	"kesher"
)

const commitmentColumns = "id, conversation_id, owner_id, text, due_at, state, message_id, created_by, created_at," +
	" reminded_at, escalated_at, resolved_at, next_timer_at"

func scanCommitment(s scanner) (*kesher.Commitment, error) {
	var c kesher.Commitment
	var due, created, reminded, escalated, resolved, next int64
	err := s.Scan(&c.ID, &c.ConversationID, &c.OwnerID, &c.Text, &due, &c.State, &c.MessageID, &c.CreatedBy, &created,
		&reminded, &escalated, &resolved, &next)
	if err != nil {
		return nil, err
	}
	c.DueAt, c.CreatedAt, c.RemindedAt = fromMicros(due), fromMicros(created), fromMicros(reminded)
	c.EscalatedAt, c.ResolvedAt, c.NextTimerAt = fromMicros(escalated), fromMicros(resolved), fromMicros(next)
	return &c, nil
}

// Commitment returns a commitment.
func (q *queries) Commitment(ctx context.Context, id string) (*kesher.Commitment, error) {
	c, err := scanCommitment(q.q.QueryRowContext(ctx, "SELECT "+commitmentColumns+" FROM commitments WHERE id = $1", id))
	return c, q.dbErr(err, "commitment "+id)
}

// Commitments lists what f selects by due time, then id. A conversation's
// commitments are a range of commitments_conversation, an owner's in one
// state of commitments_owner, and the open ones (the watchdog's due and
// overdue lists) of commitments_open.
func (q *queries) Commitments(ctx context.Context, f kesher.CommitmentFilter) ([]*kesher.Commitment, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	var extra []string
	if after {
		extra = append(extra, "(due_at, id) > ("+a.add(key)+", "+a.add(id)+")")
	}
	where, err := commitmentWhere(f, &a, extra...)
	if err != nil {
		return nil, "", err
	}
	query := "SELECT " + commitmentColumns + " FROM commitments" + where + " ORDER BY due_at, id LIMIT " + a.add(limit+1)
	cs, more, err := list(ctx, q, "commitments", query, a, limit, scanCommitment)
	if err != nil || !more {
		return cs, "", err
	}
	last := cs[len(cs)-1]
	return cs, encodeCursor(micros(last.DueAt), last.ID), nil
}

// CountCommitments counts what f selects, up to max.
func (q *queries) CountCommitments(ctx context.Context, f kesher.CommitmentFilter, max int) (int, error) {
	var a args
	where, err := commitmentWhere(f, &a)
	if err != nil {
		return 0, err
	}
	return q.countUpTo(ctx, "commitments", "SELECT 1 FROM commitments"+where, a, max)
}

// commitmentStates are the conditions of the stored states. Each names its
// state as a literal, not a parameter: only then may the planners use the
// partial index commitments_open, whose predicate they must prove from the
// query text.
var commitmentStates = map[kesher.CommitmentState]string{
	kesher.CommitmentOpen:      "state = 'open'",
	kesher.CommitmentKept:      "state = 'kept'",
	kesher.CommitmentMissed:    "state = 'missed'",
	kesher.CommitmentCancelled: "state = 'cancelled'",
}

// commitmentWhere returns the WHERE clause ("" for none) of f's conditions
// and extra, adding their arguments to a; f.Page is not read. The views due
// and overdue are ranges of due_at among the open commitments.
func commitmentWhere(f kesher.CommitmentFilter, a *args, extra ...string) (string, error) {
	where := extra
	if f.ConversationID != "" {
		where = append(where, "conversation_id = "+a.add(f.ConversationID))
	}
	if f.OwnerID != "" {
		where = append(where, "owner_id = "+a.add(f.OwnerID))
	}
	open := commitmentStates[kesher.CommitmentOpen]
	switch f.State {
	case "":
	case kesher.CommitmentDue:
		where = append(where, open, "due_at > "+a.add(micros(f.Now)), "due_at <= "+a.add(micros(f.Now.Add(f.Window))))
	case kesher.CommitmentOverdue:
		where = append(where, open, "due_at <= "+a.add(micros(f.Now)))
	default:
		state, ok := commitmentStates[f.State]
		if !ok {
			return "", kesher.FieldError("state", "invalid", "%q is not a commitment state", f.State)
		}
		where = append(where, state)
	}
	if len(where) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(where, " AND "), nil
}

// CreateCommitment inserts a commitment; an unknown conversation or owner
// is ECodeNotFound.
func (t *tx) CreateCommitment(ctx context.Context, c *kesher.Commitment) error {
	return t.insert(ctx, "commitment "+c.ID, "INSERT INTO commitments ("+commitmentColumns+")"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		args{c.ID, c.ConversationID, c.OwnerID, c.Text, micros(c.DueAt), string(c.State), c.MessageID, c.CreatedBy, micros(c.CreatedAt),
			micros(c.RemindedAt), micros(c.EscalatedAt), micros(c.ResolvedAt), micros(c.NextTimerAt)})
}

// UpdateCommitment saves what changes over a commitment's life.
func (t *tx) UpdateCommitment(ctx context.Context, c *kesher.Commitment) error {
	return t.exec(ctx, "commitment "+c.ID, "UPDATE commitments SET owner_id = $2, text = $3, due_at = $4, state = $5,"+
		" reminded_at = $6, escalated_at = $7, resolved_at = $8, next_timer_at = $9 WHERE id = $1",
		c.ID, c.OwnerID, c.Text, micros(c.DueAt), string(c.State), micros(c.RemindedAt), micros(c.EscalatedAt), micros(c.ResolvedAt),
		micros(c.NextTimerAt))
}

// CommitmentConversations lists the unsolved conversations holding a
// commitment f selects, each once, newest activity first. The commitments
// are a range of commitments_open for the watchdog's views, few by
// design, so sorting their conversations costs little.
func (q *queries) CommitmentConversations(ctx context.Context, f kesher.CommitmentFilter) ([]*kesher.Conversation, string, error) {
	limit := pageLimit(f.Page)
	key, id, after, err := decodeCursor(f.Page.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	where, err := commitmentConversations(q.d, f, &a)
	if err != nil {
		return nil, "", err
	}
	if after {
		where += " AND (updated_at, id) < (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query := "SELECT " + conversationColumns + " FROM " + where + " ORDER BY updated_at DESC, id DESC LIMIT " + a.add(limit+1)
	cs, more, err := list(ctx, q, "conversations", query, a, limit, scanConversation)
	if err != nil || !more {
		return cs, "", err
	}
	last := cs[len(cs)-1]
	return cs, encodeCursor(micros(last.UpdatedAt), last.ID), nil
}

// CountCommitmentConversations counts CommitmentConversations' list up to
// max.
func (q *queries) CountCommitmentConversations(ctx context.Context, f kesher.CommitmentFilter, max int) (int, error) {
	var a args
	where, err := commitmentConversations(q.d, f, &a)
	if err != nil {
		return 0, err
	}
	return q.countUpTo(ctx, "conversations", "SELECT 1 FROM "+where, a, max)
}

// commitmentConversations is the FROM and WHERE of CommitmentConversations:
// the distinct conversations of the commitments first, then each one's row.
// CROSS JOIN keeps that order on SQLite, whose planner would otherwise scan
// every unsolved conversation and look each up among the commitments, and
// would read the open commitments in conversation order, all of them, to
// make them distinct, without INDEXED BY.
func commitmentConversations(d *dialect, f kesher.CommitmentFilter, a *args) (string, error) {
	f.Page = kesher.Page{}
	where, err := commitmentWhere(f, a)
	index := ""
	if f.State == kesher.CommitmentOpen || f.State == kesher.CommitmentDue || f.State == kesher.CommitmentOverdue {
		index = d.indexedBy("commitments_open")
	}
	return "(SELECT DISTINCT conversation_id FROM commitments" + index + where + ") AS m CROSS JOIN conversations" +
		" WHERE id = m.conversation_id AND " + unsolvedStatuses, err
}

// CommitmentOutcomes counts, per owner, the commitments kept and missed
// since the given time: one range of commitments_resolved (by resolution
// time, so the open commitments' index stays the planners' choice for them).
func (q *queries) CommitmentOutcomes(ctx context.Context, since time.Time) (kept, missed map[string]int, err error) {
	count := func(state kesher.CommitmentState) (map[string]int, error) {
		return q.countsBy(ctx, "commitments", "SELECT owner_id, COUNT(*) FROM commitments"+q.d.indexedBy("commitments_resolved")+" WHERE "+commitmentStates[state]+
			" AND resolved_at >= $1 GROUP BY owner_id", args{micros(since)})
	}
	if kept, err = count(kesher.CommitmentKept); err != nil {
		return nil, nil, err
	}
	missed, err = count(kesher.CommitmentMissed)
	return kept, missed, err
}
