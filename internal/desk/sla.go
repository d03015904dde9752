package desk

import (
	"context"
	"time"

	"kesher"
)

// meter measures a clock's time: the open hours of a business calendar, or
// every second for calendar-time targets.
type meter interface {
	Add(from time.Time, d time.Duration) time.Time
	Between(from, to time.Time) time.Duration
}

// wallTime counts every second.
type wallTime struct{}

func (wallTime) Add(from time.Time, d time.Duration) time.Time { return from.Add(d) }
func (wallTime) Between(from, to time.Time) time.Duration {
	return max(to.Sub(from), 0)
}

// slaEvent is a clock passing its warning share or missing its target.
type slaEvent struct {
	typ   string
	clock kesher.SLAClock
}

// clocks applies a conversation's SLA policy: it knows the targets and how
// to measure them. Its methods change conv.SLA in memory; the caller saves
// the conversation, which stores the clocks and their next timer.
type clocks struct {
	policy *kesher.SLAPolicy
	target kesher.SLATarget
	meter  meter
	share  float64
}

// clocksFor returns the clocks of conv under the rules, nil when no policy
// covers it.
func (s *rules) clocksFor(conv *kesher.Conversation) *clocks {
	p := s.policy(conv.TeamID)
	if p == nil {
		return nil
	}
	t, ok := p.Target(conv.Channel, conv.Priority)
	if !ok {
		return nil
	}
	k := &clocks{policy: p, target: t, meter: wallTime{}, share: p.WarnShare}
	if t.BusinessHours {
		k.meter = s.schedule(conv.TeamID)
	}
	if k.share <= 0 || k.share >= 1 {
		k.share = kesher.DefaultWarnShare
	}
	return k
}

// customerWrote starts the clocks a customer's message starts: the first
// response and resolution the first time, a next response after the desk
// has answered, and it resumes clocks paused while the customer was away.
func (k *clocks) customerWrote(conv *kesher.Conversation, at time.Time) {
	if conv.SLA == nil {
		conv.SLA = &kesher.SLA{PolicyID: k.policy.ID, Clocks: []kesher.SLAClock{}}
	}
	k.resume(conv.SLA, at)
	first := conv.SLA.Clock(kesher.SLAFirstResponse)
	switch {
	case first == nil:
		k.start(conv.SLA, kesher.SLAFirstResponse, at)
	case !first.StoppedAt.IsZero():
		if next := conv.SLA.Clock(kesher.SLANextResponse); next == nil || !next.StoppedAt.IsZero() {
			k.start(conv.SLA, kesher.SLANextResponse, at)
		}
	}
	if conv.SLA.Clock(kesher.SLAResolution) == nil {
		k.start(conv.SLA, kesher.SLAResolution, at)
	}
}

// start begins a fresh clock for metric m at time at, replacing a stopped
// one of the same metric (the log keeps how the last one ended).
func (k *clocks) start(s *kesher.SLA, m kesher.SLAMetric, at time.Time) {
	target := k.target.Seconds(m)
	if target <= 0 {
		return
	}
	c := kesher.SLAClock{Metric: m, Target: target, Business: k.target.BusinessHours, StartedAt: at, RunningSince: at}
	k.plan(&c)
	if old := s.Clock(m); old != nil {
		*old = c
		return
	}
	s.Clocks = append(s.Clocks, c)
}

// plan sets when a running clock warns and breaches, from what it has left.
func (k *clocks) plan(c *kesher.SLAClock) {
	left := c.Target - c.Spent
	c.DueAt = k.meter.Add(c.RunningSince, max(left, 0))
	if c.WarnedAt.IsZero() {
		warnLeft := time.Duration(float64(c.Target)*k.share) - c.Spent
		c.WarnAt = k.meter.Add(c.RunningSince, max(warnLeft, 0))
	}
}

// agentReplied stops the response clocks: the customer has an answer.
func (k *clocks) agentReplied(s *kesher.SLA, at time.Time) {
	for _, m := range []kesher.SLAMetric{kesher.SLAFirstResponse, kesher.SLANextResponse} {
		if c := s.Clock(m); c != nil && c.StoppedAt.IsZero() {
			k.stop(c, at)
		}
	}
}

