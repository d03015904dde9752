package desk

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/detect"
)

// NewConversation is a request to open a conversation with its first message.
type NewConversation struct {
	Customer CustomerRef
	Subject  string
	Channel  kesher.Channel
	Priority kesher.Priority
	TeamID   string
	OwnerID  string
	Reason   string
	Tags     []string
	Message  NewMessage
	// CreatedAt backdates an import; only admins may set it.
	CreatedAt time.Time
	// alsoRecord, when set, runs in intake's Write once the conversation
	// exists, for a record that must commit with it (the help centre's
	// contact form notes the visitor's contact).
	alsoRecord func(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation) error
}

// NewMessage is a message to add to a conversation.
type NewMessage struct {
	// Direction defaults to inbound for a new conversation (the customer
	// wrote) and to outbound for a message added by an agent.
	Direction   kesher.Direction
	BodyText    string
	BodyHTML    string
	Attachments []kesher.Attachment
	ExternalID  string
	// Channel defaults to the conversation's channel.
	Channel kesher.Channel
	// Template names the approved WhatsApp template a reply sends instead
	// of free text, the only kind WhatsApp allows outside its window; the
	// message's text defaults to its name.
	Template string
	// CreatedAt backdates an import; only admins may set it.
	CreatedAt time.Time
	// managerAsk holds the words of an inbound message asking for a
	// manager, found before the Write (see askedForManager).
	managerAsk string
}

// askedForManager finds, in an inbound message, the customer asking for a
// manager. It runs before the Write: the reading costs more than the rest
// of a message's rules, and a Write's work is serial in the group commit.
func askedForManager(m NewMessage) string {
	if m.Direction != kesher.Inbound {
		return ""
	}
	match, _ := detect.ManagerRequest(m.BodyText)
	return match.Text
}

// maxIntakeRetries bounds retries when two requests race to create the same
// customer identity; the loser sees the winner's customer on retry.
const maxIntakeRetries = 3

// CreateConversation opens a conversation with its first message, finding
// or creating the customer from any identity given (P1). Customer, identity,
// conversation, message and their events commit together or not at all.
func (d *Desk) CreateConversation(ctx context.Context, in NewConversation) (*kesher.Conversation, *kesher.Message, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, nil, err
	}
	in.Subject = strings.TrimSpace(in.Subject)
	if in.Priority == "" {
		in.Priority = kesher.PriorityNormal
	}
	if in.Message.Direction == "" {
		in.Message.Direction = kesher.Inbound
	}
	var v kesher.Validation
	ids := in.Customer.identities("customer.", &v)
	v.Check(in.Customer.ID != "" || len(ids) > 0, "customer", "required")
	v.Check(utf8.RuneCountInString(in.Subject) <= kesher.MaxSubject, "subject", "too_long")
	v.Check(in.Channel.Valid(), "channel", "invalid")
	v.Check(in.Priority.Valid(), "priority", "invalid")
	tags, ok := normalizeTags(in.Tags)
	v.Check(ok, "tags", "invalid")
	checkCreatedAt(actor, in.CreatedAt, d.clock.Now(), "created_at", &v)
	in.Message.Channel = orDefault(in.Message.Channel, in.Channel)
	checkMessage(actor, in.Message, d.clock.Now(), "message.", &v)
	if err := v.Err(); err != nil {
		return nil, nil, err
	}
	in.Message.managerAsk = askedForManager(in.Message)
	for attempt := 1; ; attempt++ {
		conv, msg, err := d.createConversation(ctx, in, ids, tags)
		if kesher.ErrorCode(err) != kesher.ECodeConflict || attempt == maxIntakeRetries || in.Message.ExternalID != "" {
			return conv, msg, err
		}
	}
}

func (d *Desk) createConversation(ctx context.Context, in NewConversation, ids []kesher.Identity, tags []string) (*kesher.Conversation, *kesher.Message, error) {
	var conv *kesher.Conversation
	var msg *kesher.Message
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		conv, msg, err = d.openConversation(ctx, tx, in, ids, tags)
		return err
	})
	return conv, msg, err
}

