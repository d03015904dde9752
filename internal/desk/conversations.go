package desk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/i18n"
)

// Conversation returns one conversation to any signed-in user.
func (d *Desk) Conversation(ctx context.Context, id string) (*kesher.Conversation, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Conversation(ctx, id)
}

// Conversations lists conversations, newest activity first.
func (d *Desk) Conversations(ctx context.Context, f kesher.ConversationFilter) ([]*kesher.Conversation, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	return d.store.Conversations(ctx, f)
}

// CountConversations counts the conversations f selects, up to max; the
// inbox shows "max+" when it returns max. f.Page is ignored.
func (d *Desk) CountConversations(ctx context.Context, f kesher.ConversationFilter, max int) (int, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return 0, err
	}
	return d.store.CountConversations(ctx, f, max)
}

// Messages lists a conversation's thread, oldest first.
func (d *Desk) Messages(ctx context.Context, conversationID string, p kesher.Page) ([]*kesher.Message, string, error) {
	if _, err := d.Conversation(ctx, conversationID); err != nil {
		return nil, "", err
	}
	return d.store.Messages(ctx, conversationID, p)
}

// Events lists a conversation's log (its timeline and audit trail).
func (d *Desk) Events(ctx context.Context, conversationID string, p kesher.Page) ([]*kesher.Event, string, error) {
	if _, err := d.Conversation(ctx, conversationID); err != nil {
		return nil, "", err
	}
	return d.store.Events(ctx, conversationID, p)
}

// UpdateConversation changes a conversation. Changing the owner of an
// unsolved conversation that has one is a hand-off (P2): it needs a briefing
// for the next owner and counts towards handoff_count. Agents may take an
// unowned conversation and hand off their own; leads and admins may
// reassign any. A closed conversation is final.
func (d *Desk) UpdateConversation(ctx context.Context, id string, up kesher.ConversationUpdate) (*kesher.Conversation, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	var v kesher.Validation
	if up.Status != nil {
		v.Check(up.Status.Valid(), "status", "invalid")
	}
	if up.Priority != nil {
		v.Check(up.Priority.Valid(), "priority", "invalid")
	}
	if up.Subject != nil {
		s := strings.TrimSpace(*up.Subject)
		up.Subject = &s
		v.Check(s != "", "subject", "required")
		v.Check(utf8.RuneCountInString(s) <= kesher.MaxSubject, "subject", "too_long")
	}
	if up.Tags != nil {
		tags, ok := normalizeTags(*up.Tags)
		v.Check(ok, "tags", "invalid")
		up.Tags = &tags
	}
	v.Check(utf8.RuneCountInString(up.Briefing) <= 10000, "briefing", "too_long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	var conv *kesher.Conversation
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Conversation(ctx, id)
		if err != nil {
			return err
		}
		if c.Status == kesher.StatusClosed {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d is closed; open a follow-up instead", c.Number)
		}
		if err := checkRefs(ctx, tx, deref(up.OwnerID), deref(up.TeamID), deref(up.Reason)); err != nil {
			return err
		}
		if up.Status != nil && (*up.Status == kesher.StatusSolved || *up.Status == kesher.StatusClosed) && c.Escalated {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d has an open escalation; resolve it before the conversation is %s", c.Number, *up.Status)
		}
		changes := map[string]change{}
		apply(changes, "priority", &c.Priority, up.Priority)
		apply(changes, "team_id", &c.TeamID, up.TeamID)
		if up.OwnerID != nil && *up.OwnerID != c.OwnerID {
			if err := d.changeOwner(ctx, tx, actor, c, *up.OwnerID, up.Briefing, up.TellCustomer); err != nil {
				return err
			}
		}
		if up.Status != nil && *up.Status != c.Status {
			changes["status"] = change{c.Status, *up.Status}
			d.setStatus(c, *up.Status)
			if !c.Status.Unsolved() {
				if err := d.settleCommitments(ctx, tx, c); err != nil {
					return err
				}
			}

		}
		apply(changes, "reason", &c.Reason, up.Reason)
		apply(changes, "subject", &c.Subject, up.Subject)
		if up.Tags != nil && !slices.Equal(*up.Tags, c.Tags) {
			changes["tags"] = change{c.Tags, *up.Tags}
			c.Tags = *up.Tags
		}
		// The survey asks about the conversation as it was solved: its
		// owner, team and reason after this change.
		if st, ok := changes["status"]; ok && st[1] == kesher.StatusSolved {
			if err := d.inviteToSurvey(ctx, tx, c); err != nil {
				return err
			}
		}
		conv = c
		if err := d.applySLA(ctx, tx, c, func(k *clocks) {
			now := d.clock.Now()
			_, priority := changes["priority"]
			_, team := changes["team_id"]
			if (priority || team) && c.SLA != nil {
				k.retarget(c.SLA, now)
			}
			if _, ok := changes["status"]; ok && c.SLA != nil {
				k.statusChanged(c.SLA, c.Status, now)
			}
		}); err != nil {
			return err
		}
		if len(changes) > 0 {
			e := d.event(ctx, kesher.EventConversationUpdated, map[string]any{"changes": changes})
			e.ConversationID, e.CustomerID = c.ID, c.CustomerID
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			c.UpdatedAt = d.clock.Now()
		}
		return tx.UpdateConversation(ctx, c)
	})
	return conv, err
}

