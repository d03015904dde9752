package desk

import (
	"context"
	"time"

	"kesher"
)

// WatchCap bounds the watchdog's counts: the navigation shows "1000+"
// rather than counting further.
const WatchCap = 1000

// Watchdog counts the conversations of the watchdog's lists, each up to
// WatchCap: the lists named, or all of them.
func (d *Desk) Watchdog(ctx context.Context, kinds ...kesher.WatchKind) (map[kesher.WatchKind]int, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	if len(kinds) == 0 {
		kinds = kesher.WatchKinds
	}
	counts := make(map[kesher.WatchKind]int, len(kinds))
	for _, k := range kinds {
		var n int
		var err error
		if state, ok := commitmentView(k); ok {
			n, err = d.store.CountCommitmentConversations(ctx, d.commitmentFilter(state, kesher.Page{}), WatchCap)
		} else {
			n, err = d.store.CountWatch(ctx, k, WatchCap)
		}
		if err != nil {
			return nil, err
		}
		counts[k] = n
	}
	return counts, nil
}

// Watch lists the conversations of one watchdog list. The commitment lists
// hold the unsolved conversations with a commitment due or overdue, each
// once, as the counts count them.
func (d *Desk) Watch(ctx context.Context, kind kesher.WatchKind, p kesher.Page) ([]*kesher.Conversation, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	if !kind.Valid() {
		return nil, "", kesher.FieldError("kind", "invalid", "no watchdog list %q; the lists are %v", kind, kesher.WatchKinds)
	}
	state, ok := commitmentView(kind)
	if !ok {
		return d.store.Watch(ctx, kind, p)
	}
	return d.store.CommitmentConversations(ctx, d.commitmentFilter(state, p))
}

// WatchCommitments lists the commitments of a commitment watchdog list.
func (d *Desk) WatchCommitments(ctx context.Context, kind kesher.WatchKind, p kesher.Page) ([]*kesher.Commitment, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	state, ok := commitmentView(kind)
	if !ok {
		return nil, "", kesher.FieldError("kind", "invalid", "%q is not a list of commitments", kind)
	}
	return d.viewCommitments(d.store.Commitments(ctx, d.commitmentFilter(state, p)))
}

func (d *Desk) commitmentFilter(state kesher.CommitmentState, p kesher.Page) kesher.CommitmentFilter {
	return kesher.CommitmentFilter{State: state, Now: d.clock.Now(), Window: d.cfg.ReminderBefore, Page: p}
}

// commitmentView returns the commitment view a watchdog list shows.
func commitmentView(k kesher.WatchKind) (kesher.CommitmentState, bool) {
	switch k {
	case kesher.WatchCommitmentsDue:
		return kesher.CommitmentDue, true
	case kesher.WatchCommitmentsOverdue:
		return kesher.CommitmentOverdue, true
	}
	return "", false
}

// RateWindow is the period agents' kept and missed commitments are
// counted over.
const RateWindow = 30 * 24 * time.Hour

// AgentLoads is each active user's work (P12): open conversations against
// capacity, conversations handled and hard ones (escalated) since the start
// of the day in the desk's time zone, and the commitments they kept and
// missed in the last RateWindow (P4). Leads and admins only: it is a view
// for looking after the team.
func (d *Desk) AgentLoads(ctx context.Context) ([]*kesher.AgentLoad, error) {
	if _, err := require(ctx, kesher.RoleLead); err != nil {
		return nil, err
	}
	var users []*kesher.User
	err := eachPage(func(p kesher.Page) (string, error) {
		us, next, err := d.store.Users(ctx, p)
		for _, u := range us {
			if u.Active {
				users = append(users, u)
			}
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	open, err := d.store.OpenCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	handled, hard, err := d.store.WorkSince(ctx, startOfDay(now, d.cfg.Location))
	if err != nil {
		return nil, err
	}
	kept, missed, err := d.store.CommitmentOutcomes(ctx, now.Add(-RateWindow))
	if err != nil {
		return nil, err
	}
	loads := make([]*kesher.AgentLoad, len(users))
	for i, u := range users {
		l := &kesher.AgentLoad{
			UserID: u.ID, Availability: d.availability(u, now), Capacity: u.Capacity,
			Open: open[u.ID], HandledToday: handled[u.ID], HardToday: hard[u.ID],
			CommitmentsKept: kept[u.ID], CommitmentsMissed: missed[u.ID],
		}
		l.Overloaded = d.overloaded(l)
		loads[i] = l
	}
	return loads, nil
}

// overloaded flags an agent past their capacity, or without one, past the
// desk's default load, or with more hard conversations today than the
// desk's limit: the lead should step in before they burn out.
func (d *Desk) overloaded(l *kesher.AgentLoad) bool {
	capacity := l.Capacity
	if capacity == 0 {
		capacity = d.cfg.DefaultCapacity
	}
	return l.Open > capacity || l.HardToday >= d.cfg.HardPerDay
}

// availability is a user's availability with auto-away: an online user
// idle for longer than AutoAway is away.
func (d *Desk) availability(u *kesher.User, now time.Time) kesher.Availability {
	if u.Availability == kesher.Online && !u.LastSeenAt.IsZero() && now.Sub(u.LastSeenAt) > d.cfg.AutoAway {
		return kesher.Away
	}
	return u.Availability
}

func startOfDay(t time.Time, loc *time.Location) time.Time {
	y, m, day := t.In(loc).Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}
