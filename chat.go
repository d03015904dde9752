package kesher

import (
	"context"
	"time"
)

// ChatVisitor is someone using the chat widget on the business's site. The
// widget keeps the visitor's secret in the browser's storage, so the same
// visitor comes back after a reload or on another page; only its SHA-256
// is stored. A visitor becomes a customer (with an identity of kind chat
// whose value is the visitor's ID) with their first message.
type ChatVisitor struct {
	ID string `json:"id"`
	// CustomerID is "" until the visitor's first message or email address.
	CustomerID string `json:"customer_id"`
	TokenHash  []byte `json:"-"`
	Name       string `json:"name"`
	// Email is the address the visitor gave; it joins the visitor to the
	// customer who owns it only once the visitor proves it (ProofID).
	Email string `json:"email"`
	// EmailReplies sends agents' replies to Email too: the visitor left
	// the address because no agent was online to chat.
	EmailReplies bool `json:"email_replies"`
	// ProofID is the email proof that, once followed, joins the visitor's
	// timeline to the customer who owns Email.
	ProofID string `json:"proof_id"`
	// ConversationID is the visitor's current chat conversation.
	ConversationID string    `json:"conversation_id"`
	Language       string    `json:"language"`
	CreatedAt      time.Time `json:"created_at"`
	LastSeenAt     time.Time `json:"last_seen_at"`
}

// Limits of the chat channel, checked by the desk and the widget alike.
const (
	// MaxChatText is the longest message a visitor may send, in bytes.
	MaxChatText = 8 << 10
	// MaxChatClientID bounds the widget's own id of a message.
	MaxChatClientID = 64
)

// Ephemeral chat events: published on the live bus for whoever listens,
// never stored, because a typing indicator or a read mark that arrives
// late is worth nothing.
const (
	EventChatTyping = "chat.typing"
	EventChatRead   = "chat.read"
)

// Chat reads the chat channel's visitors.
type Chat interface {
	ChatVisitor(ctx context.Context, id string) (*ChatVisitor, error)
	// ChatVisitorByHash finds a visitor by the SHA-256 of their secret;
	// ECodeNotFound when there is none.
	ChatVisitorByHash(ctx context.Context, hash []byte) (*ChatVisitor, error)
	// ChatVisitorByProof finds the visitor waiting on an email proof.
	ChatVisitorByProof(ctx context.Context, proofID string) (*ChatVisitor, error)
	// ChatVisitorByConversation finds the visitor of a chat conversation.
	ChatVisitorByConversation(ctx context.Context, conversationID string) (*ChatVisitor, error)
}

// ChatTx writes the chat channel's visitors.
type ChatTx interface {
	// CreateChatVisitor inserts a visitor; a taken hash is ECodeConflict.
	CreateChatVisitor(ctx context.Context, v *ChatVisitor) error
	// UpdateChatVisitor saves every field but the id, hash and creation.
	UpdateChatVisitor(ctx context.Context, v *ChatVisitor) error
}
