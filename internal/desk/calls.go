package desk

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/i18n"
)

// Phone calls (P1, P2, P3). A telephone system reports each call as
// events (ringing, answered, ended) that webhooks retry and deliver out of
// order, so the desk records each event once per call and type and
// derives the call from the set. A call lives in its caller's open phone
// conversation, else in a new one, as one message that describes it; its
// answer is measured against the answer target, and a missed call becomes
// a commitment to call back with an owner and a due time.

// CallConfig tunes phone calls.
type CallConfig struct {
	// AnswerTarget is how soon a call is to be answered. Default 20
	// seconds.
	AnswerTarget time.Duration
	// CallbackWithin is how long after a missed call its callback is due.
	// Default 1 hour.
	CallbackWithin time.Duration
}

func (c CallConfig) withDefaults() CallConfig {
	c.AnswerTarget = orDefault(c.AnswerTarget, kesher.DefaultAnswerTarget)
	c.CallbackWithin = orDefault(c.CallbackWithin, time.Hour)
	return c
}

// CallReport is one event as a telephone system sends it: numbers in any
// Israeli or E.164 form, the agent by id or by email.
type CallReport struct {
	CallID           string
	Type             kesher.CallEventType
	At               time.Time
	From, To         string
	Direction        kesher.CallDirection
	AgentID          string
	AgentEmail       string
	Queue            string
	QueueWaitSeconds *int
	RecordingURL     string
}

// Limits of a call report.
const (
	maxCallID       = 200
	maxCallQueue    = 200
	maxCallNumber   = 50
	maxRecordingURL = 2000
	maxQueueWait    = 24 * 60 * 60
)

// RecordCallEvent records one event of a call and returns the call as
// its events now make it. A repeat of an event the call has (the same
// call id and type) changes nothing and returns the call. Bad input is
// ECodeValidation naming every bad field, and records nothing.
func (d *Desk) RecordCallEvent(ctx context.Context, in CallReport) (*kesher.Call, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	ev, err := d.checkCallReport(ctx, in)
	if err != nil {
		return nil, err
	}
	// Two events of a new call arriving at once race to create it (and
	// its customer); the loser finds the winner's call on retry.
	for attempt := 1; ; attempt++ {
		call, err := d.recordCallEvent(ctx, ev)
		if kesher.ErrorCode(err) != kesher.ECodeConflict || attempt == maxIntakeRetries {
			return call, err
		}
	}
}

// checkCallReport validates a report and normalises it into an event. A
// time ahead of the desk's clock (a telephone system's clock a little
// fast) counts as now.
func (d *Desk) checkCallReport(ctx context.Context, in CallReport) (*kesher.CallEvent, error) {
	ev := &kesher.CallEvent{CallID: strings.TrimSpace(in.CallID), Type: in.Type, At: in.At.UTC(), Direction: in.Direction,
		Queue: strings.TrimSpace(in.Queue), QueueWaitSeconds: in.QueueWaitSeconds, RecordingURL: strings.TrimSpace(in.RecordingURL)}
	var v kesher.Validation
	v.Check(ev.CallID != "", "call_id", "required")
	v.Check(utf8.RuneCountInString(ev.CallID) <= maxCallID, "call_id", "too_long")
	v.Check(ev.Type != "", "type", "required")
	v.Check(ev.Type == "" || ev.Type.Valid(), "type", "invalid")
	v.Check(!in.At.IsZero(), "at", "required")
	v.Check(ev.Direction == "" || ev.Direction.Valid(), "direction", "invalid")
	v.Check(utf8.RuneCountInString(ev.Queue) <= maxCallQueue, "queue", "too_long")
	v.Check(in.QueueWaitSeconds == nil || (*in.QueueWaitSeconds >= 0 && *in.QueueWaitSeconds <= maxQueueWait), "queue_wait_seconds", "invalid")
	v.Check(len(ev.RecordingURL) <= maxRecordingURL, "recording_url", "too_long")
	v.Check(ev.RecordingURL == "" || webURL(ev.RecordingURL), "recording_url", "invalid")
	// The customer's number must be a phone number; the business's side
	// may be an extension or a line name, kept as given.
	customerSide := "from"
	if ev.Direction == kesher.CallOutbound {
		customerSide = "to"
	}
	for _, side := range []struct {
		field string
		raw   string
		out   *string
	}{{"from", in.From, &ev.From}, {"to", in.To, &ev.To}} {
		raw := strings.TrimSpace(side.raw)
		if raw == "" {
			continue
		}
		n, err := kesher.NormalizeIdentity(kesher.IdentityPhone, raw)
		switch {
		case err == nil:
			*side.out = n
		case side.field == customerSide:
			v.Add(side.field, "invalid")
		case utf8.RuneCountInString(raw) > maxCallNumber:
			v.Add(side.field, "too_long")
		default:
			*side.out = raw
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if now := d.clock.Now(); ev.At.After(now) {
		ev.At = now
	}
	agent, err := d.callAgent(ctx, in)
	if err != nil {
		return nil, err
	}
	ev.AgentID = agent
	return ev, nil
}

// callAgent finds the report's agent by id or email; "" when it names none.
func (d *Desk) callAgent(ctx context.Context, in CallReport) (string, error) {
	field, find := "agent_id", func() (*kesher.User, error) { return d.store.User(ctx, strings.TrimSpace(in.AgentID)) }
	switch {
	case strings.TrimSpace(in.AgentID) != "":
	case strings.TrimSpace(in.AgentEmail) != "":
		field, find = "agent_email", func() (*kesher.User, error) {
			return d.store.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(in.AgentEmail)))
		}
	default:
		return "", nil
	}
	u, err := find()
	if kesher.ErrorCode(err) == kesher.ECodeNotFound || (err == nil && !u.Active) {
		return "", kesher.FieldError(field, "unknown", "no active user is %s", strings.TrimSpace(in.AgentID+in.AgentEmail))
	}
	if err != nil {
		return "", err
	}
	return u.ID, nil
}

