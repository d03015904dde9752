package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/promise"
)

// MaxCommitmentText bounds a commitment's text.
const MaxCommitmentText = 1000

// NewCommitment is a promise to record on a conversation.
type NewCommitment struct {
	Text  string
	DueAt time.Time
	// OwnerID defaults to the conversation's owner, else the actor.
	OwnerID string
	// MessageID is the reply the promise was made in, if any.
	MessageID string
}

// CreateCommitment records a promise made to the customer (P4). It is
// reminded to its owner before it is due, and alerted to the team lead
// when it is missed.
func (d *Desk) CreateCommitment(ctx context.Context, conversationID string, in NewCommitment) (*kesher.Commitment, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	in.Text = strings.TrimSpace(in.Text)
	var v kesher.Validation
	v.Check(in.Text != "", "text", "required")
	v.Check(utf8.RuneCountInString(in.Text) <= MaxCommitmentText, "text", "too_long")
	v.Check(!in.DueAt.IsZero(), "due_at", "required")
	v.Check(in.DueAt.IsZero() || in.DueAt.After(now), "due_at", "in_past")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var c *kesher.Commitment
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		conv, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		if !conv.Status.Unsolved() {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d is %s; reopen it to promise more", conv.Number, conv.Status)
		}
		owner := in.OwnerID
		if owner == "" {
			owner = conv.OwnerID
		}
		if owner == "" && actor != nil {
			owner = actor.ID
		}
		if err := checkRefs(ctx, tx, owner, "", ""); err != nil {
			return err
		}
		if owner == "" {
			return kesher.FieldError("owner_id", "required", "a commitment needs an owner; conversation %d has none", conv.Number)
		}
		if in.MessageID != "" {
			if m, err := tx.Message(ctx, in.MessageID); err != nil || m.ConversationID != conv.ID {
				return kesher.FieldError("message_id", "unknown", "no message %s in conversation %d", in.MessageID, conv.Number)
			}
		}
		_, by := actorOf(ctx)
		c = &kesher.Commitment{
			ID: kesher.NewID(now), ConversationID: conv.ID, OwnerID: owner, Text: in.Text, DueAt: in.DueAt.UTC(),
			State: kesher.CommitmentOpen, MessageID: in.MessageID, CreatedBy: by, CreatedAt: now,
		}
		c.NextTimerAt = d.reminderAt(c)
		if err := tx.CreateCommitment(ctx, c); err != nil {
			return err
		}
		e := d.event(ctx, kesher.EventCommitmentCreated, map[string]any{
			"commitment_id": c.ID, "text": c.Text, "due_at": c.DueAt, "owner_id": c.OwnerID,
		})
		e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
		return tx.AppendEvent(ctx, e)
	})
	return c, err
}

// reminderAt is when a new commitment reminds its owner: ReminderBefore
// ahead of its due time, or at the due time itself when that is sooner
// than a reminder would be useful.
func (d *Desk) reminderAt(c *kesher.Commitment) time.Time {
	at := c.DueAt.Add(-d.cfg.ReminderBefore)
	if !at.After(c.CreatedAt) {
		return c.DueAt
	}
	return at
}

// Commitments lists commitments by due time.
func (d *Desk) Commitments(ctx context.Context, f kesher.CommitmentFilter) ([]*kesher.Commitment, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	if f.ConversationID != "" {
		if _, err := d.store.Conversation(ctx, f.ConversationID); err != nil {
			return nil, "", err
		}
	}
	f.Now, f.Window = d.clock.Now(), d.cfg.ReminderBefore
	return d.viewCommitments(d.store.Commitments(ctx, f))
}

// viewCommitments shows open commitments as the lists filter them: due
// within the reminder window, or overdue.
func (d *Desk) viewCommitments(cs []*kesher.Commitment, next string, err error) ([]*kesher.Commitment, string, error) {
	now := d.clock.Now()
	for _, c := range cs {
		c.State = c.View(now, d.cfg.ReminderBefore)
	}
	return cs, next, err
}

// ResolveCommitment closes a commitment as kept or cancelled. One kept
// after its due time is recorded as missed: the customer waited longer than
// promised. Its owner, the conversation's owner, leads and admins may.
func (d *Desk) ResolveCommitment(ctx context.Context, id string, state kesher.CommitmentState) (*kesher.Commitment, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	if state != kesher.CommitmentKept && state != kesher.CommitmentCancelled {
		return nil, kesher.FieldError("state", "invalid", "a commitment is resolved as kept or cancelled")
	}
	var c *kesher.Commitment
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		if c, err = tx.Commitment(ctx, id); err != nil {
			return err
		}
		conv, err := tx.Conversation(ctx, c.ConversationID)
		if err != nil {
			return err
		}
		if actor != nil && !actor.Role.AtLeast(kesher.RoleLead) && actor.ID != c.OwnerID && actor.ID != conv.OwnerID {
			return kesher.Errorf(kesher.ECodeForbidden, "only its owner or a lead can resolve this commitment")
		}
		if c.State != kesher.CommitmentOpen {
			return kesher.Errorf(kesher.ECodeConflict, "the commitment is %s already", c.State)
		}
		now := d.clock.Now()
		resolve(c, state, now)
		if err := tx.UpdateCommitment(ctx, c); err != nil {
			return err
		}
		e := d.event(ctx, kesher.EventCommitmentResolved, map[string]any{"commitment_id": c.ID, "state": c.State, "due_at": c.DueAt})
		e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
		return tx.AppendEvent(ctx, e)
	})
	return c, err
}

