package api

import (
	"net/http"
	"strconv"

	"kesher"
	"kesher/internal/calendar"
	"kesher/internal/desk"
)

// Commitments (P4), escalations (P13), the watchdog, agent load (P12),
// notifications and the settings behind them: calendars, SLA policies and
// assignment rules.

func (a *api) createCommitment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text      string    `json:"text"`
		DueAt     timestamp `json:"due_at"`
		OwnerID   string    `json:"owner_id"`
		MessageID string    `json:"message_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.CreateCommitment(r.Context(), r.PathValue("id"), desk.NewCommitment{
		Text: in.Text, DueAt: in.DueAt.Time, OwnerID: in.OwnerID, MessageID: in.MessageID,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (a *api) conversationCommitments(w http.ResponseWriter, r *http.Request) error {
	return a.listCommitments(w, r, r.PathValue("id"))
}

func (a *api) commitments(w http.ResponseWriter, r *http.Request) error {
	return a.listCommitments(w, r, "")
}

// listCommitments lists commitments filtered by state (open, due, overdue,
// kept, missed, cancelled) and owner (an id or "me").
func (a *api) listCommitments(w http.ResponseWriter, r *http.Request, conversationID string) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	owner := q.Get("owner")
	if owner == "me" {
		owner = kesher.ActorFrom(r.Context()).ID
	}
	items, next, err := a.desk.Commitments(r.Context(), kesher.CommitmentFilter{
		ConversationID: conversationID, OwnerID: owner, State: kesher.CommitmentState(q.Get("state")), Page: p,
	})
	return writeList(w, items, next, err)
}

// updateCommitment resolves a commitment: {"state": "kept"|"cancelled"}.
func (a *api) updateCommitment(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		State kesher.CommitmentState `json:"state"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.ResolveCommitment(r.Context(), r.PathValue("id"), in.State)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// suggestCommitments reads the promises in a reply: definite ones with
// their due time, vague ones flagged.
func (a *api) suggestCommitments(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	items, err := a.desk.ProposeCommitments(r.Context(), in.Text)
	return writeList(w, items, "", err)
}

func (a *api) escalate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := a.desk.Escalate(r.Context(), r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, e)
}

func (a *api) escalations(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.Escalations(r.Context(), r.PathValue("id"))
	return writeList(w, items, "", err)
}

// resolveEscalation closes the open escalation: {"resolution": "…"}.
func (a *api) resolveEscalation(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Resolution string `json:"resolution"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := a.desk.ResolveEscalation(r.Context(), r.PathValue("id"), in.Resolution)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, e)
}

func (a *api) watchdog(w http.ResponseWriter, r *http.Request) error {
	counts, err := a.desk.Watchdog(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"counts": counts, "cap": desk.WatchCap})
}

func (a *api) watchList(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Watch(r.Context(), kesher.WatchKind(r.PathValue("kind")), p)
	return writeList(w, items, next, err)
}

func (a *api) agentLoads(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.AgentLoads(r.Context())
	return writeList(w, items, "", err)
}

func (a *api) notifications(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	unread := false
	if s := r.URL.Query().Get("unread"); s != "" {
		if unread, err = strconv.ParseBool(s); err != nil {
			return kesher.FieldError("unread", "invalid", "unread is true or false")
		}
	}
	items, next, err := a.desk.Notifications(r.Context(), unread, p)
	return writeList(w, items, next, err)
}

// markRead marks notifications read: {"ids": [...]}, or all without ids.
func (a *api) markRead(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		IDs []string `json:"ids"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := a.desk.MarkRead(r.Context(), in.IDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// calendarIn is a calendar as the API takes it.
type calendarIn struct {
	Name string            `json:"name"`
	Spec calendar.Calendar `json:"spec"`
}

func (a *api) createCalendar(w http.ResponseWriter, r *http.Request) error {
	var in calendarIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.SaveCalendar(r.Context(), "", in.Name, in.Spec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (a *api) listCalendars(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Calendars(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getCalendar(w http.ResponseWriter, r *http.Request) error {
	c, err := a.desk.Calendar(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// updateCalendar replaces a calendar's name and definition.
func (a *api) updateCalendar(w http.ResponseWriter, r *http.Request) error {
	var in calendarIn
	if err := decode(r, &in); err != nil {
		return err
	}
	c, err := a.desk.SaveCalendar(r.Context(), r.PathValue("id"), in.Name, in.Spec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

func (a *api) deleteCalendar(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.desk.DeleteCalendar(r.Context(), r.PathValue("id")))
}

// policyIn is an SLA policy as the API takes it.
type policyIn struct {
	Name      string             `json:"name"`
	TeamID    string             `json:"team_id"`
	WarnShare float64            `json:"warn_share"`
	Targets   []kesher.SLATarget `json:"targets"`
}

func (in policyIn) policy() kesher.SLAPolicy {
	return kesher.SLAPolicy{Name: in.Name, TeamID: in.TeamID, WarnShare: in.WarnShare, Targets: in.Targets}
}

func (a *api) createSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	var in policyIn
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.desk.SaveSLAPolicy(r.Context(), "", in.policy())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, p)
}

func (a *api) listSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.SLAPolicies(r.Context())
	return writeList(w, items, "", err)
}

func (a *api) getSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	p, err := a.desk.SLAPolicy(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

// updateSLAPolicy replaces a policy.
func (a *api) updateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	var in policyIn
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := a.desk.SaveSLAPolicy(r.Context(), r.PathValue("id"), in.policy())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, p)
}

func (a *api) deleteSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.desk.DeleteSLAPolicy(r.Context(), r.PathValue("id")))
}

// ruleIn is an assignment rule as the API takes it.
type ruleIn struct {
	Name       string            `json:"name"`
	Position   int               `json:"position"`
	TeamID     string            `json:"team_id"`
	Strategy   kesher.Strategy   `json:"strategy"`
	Channels   []kesher.Channel  `json:"channels"`
	MailboxIDs []string          `json:"mailbox_ids"`
	Reasons    []string          `json:"reasons"`
	Languages  []string          `json:"languages"`
	Priorities []kesher.Priority `json:"priorities"`
	Active     *bool             `json:"active"`
}

func (in ruleIn) rule() kesher.AssignmentRule {
	return kesher.AssignmentRule{
		Name: in.Name, Position: in.Position, TeamID: in.TeamID, Strategy: in.Strategy, Channels: in.Channels,
		MailboxIDs: in.MailboxIDs, Reasons: in.Reasons, Languages: in.Languages, Priorities: in.Priorities,
		Active: in.Active == nil || *in.Active,
	}
}

func (a *api) createAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	var in ruleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	rule, err := a.desk.SaveAssignmentRule(r.Context(), "", in.rule())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, rule)
}

func (a *api) listAssignmentRules(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.AssignmentRules(r.Context())
	return writeList(w, items, "", err)
}

func (a *api) getAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	rule, err := a.desk.AssignmentRule(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

// updateAssignmentRule replaces a rule.
func (a *api) updateAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	var in ruleIn
	if err := decode(r, &in); err != nil {
		return err
	}
	rule, err := a.desk.SaveAssignmentRule(r.Context(), r.PathValue("id"), in.rule())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rule)
}

func (a *api) deleteAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.desk.DeleteAssignmentRule(r.Context(), r.PathValue("id")))
}

// noContent answers 204 for a change that returns nothing, or err.
func noContent(w http.ResponseWriter, err error) error {
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
