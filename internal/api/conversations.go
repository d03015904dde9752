package api

import (
	"net/http"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// createdConversation is a new conversation with its first message.
type createdConversation struct {
	*kesher.Conversation
	Message *kesher.Message `json:"message"`
}

func (a *api) createConversation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Customer struct {
			ID string `json:"id"`
			customerIn
		} `json:"customer"`
		Subject   string          `json:"subject"`
		Channel   kesher.Channel  `json:"channel"`
		Priority  kesher.Priority `json:"priority"`
		TeamID    string          `json:"team_id"`
		OwnerID   string          `json:"owner_id"`
		Reason    string          `json:"reason"`
		Tags      []string        `json:"tags"`
		CreatedAt timestamp       `json:"created_at"`
		Message   messageIn       `json:"message"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	ref := in.Customer.ref()
	ref.ID = in.Customer.ID
	conv, msg, err := a.desk.CreateConversation(r.Context(), desk.NewConversation{
		Customer: ref, Subject: in.Subject, Channel: in.Channel, Priority: in.Priority, TeamID: in.TeamID,
		OwnerID: in.OwnerID, Reason: in.Reason, Tags: in.Tags, Message: in.Message.message(), CreatedAt: in.CreatedAt.Time,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, createdConversation{Conversation: conv, Message: msg})
}

func (a *api) listConversations(w http.ResponseWriter, r *http.Request) error {
	f, err := conversationFilter(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Conversations(r.Context(), f)
	return writeList(w, items, next, err)
}

// conversationFilter reads the list's filters. Each may be repeated or
// comma-separated (status=open,pending); values are checked here so a typo
// is an error rather than an empty list.
func conversationFilter(r *http.Request) (kesher.ConversationFilter, error) {
	q := r.URL.Query()
	var v kesher.Validation
	f := kesher.ConversationFilter{
		Statuses:   enumValues(q["status"], kesher.Status.Valid, "status", &v),
		Channels:   enumValues(q["channel"], kesher.Channel.Valid, "channel", &v),
		Priorities: enumValues(q["priority"], kesher.Priority.Valid, "priority", &v),
		TeamIDs:    splitValues(q["team"]),
		Tags:       lowered(splitValues(q["tag"])),
		Reasons:    splitValues(q["reason"]),
		CustomerID: q.Get("customer_id"),
	}
	for _, o := range splitValues(q["owner"]) {
		if o == "me" {
			o = kesher.ActorFrom(r.Context()).ID
		}
		f.OwnerIDs = append(f.OwnerIDs, o)
	}
	if s := q.Get("updated_after"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		v.Check(err == nil, "updated_after", "invalid")
		f.UpdatedAfter = t
	}
	p, err := pageOf(r)
	if err != nil {
		return f, err
	}
	f.Page = p
	return f, v.Err()
}

// splitValues flattens repeated and comma-separated query values.
func splitValues(values []string) []string {
	var out []string
	for _, s := range values {
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// lowered lower-cases tags, which the desk stores in lower case.
func lowered(values []string) []string {
	for i, s := range values {
		values[i] = strings.ToLower(s)
	}
	return values
}

// enumValues is splitValues for a closed set, reporting unknown values on
// field.
func enumValues[T ~string](values []string, valid func(T) bool, field string, v *kesher.Validation) []T {
	var out []T
	for _, s := range splitValues(values) {
		v.Check(valid(T(s)), field, "invalid")
		out = append(out, T(s))
	}
	return out
}

func (a *api) getConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := a.desk.Conversation(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) updateConversation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Status   *kesher.Status   `json:"status"`
		Priority *kesher.Priority `json:"priority"`
		OwnerID  clearable        `json:"owner_id"`
		TeamID   clearable        `json:"team_id"`
		Reason   clearable        `json:"reason"`
		Tags     *[]string        `json:"tags"`
		Subject  *string          `json:"subject"`
		Briefing string           `json:"briefing"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.UpdateConversation(r.Context(), r.PathValue("id"), kesher.ConversationUpdate{
		Status: in.Status, Priority: in.Priority, OwnerID: in.OwnerID.ptr(), TeamID: in.TeamID.ptr(),
		Reason: in.Reason.ptr(), Tags: in.Tags, Subject: in.Subject, Briefing: in.Briefing,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// handoff moves a conversation to a new owner, a team, or both, with the
// briefing the next owner needs (P2). Handing to a team alone puts the
// conversation in that team's queue, where assignment picks its owner
// (the team's lead when no agent is available). tell_customer also sends
// the customer a message naming the new owner.
func (a *api) handoff(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		ToUserID     string `json:"to_user_id"`
		ToTeamID     string `json:"to_team_id"`
		Briefing     string `json:"briefing"`
		TellCustomer bool   `json:"tell_customer"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ToUserID == "" && in.ToTeamID == "" {
		return kesher.FieldError("to_user_id", "required", "name the user (to_user_id) or the team (to_team_id) to hand over to")
	}
	up := kesher.ConversationUpdate{OwnerID: &in.ToUserID, Briefing: in.Briefing, TellCustomer: in.TellCustomer}
	if in.ToTeamID != "" {
		up.TeamID = &in.ToTeamID
	}
	c, err := a.desk.UpdateConversation(r.Context(), r.PathValue("id"), up)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) conversationEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Events(r.Context(), r.PathValue("id"), p)
	return writeList(w, items, next, err)
}