// fireCommitment reminds the owner of a commitment coming due, then, once
// it is overdue, tells the owner and the team lead.
func (d *Desk) fireCommitment(ctx context.Context, tx kesher.Tx, id string, now time.Time) error {
	c, err := tx.Commitment(ctx, id)
	if err != nil || c.State != kesher.CommitmentOpen {
		return err
	}
	conv, err := tx.Conversation(ctx, c.ConversationID)
	if err != nil {
		return err
	}
	typ, kind := kesher.EventCommitmentReminded, kesher.NotifyCommitmentDue
	to := []string{c.OwnerID}
	if now.Before(c.DueAt) {
		c.RemindedAt, c.NextTimerAt = now, c.DueAt
	} else {
		typ, kind = kesher.EventCommitmentOverdue, kesher.NotifyCommitmentOverdue
		c.EscalatedAt, c.NextTimerAt = now, time.Time{}
		r, err := d.rules(ctx)
		if err != nil {
			return err
		}
		to = append(to, r.lead(conv.TeamID))
	}
	if err := tx.UpdateCommitment(ctx, c); err != nil {
		return err
	}
	data := map[string]any{"commitment_id": c.ID, "text": c.Text, "due_at": c.DueAt, "owner_id": c.OwnerID}
	e := d.systemEvent(typ, data)
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	return d.notify(ctx, tx, kind, conv, data, to...)
}

// handOverCommitments gives the open commitments of a conversation to its
// new owner: a promise is the desk's, and whoever holds the conversation
// keeps it.
func (d *Desk) handOverCommitments(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, to string) error {
	if to == "" {
		return nil
	}
	return eachOpenCommitment(ctx, tx, conv.ID, func(c *kesher.Commitment) error {
		if c.OwnerID == to {
			return nil
		}
		c.OwnerID = to
		return tx.UpdateCommitment(ctx, c)
	})
}

// settleCommitments resolves the open commitments of a conversation being
// solved or closed: the customer has their answer, so a promise not yet
// due was kept and one past due was missed. Nothing stays to be reminded
// of on a finished conversation.
func (d *Desk) settleCommitments(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation) error {
	now := d.clock.Now()
	return eachOpenCommitment(ctx, tx, conv.ID, func(c *kesher.Commitment) error {
		resolve(c, kesher.CommitmentKept, now)
		if err := tx.UpdateCommitment(ctx, c); err != nil {
			return err
		}
		e := d.event(ctx, kesher.EventCommitmentResolved, map[string]any{"commitment_id": c.ID, "state": c.State, "due_at": c.DueAt, "cause": conv.Status})
		e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
		return tx.AppendEvent(ctx, e)
	})
}

// resolve ends an open commitment as kept or cancelled at now; kept after
// its due time, it was missed: the customer waited longer than promised.
func resolve(c *kesher.Commitment, state kesher.CommitmentState, now time.Time) {
	c.State, c.ResolvedAt, c.NextTimerAt = state, now, time.Time{}
	if state == kesher.CommitmentKept && now.After(c.DueAt) {
		c.State = kesher.CommitmentMissed
	}
}

// eachOpenCommitment calls fn with each open commitment of a conversation.
func eachOpenCommitment(ctx context.Context, tx kesher.Tx, conversationID string, fn func(*kesher.Commitment) error) error {
	return eachPage(func(p kesher.Page) (string, error) {
		cs, next, err := tx.Commitments(ctx, kesher.CommitmentFilter{ConversationID: conversationID, State: kesher.CommitmentOpen, Page: p})
		for _, c := range cs {
			if err != nil {
				break
			}
			err = fn(c)
		}
		return next, err
	})
}

// Proposal is a promise found in a reply, offered to the agent as a
// commitment (definite) or flagged for naming a time (vague).
type Proposal struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	// DueAt is nil for a vague promise.
	DueAt *time.Time `json:"due_at"`
	// Language is "he" or "en".
	Language string `json:"language"`
}

// ProposeCommitments reads the promises in a reply an agent wrote or is
// writing, with due times in the agent's time zone.
func (d *Desk) ProposeCommitments(ctx context.Context, text string) ([]Proposal, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	if len(text) > kesher.MaxBodyText {
		return nil, kesher.FieldError("text", "too_long", "the text is longer than a message may be")
	}
	loc := d.cfg.Location
	if actor != nil {
		if l, err := time.LoadLocation(actor.TimeZone); err == nil {
			loc = l
		}
	}
	out := []Proposal{}
	for _, p := range promise.Find(text, promise.Options{Now: d.clock.Now(), Location: loc}) {
		prop := Proposal{Kind: string(p.Kind), Text: p.Text, Language: p.Language}
		if p.Kind == promise.Definite {
			due := p.Due.UTC()
			prop.DueAt = &due
		}
		out = append(out, prop)
	}
	return out, nil
}
