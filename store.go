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
	Message(ctx context.Context, id string) (*Message, error)
	// MessageByExternalID finds an ingested message by its channel's own id.
	MessageByExternalID(ctx context.Context, ch Channel, externalID string) (*Message, error)
	// Events lists a conversation's log, oldest first.
	Events(ctx context.Context, conversationID string, p Page) ([]*Event, string, error)
	// ConversationByNumber finds a conversation by its human ticket number.
	ConversationByNumber(ctx context.Context, number int64) (*Conversation, error)
	// LatestMessage returns the newest message of a conversation on
	// channel ch whose direction is one of dirs (any when dirs is empty).
	LatestMessage(ctx context.Context, conversationID string, ch Channel, dirs ...Direction) (*Message, error)

	Mailbox(ctx context.Context, id string) (*Mailbox, error)
	// MailboxByAddress finds the mailbox a normalised address or alias
	// belongs to.
	MailboxByAddress(ctx context.Context, address string) (*Mailbox, error)
	// Mailboxes lists mailboxes in the order they were created.
	Mailboxes(ctx context.Context, p Page) ([]*Mailbox, string, error)
	// IMAPState returns how far the poller has read a mailbox's folder;
	// ECodeNotFound before its first poll.
	IMAPState(ctx context.Context, mailboxID, folder string) (*IMAPState, error)
	// EmailThread returns the email state of a conversation; ECodeNotFound
	// for a conversation that never had an email.
	EmailThread(ctx context.Context, conversationID string) (*EmailThread, error)
	// EmailReceipt finds the receipt of an inbound email by the SHA-256 of
	// its raw bytes or, when messageID is not "", by its Message-ID.
	EmailReceipt(ctx context.Context, messageID, rawSHA256 string) (*EmailReceipt, error)
	// Blob returns the bytes stored under their hex SHA-256.
	Blob(ctx context.Context, sha256 string) ([]byte, error)

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

	// Job returns a job of the outbox.
	Job(ctx context.Context, id string) (*Job, error)
	// JobsByState lists the jobs in a state, the latest enqueued, finished
	// or failed first, for the admin view. An unknown state is
	// ECodeValidation on field "state".
	JobsByState(ctx context.Context, state JobState, p Page) ([]*Job, string, error)
	// CountJobs counts the jobs in a state, for metrics.
	CountJobs(ctx context.Context, state JobState) (int, error)

	Ownership
	Knowledge
	SearchIndex
	Portal
	Calls
	Chat
	Messaging
	Surveys
}

// SearchIndex reads the full-text index and the queue of documents
// waiting to be indexed.
type SearchIndex interface {
	// Search returns the newest f.Limit documents that f selects, newest
	// first, with their current text. A filter without a match or a limit
	// is ECodeValidation.
	Search(ctx context.Context, f SearchFilter) ([]*SearchCandidate, error)
	// IndexQueue returns up to limit documents waiting to be indexed, in
	// the order their sources changed.
	IndexQueue(ctx context.Context, limit int) ([]IndexTask, error)
	// CountIndexQueue counts the documents waiting to be indexed.
	CountIndexQueue(ctx context.Context) (int, error)
	// IndexSources reads the current text of the tasks' documents, each
	// once; a document that no longer exists is Gone.
	IndexSources(ctx context.Context, tasks []IndexTask) ([]*IndexSource, error)
	// IndexVersion returns the analyzer version the index was built with,
	// "" before the first build.
	IndexVersion(ctx context.Context) (string, error)
}

