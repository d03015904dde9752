package kesher

import (
	"encoding/json"
	"math"
	"time"
)

// SLAMetric names one of a conversation's service-level clocks.
type SLAMetric string

// The three clocks (P3). First response runs from the customer's first
// message to the desk's first reply; next response from each later
// customer message the desk has not answered to the reply that answers it;
// resolution from the first message until the conversation is solved.
const (
	SLAFirstResponse SLAMetric = "first_response"
	SLANextResponse  SLAMetric = "next_response"
	SLAResolution    SLAMetric = "resolution"
)

// SLAMetrics lists the clocks in the order they are shown.
var SLAMetrics = []SLAMetric{SLAFirstResponse, SLANextResponse, SLAResolution}

// SLAState sums up a conversation's clocks, or tells one clock's state.
type SLAState string

// SLA states, from best to worst. Paused means every clock that still runs
// waits for the customer; "" means no clock runs and none was missed.
const (
	SLAOK       SLAState = "ok"
	SLAPaused   SLAState = "paused"
	SLAWarning  SLAState = "warning"
	SLABreached SLAState = "breached"
	// SLAMet is a stopped clock that stopped in time; it is a clock's
	// state, never a conversation's.
	SLAMet SLAState = "met"
)

// DefaultWarnShare is the share of a target after which a clock warns.
const DefaultWarnShare = 0.75

// SLATarget is the time a policy allows for each clock of the conversations
// it matches. Empty Channel or Priority match any; zero seconds mean no
// target for that clock. BusinessHours measures against the team's business
// calendar; otherwise the clock counts every second (chat and phone).
type SLATarget struct {
	Channel              Channel  `json:"channel"`
	Priority             Priority `json:"priority"`
	FirstResponseSeconds int64    `json:"first_response_seconds"`
	NextResponseSeconds  int64    `json:"next_response_seconds"`
	ResolutionSeconds    int64    `json:"resolution_seconds"`
	BusinessHours        bool     `json:"business_hours"`
}

// Seconds returns the target for one clock, zero for none.
func (t SLATarget) Seconds(m SLAMetric) time.Duration {
	switch m {
	case SLAFirstResponse:
		return time.Duration(t.FirstResponseSeconds) * time.Second
	case SLANextResponse:
		return time.Duration(t.NextResponseSeconds) * time.Second
	case SLAResolution:
		return time.Duration(t.ResolutionSeconds) * time.Second
	}
	return 0
}

