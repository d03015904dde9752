package kesher

import (
	"encoding/json"
	"time"
)

// Event is one entry of the append-only log. A conversation's events are both
// its timeline and its audit trail; customer events (merges, identity
// changes) and admin events share the log.
type Event struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id,omitempty"`
	CustomerID     string `json:"customer_id,omitempty"`
	// MessageID links a message.added event to its message, so the
	// timeline can show the message itself.
	MessageID string          `json:"message_id,omitempty"`
	ActorType AuthorType      `json:"actor_type"`
	ActorID   string          `json:"actor_id,omitempty"`
	Data      json.RawMessage `json:"data"`
	CreatedAt time.Time       `json:"created_at"`
}

// Event types.
const (
	EventConversationCreated = "conversation.created"
	EventConversationUpdated = "conversation.updated"
	EventMessageAdded        = "message.added"
	EventOwnerChanged        = "conversation.owner_changed"
	EventCustomerCreated     = "customer.created"
	EventCustomerUpdated     = "customer.updated"
	EventCustomerMerged      = "customer.merged"
	EventIdentityAdded       = "identity.added"
	EventIdentityRemoved     = "identity.removed"
)

// TimelineEntry is one item of a customer's timeline across all channels: an
// event of the log and, for message.added events, the message itself.
type TimelineEntry struct {
	Event
	Message *Message `json:"message,omitempty"`
}
