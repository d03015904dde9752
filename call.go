package kesher

import (
	"context"
	"time"
)

// CallEventType is what a telephone system reports about a call.
type CallEventType string

// Call event types, in the order a call lives them. Webhooks retry and
// arrive out of order, so a call is derived from the set of its events,
// never from the order they came in.
const (
	CallRinging  CallEventType = "ringing"
	CallAnswered CallEventType = "answered"
	CallEnded    CallEventType = "ended"
)

// CallEventTypes lists every call event type in a call's order.
var CallEventTypes = []CallEventType{CallRinging, CallAnswered, CallEnded}

// Valid reports whether t is a known call event type.
func (t CallEventType) Valid() bool { return oneOf(t, CallEventTypes) }

// CallDirection says who dialled.
type CallDirection string

// Call directions: the customer called the business, or the business
// called the customer.
const (
	CallInbound  CallDirection = "inbound"
	CallOutbound CallDirection = "outbound"
)

// Valid reports whether d is a known direction.
func (d CallDirection) Valid() bool { return d == CallInbound || d == CallOutbound }

// CallState is where a call stands, derived from its events.
type CallState string

// Call states: ringing (nobody answered yet, the caller still waits),
// answered (talking), completed (answered and ended) and missed (ended
// without an answer).
const (
	CallStateRinging   CallState = "ringing"
	CallStateAnswered  CallState = "answered"
	CallStateCompleted CallState = "completed"
	CallStateMissed    CallState = "missed"
)

// CallStates lists every state.
var CallStates = []CallState{CallStateRinging, CallStateAnswered, CallStateCompleted, CallStateMissed}

// DefaultAnswerTarget is how soon a phone call is to be answered (P3).
const DefaultAnswerTarget = 20 * time.Second

// CallEvent is one report of a telephone system, normalised: numbers in
// E.164, the agent resolved to a user. A call holds at most one event of
// each type; a repeat of one is the same report retried.
type CallEvent struct {
	CallID    string        `json:"call_id"`
	Type      CallEventType `json:"type"`
	At        time.Time     `json:"at"`
	From      string        `json:"from,omitempty"`
	To        string        `json:"to,omitempty"`
	Direction CallDirection `json:"direction,omitempty"`
	AgentID   string        `json:"agent_id,omitempty"`
	Queue     string        `json:"queue,omitempty"`
	// QueueWaitSeconds is the caller's wait as the telephone system
	// measured it; nil when it did not say.
	QueueWaitSeconds *int   `json:"queue_wait_seconds,omitempty"`
	RecordingURL     string `json:"recording_url,omitempty"`
}