// Ownership reads what keeps every request owned and on time: calendars,
// SLA policies, assignment rules, commitments, escalations, notifications,
// the watchdog's lists, agents' load and the durable timers.
type Ownership interface {
	Calendar(ctx context.Context, id string) (*CalendarRecord, error)
	// Calendars lists calendars in the order they were created.
	Calendars(ctx context.Context, p Page) ([]*CalendarRecord, string, error)
	SLAPolicy(ctx context.Context, id string) (*SLAPolicy, error)
	// SLAPolicies lists every policy, the default (no team) first.
	SLAPolicies(ctx context.Context) ([]*SLAPolicy, error)
	// AssignmentRules lists every rule by position, then id.
	AssignmentRules(ctx context.Context) ([]*AssignmentRule, error)
	AssignmentRule(ctx context.Context, id string) (*AssignmentRule, error)

	Commitment(ctx context.Context, id string) (*Commitment, error)
	// Commitments lists commitments by due time, then id. A State of
	// CommitmentDue selects open ones due within f.Window after f.Now,
	// CommitmentOverdue open ones due at or before f.Now.
	Commitments(ctx context.Context, f CommitmentFilter) ([]*Commitment, string, error)
	// CountCommitments counts what f selects up to max, as
	// CountConversations does.
	CountCommitments(ctx context.Context, f CommitmentFilter, max int) (int, error)
	// CommitmentConversations lists the unsolved conversations that hold
	// a commitment f selects, each once, by last update, newest first;
	// f.Page pages the conversations.
	CommitmentConversations(ctx context.Context, f CommitmentFilter) ([]*Conversation, string, error)
	// CountCommitmentConversations counts CommitmentConversations' list
	// up to max.
	CountCommitmentConversations(ctx context.Context, f CommitmentFilter, max int) (int, error)
	Escalation(ctx context.Context, id string) (*Escalation, error)
	// OpenEscalation returns a conversation's open escalation;
	// ECodeNotFound when it has none.
	OpenEscalation(ctx context.Context, conversationID string) (*Escalation, error)
	// Escalations lists a conversation's escalations, oldest first.
	Escalations(ctx context.Context, conversationID string) ([]*Escalation, error)

	// Notifications lists a user's notifications, newest first; only the
	// unread ones with unread.
	Notifications(ctx context.Context, userID string, unread bool, p Page) ([]*Notification, string, error)
	// CountUnread counts a user's unread notifications up to max.
	CountUnread(ctx context.Context, userID string, max int) (int, error)

	// Watch lists the unsolved conversations of one of the watchdog's
	// conversation lists: unowned and the others by last update, newest
	// first; waiting by WaitingSince, longest first; SLA at risk and
	// breached by SLADueAt, soonest first. The commitment lists are read
	// with Commitments; for them Watch is ECodeValidation on "kind".
	Watch(ctx context.Context, kind WatchKind, p Page) ([]*Conversation, string, error)
	// CountWatch counts one of Watch's lists up to max.
	CountWatch(ctx context.Context, kind WatchKind, max int) (int, error)

	// OpenCounts returns, for each of userIDs, how many unsolved
	// conversations they own (missing users own none).
	OpenCounts(ctx context.Context, userIDs []string) (map[string]int, error)
	// WorkSince returns, per user, the distinct conversations they
	// replied in since the given time, and the distinct conversations they
	// own that had an escalation opened since then.
	WorkSince(ctx context.Context, since time.Time) (handled, hard map[string]int, err error)

	// CommitmentOutcomes returns, per owner, how many commitments were
	// resolved as kept and as missed at or after since.
	CommitmentOutcomes(ctx context.Context, since time.Time) (kept, missed map[string]int, err error)

	// DueTimers returns up to limit timers due at or before now, earliest
	// first, of every kind. A limit below 1 is ECodeValidation on "limit".
	DueTimers(ctx context.Context, now time.Time, limit int) ([]Timer, error)
	// NextTimer returns the earliest timer of any kind; ok is false when
	// there is none.
	NextTimer(ctx context.Context) (t Timer, ok bool, err error)
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
	// MoveCustomerData moves every identity, conversation, event and
	// survey response of the customer from to the customer into.
	MoveCustomerData(ctx context.Context, from, into string) error

	// NextConversationNumber returns the next human ticket number.
	NextConversationNumber(ctx context.Context) (int64, error)
	CreateConversation(ctx context.Context, c *Conversation) error
	// UpdateConversation saves every mutable field of c.
	UpdateConversation(ctx context.Context, c *Conversation) error
	CreateMessage(ctx context.Context, m *Message) error
	// UpdateMessageDelivery saves a message's body text, external id,
	// email metadata and delivery state: an outbound email gets its
	// Message-ID when it is queued, and its text and state when it is sent.
	UpdateMessageDelivery(ctx context.Context, m *Message) error
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
	// UpdateUser saves name, email, role, active, availability, capacity, language,
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
	// UpdateTeam saves the name, lead and calendar and replaces the members.
	UpdateTeam(ctx context.Context, t *Team) error
	DeleteTeam(ctx context.Context, id string) error
	CreateReason(ctx context.Context, r *Reason) error
	UpdateReason(ctx context.Context, r *Reason) error

	// CreateMailbox inserts a mailbox and its addresses; an address or
	// alias that belongs to a mailbox already is ECodeConflict.
	CreateMailbox(ctx context.Context, m *Mailbox) error
	// UpdateMailbox saves every field of m and replaces its aliases.
	UpdateMailbox(ctx context.Context, m *Mailbox) error
	// DeleteMailbox deletes a mailbox with its addresses and IMAP state;
	// its conversations keep no mailbox.
	DeleteMailbox(ctx context.Context, id string) error
	// SaveIMAPState inserts or replaces the state of a mailbox's folder.
	SaveIMAPState(ctx context.Context, s *IMAPState) error
	// SaveEmailThread inserts or replaces the email state of a conversation.
	SaveEmailThread(ctx context.Context, th *EmailThread) error
	// CreateEmailReceipt records an inbound email; one whose raw hash or
	// Message-ID is recorded already is ECodeConflict.
	CreateEmailReceipt(ctx context.Context, r *EmailReceipt) error
	// PutBlob stores data, compressed, under its hex SHA-256. Storing the
	// same bytes again does nothing.
	PutBlob(ctx context.Context, sha256 string, data []byte) error

	// ReserveIdempotency records that a request with this key has started.
	// It returns ECodeConflict when the key is already recorded.
	ReserveIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// CompleteIdempotency stores the response of a reserved key.
	CompleteIdempotency(ctx context.Context, r *IdempotencyRecord) error
	// ReleaseIdempotency forgets a key whose request failed, so a retry runs.
	ReleaseIdempotency(ctx context.Context, userID, key string) error

	// EnqueueJob adds j to the outbox as a new pending job, setting its
	// State, Attempts and LastError accordingly. When a job of the same
	// Kind with the same non-empty Key exists (pending, failed, or done and
	// not yet purged) it adds nothing and returns nil: a retried request
	// enqueues its work once.
	EnqueueJob(ctx context.Context, j *Job) error
	// ClaimJobs takes up to limit pending jobs that are due at now and that
	// no runner holds, earliest RunAt first: it leases them until
	// now+lease, counts an attempt and returns them as they now are. No
	// two claims, from any node, take a job while its lease lasts. A limit
	// below 1 is ECodeValidation on field "limit".
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Job, error)
	// FinishJob marks a pending job done. It returns ECodeNotFound when
	// there is no pending job id.
	FinishJob(ctx context.Context, id string, now time.Time) error
	// RetryJob releases a pending job's lease and makes it due at runAt,
	// recording why the last attempt failed. It returns ECodeNotFound when
	// there is no pending job id.
	RetryJob(ctx context.Context, id string, runAt time.Time, lastErr string) error
	// FailJob gives a pending job up: it is kept, failed, for the admin
	// view and is never run again. It returns ECodeNotFound when there is
	// no pending job id.
	FailJob(ctx context.Context, id, lastErr string, now time.Time) error
	// PurgeJobs deletes up to limit done jobs that finished before the
	// given time, oldest first, and returns how many it deleted. Failed
	// jobs stay. A limit below 1 is ECodeValidation on field "limit".
	PurgeJobs(ctx context.Context, before time.Time, limit int) (int, error)

	// ClaimTimer takes a due timer for this transaction: it clears the
	// timer's due time where it is still t.DueAt and reports whether it
	// did. On PostgreSQL a claim that races another node's waits for it
	// and then finds the time moved, so a timer fires once; the claimed
	// row stays locked until the transaction ends. The caller then saves
	// the row, which sets its next due time.
	ClaimTimer(ctx context.Context, t Timer) (bool, error)
	// SaveCalendar inserts or replaces a calendar.
	SaveCalendar(ctx context.Context, c *CalendarRecord) error
	// DeleteCalendar deletes a calendar; teams that used it fall back to
	// the default calendar.
	DeleteCalendar(ctx context.Context, id string) error
	// SaveSLAPolicy inserts or replaces a policy; a second policy for the
	// same team (or a second default) is ECodeConflict.
	SaveSLAPolicy(ctx context.Context, p *SLAPolicy) error
	DeleteSLAPolicy(ctx context.Context, id string) error
	// SaveAssignmentRule inserts or replaces a rule (LastUserID included).
	SaveAssignmentRule(ctx context.Context, r *AssignmentRule) error
	DeleteAssignmentRule(ctx context.Context, id string) error
	CreateCommitment(ctx context.Context, c *Commitment) error
	// UpdateCommitment saves owner, text, due time, state, the reminder,
	// escalation and resolution times and the next timer.
	UpdateCommitment(ctx context.Context, c *Commitment) error
	// CreateEscalation inserts an escalation; a second open one for the
	// same conversation is ECodeConflict.
	CreateEscalation(ctx context.Context, e *Escalation) error
	// UpdateEscalation saves owner, response, breach and resolution.
	UpdateEscalation(ctx context.Context, e *Escalation) error
	CreateNotification(ctx context.Context, n *Notification) error
	// MarkRead marks a user's notifications read at now: the ones listed,
	// or every unread one when ids is empty.
	MarkRead(ctx context.Context, userID string, ids []string, now time.Time) error
	// TouchUser saves when a user was last active.
	TouchUser(ctx context.Context, userID string, at time.Time) error

	// SaveIndex stores index entries (removing those of Gone documents)
	// and removes the done tasks from the queue. A document indexed again
	// keeps its place.
	SaveIndex(ctx context.Context, entries []*IndexEntry, done []int64) error
	// RebuildIndex queues every document to be indexed again and records
	// the analyzer version the index is now built with.
	RebuildIndex(ctx context.Context, version string) error

	PortalTx

	ChatTx
	MessagingTx

	KnowledgeTx

	CallsTx

	SurveysTx
}

// Store is the desk's database.
type Store interface {
	Queries
	// Write runs fn as one atomic unit: all of its writes are committed
	// durably before Write returns nil, or none are. Concurrent Writes may
	// share one database transaction (group commit), each in a savepoint of
	// its own, so fn must not keep Tx after it returns. fn may run more
	// than once: a unit the database aborted to break a deadlock is rolled
	// back and run again, so fn's effects outside Tx must be safe to redo.
	Write(ctx context.Context, fn func(Tx) error) error
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// TuneIndex brings the search index's upkeep up to date after a large
	// batch of changes: on PostgreSQL it merges the entries waiting in the
	// GIN index's pending list and refreshes the planner's statistics,
	// without which it may scan every document for a rare word.
	TuneIndex(ctx context.Context) error
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
