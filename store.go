package kesher

import (
	"context"
	"time"
)

// Queries reads the desk's data. A method that returns one item returns an
// *Error with ECodeNotFound when it does not exist, never nil and no error.
// List methods return the items and the cursor of the next page ("" on the
// last page); a malformed cursor is ECodeValidation on field "cursor".
type Queries interface {
	Customer(ctx context.Context, id string) (*Customer, error)
	// CustomerByIdentity finds the customer that owns a normalised identity.
	CustomerByIdentity(ctx context.Context, kind IdentityKind, value string) (*Customer, error)
	Customers(ctx context.Context, f CustomerFilter) ([]*Customer, string, error)
	// Timeline lists a customer's events across all conversations and
	// channels, newest first, with the messages of message.added events.
	Timeline(ctx context.Context, customerID string, p Page) ([]*TimelineEntry, string, error)

	Conversation(ctx context.Context, id string) (*Conversation, error)
	// Conversations lists by last update, newest first.
	Conversations(ctx context.Context, f ConversationFilter) ([]*Conversation, string, error)
	// CountConversations counts the conversations f selects (f.Page is
	// ignored) up to max: it returns max when there are max or more, so
	// a count costs no more than reading max index entries. max below 1 is
	// ECodeValidation on field "max".
	CountConversations(ctx context.Context, f ConversationFilter, max int) (int, error)
	// Tags lists every tag in use with the number of conversations that
	// carry it, most used first (then by tag).
	Tags(ctx context.Context) ([]TagCount, error)
	// Messages lists a conversation's thread, oldest first.
	Messages(ctx context.Context, conversationID string, p Page) ([]*Message, string, error)
	// MessageByExternalID finds an ingested message by its channel's own id.
	MessageByExternalID(ctx context.Context, ch Channel, externalID string) (*Message, error)
	// Events lists a conversation's log, oldest first.
	Events(ctx context.Context, conversationID string, p Page) ([]*Event, string, error)

	User(ctx context.Context, id string) (*User, error)
	// UserByEmail matches the normalised (lower-case) email.
	UserByEmail(ctx context.Context, email string) (*User, error)
	Users(ctx context.Context, p Page) ([]*User, string, error)
	CountUsers(ctx context.Context) (int, error)
	// TokenByHash finds an API token by the SHA-256 of its secret.
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)
	// SessionByHash finds a browser session by the SHA-256 of its secret,
	// expired or not; ECodeNotFound when there is none.
	SessionByHash(ctx context.Context, hash []byte) (*Session, error)
	Team(ctx context.Context, id string) (*Team, error)
	Teams(ctx context.Context, p Page) ([]*Team, string, error)
	Reason(ctx context.Context, code string) (*Reason, error)
	Reasons(ctx context.Context, p Page) ([]*Reason, string, error)

	// Idempotency returns the record of an earlier request with this key.
	Idempotency(ctx context.Context, userID, key string) (*IdempotencyRecord, error)
}

// Tx reads and writes inside one atomic unit of work. Unique violations are
// reported as ECodeConflict; writes to missing rows as ECodeNotFound.
type Tx interface {
	Queries

	// CreateCustomer inserts the customer and its identities.
	CreateCustomer(ctx context.Context, c *Customer) error
	// UpdateCustomer saves name, language, note, merged_into and updated_at.
	UpdateCustomer(ctx context.Context, c *Customer) error
	AddIdentity(ctx context.Context, id *Identity) error
	RemoveIdentity(ctx context.Context, customerID, identityID string) error
	// MoveCustomerData moves every identity, conversation and event of the
	// customer from to the customer into.
	MoveCustomerData(ctx context.Context, from, into string) error

	// NextConversationNumber returns the next human ticket number.
	NextConversationNumber(ctx context.Context) (int64, error)
	CreateConversation(ctx context.Context, c *Conversation) error
	// UpdateConversation saves every mutable field of c.
	UpdateConversation(ctx context.Context, c *Conversation) error
	CreateMessage(ctx context.Context, m *Message) error
	AppendEvent(ctx context.Context, e *Event) error
	// RenameTag replaces tag from with tag to on every conversation that
	// carries it, merging the two where a conversation has both, and
	// returns how many conversations carried from. It returns
	// ECodeNotFound when none does, ECodeValidation on field "to" when to
	// is from, and ECodeConflict when the conversations' tags changed
	// meanwhile. Conversations' tags stay sorted and distinct.
	RenameTag(ctx context.Context, from, to string) (int, error)
	// DeleteTag removes a tag from every conversation that carries it and
	// returns how many did. It returns ECodeNotFound when none does and
	// ECodeConflict when the conversations' tags changed meanwhile.
	DeleteTag(ctx context.Context, tag string) (int, error)

	CreateUser(ctx context.Context, u *User) error
	// UpdateUser saves name, email, role, active, availability, language,
	// time zone and password hash.
	UpdateUser(ctx context.Context, u *User) error
	CreateToken(ctx context.Context, t *Token) error
	// CreateFirstUser inserts u only while the desk has no user at all,
	// else returns ECodeConflict. Concurrent calls, from any node, are
	// serialised, so exactly one first user is made.
	CreateFirstUser(ctx context.Context, u *User) error
	// CreateSession inserts a session; a taken hash is ECodeConflict, an
	// unknown user ECodeNotFound.
	CreateSession(ctx context.Context, s *Session) error
	// TouchSession saves when a session was last used and its new expiry.
	TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error
	// DeleteSession ends one session; ECodeNotFound when there is none.
	DeleteSession(ctx context.Context, id string) error
	// DeleteUserSessions ends every session of a user but the one with ID
	// keepID ("" keeps none).
	DeleteUserSessions(ctx context.Context, userID, keepID string) error
	// DeleteExpiredSessions deletes the sessions that expired before the
	// given time and returns how many there were.
	DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error)
	CreateTeam(ctx context.Context, t *Team) error
	// UpdateTeam saves the name and replaces the members.
	UpdateTeam(ctx context.Context, t *Team) error
	DeleteTeam(ctx context.Context, id string) error
	CreateReason(ctx context.Context, r *Reason) error
	UpdateReason(ctx context.Context, r *Reason) error

	// ReserveIdempotency records that a request with this key has started.
	// It returns ECodeConflict when the key is already recorded.
	ReserveIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// CompleteIdempotency stores the response of a reserved key.
	CompleteIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// ReleaseIdempotency forgets a key whose request failed, so a retry runs.
	ReleaseIdempotency(ctx context.Context, userID, key string) error
}

// Store is the desk's database.
type Store interface {
	Queries
	// Write runs fn as one atomic unit: all of its writes are committed
	// durably before Write returns nil, or none are. Concurrent Writes may
	// share one database transaction (group commit), each in a savepoint of
	// its own, so fn must not keep Tx after it returns.
	Write(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	Close() error
}

// CustomerFilter selects customers. Query matches the name (case-insensitive
// substring) or the start of any identity value.
type CustomerFilter struct {
	Query string
	Page  Page
}

// IdempotencyRecord remembers a POST made with an Idempotency-Key header, so
// a retry returns the first result and creates nothing.
type IdempotencyRecord struct {
	UserID      string
	Key         string
	RequestHash string // SHA-256 of method, path and body, hex
	Status      int    // 0 while the first request is in flight
	Body        []byte
	CreatedAt   time.Time
}