// openConversation is intake inside tx: it finds or creates the customer
// and stores the conversation with its first message, their events and
// what they set off (assignment, clocks, escalation).
func (d *Desk) openConversation(ctx context.Context, tx kesher.Tx, in NewConversation, ids []kesher.Identity, tags []string) (*kesher.Conversation, *kesher.Message, error) {
	if err := checkRefs(ctx, tx, in.OwnerID, in.TeamID, in.Reason); err != nil {
		return nil, nil, err
	}
	cust, err := d.resolveCustomer(ctx, tx, in.Customer, ids)
	if err != nil {
		return nil, nil, err
	}
	number, err := tx.NextConversationNumber(ctx)
	if err != nil {
		return nil, nil, err
	}
	now := d.clock.Now()
	created := timeOr(in.CreatedAt, now)
	conv := &kesher.Conversation{
		ID: kesher.NewID(created), Number: number, Subject: in.Subject, Status: kesher.StatusOpen,
		Priority: in.Priority, Channel: in.Channel, CustomerID: cust.ID, OwnerID: in.OwnerID,
		TeamID: in.TeamID, Reason: in.Reason, Tags: tags, CreatedAt: created, UpdatedAt: created,
	}
	if conv.Subject == "" {
		conv.Subject = subjectFrom(in.Message.BodyText)
	}
	// The first message's activity fields go into the conversation's
	// insert: an update right after it would rewrite every index of the
	// row, the largest single cost of intake.
	msg := d.newMessage(ctx, conv, in.Message)
	fx, err := d.onMessage(ctx, tx, conv, msg, in.Message.managerAsk, &routing{
		channel: conv.Channel, reason: conv.Reason, language: cust.Language, priority: conv.Priority,
	})
	if err != nil {
		return nil, nil, err
	}
	if err := tx.CreateConversation(ctx, conv); err != nil {
		return nil, nil, err
	}
	e := d.event(ctx, kesher.EventConversationCreated, map[string]any{
		"number": number, "subject": conv.Subject, "channel": conv.Channel, "priority": conv.Priority,
		"owner_id": conv.OwnerID, "team_id": conv.TeamID, "reason": conv.Reason, "tags": conv.Tags,
	})
	e.ConversationID, e.CustomerID, e.CreatedAt = conv.ID, cust.ID, created
	if err := tx.AppendEvent(ctx, e); err != nil {
		return nil, nil, err
	}
	if err := d.recordMessage(ctx, tx, conv, msg); err != nil {
		return nil, nil, err
	}
	if in.alsoRecord != nil {
		if err := in.alsoRecord(ctx, tx, conv); err != nil {
			return nil, nil, err
		}
	}
	changed, err := d.record(ctx, tx, conv, fx)
	if err != nil {
		return nil, nil, err
	}
	if changed {
		err = tx.UpdateConversation(ctx, conv)
	}
	return conv, msg, err
}

// appendMessage stores a message in conv with its event and saves the
// conversation's new activity fields, in the same transaction.
func (d *Desk) appendMessage(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, in NewMessage) (*kesher.Message, error) {
	m := d.newMessage(ctx, conv, in)
	fx, err := d.onMessage(ctx, tx, conv, m, in.managerAsk, nil)
	if err != nil {
		return nil, err
	}
	if err := d.recordMessage(ctx, tx, conv, m); err != nil {
		return nil, err
	}
	if _, err := d.record(ctx, tx, conv, fx); err != nil {
		return nil, err
	}
	return m, tx.UpdateConversation(ctx, conv)
}

// newMessage makes the message in for conv and applies it to conv's
// activity fields (count, last message time, excerpt, waiting since) in
// memory.
func (d *Desk) newMessage(ctx context.Context, conv *kesher.Conversation, in NewMessage) *kesher.Message {
	created := timeOr(in.CreatedAt, d.clock.Now())
	m := &kesher.Message{
		ID: kesher.NewID(created), ConversationID: conv.ID, Direction: in.Direction,
		Channel: orDefault(in.Channel, conv.Channel), BodyText: in.BodyText, BodyHTML: d.sanitize(in.BodyHTML),
		Attachments: in.Attachments, ExternalID: in.ExternalID, CreatedAt: created,
	}
	if m.Attachments == nil {
		m.Attachments = []kesher.Attachment{}
	}
	if m.Direction == kesher.Inbound {
		m.AuthorType, m.AuthorID = kesher.AuthorCustomer, conv.CustomerID
	} else {
		m.AuthorType, m.AuthorID = actorOf(ctx)
	}
	conv.MessageCount++
	if !created.Before(conv.LastMessageAt) {
		conv.LastMessageAt = created
		if m.Direction != kesher.Note {
			conv.Excerpt = excerpt(m.BodyText)
		}
	}
	if created.After(conv.UpdatedAt) {
		conv.UpdatedAt = created
	}
	switch {
	case m.Direction == kesher.Inbound && conv.WaitingSince.IsZero():
		conv.WaitingSince = created
	case m.Direction == kesher.Outbound:
		conv.WaitingSince = time.Time{}
	}
	return m
}