// changeOwner moves c to newOwner and records it. No new owner, for an
// unsolved conversation, means the team's queue: assignment picks the owner
// there. Open commitments follow the conversation to its new owner; at
// the desk's alert count the team lead is told; and the customer can be
// told who handles the case now.
func (d *Desk) changeOwner(ctx context.Context, tx kesher.Tx, actor *kesher.User, c *kesher.Conversation, newOwner, briefing string, tellCustomer bool) error {
	if actor != nil && !actor.Role.AtLeast(kesher.RoleLead) {
		taking := c.OwnerID == "" && newOwner == actor.ID
		handingOn := c.OwnerID == actor.ID
		if !taking && !handingOn {
			return kesher.Errorf(kesher.ECodeForbidden, "only a lead can reassign a conversation another agent owns")
		}
	}
	handoff := c.Status.Unsolved() && c.OwnerID != ""
	briefing = strings.TrimSpace(briefing)
	if handoff && briefing == "" {
		return kesher.FieldError("briefing", "required", "handing conversation %d to a new owner needs a briefing: what the customer needs, what was tried, what was promised", c.Number)
	}
	if handoff && newOwner != "" {
		c.HandoffCount++
	}
	from := c.OwnerID
	var queued *assignment
	if newOwner == "" && c.Status.Unsolved() {
		c.OwnerID = ""
		a, err := d.assign(ctx, tx, c, routing{channel: c.Channel, reason: c.Reason, priority: c.Priority})
		if err != nil {
			return err
		}
		newOwner, queued = c.OwnerID, a
		if handoff && newOwner != "" {
			c.HandoffCount++
		}
	}
	e := d.event(ctx, kesher.EventOwnerChanged, map[string]any{
		"from": from, "to": newOwner, "briefing": briefing, "handoff_count": c.HandoffCount,
	})
	e.ConversationID, e.CustomerID = c.ID, c.CustomerID
	c.OwnerID = newOwner
	c.UpdatedAt = d.clock.Now()
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	if queued != nil {
		if err := d.recordAssignment(ctx, tx, c, queued); err != nil {
			return err
		}
	}
	if err := d.handOverCommitments(ctx, tx, c, newOwner); err != nil {
		return err
	}
	if handoff && newOwner != "" && c.HandoffCount >= d.cfg.HandoffAlert {
		if err := d.handoffAlert(ctx, tx, c); err != nil {
			return err
		}
	}
	if tellCustomer && handoff && newOwner != "" {
		return d.introduceOwner(ctx, tx, c)
	}
	return nil
}

// HandoffLevel says how alarming a conversation's hand-off count is: ""
// below the warning, "warn" one hand-off before the lead is alerted,
// "alarm" from the alert on (P2: around four, customers are furious).
func (d *Desk) HandoffLevel(count int) string {
	switch {
	case count >= d.cfg.HandoffAlert:
		return "alarm"
	case count == d.cfg.HandoffAlert-1:
		return "warn"
	}
	return ""
}

// handoffAlert tells the team lead that a customer has been passed on
// once too often (P2): around four hand-offs customers are furious.
func (d *Desk) handoffAlert(ctx context.Context, tx kesher.Tx, c *kesher.Conversation) error {
	r, err := d.rules(ctx)
	if err != nil {
		return err
	}
	data := map[string]any{"handoff_count": c.HandoffCount, "owner_id": c.OwnerID}
	e := d.systemEvent(kesher.EventHandoffAlert, data)
	e.ConversationID, e.CustomerID = c.ID, c.CustomerID
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	return d.notify(ctx, tx, kesher.NotifyHandoffs, c, data, r.lead(c.TeamID))
}

// setStatus changes the status and keeps SolvedAt true to it; a solved
// conversation that comes back counts as reopened.
func (d *Desk) setStatus(c *kesher.Conversation, s kesher.Status) {
	switch {
	case s == kesher.StatusSolved && c.Status != kesher.StatusSolved:
		c.SolvedAt = d.clock.Now()
	case s.Unsolved():
		if c.Status == kesher.StatusSolved {
			c.ReopenCount++
		}
		c.SolvedAt = time.Time{}
	}
	c.Status = s
}