// Call is one phone call, part of a conversation on the phone channel and
// so of its customer's timeline (P1). Its fields are derived from its
// events by Derive.
type Call struct {
	ID             string        `json:"id"`
	ExternalID     string        `json:"call_id"`
	ConversationID string        `json:"conversation_id"`
	MessageID      string        `json:"message_id"`
	Direction      CallDirection `json:"direction"`
	From           string        `json:"from"`
	To             string        `json:"to"`
	AgentID        string        `json:"agent_id"`
	Queue          string        `json:"queue"`
	State          CallState     `json:"state"`
	StartedAt      time.Time     `json:"started_at"`
	AnsweredAt     time.Time     `json:"answered_at"`
	EndedAt        time.Time     `json:"ended_at"`
	// QueueWaitSeconds is the telephone system's own measure, when given.
	QueueWaitSeconds *int `json:"queue_wait_seconds"`
	// AnswerSeconds is how long the caller waited for an answer; nil until
	// the call is answered. AnsweredWithinTarget compares it with
	// AnswerTargetSeconds; it is false for a missed call and nil while
	// the call still rings.
	AnswerSeconds        *int  `json:"answer_seconds"`
	AnswerTargetSeconds  int   `json:"answer_target_seconds"`
	AnsweredWithinTarget *bool `json:"answered_within_target"`
	// WaitSeconds is how long the caller waited in all: until the answer,
	// or until they hung up on a missed call.
	WaitSeconds     int    `json:"wait_seconds"`
	DurationSeconds int    `json:"duration_seconds"`
	RecordingURL    string `json:"recording_url"`
	// CallbackID is the commitment to call back after a missed call.
	CallbackID string    `json:"callback_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Derive sets the call's state, times and details from the set of its
// events, whatever order they arrived in, measuring the answer against
// target. A detail given by several events is taken from the latest in
// the call's order (ringing, answered, ended) that gives it.
func (c *Call) Derive(events []*CallEvent, target time.Duration) {
	byType := map[CallEventType]*CallEvent{}
	for _, e := range events {
		byType[e.Type] = e
	}
	for _, t := range CallEventTypes {
		e, ok := byType[t]
		if !ok {
			continue
		}
		c.Direction = orValue(e.Direction, c.Direction)
		c.From, c.To = orValue(e.From, c.From), orValue(e.To, c.To)
		c.AgentID, c.Queue = orValue(e.AgentID, c.AgentID), orValue(e.Queue, c.Queue)
		c.RecordingURL = orValue(e.RecordingURL, c.RecordingURL)
		if e.QueueWaitSeconds != nil {
			c.QueueWaitSeconds = e.QueueWaitSeconds
		}
	}
	if c.Direction == "" {
		c.Direction = CallInbound
	}
	ringing, answered, ended := byType[CallRinging], byType[CallAnswered], byType[CallEnded]
	c.AnsweredAt, c.EndedAt = time.Time{}, time.Time{}
	if answered != nil {
		c.AnsweredAt = answered.At
	}
	if ended != nil {
		c.EndedAt = ended.At
	}
	// The call started when it rang; without that report, the answer's
	// own wait tells when it rang, else the earliest report does.
	switch {
	case ringing != nil:
		c.StartedAt = ringing.At
	case answered != nil && c.QueueWaitSeconds != nil:
		c.StartedAt = answered.At.Add(-time.Duration(*c.QueueWaitSeconds) * time.Second)
	case answered != nil:
		c.StartedAt = answered.At
	default:
		c.StartedAt = ended.At
	}
	c.AnswerTargetSeconds = int(target / time.Second)
	c.AnswerSeconds, c.AnsweredWithinTarget, c.DurationSeconds = nil, nil, 0
	switch {
	case answered != nil:
		c.State = CallStateAnswered
		if ended != nil {
			c.State = CallStateCompleted
			c.DurationSeconds = wholeSeconds(c.EndedAt.Sub(c.AnsweredAt))
		}
		wait := wholeSeconds(c.AnsweredAt.Sub(c.StartedAt))
		within := wait <= c.AnswerTargetSeconds
		c.AnswerSeconds, c.WaitSeconds, c.AnsweredWithinTarget = &wait, wait, &within
	case ended != nil:
		c.State = CallStateMissed
		c.WaitSeconds = wholeSeconds(c.EndedAt.Sub(c.StartedAt))
		within := false
		c.AnsweredWithinTarget = &within
	default:
		c.State = CallStateRinging
	}
}

// Missed reports whether the call ended without an answer.
func (c *Call) Missed() bool { return c.State == CallStateMissed }

// wholeSeconds rounds a span to whole seconds, never below zero: reports of one
// call from clocks a little apart must not make a negative wait.
func wholeSeconds(d time.Duration) int { return int(max(d, 0).Round(time.Second) / time.Second) }

func orValue[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// CallFilter selects calls; empty fields do not filter. From and To bound
// when the call started, [From, To).
type CallFilter struct {
	ConversationID string
	AgentID        string
	Missed         *bool
	From, To       time.Time
	Page           Page
}

// Call event types of the log.
const (
	EventCallStarted  = "call.started"
	EventCallAnswered = "call.answered"
	EventCallMissed   = "call.missed"
	EventCallEnded    = "call.ended"
)

// Calls reads phone calls.
type Calls interface {
	Call(ctx context.Context, id string) (*Call, error)
	// CallByExternalID finds a call by the telephone system's call id.
	CallByExternalID(ctx context.Context, externalID string) (*Call, error)
	// Calls lists the calls f selects by start, newest first.
	Calls(ctx context.Context, f CallFilter) ([]*Call, string, error)
	// CallEvents returns the events recorded for a call, by their time.
	CallEvents(ctx context.Context, callID string) ([]*CallEvent, error)
}

// CallsTx writes phone calls.
type CallsTx interface {
	// CreateCall inserts a call; a taken external id is ECodeConflict.
	CreateCall(ctx context.Context, c *Call) error
	// UpdateCall saves every derived field of a call.
	UpdateCall(ctx context.Context, c *Call) error
	// AddCallEvent records an event of a call; a second event of the same
	// type for the call is ECodeConflict.
	AddCallEvent(ctx context.Context, callID string, e *CallEvent, receivedAt time.Time) error
}