// recordMessage stores m and appends its event.
func (d *Desk) recordMessage(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, m *kesher.Message) error {
	if err := tx.CreateMessage(ctx, m); err != nil {
		return err
	}
	e := d.event(ctx, kesher.EventMessageAdded, map[string]any{"direction": m.Direction, "channel": m.Channel})
	e.ConversationID, e.CustomerID, e.MessageID, e.CreatedAt = conv.ID, conv.CustomerID, m.ID, m.CreatedAt
	e.ActorType, e.ActorID = m.AuthorType, m.AuthorID
	return tx.AppendEvent(ctx, e)
}

// checkRefs reports owner, team and reason references that do not exist.
func checkRefs(ctx context.Context, q kesher.Queries, ownerID, teamID, reason string) error {
	var v kesher.Validation
	if ownerID != "" {
		u, err := q.User(ctx, ownerID)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		v.Check(err == nil && u.Active, "owner_id", "unknown")
	}
	if teamID != "" {
		_, err := q.Team(ctx, teamID)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		v.Check(err == nil, "team_id", "unknown")
	}
	if reason != "" {
		r, err := q.Reason(ctx, reason)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return err
		}
		v.Check(err == nil && r.Active, "reason", "unknown")
	}
	return v.Err()
}

// checkMessage validates a new message; field names get prefix.
func checkMessage(actor *kesher.User, m NewMessage, now time.Time, prefix string, v *kesher.Validation) {
	v.Check(m.Direction.Valid(), prefix+"direction", "invalid")
	v.Check(m.Channel.Valid(), prefix+"channel", "invalid")
	v.Check(strings.TrimSpace(m.BodyText) != "" || strings.TrimSpace(m.BodyHTML) != "" || len(m.Attachments) > 0, prefix+"body_text", "required")
	v.Check(len(m.BodyText) <= kesher.MaxBodyText, prefix+"body_text", "too_long")
	v.Check(len(m.BodyHTML) <= kesher.MaxBodyHTML, prefix+"body_html", "too_long")
	v.Check(len(m.Attachments) <= kesher.MaxAttachments, prefix+"attachments", "too_many")
	for _, a := range m.Attachments {
		v.Check(a.Filename != "" && a.Size >= 0 && len(a.SHA256) == 64, prefix+"attachments", "invalid")
	}
	v.Check(len(m.ExternalID) <= 500, prefix+"external_id", "too_long")
	checkCreatedAt(actor, m.CreatedAt, now, prefix+"created_at", v)
}

// checkCreatedAt allows a backdated creation time only to admins (imports
// and backfills), and never in the future.
func checkCreatedAt(actor *kesher.User, at, now time.Time, field string, v *kesher.Validation) {
	if at.IsZero() {
		return
	}
	if actor != nil && actor.Role != kesher.RoleAdmin {
		v.Add(field, "admin_only")
		return
	}
	v.Check(!at.After(now.Add(time.Minute)), field, "in_future")
}

// normalizeTags trims, lower-cases, de-duplicates and sorts tags. A tag is
// at most 64 characters without commas; a conversation has at most 50.
func normalizeTags(in []string) ([]string, bool) {
	out := []string{}
	for _, t := range in {
		t = strings.ToLower(strings.TrimSpace(t))
		if t == "" || utf8.RuneCountInString(t) > 64 || strings.ContainsAny(t, ",\n") {
			return nil, false
		}
		out = append(out, t)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	return out, len(out) <= 50
}

// subjectFrom makes a subject from the first line of a message.
func subjectFrom(body string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(body), "\n")
	return truncate(strings.TrimSpace(line), 80)
}

// excerpt is the start of a message for lists, on one line.
func excerpt(body string) string {
	// 160 characters need at most the first few hundred bytes; a long
	// email's body would otherwise be split into words inside the write.
	const enough = 2048
	if len(body) > enough {
		cut := enough
		for cut > 0 && !utf8.RuneStart(body[cut]) {
			cut--
		}
		body = body[:cut]
	}
	return truncate(strings.Join(strings.Fields(body), " "), 160)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

func timeOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t.UTC()
}