// AddMessage adds a reply, an internal note or (from integrations) a
// customer message to a conversation. A customer message reopens a
// conversation that was waiting or solved; an agent's reply to an unowned
// conversation makes that agent its owner.
func (d *Desk) AddMessage(ctx context.Context, conversationID string, in NewMessage) (*kesher.Message, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, err
	}
	if in.Direction == "" {
		in.Direction = kesher.Outbound
	}
	in.managerAsk = askedForManager(in)
	var msg *kesher.Message
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Conversation(ctx, conversationID)
		if err != nil {
			return err
		}
		in.Channel = orDefault(in.Channel, c.Channel)
		if in.Template != "" && strings.TrimSpace(in.BodyText) == "" {
			in.BodyText = in.Template
		}
		var v kesher.Validation
		checkMessage(actor, in, d.clock.Now(), "", &v)
		v.Check(in.Template == "" || in.Direction == kesher.Outbound && in.Channel == kesher.ChannelWhatsApp, "template", "invalid")
		if err := v.Err(); err != nil {
			return err
		}
		if c.Status == kesher.StatusClosed && in.Direction != kesher.Note {
			return kesher.Errorf(kesher.ECodeConflict, "conversation %d is closed; only notes can be added", c.Number)
		}
		if in.Direction == kesher.Inbound {
			if err := d.reopenForCustomer(ctx, tx, c); err != nil {
				return err
			}
		}
		if in.Direction == kesher.Outbound && actor != nil && c.OwnerID == "" {
			if err := d.changeOwner(ctx, tx, actor, c, actor.ID, "", false); err != nil {
				return err
			}
		}
		if in.Direction == kesher.Outbound && in.Channel == kesher.ChannelEmail && c.Channel != kesher.ChannelEmail {
			// Answering by email a customer who came on another channel
			// (P1: they asked for it) needs their address.
			if err := d.checkHasEmail(ctx, tx, c); err != nil {
				return err
			}
		}
		if msg, err = d.appendMessage(ctx, tx, c, in); err != nil {
			return err
		}
		// A reply on the email or a messaging channel goes out on it,
		// except one that an import backdates, that another system already
		// sent (it has that system's id) or that a replayed history holds.
		if msg.Direction != kesher.Outbound || !in.CreatedAt.IsZero() || in.ExternalID != "" || d.history {
			return nil
		}
		// A chat's visitor who left an address while nobody was online
		// gets the reply by email as well.
		byEmail, err := repliesByEmail(ctx, tx, c)
		if err != nil {
			return err
		}
		switch {
		case msg.Channel == kesher.ChannelEmail || byEmail:
			return d.queueEmail(ctx, tx, c, msg)
		case IsMessaging(msg.Channel):
			return d.queueMessaging(ctx, tx, c, msg, in.Template)
		}
		return nil
	})
	return msg, err
}

// checkHasEmail refuses an email reply to a customer without an address.
func (d *Desk) checkHasEmail(ctx context.Context, q kesher.Queries, c *kesher.Conversation) error {
	cust, err := d.liveCustomer(ctx, q, c.CustomerID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(cust.Identities, func(id kesher.Identity) bool { return id.Kind == kesher.IdentityEmail }) {
		return kesher.FieldError("channel", "no_email", "%s has no email address to answer by email; add one to the customer first", cust.Name)
	}
	return nil
}

// reopenForCustomer opens a conversation that waited or was solved when
// its customer writes again, and records why.
func (d *Desk) reopenForCustomer(ctx context.Context, tx kesher.Tx, c *kesher.Conversation) error {
	if c.Status == kesher.StatusOpen {
		return nil
	}
	e := d.event(ctx, kesher.EventConversationUpdated, map[string]any{"changes": map[string]change{"status": {c.Status, kesher.StatusOpen}}, "cause": "customer_message"})
	e.ConversationID, e.CustomerID = c.ID, c.CustomerID
	d.setStatus(c, kesher.StatusOpen)
	if err := tx.AppendEvent(ctx, e); err != nil {
		return err
	}
	return d.applySLA(ctx, tx, c, func(k *clocks) {
		if c.SLA != nil {
			k.statusChanged(c.SLA, kesher.StatusOpen, d.clock.Now())
		}
	})
}

func apply[T comparable](changes map[string]change, field string, dst *T, src *T) {
	if src != nil && *dst != *src {
		changes[field] = change{*dst, *src}
		*dst = *src
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// introduceOwner tells the customer, in their language, who handles their
// request now. It is not an answer: the response clocks and the customer's
// waiting time stay as they were.
func (d *Desk) introduceOwner(ctx context.Context, tx kesher.Tx, c *kesher.Conversation) error {
	owner, err := tx.User(ctx, c.OwnerID)
	if err != nil {
		return err
	}
	cust, err := tx.Customer(ctx, c.CustomerID)
	if err != nil {
		return err
	}
	// An unknown language is Hebrew, the desk's first language.
	text := i18n.New(cust.Language, nil).T("handoff.tell_customer", "name", owner.Name)
	m := d.quietMessage(ctx, c, NewMessage{Direction: kesher.Outbound, BodyText: text})
	if err := d.recordMessage(ctx, tx, c, m); err != nil {
		return err
	}
	if m.Channel == kesher.ChannelEmail && !d.history {
		return d.queueEmail(ctx, tx, c, m)
	}
	return nil
}