// statusChanged pauses every clock while the desk waits on the customer,
// stops them all when the conversation is solved or closed, and resumes
// them (the resolution clock too, for a reopened conversation) when it is
// open again.
func (k *clocks) statusChanged(s *kesher.SLA, to kesher.Status, at time.Time) {
	switch to {
	case kesher.StatusPending:
		for i := range s.Clocks {
			k.pause(&s.Clocks[i], at)
		}
	case kesher.StatusSolved, kesher.StatusClosed:
		for i := range s.Clocks {
			if s.Clocks[i].StoppedAt.IsZero() {
				k.stop(&s.Clocks[i], at)
			}
		}
	default:
		if res := s.Clock(kesher.SLAResolution); res != nil && !res.StoppedAt.IsZero() {
			res.StoppedAt = time.Time{}
		}
		k.resume(s, at)
	}
}

func (k *clocks) pause(c *kesher.SLAClock, at time.Time) {
	if !c.Running() {
		return
	}
	c.Spent += k.meter.Between(c.RunningSince, at)
	c.RunningSince, c.WarnAt, c.DueAt = time.Time{}, time.Time{}, time.Time{}
}

func (k *clocks) stop(c *kesher.SLAClock, at time.Time) {
	k.pause(c, at)
	c.StoppedAt = at
}

// resume restarts the paused clocks that have not stopped.
func (k *clocks) resume(s *kesher.SLA, at time.Time) {
	for i := range s.Clocks {
		c := &s.Clocks[i]
		if c.Running() || !c.StoppedAt.IsZero() {
			continue
		}
		c.RunningSince = at
		k.plan(c)
	}
}

// retarget applies the policy's targets after a change of channel,
// priority or team: running clocks get their new target and are planned
// again from what they have spent; stopped ones keep their history.
func (k *clocks) retarget(s *kesher.SLA, at time.Time) {
	s.PolicyID = k.policy.ID
	kept := s.Clocks[:0]
	for _, c := range s.Clocks {
		if c.StoppedAt.IsZero() {
			target := k.target.Seconds(c.Metric)
			if target <= 0 {
				continue
			}
			running := c.Running()
			k.pause(&c, at)
			c.Target, c.Business = target, k.target.BusinessHours
			if running {
				c.RunningSince = at
				k.plan(&c)
			}
		}
		kept = append(kept, c)
	}
	s.Clocks = kept
}

// fire records the warnings and breaches due at now and returns them.
// They are dated when they were due, not when the scheduler got to them.
func fire(s *kesher.SLA, now time.Time) []slaEvent {
	var out []slaEvent
	for i := range s.Clocks {
		c := &s.Clocks[i]
		if !c.Running() {
			continue
		}
		if c.WarnedAt.IsZero() && !c.WarnAt.IsZero() && !c.WarnAt.After(now) && c.WarnAt.Before(c.DueAt) {
			c.WarnedAt = c.WarnAt
			out = append(out, slaEvent{kesher.EventSLAWarning, *c})
		}
		if c.BreachedAt.IsZero() && !c.DueAt.After(now) {
			c.BreachedAt = c.DueAt
			if c.WarnedAt.IsZero() {
				c.WarnedAt = c.DueAt
			}
			out = append(out, slaEvent{kesher.EventSLABreached, *c})
		}
	}
	return out
}

// applySLA brings conv's clocks up to date after a change: the change
// itself (apply), then any warning or breach already due.
func (d *Desk) applySLA(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, apply func(*clocks)) error {
	r, err := d.rules(ctx)
	if err != nil {
		return err
	}
	k := r.clocksFor(conv)
	if k == nil {
		return nil
	}
	apply(k)
	if conv.SLA == nil {
		return nil
	}
	return d.recordSLA(ctx, tx, conv, fire(conv.SLA, d.clock.Now()))
}

// recordSLA appends the events of warnings and breaches.
func (d *Desk) recordSLA(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, evs []slaEvent) error {
	for _, ev := range evs {
		at := ev.clock.WarnedAt
		if ev.typ == kesher.EventSLABreached {
			at = ev.clock.BreachedAt
		}
		e := d.systemEvent(ev.typ, map[string]any{
			"metric": ev.clock.Metric, "target_seconds": int64(ev.clock.Target / time.Second),
			"business_hours": ev.clock.Business, "due_at": ev.clock.DueAt, "owner_id": conv.OwnerID,
		})
		e.ConversationID, e.CustomerID, e.CreatedAt = conv.ID, conv.CustomerID, at
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// systemEvent builds an event of the desk itself (timers, rules), whoever
// caused the change that led to it.
func (d *Desk) systemEvent(typ string, data any) *kesher.Event {
	e := d.event(context.Background(), typ, data)
	e.ActorType, e.ActorID = kesher.AuthorSystem, ""
	return e
}
