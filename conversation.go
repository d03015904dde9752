package kesher

import "time"

// Status is where a conversation stands.
type Status string

// Statuses. Open, pending (waiting on the customer) and on_hold (waiting on
// someone else) are all unsolved and always have an owner.
const (
	StatusOpen    Status = "open"
	StatusPending Status = "pending"
	StatusOnHold  Status = "on_hold"
	StatusSolved  Status = "solved"
	StatusClosed  Status = "closed"
)

// Statuses lists every status.
var Statuses = []Status{StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return oneOf(s, Statuses) }

// Unsolved reports whether the customer is still waiting for a solution.
func (s Status) Unsolved() bool { return s == StatusOpen || s == StatusPending || s == StatusOnHold }

// Priority is how urgent a conversation is.
type Priority string

// Priorities.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool { return oneOf(p, Priorities) }

// Channel is how a customer reached the business.
type Channel string

// Channels.
const (
	ChannelEmail    Channel = "email"
	ChannelChat     Channel = "chat"
	ChannelPhone    Channel = "phone"
	ChannelWhatsApp Channel = "whatsapp"
	ChannelTelegram Channel = "telegram"
	ChannelWeb      Channel = "web"
	ChannelAPI      Channel = "api"
)

// Channels lists every channel.
var Channels = []Channel{ChannelEmail, ChannelChat, ChannelPhone, ChannelWhatsApp, ChannelTelegram, ChannelWeb, ChannelAPI}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { return oneOf(c, Channels) }

func oneOf[T comparable](v T, all []T) bool {
	for _, a := range all {
		if a == v {
			return true
		}
	}
	return false
}

// Conversation is one customer request, on one or more channels, from its
// first message until it is solved.
type Conversation struct {
	ID           string   `json:"id"`
	Number       int64    `json:"number"`
	Subject      string   `json:"subject"`
	Status       Status   `json:"status"`
	Priority     Priority `json:"priority"`
	Channel      Channel  `json:"channel"`
	CustomerID   string   `json:"customer_id"`
	OwnerID      string   `json:"owner_id"`
	TeamID       string   `json:"team_id"`
	Reason       string   `json:"reason"`
	Tags         []string `json:"tags"`
	HandoffCount int      `json:"handoff_count"`
	// MessageCount and LastMessageAt let lists show activity without
	// reading the thread.
	MessageCount  int       `json:"message_count"`
	LastMessageAt time.Time `json:"last_message_at"`
	// Excerpt is the start of the latest customer or agent message.
	Excerpt   string    `json:"excerpt"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	SolvedAt  time.Time `json:"solved_at"`
	// WaitingSince is when the customer's oldest unanswered message
	// arrived, zero while the last word is the desk's: a customer message
	// sets it unless it is set already, and a reply to the customer clears
	// it. Notes and status changes leave it alone.
	WaitingSince time.Time `json:"waiting_since"`
	// SLA holds the service-level clocks; nil when no policy applies.
	SLA *SLA `json:"sla"`
	// ReopenCount counts how often a solved conversation came back.
	ReopenCount int `json:"reopen_count"`
	// Escalated is true while an escalation is open (P13).
	Escalated bool `json:"escalated"`
}

// TagCount is a tag in use and the number of conversations that carry it.
type TagCount struct {
	Tag   string `json:"tag"`
	Count int    `json:"count"`
}

// ConversationFilter selects conversations for a list. Empty fields do not
// filter. OwnerIDs may hold NoOwner to select unowned conversations.
type ConversationFilter struct {
	Statuses     []Status
	OwnerIDs     []string
	TeamIDs      []string
	Channels     []Channel
	Priorities   []Priority
	Tags         []string
	Reasons      []string
	CustomerID   string
	UpdatedAfter time.Time
	Page         Page
}

// NoOwner stands for "no owner" in ConversationFilter.OwnerIDs.
const NoOwner = "none"

// ConversationUpdate changes some fields of a conversation; nil fields stay.
type ConversationUpdate struct {
	Status   *Status
	Priority *Priority
	OwnerID  *string
	TeamID   *string
	Reason   *string
	Tags     *[]string
	Subject  *string
	// Briefing goes with a change of owner (a warm hand-off, P2).
	Briefing string
	// TellCustomer sends the customer a message naming their new owner
	// with a hand-off.
	TellCustomer bool
}

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// MaxPageLimit is the most items one list request returns.
const MaxPageLimit = 200

// DefaultPageLimit is the page size when a request names none.
const DefaultPageLimit = 50
