package web

import (
	"time"

	"kesher"
)

// slaSummary is what a list row says of a conversation's service-level
// clocks: the state, and the time left to the clock due next or how long
// the late one is overdue. The zero summary (no State) means no clock
// needs anyone.
type slaSummary struct {
	State kesher.SLAState
	// Left is the time to the next due time; Over the time past it. At
	// most one is set, and neither for a paused conversation.
	Left, Over time.Duration
	Due        time.Time
}

// summarise reads a conversation's clocks at now. A clock that missed its
// target counts first, since someone owes the customer an answer already;
// otherwise the running clock due soonest. A running clock whose due time
// has passed before the timers noticed reads as overdue, not as time left.
func summarise(s *kesher.SLA, now time.Time) slaSummary {
	sum := slaSummary{State: s.State()}
	if sum.State == "" || sum.State == kesher.SLAPaused {
		return sum
	}
	var late, next *kesher.SLAClock
	for i := range s.Clocks {
		c := &s.Clocks[i]
		if !c.StoppedAt.IsZero() {
			continue
		}
		if !c.BreachedAt.IsZero() {
			if late == nil || dueOf(c).Before(dueOf(late)) {
				late = c
			}
			continue
		}
		if c.Running() && !c.DueAt.IsZero() && (next == nil || c.DueAt.Before(next.DueAt)) {
			next = c
		}
	}
	switch {
	case late != nil:
		sum.Due = dueOf(late)
	case next != nil:
		sum.Due = next.DueAt
	default:
		return sum
	}
	if d := sum.Due.Sub(now); d > 0 {
		sum.Left = d
	} else {
		sum.Over = -d
	}
	return sum
}

// dueOf is when a clock was or is due: its due time, or for a breached
// clock that no longer runs (it waits for the customer) the moment it
// breached.
func dueOf(c *kesher.SLAClock) time.Time {
	if !c.DueAt.IsZero() {
		return c.DueAt
	}
	return c.BreachedAt
}

// clockView is one clock of the conversation page's SLA panel.
type clockView struct {
	Metric   kesher.SLAMetric
	State    kesher.SLAState
	Target   time.Duration
	Business bool
	// Due is when a running or breached clock is due; Left and Over as in
	// slaSummary. Stopped is when a met or missed clock stopped.
	Due        time.Time
	Left, Over time.Duration
	Stopped    time.Time
}

// clockViews lists a conversation's clocks in the order of
// kesher.SLAMetrics.
func clockViews(s *kesher.SLA, now time.Time) []clockView {
	var out []clockView
	for _, m := range kesher.SLAMetrics {
		c := s.Clock(m)
		if c == nil {
			continue
		}
		v := clockView{Metric: m, State: c.State(), Target: c.Target, Business: c.Business, Stopped: c.StoppedAt}
		if c.StoppedAt.IsZero() && (c.Running() || !c.BreachedAt.IsZero()) {
			v.Due = dueOf(c)
			if d := v.Due.Sub(now); d > 0 {
				v.Left = d
			} else {
				v.Over = -d
			}
		}
		out = append(out, v)
	}
	return out
}