// SLAPolicy holds the targets for a team's conversations, or with no
// TeamID the default for conversations whose team has no policy.
type SLAPolicy struct {
	ID        string      `json:"id"`
	Name      string      `json:"name"`
	TeamID    string      `json:"team_id"`
	WarnShare float64     `json:"warn_share"`
	Targets   []SLATarget `json:"targets"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Target returns the most specific target matching a channel and
// priority: one naming both beats one naming either, which beats a catch-all.
func (p *SLAPolicy) Target(ch Channel, pr Priority) (SLATarget, bool) {
	best, bestScore := SLATarget{}, -1
	for _, t := range p.Targets {
		if (t.Channel != "" && t.Channel != ch) || (t.Priority != "" && t.Priority != pr) {
			continue
		}
		score := 0
		if t.Channel != "" {
			score += 2
		}
		if t.Priority != "" {
			score++
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	return best, bestScore >= 0
}

// SLAClock is one running, paused or stopped clock of a conversation.
type SLAClock struct {
	Metric SLAMetric `json:"metric"`
	// Target and Spent are written as target_seconds and spent_seconds.
	Target time.Duration `json:"-"`
	// Business says the clock counts the team calendar's open hours only.
	Business bool `json:"business"`
	// Spent is the time counted before RunningSince: a paused clock keeps
	// what it had spent when it was paused.
	Spent        time.Duration `json:"-"`
	StartedAt    time.Time     `json:"started_at"`
	RunningSince time.Time     `json:"running_since"`
	// WarnAt and DueAt are when a running clock warns and breaches; zero
	// while it is paused or stopped.
	WarnAt     time.Time `json:"warn_at"`
	DueAt      time.Time `json:"due_at"`
	WarnedAt   time.Time `json:"warned_at"`
	BreachedAt time.Time `json:"breached_at"`
	StoppedAt  time.Time `json:"stopped_at"`
}

// MarshalJSON writes the target and the time spent in seconds, as the
// API's other durations are.
func (c SLAClock) MarshalJSON() ([]byte, error) {
	type plain SLAClock
	return json.Marshal(struct {
		plain
		Target float64 `json:"target_seconds"`
		Spent  float64 `json:"spent_seconds"`
	}{plain(c), c.Target.Seconds(), c.Spent.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *SLAClock) UnmarshalJSON(b []byte) error {
	type plain SLAClock
	var in struct {
		plain
		Target float64 `json:"target_seconds"`
		Spent  float64 `json:"spent_seconds"`
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*c = SLAClock(in.plain)
	c.Target, c.Spent = seconds(in.Target), seconds(in.Spent)
	return nil
}

// seconds converts back exactly what Duration.Seconds gave, for durations
// up to weeks: the nearest whole nanosecond.
func seconds(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }

// Running reports whether the clock counts now.
func (c *SLAClock) Running() bool { return !c.RunningSince.IsZero() }

// State returns the clock's state.
func (c *SLAClock) State() SLAState {
	switch {
	case !c.BreachedAt.IsZero():
		return SLABreached
	case !c.StoppedAt.IsZero():
		return SLAMet
	case !c.Running():
		return SLAPaused
	case !c.WarnedAt.IsZero():
		return SLAWarning
	}
	return SLAOK
}

// NextTimer returns when the clock next needs attention (its warning, then
// its breach), zero when it needs none.
func (c *SLAClock) NextTimer() time.Time {
	if !c.Running() || !c.BreachedAt.IsZero() {
		return time.Time{}
	}
	if c.WarnedAt.IsZero() && !c.WarnAt.IsZero() {
		return c.WarnAt
	}
	return c.DueAt
}

// SLA is the state of a conversation's clocks under its policy.
type SLA struct {
	PolicyID string     `json:"policy_id"`
	Clocks   []SLAClock `json:"clocks"`
}

// Clock returns the clock of a metric, or nil.
func (s *SLA) Clock(m SLAMetric) *SLAClock {
	if s == nil {
		return nil
	}
	for i := range s.Clocks {
		if s.Clocks[i].Metric == m {
			return &s.Clocks[i]
		}
	}
	return nil
}

// State is the conversation's SLA state, the worst of its clocks that still
// need someone: breached, then warning, then ok, then paused when every
// clock left waits for the customer, and "" when none is left. A clock that
// missed its target and has since stopped is no one's task any more, so it
// no longer counts here; its breach stays in the clock and the log.
func (s *SLA) State() SLAState {
	if s == nil {
		return ""
	}
	state := SLAState("")
	rank := map[SLAState]int{"": 0, SLAMet: 0, SLAPaused: 1, SLAOK: 2, SLAWarning: 3, SLABreached: 4}
	for i := range s.Clocks {
		c := &s.Clocks[i]
		st := c.State()
		if st == SLABreached && !c.StoppedAt.IsZero() {
			// A missed target that has since stopped no longer needs
			// anyone's attention; reports keep it in the clock.
			continue
		}
		if rank[st] > rank[state] {
			state = st
		}
	}
	return state
}

// NextTimer returns the earliest time any clock needs attention.
func (s *SLA) NextTimer() time.Time {
	var next time.Time
	if s == nil {
		return next
	}
	for i := range s.Clocks {
		if t := s.Clocks[i].NextTimer(); !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	return next
}

// dueOf returns when a metric's running clock is due, nil for none.
func (s *SLA) dueOf(m SLAMetric) *time.Time {
	c := s.Clock(m)
	if c == nil || c.DueAt.IsZero() || !c.StoppedAt.IsZero() {
		return nil
	}
	t := c.DueAt
	return &t
}

// MarshalJSON writes the contract's summary (the due time of each running
// clock and the state) beside the clocks themselves.
func (s *SLA) MarshalJSON() ([]byte, error) {
	type clocks SLA
	return json.Marshal(struct {
		FirstResponseDueAt *time.Time `json:"first_response_due_at"`
		NextResponseDueAt  *time.Time `json:"next_response_due_at"`
		ResolutionDueAt    *time.Time `json:"resolution_due_at"`
		State              SLAState   `json:"state"`
		*clocks
	}{s.dueOf(SLAFirstResponse), s.dueOf(SLANextResponse), s.dueOf(SLAResolution), s.State(), (*clocks)(s)})
}

// SLA event types: a clock passed its warning share, missed its target, or
// was met.
const (
	EventSLAWarning  = "sla.warning"
	EventSLABreached = "sla.breached"
)
