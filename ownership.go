package kesher

import (
	"encoding/json"
	"time"
)

// CommitmentState is where a promise to a customer stands (P4).
type CommitmentState string

// Commitment states as stored. Due and overdue are views of open ones: due
// within the reminder window, or past due.
const (
	CommitmentOpen      CommitmentState = "open"
	CommitmentKept      CommitmentState = "kept"
	CommitmentMissed    CommitmentState = "missed"
	CommitmentCancelled CommitmentState = "cancelled"
	CommitmentDue       CommitmentState = "due"
	CommitmentOverdue   CommitmentState = "overdue"
)

// Commitment is a promise an agent made to a customer: what and by when.
// It belongs to the agent who made it (Owner) until it is kept: a promise
// kept after its due time counts as missed.
type Commitment struct {
	ID             string          `json:"id"`
	ConversationID string          `json:"conversation_id"`
	OwnerID        string          `json:"owner_id"`
	Text           string          `json:"text"`
	DueAt          time.Time       `json:"due_at"`
	State          CommitmentState `json:"state"`
	// MessageID is the reply the promise was made in, when it came from one.
	MessageID string    `json:"message_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	// RemindedAt and EscalatedAt record the reminder to the owner before
	// the due time and the alert to the lead after it.
	RemindedAt  time.Time `json:"reminded_at"`
	EscalatedAt time.Time `json:"escalated_at"`
	ResolvedAt  time.Time `json:"resolved_at"`
	// NextTimerAt is when the commitment next needs attention (its
	// reminder, then its due time); zero when none.
	NextTimerAt time.Time `json:"-"`
}

// View returns the state a list shows: open commitments are due within
// window of now, overdue after their due time.
func (c *Commitment) View(now time.Time, window time.Duration) CommitmentState {
	if c.State != CommitmentOpen {
		return c.State
	}
	switch {
	case !now.Before(c.DueAt):
		return CommitmentOverdue
	case c.DueAt.Sub(now) <= window:
		return CommitmentDue
	}
	return CommitmentOpen
}

// CommitmentFilter selects commitments; empty fields do not filter. States
// may name the views due and overdue, which Now and Window define.
type CommitmentFilter struct {
	ConversationID string
	OwnerID        string
	State          CommitmentState
	Now            time.Time
	Window         time.Duration
	Page           Page
}

// EscalationSource says who asked for a manager.
type EscalationSource string

// Escalation sources: the customer's words were recognised, or an agent
// escalated.
const (
	EscalationCustomer EscalationSource = "customer"
	EscalationAgent    EscalationSource = "agent"
)

// Escalation is a conversation raised to a lead (P13). While it is open the
// conversation cannot be solved or closed, and the lead owes a response by
// DueAt.
type Escalation struct {
	ID             string           `json:"id"`
	ConversationID string           `json:"conversation_id"`
	OwnerID        string           `json:"owner_id"`
	Reason         string           `json:"reason"`
	Source         EscalationSource `json:"source"`
	DueAt          time.Time        `json:"due_at"`
	RespondedAt    time.Time        `json:"responded_at"`
	BreachedAt     time.Time        `json:"breached_at"`
	CreatedBy      string           `json:"created_by"`
	CreatedAt      time.Time        `json:"created_at"`
	ResolvedAt     time.Time        `json:"resolved_at"`
	Resolution     string           `json:"resolution"`
}

// Open reports whether the escalation still stands.
func (e *Escalation) Open() bool { return e.ResolvedAt.IsZero() }

// NextTimer returns when the escalation's response target is checked, zero
// once answered, breached or resolved.
func (e *Escalation) NextTimer() time.Time {
	if !e.Open() || !e.RespondedAt.IsZero() || !e.BreachedAt.IsZero() {
		return time.Time{}
	}
	return e.DueAt
}

// Ownership event types.
const (
	EventCommitmentCreated  = "commitment.created"
	EventCommitmentReminded = "commitment.reminded"
	EventCommitmentOverdue  = "commitment.overdue"
	EventCommitmentResolved = "commitment.resolved"
	EventEscalationOpened   = "escalation.opened"
	EventEscalationAnswered = "escalation.responded"
	EventEscalationBreached = "escalation.breached"
	EventEscalationResolved = "escalation.resolved"
	EventHandoffAlert       = "handoff.alert"
	EventAssigned           = "conversation.assigned"
)

// Notification tells one user that something needs them: a reminder, an
// alert to a lead, an escalation.
type Notification struct {
	ID             string          `json:"id"`
	UserID         string          `json:"user_id"`
	Kind           string          `json:"kind"`
	ConversationID string          `json:"conversation_id"`
	Data           json.RawMessage `json:"data"`
	CreatedAt      time.Time       `json:"created_at"`
	ReadAt         time.Time       `json:"read_at"`
}

// Notification kinds.
const (
	NotifyCommitmentDue     = "commitment_due"
	NotifyCommitmentOverdue = "commitment_overdue"
	NotifyHandoffs          = "handoffs"
	NotifyEscalation        = "escalation"
	NotifyEscalationLate    = "escalation_late"
	NotifyQueued            = "queued"
)

// WatchKind is one of the watchdog's lists of conversations that risk
// falling between chairs.
type WatchKind string

// Watchdog lists.
const (
	WatchUnowned            WatchKind = "unowned"
	WatchWaiting            WatchKind = "waiting"
	WatchSLAAtRisk          WatchKind = "sla_at_risk"
	WatchSLABreached        WatchKind = "sla_breached"
	WatchCommitmentsDue     WatchKind = "commitments_due"
	WatchCommitmentsOverdue WatchKind = "commitments_overdue"
	WatchHandoffs3Plus      WatchKind = "handoffs_3plus"
	WatchReopened           WatchKind = "reopened"
	WatchEscalated          WatchKind = "escalated"
)

// WatchKinds lists the watchdog's lists in the order they are shown.
var WatchKinds = []WatchKind{WatchUnowned, WatchWaiting, WatchSLABreached, WatchSLAAtRisk,
	WatchCommitmentsOverdue, WatchCommitmentsDue, WatchHandoffs3Plus, WatchReopened, WatchEscalated}

// WatchAlarms are the lists where a request has plainly fallen between
// chairs: nobody owns it, its target is missed, a promise is broken, or a
// customer asked for a manager. The navigation counts these; the others
// (waiting, at risk, due, hand-offs, reopened) are early signs.
var WatchAlarms = []WatchKind{WatchUnowned, WatchSLABreached, WatchCommitmentsOverdue, WatchEscalated}

// Valid reports whether k is a known list.
func (k WatchKind) Valid() bool { return oneOf(k, WatchKinds) }

// Strategy is how an assignment rule picks an agent in its team.
type Strategy string

// Strategies.
const (
	RoundRobin  Strategy = "round_robin"
	LeastLoaded Strategy = "least_loaded"
)

// Valid reports whether s is a known strategy.
func (s Strategy) Valid() bool { return s == RoundRobin || s == LeastLoaded }

// AssignmentRule routes new conversations that match its conditions to a
// team and picks the owner among the team's available agents. Rules are
// tried by Position; empty conditions match anything. When no agent is
// available the conversation goes to the team's lead, its queue owner.
type AssignmentRule struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Position   int        `json:"position"`
	TeamID     string     `json:"team_id"`
	Strategy   Strategy   `json:"strategy"`
	Channels   []Channel  `json:"channels"`
	MailboxIDs []string   `json:"mailbox_ids"`
	Reasons    []string   `json:"reasons"`
	Languages  []string   `json:"languages"`
	Priorities []Priority `json:"priorities"`
	Active     bool       `json:"active"`
	// LastUserID is whom the rule's round robin picked last.
	LastUserID string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// CalendarRecord is a stored business calendar; Spec is its definition as
// JSON (the desk's calendar package reads it), kept opaque to storage.
type CalendarRecord struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Spec      json.RawMessage `json:"spec"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
}

// AgentLoad is one agent's work now and today (P12).
type AgentLoad struct {
	UserID       string       `json:"user_id"`
	Availability Availability `json:"availability"`
	Capacity     int          `json:"capacity"`
	Open         int          `json:"open"`
	HandledToday int          `json:"handled_today"`
	HardToday    int          `json:"hard_today"`
	// CommitmentsKept and CommitmentsMissed count the user's commitments
	// resolved in the last RateWindow (P4): a promise kept late is missed.
	CommitmentsKept   int  `json:"commitments_kept"`
	CommitmentsMissed int  `json:"commitments_missed"`
	Overloaded        bool `json:"overloaded"`
}

// TimerKind names the rows that hold durable timers.
type TimerKind string

// Timer kinds: a conversation's SLA clocks, a commitment's reminder and due
// time, an escalation's response target.
const (
	TimerSLA        TimerKind = "sla"
	TimerCommitment TimerKind = "commitment"
	TimerEscalation TimerKind = "escalation"
)

// Timer is a due time stored on the row it belongs to. Firing it updates
// the row in the same transaction that records what happened, and moves
// or clears its due time, so a timer fires once however many nodes see it.
type Timer struct {
	Kind  TimerKind
	ID    string
	DueAt time.Time
}
