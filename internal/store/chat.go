package store

import (
	"context"

	"kesher"
)

const chatVisitorColumns = "id, customer_id, token_hash, name, email, email_replies, proof_id, conversation_id, language, created_at, last_seen_at"

func scanChatVisitor(s scanner) (*kesher.ChatVisitor, error) {
	var v kesher.ChatVisitor
	var customer, proof, conv *string
	var created, seen, replies int64
	if err := s.Scan(&v.ID, &customer, &v.TokenHash, &v.Name, &v.Email, &replies, &proof, &conv, &v.Language, &created, &seen); err != nil {
		return nil, err
	}
	for _, f := range []struct {
		dst *string
		src *string
	}{{&v.CustomerID, customer}, {&v.ProofID, proof}, {&v.ConversationID, conv}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	v.EmailReplies = replies != 0
	v.CreatedAt, v.LastSeenAt = fromMicros(created), fromMicros(seen)
	return &v, nil
}

func (q *queries) chatVisitor(ctx context.Context, what, where string, arg any) (*kesher.ChatVisitor, error) {
	v, err := scanChatVisitor(q.q.QueryRowContext(ctx, "SELECT "+chatVisitorColumns+" FROM chat_visitors WHERE "+where+" = $1", arg))
	return v, q.dbErr(err, what)
}

// ChatVisitor returns a visitor by id.
func (q *queries) ChatVisitor(ctx context.Context, id string) (*kesher.ChatVisitor, error) {
	return q.chatVisitor(ctx, "chat visitor "+id, "id", id)
}

// ChatVisitorByHash finds a visitor by the hash of their secret. The hash
// stays out of the error message: it is as good as the secret for a lookup.
func (q *queries) ChatVisitorByHash(ctx context.Context, hash []byte) (*kesher.ChatVisitor, error) {
	if len(hash) == 0 {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "chat visitor not found")
	}
	return q.chatVisitor(ctx, "chat visitor", "token_hash", hash)
}

// ChatVisitorByProof finds the visitor waiting on an email proof.
func (q *queries) ChatVisitorByProof(ctx context.Context, proofID string) (*kesher.ChatVisitor, error) {
	return q.chatVisitor(ctx, "chat visitor of proof "+proofID, "proof_id", proofID)
}

// ChatVisitorByConversation finds the visitor of a chat conversation.
func (q *queries) ChatVisitorByConversation(ctx context.Context, conversationID string) (*kesher.ChatVisitor, error) {
	return q.chatVisitor(ctx, "chat visitor of conversation "+conversationID, "conversation_id", conversationID)
}

// CreateChatVisitor inserts a visitor.
func (t *tx) CreateChatVisitor(ctx context.Context, v *kesher.ChatVisitor) error {
	return t.insert(ctx, "chat visitor "+v.ID, "INSERT INTO chat_visitors ("+chatVisitorColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
		args{v.ID, nullable(v.CustomerID), v.TokenHash, v.Name, v.Email, boolInt(v.EmailReplies), nullable(v.ProofID), nullable(v.ConversationID),
			v.Language, micros(v.CreatedAt), micros(v.LastSeenAt)})
}

// UpdateChatVisitor saves a visitor's mutable fields.
func (t *tx) UpdateChatVisitor(ctx context.Context, v *kesher.ChatVisitor) error {
	return t.exec(ctx, "chat visitor "+v.ID, "UPDATE chat_visitors SET customer_id = $2, name = $3, email = $4, email_replies = $5, proof_id = $6, "+
		"conversation_id = $7, language = $8, last_seen_at = $9 WHERE id = $1",
		v.ID, nullable(v.CustomerID), v.Name, v.Email, boolInt(v.EmailReplies), nullable(v.ProofID), nullable(v.ConversationID), v.Language, micros(v.LastSeenAt))
}
