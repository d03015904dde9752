package store

import (
	"context"

	"kesher"
)

// escalationColumns are read and written; next_timer_at is only written,
// derived from the escalation on every save (Escalation.NextTimer).
const escalationColumns = "id, conversation_id, owner_id, reason, source, due_at, responded_at, breached_at, created_by, created_at," +
	" resolved_at, resolution"

func scanEscalation(s scanner) (*kesher.Escalation, error) {
	var e kesher.Escalation
	var owner *string
	var due, responded, breached, created, resolved int64
	err := s.Scan(&e.ID, &e.ConversationID, &owner, &e.Reason, &e.Source, &due, &responded, &breached, &e.CreatedBy, &created,
		&resolved, &e.Resolution)
	if err != nil {
		return nil, err
	}
	e.OwnerID = deref(owner)
	e.DueAt, e.RespondedAt, e.BreachedAt = fromMicros(due), fromMicros(responded), fromMicros(breached)
	e.CreatedAt, e.ResolvedAt = fromMicros(created), fromMicros(resolved)
	return &e, nil
}

// Escalation returns an escalation.
func (q *queries) Escalation(ctx context.Context, id string) (*kesher.Escalation, error) {
	e, err := scanEscalation(q.q.QueryRowContext(ctx, "SELECT "+escalationColumns+" FROM escalations WHERE id = $1", id))
	return e, q.dbErr(err, "escalation "+id)
}

// OpenEscalation returns a conversation's open escalation, one entry of
// the partial index escalations_one_open.
func (q *queries) OpenEscalation(ctx context.Context, conversationID string) (*kesher.Escalation, error) {
	e, err := scanEscalation(q.q.QueryRowContext(ctx, "SELECT "+escalationColumns+" FROM escalations"+
		" WHERE conversation_id = $1 AND resolved_at = 0", conversationID))
	return e, q.dbErr(err, "open escalation of conversation "+conversationID)
}

// Escalations lists a conversation's escalations, oldest first; a
// conversation has few.
func (q *queries) Escalations(ctx context.Context, conversationID string) ([]*kesher.Escalation, error) {
	es, _, err := list(ctx, q, "escalations", "SELECT "+escalationColumns+" FROM escalations WHERE conversation_id = $1"+
		" ORDER BY created_at, id", args{conversationID}, 0, scanEscalation)
	return es, err
}

// CreateEscalation inserts an escalation. A second open one for the
// conversation is a row escalations_one_open refuses, which the insert's
// ON CONFLICT DO NOTHING turns into ECodeConflict.
func (t *tx) CreateEscalation(ctx context.Context, e *kesher.Escalation) error {
	return t.insert(ctx, "open escalation of conversation "+e.ConversationID, "INSERT INTO escalations ("+escalationColumns+", next_timer_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		args{e.ID, e.ConversationID, nullable(e.OwnerID), e.Reason, string(e.Source), micros(e.DueAt), micros(e.RespondedAt),
			micros(e.BreachedAt), e.CreatedBy, micros(e.CreatedAt), micros(e.ResolvedAt), e.Resolution, micros(e.NextTimer())})
}

// UpdateEscalation saves owner, response, breach and resolution, and moves
// the escalation's timer to match.
func (t *tx) UpdateEscalation(ctx context.Context, e *kesher.Escalation) error {
	return t.exec(ctx, "escalation "+e.ID, "UPDATE escalations SET owner_id = $2, responded_at = $3, breached_at = $4,"+
		" resolved_at = $5, resolution = $6, next_timer_at = $7 WHERE id = $1",
		e.ID, nullable(e.OwnerID), micros(e.RespondedAt), micros(e.BreachedAt), micros(e.ResolvedAt), e.Resolution, micros(e.NextTimer()))
}