// webURL reports whether s is an absolute http or https address.
func webURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func (d *Desk) recordCallEvent(ctx context.Context, ev *kesher.CallEvent) (*kesher.Call, error) {
	var out *kesher.Call
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		call, err := tx.CallByExternalID(ctx, ev.CallID)
		var events []*kesher.CallEvent
		var prev kesher.CallState
		switch {
		case kesher.ErrorCode(err) == kesher.ECodeNotFound:
			call = &kesher.Call{ID: kesher.NewID(now), ExternalID: ev.CallID, CreatedAt: now}
		case err != nil:
			return err
		default:
			prev = call.State
			if events, err = tx.CallEvents(ctx, call.ID); err != nil {
				return err
			}
			if slices.ContainsFunc(events, func(e *kesher.CallEvent) bool { return e.Type == ev.Type }) {
				out = call
				return nil
			}
		}
		call.Derive(append(events, ev), d.calls.AnswerTarget)
		call.UpdatedAt = now
		var conv *kesher.Conversation
		if prev == "" {
			conv, err = d.callConversation(ctx, tx, call)
		} else {
			conv, err = tx.Conversation(ctx, call.ConversationID)
		}
		if err != nil {
			return err
		}
		if err := d.callChanged(ctx, tx, conv, call, prev); err != nil {
			return err
		}
		if prev == "" {
			err = tx.CreateCall(ctx, call)
		} else {
			err = tx.UpdateCall(ctx, call)
		}
		if err != nil {
			return err
		}
		if err := tx.AddCallEvent(ctx, call.ID, ev, now); err != nil {
			return err
		}
		if err := d.describeCall(ctx, tx, conv, call); err != nil {
			return err
		}
		out = call
		return tx.UpdateConversation(ctx, conv)
	})
	return out, err
}

