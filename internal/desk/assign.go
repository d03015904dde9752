package desk

import (
	"context"
	"slices"
	"strings"

	"kesher"
)

// routing is what assignment rules match a new conversation on.
type routing struct {
	channel   kesher.Channel
	mailboxID string
	reason    string
	language  string
	priority  kesher.Priority
}

func matches[T comparable](allowed []T, v T) bool {
	return len(allowed) == 0 || slices.Contains(allowed, v)
}

// rule returns the first active rule that matches, nil for none. A
// conversation that names its team only matches that team's rules.
func (s *rules) rule(teamID string, r routing) *kesher.AssignmentRule {
	for _, rule := range s.assignment {
		if teamID != "" && rule.TeamID != teamID {
			continue
		}
		if matches(rule.Channels, r.channel) && matches(rule.MailboxIDs, r.mailboxID) && matches(rule.Reasons, r.reason) &&
			matches(rule.Languages, r.language) && matches(rule.Priorities, r.priority) {
			return rule
		}
	}
	return nil
}

// assignment is an owner chosen for a new conversation, to record once
// the conversation is stored.
type assignment struct {
	data   map[string]any
	queued bool
}

// assign gives an ownerless open conversation an owner (P2). The first
// matching rule names the team and the strategy; a conversation that names
// a team no rule covers is shared least-loaded in that team. Among the
// team's active, available members under capacity, round robin takes the
// one after the rule's last pick, least-loaded the one with the fewest open
// conversations. When none is available the team's lead, its queue owner,
// takes it and is told; with no rule and no team it stays unowned, where
// the watchdog shows it. It changes conv in memory and returns nil when it
// chose no one.
func (d *Desk) assign(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, r routing) (*assignment, error) {
	// A replayed history (the demo) already says who took each
	// conversation, and when.
	if conv.OwnerID != "" || !conv.Status.Unsolved() || d.history {
		return nil, nil
	}
	snap, err := d.rules(ctx)
	if err != nil {
		return nil, err
	}
	rule := snap.rule(conv.TeamID, r)
	teamID, strategy := conv.TeamID, kesher.LeastLoaded
	if rule != nil {
		teamID, strategy = rule.TeamID, rule.Strategy
	}
	team, ok := snap.teams[teamID]
	if !ok {
		return nil, nil
	}
	conv.TeamID = team.ID
	pick, err := d.pickAgent(ctx, tx, team, rule, strategy, r.channel)
	if err != nil {
		return nil, err
	}
	queued := pick == ""
	if queued {
		pick = team.LeadID
	}
	if pick == "" {
		return nil, nil
	}
	conv.OwnerID = pick
	a := &assignment{data: map[string]any{"owner_id": pick, "team_id": team.ID, "strategy": strategy, "queued": queued}, queued: queued}
	if rule != nil {
		a.data["rule_id"] = rule.ID
	}
	return a, nil
}

// recordAssignment appends the assignment's event and tells a lead who got
// the conversation for want of an available agent.
func (d *Desk) recordAssignment(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, a *assignment) error {
	e := d.systemEvent(kesher.EventAssigned, a.data)
	e.ConversationID, e.CustomerID, e.CreatedAt = conv.ID, conv.CustomerID, conv.UpdatedAt
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	if a.queued {
		return d.notify(ctx, tx, kesher.NotifyQueued, conv, a.data, conv.OwnerID)
	}
	return nil
}

// pickAgent chooses among the team's available members, "" when none can
// take more work: none under their capacity or, for a chat, under the
// chat limit.
func (d *Desk) pickAgent(ctx context.Context, tx kesher.Tx, team *kesher.Team, rule *kesher.AssignmentRule, strategy kesher.Strategy, ch kesher.Channel) (string, error) {
	now := d.clock.Now()
	var candidates []*kesher.User
	for _, id := range team.MemberIDs {
		u, err := tx.User(ctx, id)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			continue
		}
		if err != nil {
			return "", err
		}
		if u.Active && d.availability(u, now) == kesher.Online {
			candidates = append(candidates, u)
		}
	}
	if len(candidates) == 0 {
		return "", nil
	}
	ids := make([]string, len(candidates))
	for i, u := range candidates {
		ids[i] = u.ID
	}
	open, err := tx.OpenCounts(ctx, ids)
	if err != nil {
		return "", err
	}
	candidates = slices.DeleteFunc(candidates, func(u *kesher.User) bool { return u.Capacity > 0 && open[u.ID] >= u.Capacity })
	if ch == kesher.ChannelChat {
		if candidates, err = d.underChatLimit(ctx, tx, candidates); err != nil {
			return "", err
		}
	}
	if len(candidates) == 0 {
		return "", nil
	}
	slices.SortFunc(candidates, func(a, b *kesher.User) int { return strings.Compare(a.ID, b.ID) })
	var pick *kesher.User
	if strategy == kesher.RoundRobin && rule != nil {
		pick, err = d.nextInTurn(ctx, tx, rule.ID, candidates)
		if err != nil {
			return "", err
		}
	} else {
		pick = slices.MinFunc(candidates, func(a, b *kesher.User) int { return open[a.ID] - open[b.ID] })
	}
	return pick.ID, nil
}

// nextInTurn takes the candidate after the rule's last pick (by id, in a
// circle) and records it. The rule is read again inside the transaction,
// so two intakes never take the same turn.
func (d *Desk) nextInTurn(ctx context.Context, tx kesher.Tx, ruleID string, candidates []*kesher.User) (*kesher.User, error) {
	rule, err := tx.AssignmentRule(ctx, ruleID)
	if err != nil {
		return nil, err
	}
	i, _ := slices.BinarySearchFunc(candidates, rule.LastUserID, func(u *kesher.User, id string) int { return strings.Compare(u.ID, id) })
	if i < len(candidates) && candidates[i].ID == rule.LastUserID {
		i++
	}
	pick := candidates[i%len(candidates)]
	rule.LastUserID = pick.ID
	return pick, tx.SaveAssignmentRule(ctx, rule)
}

// underChatLimit keeps the candidates who own fewer unsolved chats than
// the chat limit: a chat needs its agent's attention now, so a few at a
// time is all one person answers well (P12).
func (d *Desk) underChatLimit(ctx context.Context, tx kesher.Tx, candidates []*kesher.User) ([]*kesher.User, error) {
	var keep []*kesher.User
	for _, u := range candidates {
		n, err := tx.CountConversations(ctx, kesher.ConversationFilter{OwnerIDs: []string{u.ID}, Channels: []kesher.Channel{kesher.ChannelChat},
			Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold}}, d.chat.Limit)
		if err != nil {
			return nil, err
		}
		if n < d.chat.Limit {
			keep = append(keep, u)
		}
	}
	return keep, nil
}
