package desk

import (
	"context"

	"kesher"
)

// effects is what a new message means for who owes the customer what: the
// clocks it started or stopped (and any warning or breach already due), an
// owner chosen for a new conversation, a customer asking for a manager.
// onMessage works them out on the conversation in memory, so intake stores
// the conversation once; record writes what needs the conversation's row.
type effects struct {
	sla        []slaEvent
	assigned   *assignment
	escalation string // the customer's words asking for a manager
	// answeredBy is the agent who replied or noted, who may be answering
	// an escalation.
	answeredBy *kesher.User
}

// onMessage applies message m to conv's clocks and, for a new conversation
// (route not nil), its owner; managerAsk is what askedForManager found in
// it.
func (d *Desk) onMessage(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, m *kesher.Message, managerAsk string, route *routing) (*effects, error) {
	fx := &effects{escalation: managerAsk}
	if route != nil {
		a, err := d.assign(ctx, tx, conv, *route)
		if err != nil {
			return nil, err
		}
		fx.assigned = a
	}
	r, err := d.rules(ctx)
	if err != nil {
		return nil, err
	}
	k := r.clocksFor(conv)
	switch m.Direction {
	case kesher.Inbound:
		if k != nil {
			k.customerWrote(conv, m.CreatedAt)
		}
	case kesher.Outbound:
		if k != nil && conv.SLA != nil {
			k.agentReplied(conv.SLA, m.CreatedAt)
		}
		fx.answeredBy = kesher.ActorFrom(ctx)
	case kesher.Note:
		fx.answeredBy = kesher.ActorFrom(ctx)
	}
	if conv.SLA != nil {
		fx.sla = fire(conv.SLA, d.clock.Now())
	}
	return fx, nil
}

// record writes the effects once conv's row exists. It reports whether it
// changed conv again, so the caller saves it.
func (d *Desk) record(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, fx *effects) (bool, error) {
	if fx.assigned != nil {
		if err := d.recordAssignment(ctx, tx, conv, fx.assigned); err != nil {
			return false, err
		}
	}
	if err := d.recordSLA(ctx, tx, conv, fx.sla); err != nil {
		return false, err
	}
	if fx.answeredBy != nil {
		if err := d.escalationAnswered(ctx, tx, conv, fx.answeredBy); err != nil {
			return false, err
		}
	}
	if fx.escalation == "" || conv.Escalated || !conv.Status.Unsolved() {
		return false, nil
	}
	_, err := d.escalate(ctx, tx, conv, fx.escalation, kesher.EscalationCustomer)
	return err == nil, err
}