// callConversation puts a new call in its customer's story (P1): the
// customer is found or created by the phone number, and the call becomes
// a message of their newest unsolved phone conversation, so that calls
// about one request (a missed call, the callback, a second call) read as
// one thread; with none, it opens a conversation. A new conversation goes
// to the team the call's queue names, and to the agent the call reached.
func (d *Desk) callConversation(ctx context.Context, tx kesher.Tx, call *kesher.Call) (*kesher.Conversation, error) {
	number := call.From
	if call.Direction == kesher.CallOutbound {
		number = call.To
	}
	if number == "" {
		field := map[kesher.CallDirection]string{kesher.CallInbound: "from", kesher.CallOutbound: "to"}[call.Direction]
		return nil, kesher.FieldError(field, "required", "the first event of call %s needs the customer's number", call.ExternalID)
	}
	ids := []kesher.Identity{{Kind: kesher.IdentityPhone, Value: number}}
	cust, err := d.resolveCustomer(ctx, tx, CustomerRef{Phone: number}, ids)
	if err != nil {
		return nil, err
	}
	msgCtx := ctx
	if call.Direction == kesher.CallOutbound && call.AgentID != "" {
		// The agent spoke to the customer, not the integration that
		// reported it.
		agent, err := tx.User(ctx, call.AgentID)
		if err != nil {
			return nil, err
		}
		msgCtx = kesher.WithActor(ctx, agent)
	}
	direction := kesher.Inbound
	if call.Direction == kesher.CallOutbound {
		direction = kesher.Outbound
	}
	loc := i18n.New(orDefault(cust.Language, i18n.Hebrew), nil)
	body, err := d.callSummary(ctx, tx, loc, call)
	if err != nil {
		return nil, err
	}
	msg := NewMessage{Direction: direction, BodyText: body, Channel: kesher.ChannelPhone, CreatedAt: call.StartedAt}
	open, _, err := tx.Conversations(ctx, kesher.ConversationFilter{CustomerID: cust.ID, Channels: []kesher.Channel{kesher.ChannelPhone},
		Statuses: []kesher.Status{kesher.StatusOpen, kesher.StatusPending, kesher.StatusOnHold}, Page: kesher.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(open) > 0 {
		conv := open[0]
		m, err := d.appendMessage(msgCtx, tx, conv, msg)
		if err != nil {
			return nil, err
		}
		call.ConversationID, call.MessageID = conv.ID, m.ID
		return conv, nil
	}
	r, err := d.rules(ctx)
	if err != nil {
		return nil, err
	}
	conv, m, err := d.openConversation(msgCtx, tx, NewConversation{
		Customer: CustomerRef{ID: cust.ID}, Subject: loc.T("call.subject."+string(call.Direction), "number", number),
		Channel: kesher.ChannelPhone, Priority: kesher.PriorityNormal, TeamID: r.teamNamed(call.Queue), OwnerID: call.AgentID,
		Message: msg, CreatedAt: call.StartedAt,
	}, nil, []string{})
	if err != nil {
		return nil, err
	}
	call.ConversationID, call.MessageID = conv.ID, m.ID
	return conv, nil
}

// teamNamed returns the team a call queue names, by id or by name in any
// case; "" when none does.
func (s *rules) teamNamed(queue string) string {
	if queue == "" {
		return ""
	}
	if _, ok := s.teams[queue]; ok {
		return queue
	}
	for id, t := range s.teams {
		if strings.EqualFold(t.Name, queue) {
			return id
		}
	}
	return ""
}

// callChanged records what the call's new state means, given the state
// before this event ("" for a new call): its events, the answer stopping
// the response clocks, the owner, and the callback a missed call needs or
// an answer makes moot.
func (d *Desk) callChanged(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, call *kesher.Call, prev kesher.CallState) error {
	data := map[string]any{"call_id": call.ID, "external_id": call.ExternalID, "direction": call.Direction}
	if prev == "" {
		if err := d.callEvent(ctx, tx, conv, kesher.EventCallStarted, data, "from", call.From, "to", call.To, "queue", call.Queue); err != nil {
			return err
		}
	}
	answered := !call.AnsweredAt.IsZero() && (prev == "" || prev == kesher.CallStateRinging || prev == kesher.CallStateMissed)
	if answered {
		if err := d.callAnswered(ctx, tx, conv, call, prev == kesher.CallStateMissed, data); err != nil {
			return err
		}
	}
	if call.Missed() && prev != kesher.CallStateMissed {
		if err := d.callMissed(ctx, tx, conv, call, data); err != nil {
			return err
		}
	}
	if call.State == kesher.CallStateCompleted && prev != kesher.CallStateCompleted {
		return d.callEvent(ctx, tx, conv, kesher.EventCallEnded, data, "duration_seconds", call.DurationSeconds, "recording_url", call.RecordingURL)
	}
	return nil
}

// callEvent appends an event of the call to its conversation: data and
// the key-value pairs kv.
func (d *Desk) callEvent(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, typ string, data map[string]any, kv ...any) error {
	all := make(map[string]any, len(data)+len(kv)/2)
	for k, v := range data {
		all[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		all[kv[i].(string)] = kv[i+1]
	}
	e := d.event(ctx, typ, all)
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	return tx.AppendEvent(ctx, e)
}

// callAnswered records an answer: it is the desk's response to an inbound
// call, so it stops the response clocks when the answer came; the agent
// who answered owns an unowned conversation. An answer reported after the
// call was recorded as missed corrects it and cancels its callback; an
// answered outbound call is the callback, so it keeps the conversation's
// open callbacks.
func (d *Desk) callAnswered(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, call *kesher.Call, corrected bool, data map[string]any) error {
	err := d.callEvent(ctx, tx, conv, kesher.EventCallAnswered, data, "agent_id", call.AgentID, "answer_seconds", call.AnswerSeconds,
		"answered_within_target", call.AnsweredWithinTarget, "corrected", corrected)
	if err != nil {
		return err
	}
	if call.Direction == kesher.CallInbound {
		err := d.applySLA(ctx, tx, conv, func(k *clocks) {
			if conv.SLA != nil {
				k.agentReplied(conv.SLA, call.AnsweredAt)
			}
		})
		if err != nil {
			return err
		}
	}
	if err := d.takeCall(ctx, tx, conv, call.AgentID, call); err != nil {
		return err
	}
	if corrected && call.CallbackID != "" {
		if err := d.settleCallback(ctx, tx, conv, call.CallbackID, kesher.CommitmentCancelled); err != nil {
			return err
		}
	}
	if call.Direction != kesher.CallOutbound {
		return nil
	}
	missed := true
	return eachPage(func(p kesher.Page) (string, error) {
		calls, next, err := tx.Calls(ctx, kesher.CallFilter{ConversationID: conv.ID, Missed: &missed, Page: p})
		for _, c := range calls {
			if err != nil {
				break
			}
			if c.CallbackID != "" {
				err = d.settleCallback(ctx, tx, conv, c.CallbackID, kesher.CommitmentKept)
			}
		}
		return next, err
	})
}

// settleCallback resolves a callback commitment that is still open, as
// kept (the customer was called back) or cancelled (the call was answered
// after all).
func (d *Desk) settleCallback(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, id string, state kesher.CommitmentState) error {
	c, err := tx.Commitment(ctx, id)
	if err != nil || c.State != kesher.CommitmentOpen {
		return err
	}
	resolve(c, state, d.clock.Now())
	if err := tx.UpdateCommitment(ctx, c); err != nil {
		return err
	}
	e := d.event(ctx, kesher.EventCommitmentResolved, map[string]any{"commitment_id": c.ID, "state": c.State, "due_at": c.DueAt, "cause": kesher.EventCallAnswered})
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	return tx.AppendEvent(ctx, e)
}

// callMissed records a call that ended unanswered. An inbound one is a
// customer left waiting (P2, P4): it becomes a commitment to call back,
// owned by the conversation's owner, else the agent the call rang for,
// else the lead of the conversation's team, who then owns the
// conversation too. With none of them the conversation stays unowned,
// where the watchdog shows it.
func (d *Desk) callMissed(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, call *kesher.Call, data map[string]any) error {
	if call.Direction != kesher.CallInbound {
		return d.callEvent(ctx, tx, conv, kesher.EventCallMissed, data, "wait_seconds", call.WaitSeconds)
	}
	r, err := d.rules(ctx)
	if err != nil {
		return err
	}
	owner := cmp.Or(conv.OwnerID, call.AgentID, r.lead(conv.TeamID))
	if owner == "" {
		d.log.Warn("desk: a missed call has nobody to call back; its conversation stays unowned", "call", call.ExternalID, "conversation", conv.Number)
		return d.callEvent(ctx, tx, conv, kesher.EventCallMissed, data, "wait_seconds", call.WaitSeconds)
	}
	if err := d.takeCall(ctx, tx, conv, owner, call); err != nil {
		return err
	}
	cust, err := tx.Customer(ctx, conv.CustomerID)
	if err != nil {
		return err
	}
	now := d.clock.Now()
	c := &kesher.Commitment{
		ID: kesher.NewID(now), ConversationID: conv.ID, OwnerID: owner, DueAt: call.EndedAt.Add(d.calls.CallbackWithin),
		Text:  i18n.New(orDefault(cust.Language, i18n.Hebrew), nil).T("call.callback", "number", call.From),
		State: kesher.CommitmentOpen, MessageID: call.MessageID, CreatedAt: now,
	}
	c.NextTimerAt = d.reminderAt(c)
	if err := tx.CreateCommitment(ctx, c); err != nil {
		return err
	}
	call.CallbackID = c.ID
	if err := d.callEvent(ctx, tx, conv, kesher.EventCallMissed, data, "wait_seconds", call.WaitSeconds, "callback_id", c.ID); err != nil {
		return err
	}
	e := d.systemEvent(kesher.EventCommitmentCreated, map[string]any{
		"commitment_id": c.ID, "text": c.Text, "due_at": c.DueAt, "owner_id": c.OwnerID, "call_id": call.ID,
	})
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	return tx.AppendEvent(ctx, e)
}

// takeCall makes userID the owner of an unowned conversation because of a
// call (P2: every open request has an owner).
func (d *Desk) takeCall(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, userID string, call *kesher.Call) error {
	if conv.OwnerID != "" || userID == "" || !conv.Status.Unsolved() {
		return nil
	}
	conv.OwnerID = userID
	e := d.systemEvent(kesher.EventAssigned, map[string]any{"owner_id": userID, "team_id": conv.TeamID, "call_id": call.ID})
	e.ConversationID, e.CustomerID = conv.ID, conv.CustomerID
	return tx.AppendEvent(ctx, e)
}

// describeCall writes the call's message (and the conversation's excerpt,
// when it is the latest) anew from what is known of the call now, in the
// customer's language.
func (d *Desk) describeCall(ctx context.Context, tx kesher.Tx, conv *kesher.Conversation, call *kesher.Call) error {
	m, err := tx.Message(ctx, call.MessageID)
	if err != nil {
		return err
	}
	cust, err := tx.Customer(ctx, conv.CustomerID)
	if err != nil {
		return err
	}
	body, err := d.callSummary(ctx, tx, i18n.New(orDefault(cust.Language, i18n.Hebrew), nil), call)
	if err != nil || body == m.BodyText {
		return err
	}
	m.BodyText = body
	if !m.CreatedAt.Before(conv.LastMessageAt) {
		conv.Excerpt = excerpt(body)
	}
	return tx.UpdateMessageDelivery(ctx, m)
}

// callSummary describes a call in one or more lines: who called whom,
// the answer (after how long, by whom) or the miss, the duration and the
// recording.
func (d *Desk) callSummary(ctx context.Context, q kesher.Queries, loc *i18n.Locale, call *kesher.Call) (string, error) {
	lines := []string{loc.T("call.summary."+string(call.Direction), "from", orDefault(call.From, "?"), "to", orDefault(call.To, "?"))}
	agent := ""
	if call.AgentID != "" {
		u, err := q.User(ctx, call.AgentID)
		if err != nil {
			return "", err
		}
		agent = u.Name
	}
	switch call.State {
	case kesher.CallStateRinging:
		lines = append(lines, loc.T("call.summary.ringing"))
	case kesher.CallStateMissed:
		lines = append(lines, loc.T("call.summary.missed", "wait", clockText(call.WaitSeconds)))
	default:
		key := "call.summary.answered"
		if !*call.AnsweredWithinTarget {
			key = "call.summary.answered_late"
		}
		lines = append(lines, loc.T(key, "wait", clockText(*call.AnswerSeconds), "agent", orDefault(agent, "?")))
	}
	if call.State == kesher.CallStateCompleted {
		lines = append(lines, loc.T("call.summary.duration", "duration", clockText(call.DurationSeconds)))
	}
	if call.RecordingURL != "" {
		lines = append(lines, loc.T("call.summary.recording", "url", call.RecordingURL))
	}
	return strings.Join(lines, "\n"), nil
}

// clockText writes seconds as m:ss, the way a phone shows a call's time.
func clockText(s int) string { return fmt.Sprintf("%d:%02d", s/60, s%60) }

// Call returns one call to any signed-in user.
func (d *Desk) Call(ctx context.Context, id string) (*kesher.Call, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, err
	}
	return d.store.Call(ctx, id)
}

// Calls lists calls, newest first. A conversation named must exist.
func (d *Desk) Calls(ctx context.Context, f kesher.CallFilter) ([]*kesher.Call, string, error) {
	if _, err := require(ctx, kesher.RoleAgent); err != nil {
		return nil, "", err
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, "", kesher.FieldError("to", "invalid", "the end of the period must come after its start")
	}
	if f.ConversationID != "" {
		if _, err := d.store.Conversation(ctx, f.ConversationID); err != nil {
			return nil, "", err
		}
	}
	return d.store.Calls(ctx, f)
}
