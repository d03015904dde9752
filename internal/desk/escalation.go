package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
)

// Escalate raises a conversation to a lead (P13): the team's lead owns the
// escalation and owes the customer a response within the escalation
// target. While it is open, the conversation cannot be solved or closed.
func (d *Desk) Escalate(ctx context.Context, conversationID, reason string) (*kesher.Escalation, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var v kesher.Validation
	v.Check(reason != "", "reason", "required")
	v.Check(utf8.RuneCountInString(reason) <= MaxCommitmentText, "reason", "too_long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var esc *kesher.Escalation
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if !conv.Status.Unsolved() {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d is %s; there is nothing to escalate", conv.Number, conv.Status)
		}
		if conv.Escalated {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d is escalated already", conv.Number)
		}
		esc, err = d.escalate(ctx, tx, conv, reason, kesher.EscalationAgent)
		if err != nil {
			return err
		}
		return tx.UpdateConversation(ctx, conv)
	})
	return esc, err
}

// escalate opens an escalation on conv, which the caller saves.
func (d *Desk) escalate(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, reason string, source kesher.EscalationSource) (*kesher.Escalation, error) {
	owner, err := d.escalationOwner(ctx, tx, conv)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	_, by := actorOf(ctx)
	esc := &kesher.Escalation{
		ID: kesher.NewID(now), ConversationID: conv.ID, OwnerID: owner, Reason: reason, Source: source,
		DueAt: now.Add(d.cfg.EscalationTarget), CreatedBy: by, CreatedAt: now,
	}
	if err := tx.CreateEscalation(ctx, esc); err != nil {
		return nil, err
	}
	conv.Escalated, conv.UpdatedAt = true, now
	data := map[string]any{"escalation_id": esc.ID, "reason": reason, "source": source, "owner_id": owner, "due_at": esc.DueAt}
	e := d.event(ctx, kesher.EventEscalationOpened, data)
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	if err := tx.AppendEvent(ctx, e); err != nil {
		return nil, err
	}
	return esc, d.notify(ctx, tx, kesher.NotifyEscalation, conv, data, owner)
}

// escalationOwner is the lead of the conversation's team, else the acting
// lead or admin, else the desk's first active lead, else its first active
// admin: an escalation always has someone who answers for it.
func (d *Desk) escalationOwner(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation) (string, error) {
	r, err := d.rules(ctx)
	if err != nil {
		return "", err
	}
	if lead := r.lead(conv.TeamID); lead != "" {
		return lead, nil
	}
	if u := kesher.ActorFrom(ctx); u != nil && u.Role.AtLeast(kesher.RoleLead) {
		return u.ID, nil
	}
	var lead, admin string
	err = eachPage(func(p kesher.Page) (string, error) {
		users, next, err := tx.Users(ctx, p)
		for _, u := range users {
			switch {
			case !u.Active:
			case u.Role == kesher.RoleLead && lead == "":
				lead = u.ID
			case u.Role == kesher.RoleAdmin && admin == "":
				admin = u.ID
			}
		}
		if lead != "" {
			next = ""
		}
		return next, err
	})
	return orDefault(lead, admin), err
}

// escalationAnswered records the escalation owner's first reply or note as
// the response the target asks for.
func (d *Desk) escalationAnswered(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, actor *kesher.User) error {
	if !conv.Escalated || actor == nil {
		return nil
	}
	esc, err := tx.OpenEscalation(ctx, conv.ID)
	if err != nil || esc.OwnerID != actor.ID || !esc.RespondedAt.IsZero() {
		return err
	}
	esc.RespondedAt = d.clock.Now()
	if err := tx.UpdateEscalation(ctx, esc); err != nil {
		return err
	}
	e := d.event(ctx, kesher.EventEscalationAnswered, map[string]any{"escalation_id": esc.ID, "late": esc.RespondedAt.After(esc.DueAt)})
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	return tx.AppendEvent(ctx, e)
}

// ResolveEscalation closes a conversation's open escalation with a note of
// how it ended. Its owner, leads and admins may.
func (d *Desk) ResolveEscalation(ctx context.Context, conversationID, resolution string) (*kesher.Escalation, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	resolution = strings.TrimSpace(resolution)
	var v kesher.Validation
	v.Check(resolution != "", "resolution", "required")
	v.Check(utf8.RuneCountInString(resolution) <= MaxCommitmentText, "resolution", "too_long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var esc *kesher.Escalation
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if esc, err = tx.OpenEscalation(ctx, conv.ID); err != nil {
			if kesher.ErrorCode(err) == kesher.ECodeNotFound {
				return kesher.Errorf(kesher.ECodeConflict, "conversation %d has no open escalation", conv.Number)
			}
			return err
		}
		if actor != nil && !actor.Role.AtLeast(kesher.RoleLead) && actor.ID != esc.OwnerID {
			return kesher.Errorf(kesher.ECodeForbidden, "only the escalation's owner or a lead can resolve it")
		}
		now := d.clock.Now()
		esc.ResolvedAt, esc.Resolution = now, resolution
		if esc.RespondedAt.IsZero() {
			esc.RespondedAt = now
		}
		if err := tx.UpdateEscalation(ctx, esc); err != nil {
			return err
		}
		conv.Escalated, conv.UpdatedAt = false, now
		e := d.event(ctx, kesher.EventEscalationResolved, map[string]any{"escalation_id": esc.ID, "resolution": resolution})
		e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
		if err := tx.AppendEvent(ctx, e); err != nil {
			return err
		}
		return tx.UpdateConversation(ctx, conv)
	})
	return esc, err
}

// Escalations lists a conversation's escalations, oldest first.
func (d *Desk) Escalations(ctx context.Context, conversationID string) ([]*kesher.Escalation, error) {
	if _, err := d.Conversation(ctx, conversationID); err != nil {
		return nil, err
	}
	return d.store.Escalations(ctx, conversationID)
}

// fireEscalation records that the escalation's owner has not responded in
// time and tells them again.
func (d *Desk) fireEscalation(ctx context.Context, tx kesher.Tx, id string, now time.Time) error {
	esc, err := tx.Escalation(ctx, id)
	if err != nil || !esc.Open() || !esc.RespondedAt.IsZero() {
		return err
	}
	conv, err := tx.Conversation(ctx, esc.ConversationID)
	if err != nil {
		return err
	}
	esc.BreachedAt = esc.DueAt
	if err := tx.UpdateEscalation(ctx, esc); err != nil {
		return err
	}
	data := map[string]any{"escalation_id": esc.ID, "owner_id": esc.OwnerID, "due_at": esc.DueAt}
	e := d.systemEvent(kesher.EventEscalationBreached, data)
	e.ConversationID, e.CustomerID, e.CreatedAt = conv.ID, conv.CustomerID, now
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	return d.notify(ctx, tx, kesher.NotifyEscalationLate, conv, data, esc.OwnerID)
}
