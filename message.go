package kesher

import "time"

// Direction says who a message was for.
type Direction string

// Directions: from the customer, to the customer, or an internal note the
// customer never sees.
const (
	Inbound  Direction = "inbound"
	Outbound Direction = "outbound"
	Note     Direction = "note"
)

// Valid reports whether d is a known direction.
func (d Direction) Valid() bool { return d == Inbound || d == Outbound || d == Note }

// AuthorType says what kind of party wrote a message.
type AuthorType string

// Author types.
const (
	AuthorCustomer AuthorType = "customer"
	AuthorAgent    AuthorType = "agent"
	AuthorSystem   AuthorType = "system"
)

// Message is one entry of a conversation's thread.
type Message struct {
	ID             string     `json:"id"`
	ConversationID string     `json:"conversation_id"`
	Direction      Direction  `json:"direction"`
	Channel        Channel    `json:"channel"`
	AuthorType     AuthorType `json:"author_type"`
	AuthorID       string     `json:"author_id"`
	BodyText       string     `json:"body_text"`
	// BodyHTML is always sanitised before it is stored.
	BodyHTML    string       `json:"body_html"`
	Attachments []Attachment `json:"attachments"`
	// ExternalID is the channel's own id (an email Message-ID, a provider
	// message id); inbound messages are deduplicated on it.
	ExternalID string `json:"external_id,omitempty"`
	// Email holds the email headers of a message that is an email.
	Email *EmailMeta `json:"email,omitempty"`
	// Delivery is where an outbound email stands; DeliveryError is the
	// mail server's reason when it failed, and DeliveredAt when it was
	// sent.
	Delivery      Delivery  `json:"delivery"`
	DeliveryError string    `json:"delivery_error,omitempty"`
	DeliveredAt   time.Time `json:"delivered_at"`
	CreatedAt     time.Time `json:"created_at"`
}

// Attachment describes a file that came with a message. The bytes live in
// the blob store under SHA256, so a file sent twice is kept once.
type Attachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
}

// Limits on message content, checked at intake.
const (
	MaxBodyText    = 256 << 10
	MaxBodyHTML    = 512 << 10
	MaxSubject     = 500
	MaxAttachments = 50
)
