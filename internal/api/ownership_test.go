package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
)

// The ownership routes (commitments, escalations, the watchdog, agent
// load, notifications) and the settings behind them (calendars, SLA
// policies, assignment rules), against the real store.

// slaView is a conversation's sla object as the API writes it: the
// contract's summary beside the clocks.
type slaView struct {
	FirstResponseDueAt *time.Time        `json:"first_response_due_at"`
	NextResponseDueAt  *time.Time        `json:"next_response_due_at"`
	ResolutionDueAt    *time.Time        `json:"resolution_due_at"`
	State              string            `json:"state"`
	PolicyID           string            `json:"policy_id"`
	Clocks             []kesher.SLAClock `json:"clocks"`
}

// convView is a conversation with its sla summary.
type convView struct {
	kesher.Conversation
	SLA *slaView `json:"sla"`
}

// proposal is one promise /commitments/suggest found.
type proposal struct {
	Kind     string     `json:"kind"`
	Text     string     `json:"text"`
	DueAt    *time.Time `json:"due_at"`
	Language string     `json:"language"`
}

// getConv reads a conversation through the API as the agent and checks it
// against the document.
func (f *fixture) getConv(id string) convView {
	f.t.Helper()
	var c convView
	res := f.must(request{method: "GET", path: "/api/v1/conversations/" + id, as: "agent"}, http.StatusOK, &c)
	checkSchema(f.t, "Conversation", res.body)
	return c
}

// eventTypes lists the types of a conversation's events, oldest first.
func (f *fixture) eventTypes(id string) []string {
	f.t.Helper()
	var types []string
	cursor := ""
	for {
		events, next := list[kesher.Event](f, "admin", "/api/v1/conversations/"+id+"/events?limit=200&cursor="+cursor)
		for _, e := range events {
			types = append(types, e.Type)
		}
		if next == "" {
			return types
		}
		cursor = next
	}
}

// fire runs the desk's due timers now and returns how many fired.
func (f *fixture) fire() int {
	f.t.Helper()
	n, err := f.desk.FireDueTimers(context.Background())
	if err != nil {
		f.t.Fatalf("FireDueTimers: %v", err)
	}
	return n
}

// promise records a commitment on {conv} as the agent, due after the given
// time from now, and remembers it as {commitment}.
func promise(due time.Duration) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		var c kesher.Commitment
		body := `{"text": "אחזור אליך עם מספר המשלוח", "due_at": "` + f.clock.Now().Add(due).Format(time.RFC3339) + `"}`
		f.must(request{method: "POST", path: "/api/v1/conversations/{conv}/commitments", as: "agent", body: body}, http.StatusCreated, &c)
		f.vars["commitment"] = c.ID
	}
}

// steps runs setups in order.
func steps(setups ...func(t *testing.T, f *fixture)) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		for _, s := range setups {
			s(t, f)
		}
	}
}

// advance moves the fixture's clock.
func advance(d time.Duration) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) { f.clock.Advance(d) }
}

// online sets the named users online, as the admin.
func online(names ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		for _, n := range names {
			f.must(request{method: "PATCH", path: "/api/v1/users/{" + n + "}", as: "admin", body: `{"availability": "online"}`}, http.StatusOK, nil)
		}
	}
}

// withTeam creates the team {team} with the named members and, when lead
// is not "", that lead.
func withTeam(lead string, members ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		ids := make([]string, len(members))
		for i, m := range members {
			ids[i] = `"{` + m + `}"`
		}
		body := `{"name": "חיובים", "member_ids": [` + strings.Join(ids, ", ") + `]`
		if lead != "" {
			body += `, "lead_id": "{` + lead + `}"`
		}
		var team kesher.Team
		res := f.must(request{method: "POST", path: "/api/v1/teams", as: "admin", body: body + `}`}, http.StatusCreated, &team)
		checkSchema(t, "Team", res.body)
		f.vars["team"] = team.ID
	}
}

// withRule creates an assignment rule for {team} as {rule}.
func withRule(strategy kesher.Strategy) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		var r kesher.AssignmentRule
		res := f.must(request{method: "POST", path: "/api/v1/assignment-rules", as: "admin",
			body: `{"name": "חיובים בעברית", "team_id": "{team}", "strategy": "` + string(strategy) + `"}`}, http.StatusCreated, &r)
		checkSchema(t, "AssignmentRule", res.body)
		if r.Strategy != strategy || !r.Active || r.TeamID != f.vars["team"] {
			t.Fatalf("rule %+v", r)
		}
		f.vars["rule"] = r.ID
	}
}

const (
	unownedBody = `{"customer": {"email": "dana@example.com", "name": "דנה"}, "channel": "email", "message": {"body_text": "ההזמנה שלי לא הגיעה"}}`
	managerText = "אני רוצה לדבר עם מנהל"
)

func TestOwnershipScenarios(t *testing.T) {
	const (
		convCommitments = "/api/v1/conversations/{conv}/commitments"
		escalation      = "/api/v1/conversations/{conv}/escalation"
		tomorrow        = "2026-03-02T09:00:00Z" // the fixture's clock starts 2026-03-01 09:00 UTC
	)
	scenarios := []scenario{
		// Commitments (P4).
		{
			name:   "a commitment in Hebrew belongs to the conversation's owner",
			setup:  ownedBy("agent2"),
			req:    request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "אשלח לך את החשבונית המתוקנת", "due_at": "` + tomorrow + `"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				checkSchema(t, "Commitment", res.body)
				var c kesher.Commitment
				res.decode(t, &c)
				if c.Text != "אשלח לך את החשבונית המתוקנת" || c.State != kesher.CommitmentOpen || c.OwnerID != f.users["agent2"].ID ||
					c.CreatedBy != f.users["agent"].ID || !c.DueAt.Equal(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)) {
					t.Errorf("commitment %+v", c)
				}
				items, _ := list[kesher.Commitment](f, "agent", convCommitments)
				if len(items) != 1 || items[0].ID != c.ID {
					t.Errorf("the conversation's commitments %+v", items)
				}
				if types := f.eventTypes(f.vars["conv"]); !slices.Contains(types, kesher.EventCommitmentCreated) {
					t.Errorf("events %v", types)
				}
			},
		},
		{
			name:   "a commitment needs its text",
			setup:  ownedBy("agent"),
			req:    request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "   ", "due_at": "` + tomorrow + `"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"text"},
			check: noCommitments,
		},
		{
			name:   "a commitment needs its due time",
			setup:  ownedBy("agent"),
			req:    request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "אחזור אליך"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"due_at"},
			check: fieldReason("due_at", "required"),
		},
		{
			name:   "a commitment cannot be due in the past",
			setup:  ownedBy("agent"),
			req:    request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "אחזור אליך", "due_at": "2026-03-01T08:59:00Z"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"due_at"},
			check: fieldReason("due_at", "in_past"),
		},
		{
			name:   "a commitment on an unknown conversation is not found",
			req:    request{method: "POST", path: "/api/v1/conversations/nope/commitments", as: "agent", body: `{"text": "אחזור אליך", "due_at": "` + tomorrow + `"}`},
			status: http.StatusNotFound, code: "not_found",
		},
		{
			name: "a retried commitment with its Idempotency-Key creates one",
			setup: func(t *testing.T, f *fixture) {
				ownedBy("agent")(t, f)
				var c kesher.Commitment
				f.must(request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "אתקשר מחר", "due_at": "` + tomorrow + `"}`,
					header: map[string]string{"Idempotency-Key": "promise-1"}}, http.StatusCreated, &c)
				f.vars["commitment"] = c.ID
			},
			req: request{method: "POST", path: convCommitments, as: "agent", body: `{"text": "אתקשר מחר", "due_at": "` + tomorrow + `"}`,
				header: map[string]string{"Idempotency-Key": "promise-1"}},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c kesher.Commitment
				if res.decode(t, &c); c.ID != f.vars["commitment"] || res.header.Get("Idempotent-Replayed") != "true" {
					t.Errorf("replay %s (Idempotent-Replayed %q), want the first commitment %s", res.body, res.header.Get("Idempotent-Replayed"), f.vars["commitment"])
				}
				if items, _ := list[kesher.Commitment](f, "agent", convCommitments); len(items) != 1 {
					t.Errorf("%d commitments, want 1", len(items))
				}
			},
		},
		{
			name:   "overdue commitments of mine once the clock passes their due time",
			setup:  steps(ownedBy("agent"), promise(time.Hour), wantCommitments("agent", "state=overdue&owner=me", 0), wantCommitments("agent", "state=due&owner=me", 1), advance(2*time.Hour)),
			req:    request{method: "GET", path: "/api/v1/commitments?state=overdue&owner=me", as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []json.RawMessage }
				res.decode(t, &page)
				if len(page.Items) != 1 || !strings.Contains(string(page.Items[0]), f.vars["commitment"]) {
					t.Fatalf("overdue %s", res.body)
				}
				checkSchema(t, "Commitment", page.Items[0])
				wantCommitments("agent2", "state=overdue&owner=me", 0)(t, f)
				wantCommitments("agent", "state=due", 0)(t, f)
				wantCommitments("lead", "state=overdue&owner={agent}", 1)(t, f)
				// An open commitment past its due time is stored open; overdue
				// is the view.
				wantCommitments("agent", "state=open", 1)(t, f)
			},
		},
		{
			name: "a commitment reminds its owner, then tells the owner and the team lead it is overdue",
			setup: steps(withTeam("lead", "agent"),
				withConversation(`{"customer": {"email": "dana@example.com"}, "channel": "email", "team_id": "{team}", "owner_id": "{agent}", "message": {"body_text": "שלום"}}`),
				promise(2*time.Hour), advance(61*time.Minute), fireTimers(1), wantNotifications("agent", kesher.NotifyCommitmentDue),
				wantNotifications("lead"), advance(time.Hour), fireTimers(1)),
			req:    request{method: "GET", path: "/api/v1/notifications", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				wantNotifications("lead", kesher.NotifyCommitmentOverdue)(t, f)
				wantNotifications("agent", kesher.NotifyCommitmentOverdue, kesher.NotifyCommitmentDue)(t, f)
				types := f.eventTypes(f.vars["conv"])
				if !slices.Contains(types, kesher.EventCommitmentReminded) || !slices.Contains(types, kesher.EventCommitmentOverdue) {
					t.Errorf("events %v", types)
				}
				if n := f.fire(); n != 0 {
					t.Errorf("%d more timers fired", n)
				}
			},
		},
		{
			name:   "an unknown commitment state is a validation error",
			req:    request{method: "GET", path: "/api/v1/commitments?state=late", as: "agent"},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"state"},
		},
		{
			name:   "a commitment kept in time is kept",
			setup:  steps(ownedBy("agent"), promise(time.Hour), advance(30*time.Minute)),
			req:    request{method: "PATCH", path: "/api/v1/commitments/{commitment}", as: "agent", body: `{"state": "kept"}`},
			status: http.StatusOK,
			check:  wantCommitmentState(kesher.CommitmentKept),
		},
		{
			name:   "a commitment kept after its due time is missed",
			setup:  steps(ownedBy("agent"), promise(time.Hour), advance(61*time.Minute)),
			req:    request{method: "PATCH", path: "/api/v1/commitments/{commitment}", as: "agent", body: `{"state": "kept"}`},
			status: http.StatusOK,
			check:  wantCommitmentState(kesher.CommitmentMissed),
		},
		{
			name: "a resolved commitment cannot be resolved again",
			setup: steps(ownedBy("agent"), promise(time.Hour), func(t *testing.T, f *fixture) {
				f.must(request{method: "PATCH", path: "/api/v1/commitments/{commitment}", as: "agent", body: `{"state": "cancelled"}`}, http.StatusOK, nil)
			}),
			req:    request{method: "PATCH", path: "/api/v1/commitments/{commitment}", as: "agent", body: `{"state": "kept"}`},
			status: http.StatusConflict, code: "conflict",
		},
		{
			name:   "a commitment is resolved only as kept or cancelled",
			setup:  steps(ownedBy("agent"), promise(time.Hour)),
			req:    request{method: "PATCH", path: "/api/v1/commitments/{commitment}", as: "agent", body: `{"state": "missed"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"state"},
		},
		{
			name:   "a definite Hebrew promise comes with its due time",
			req:    request{method: "POST", path: "/api/v1/commitments/suggest", as: "agent", body: `{"text": "תודה על הסבלנות, אחזור אליך בעוד שעתיים"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				ps := proposals(t, res)
				want := f.clock.Now().Add(2 * time.Hour)
				if len(ps) != 1 || ps[0].Kind != "definite" || ps[0].Language != "he" || ps[0].DueAt == nil || !ps[0].DueAt.Equal(want) || ps[0].Text == "" {
					t.Errorf("proposals %s, want one definite Hebrew promise due %s", res.body, want)
				}
			},
		},
		{
			name:   "a vague English promise is flagged",
			req:    request{method: "POST", path: "/api/v1/commitments/suggest", as: "agent", body: `{"text": "Thanks for waiting. I'll look into it."}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if ps := proposals(t, res); len(ps) != 1 || ps[0].Kind != "vague" || ps[0].Language != "en" || ps[0].DueAt != nil {
					t.Errorf("proposals %s, want one vague English promise without a due time", res.body)
				}
			},
		},

		// Escalations (P13).
		{
			name:   "an escalated conversation cannot be solved until the escalation is resolved",
			setup:  withConversation(unownedBody),
			req:    request{method: "POST", path: escalation, as: "agent", body: `{"reason": "הלקוחה מאיימת לעזוב"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				checkSchema(t, "Escalation", res.body)
				var e kesher.Escalation
				if res.decode(t, &e); e.Source != kesher.EscalationAgent || e.Reason != "הלקוחה מאיימת לעזוב" || e.OwnerID == "" || !e.ResolvedAt.IsZero() {
					t.Errorf("escalation %+v", e)
				}
				if c := f.getConv(f.vars["conv"]); !c.Escalated {
					t.Fatalf("conversation %+v is not escalated", c)
				}
				solve := request{method: "PATCH", path: "/api/v1/conversations/{conv}", as: "agent", body: `{"status": "solved"}`}
				wantError(t, f.do(solve), http.StatusConflict, "conflict")
				f.must(request{method: "POST", path: escalation, as: "agent", body: `{"reason": "שוב"}`}, http.StatusConflict, nil)
				res = f.must(request{method: "PATCH", path: escalation, as: "admin", body: `{"resolution": "המנהלת חזרה ללקוחה והציעה זיכוי"}`}, http.StatusOK, &e)
				checkSchema(t, "Escalation", res.body)
				if e.ResolvedAt.IsZero() || e.Resolution != "המנהלת חזרה ללקוחה והציעה זיכוי" {
					t.Errorf("resolved escalation %+v", e)
				}
				var c convView
				f.must(solve, http.StatusOK, &c)
				if c.Escalated || c.Status != kesher.StatusSolved {
					t.Errorf("solved conversation %+v", c)
				}
				items, _ := list[kesher.Escalation](f, "agent", escalation)
				if len(items) != 1 || items[0].ID != e.ID {
					t.Errorf("escalations %+v", items)
				}
			},
		},
		{
			name:   "an escalation needs a reason",
			setup:  withConversation(unownedBody),
			req:    request{method: "POST", path: escalation, as: "agent", body: `{"reason": " "}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"reason"},
		},
		{
			name:   "resolving without an open escalation is a conflict",
			setup:  withConversation(unownedBody),
			req:    request{method: "PATCH", path: escalation, as: "lead", body: `{"resolution": "אין מה לפתור"}`},
			status: http.StatusConflict, code: "conflict",
		},
		{
			name:   "a customer asking for a manager escalates the conversation by itself",
			setup:  withConversation(unownedBody),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"direction": "inbound", "body_text": "` + managerText + `"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				if c := f.getConv(f.vars["conv"]); !c.Escalated {
					t.Errorf("conversation %+v is not escalated", c.Conversation)
				}
				items, _ := list[kesher.Escalation](f, "agent", escalation)
				if len(items) != 1 || items[0].Source != kesher.EscalationCustomer || !strings.Contains(items[0].Reason, "מנהל") || items[0].OwnerID == "" {
					t.Errorf("escalations %+v", items)
				}
			},
		},
		{
			name:   "a first message asking for a manager escalates the new conversation",
			req:    request{method: "POST", path: "/api/v1/conversations", as: "agent", body: `{"customer": {"email": "angry@example.com"}, "channel": "email", "message": {"body_text": "` + managerText + `"}}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c convView
				if res.decode(t, &c); !c.Escalated {
					t.Errorf("conversation %s is not escalated", res.body)
				}
			},
		},
		{
			name: "the team lead owns the escalation, is notified and marks it read",
			setup: steps(withTeam("lead", "agent"), func(t *testing.T, f *fixture) {
				withConversation(`{"customer": {"email": "dana@example.com"}, "channel": "email", "team_id": "{team}", "owner_id": "{agent}", "message": {"body_text": "שלום"}}`)(t, f)
				f.must(request{method: "POST", path: escalation, as: "agent", body: `{"reason": "חיוב כפול"}`}, http.StatusCreated, nil)
			}),
			req:    request{method: "GET", path: "/api/v1/notifications?unread=true", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []json.RawMessage }
				res.decode(t, &page)
				if len(page.Items) != 1 {
					t.Fatalf("notifications %s", res.body)
				}
				checkSchema(t, "Notification", page.Items[0])
				var n kesher.Notification
				if json.Unmarshal(page.Items[0], &n); n.Kind != kesher.NotifyEscalation || n.ConversationID != f.vars["conv"] || n.UserID != f.users["lead"].ID {
					t.Errorf("notification %+v", n)
				}
				if items, _ := list[kesher.Notification](f, "agent", "/api/v1/notifications"); len(items) != 0 {
					t.Errorf("the agent's notifications %+v", items)
				}
				f.must(request{method: "POST", path: "/api/v1/notifications/read", as: "lead", body: `{"ids": ["` + n.ID + `"]}`}, http.StatusNoContent, nil)
				if items, _ := list[kesher.Notification](f, "lead", "/api/v1/notifications?unread=true"); len(items) != 0 {
					t.Errorf("unread after marking read: %+v", items)
				}
				if items, _ := list[kesher.Notification](f, "lead", "/api/v1/notifications"); len(items) != 1 || items[0].ReadAt.IsZero() {
					t.Errorf("all notifications %+v", items)
				}
				// The agent may not resolve the lead's escalation; the lead may.
				wantError(t, f.do(request{method: "PATCH", path: escalation, as: "agent", body: `{"resolution": "x"}`}), http.StatusForbidden, "forbidden")
				f.must(request{method: "PATCH", path: escalation, as: "lead", body: `{"resolution": "זיכוי ניתן"}`}, http.StatusOK, nil)
			},
		},
		{
			name:   "notifications?unread takes a boolean",
			req:    request{method: "GET", path: "/api/v1/notifications?unread=maybe", as: "agent"},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"unread"},
		},

		// The watchdog.
		{
			name:   "the watchdog counts every list",
			setup:  steps(withConversation(unownedBody), ownedBy("agent")),
			req:    request{method: "GET", path: "/api/v1/watchdog", as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var w struct {
					Counts map[string]int `json:"counts"`
					Cap    int            `json:"cap"`
				}
				res.decode(t, &w)
				if len(w.Counts) != len(kesher.WatchKinds) || w.Cap != 1000 {
					t.Errorf("watchdog %s", res.body)
				}
				// Both conversations wait for a reply; one has no owner.
				wants := map[kesher.WatchKind]int{kesher.WatchUnowned: 1, kesher.WatchWaiting: 2}
				for _, k := range kesher.WatchKinds {
					want := wants[k]
					if n, ok := w.Counts[string(k)]; !ok || n != want {
						t.Errorf("count %s = %d (present %v), want %d", k, n, ok, want)
					}
				}
				var keys map[string]json.RawMessage
				res.decode(t, &keys)
				if len(keys) != 2 {
					t.Errorf("watchdog fields %s", res.body)
				}
			},
		},
		{
			name: "the unowned list holds the unowned conversation only",
			setup: steps(ownedBy("agent"), func(t *testing.T, f *fixture) { f.vars["owned"] = f.vars["conv"] },
				withConversation(unownedBody)),
			req:    request{method: "GET", path: "/api/v1/watchdog/unowned", as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.Conversation }
				if res.decode(t, &page); len(page.Items) != 1 || page.Items[0].ID != f.vars["conv"] {
					t.Errorf("unowned %s, want only %s", res.body, f.vars["conv"])
				}
			},
		},
		{
			name:   "the overdue-commitments list holds the conversation of a missed promise",
			setup:  steps(ownedBy("agent"), promise(time.Hour), advance(90*time.Minute)),
			req:    request{method: "GET", path: "/api/v1/watchdog/commitments_overdue", as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.Conversation }
				if res.decode(t, &page); len(page.Items) != 1 || page.Items[0].ID != f.vars["conv"] {
					t.Errorf("commitments_overdue %s", res.body)
				}
			},
		},
		{
			name:   "an unknown watchdog list is a validation error on kind",
			req:    request{method: "GET", path: "/api/v1/watchdog/nonsense", as: "agent"},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"kind"},
		},

		// Agent load (P12).
		{
			name:   "agent load counts each active user's open conversations",
			setup:  steps(ownedBy("agent"), online("agent")),
			req:    request{method: "GET", path: "/api/v1/agents/load", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []json.RawMessage }
				res.decode(t, &page)
				loads := map[string]kesher.AgentLoad{}
				for _, item := range page.Items {
					checkSchema(t, "AgentLoad", item)
					var l kesher.AgentLoad
					if err := json.Unmarshal(item, &l); err != nil {
						t.Fatal(err)
					}
					loads[l.UserID] = l
				}
				if len(loads) != 4 { // the inactive user is left out
					t.Errorf("%d loads, want 4: %s", len(loads), res.body)
				}
				if l := loads[f.users["agent"].ID]; l.Open != 1 || l.Availability != kesher.Online || l.Overloaded {
					t.Errorf("agent's load %+v", l)
				}
				if l := loads[f.users["agent2"].ID]; l.Open != 0 || l.Availability != kesher.Offline {
					t.Errorf("agent2's load %+v", l)
				}
			},
		},

		// Settings.
		{
			name:   "a calendar is created with its definition",
			req:    request{method: "POST", path: "/api/v1/calendars", as: "admin", body: `{"name": "שעות תמיכה", "spec": ` + israeliSpec + `}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				checkSchema(t, "CalendarRecord", res.body)
				var c struct {
					Name string
					Spec struct {
						TimeZone string `json:"time_zone"`
						Week     [][]struct{ From, To string }
					}
				}
				if res.decode(t, &c); c.Name != "שעות תמיכה" || c.Spec.TimeZone != "Asia/Jerusalem" || len(c.Spec.Week) != 7 || c.Spec.Week[5][0].To != "13:00" {
					t.Errorf("calendar %s", res.body)
				}
			},
		},
		{
			name:   "a calendar with reversed hours and an unknown zone names each field under spec",
			setup:  withCalendar,
			req:    request{method: "PUT", path: "/api/v1/calendars/{calendar}", as: "admin", body: `{"name": "שבור", "spec": {"time_zone": "Asia/Atlantis", "week": [[{"from": "17:00", "to": "08:00"}], [], [], [], [], [], []], "exceptions": [{"date": "2026-13-01", "closed": true}]}}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"spec.time_zone", "spec.week[0][0].to", "spec.exceptions[0].date"},
			check: calendarUnchanged,
		},
		{
			name:   "a calendar hour past 24:00 is a validation error and changes nothing",
			setup:  withCalendar,
			req:    request{method: "PUT", path: "/api/v1/calendars/{calendar}", as: "admin", body: `{"name": "שבור", "spec": {"time_zone": "Asia/Jerusalem", "week": [[{"from": "08:00", "to": "25:00"}], [], [], [], [], [], []]}}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed",
			check: calendarUnchanged,
		},
		{
			name:   "a second default SLA policy is a validation error on team_id",
			req:    request{method: "POST", path: "/api/v1/sla-policies", as: "admin", body: `{"name": "עוד אחת", "targets": [{"first_response_seconds": 60}]}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"team_id"},
			check: func(t *testing.T, f *fixture, res response) {
				if items, _ := list[kesher.SLAPolicy](f, "agent", "/api/v1/sla-policies"); len(items) != 1 {
					t.Errorf("%d policies, want 1", len(items))
				}
			},
		},
		{
			name:   "an SLA policy's targets are checked field by field",
			req:    request{method: "POST", path: "/api/v1/sla-policies", as: "admin", body: `{"name": "שגויה", "warn_share": 1.5, "targets": [{"channel": "fax", "first_response_seconds": -1}]}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"warn_share", "targets[0].channel", "targets[0].first_response_seconds"},
		},
		{
			name:   "least-loaded assignment gives a new conversation to the less busy agent",
			setup:  steps(withTeam("", "agent", "agent2"), online("agent", "agent2"), ownedBy("agent"), withRule(kesher.LeastLoaded)),
			req:    request{method: "POST", path: "/api/v1/conversations", as: "admin", body: unownedBody},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c convView
				if res.decode(t, &c); c.OwnerID != f.users["agent2"].ID || c.TeamID != f.vars["team"] {
					t.Errorf("owner %s team %s, want agent2 (%s) in %s", c.OwnerID, c.TeamID, f.users["agent2"].ID, f.vars["team"])
				}
				if types := f.eventTypes(c.ID); !slices.Contains(types, kesher.EventAssigned) {
					t.Errorf("events %v", types)
				}
			},
		},
		{
			name:   "round-robin assignment alternates between the online agents",
			setup:  steps(withTeam("", "agent", "agent2", "lead"), online("agent", "agent2"), withRule(kesher.RoundRobin)),
			req:    request{method: "POST", path: "/api/v1/conversations", as: "admin", body: unownedBody},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c convView
				res.decode(t, &c)
				owners := []string{c.OwnerID}
				for range 3 {
					owners = append(owners, f.open("admin", unownedBody).OwnerID)
				}
				a, b := f.users["agent"].ID, f.users["agent2"].ID
				if !slices.Equal(owners, []string{a, b, a, b}) && !slices.Equal(owners, []string{b, a, b, a}) {
					t.Errorf("owners %v, want agent (%s) and agent2 (%s) in turn", owners, a, b)
				}
			},
		},
		{
			name:   "with no agent online the team's lead takes the conversation and is told",
			setup:  steps(withTeam("lead", "agent", "agent2"), withRule(kesher.RoundRobin)),
			req:    request{method: "POST", path: "/api/v1/conversations", as: "admin", body: unownedBody},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c convView
				if res.decode(t, &c); c.OwnerID != f.users["lead"].ID {
					t.Errorf("owner %s, want the lead %s", c.OwnerID, f.users["lead"].ID)
				}
				if items, _ := list[kesher.Notification](f, "lead", "/api/v1/notifications"); len(items) != 1 || items[0].Kind != kesher.NotifyQueued {
					t.Errorf("the lead's notifications %+v", items)
				}
			},
		},
		{
			name:   "an assignment rule needs a known strategy",
			setup:  withTeam(""),
			req:    request{method: "POST", path: "/api/v1/assignment-rules", as: "admin", body: `{"name": "x", "team_id": "{team}", "strategy": "random"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"strategy"},
		},
		{
			name:   "a team's lead must be a lead or admin",
			setup:  withTeam(""),
			req:    request{method: "PATCH", path: "/api/v1/teams/{team}", as: "admin", body: `{"lead_id": "{agent}"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"lead_id"},
			check: func(t *testing.T, f *fixture, res response) {
				var team kesher.Team
				res = f.must(request{method: "PATCH", path: "/api/v1/teams/{team}", as: "admin", body: `{"lead_id": "{lead}", "calendar_id": ""}`}, http.StatusOK, &team)
				checkSchema(t, "Team", res.body)
				if team.LeadID != f.users["lead"].ID || team.Name != "חיובים" {
					t.Errorf("team %+v", team)
				}
			},
		},
		{
			name:   "a team's calendar must exist",
			setup:  withTeam(""),
			req:    request{method: "PATCH", path: "/api/v1/teams/{team}", as: "admin", body: `{"calendar_id": "nope"}`},
			status: http.StatusUnprocessableEntity, code: "validation_failed", fields: []string{"calendar_id"},
		},
		{
			name:   "admins set a user's capacity",
			req:    request{method: "PATCH", path: "/api/v1/users/{agent}", as: "admin", body: `{"capacity": 5}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				checkSchema(t, "User", res.body)
				var u kesher.User
				if res.decode(t, &u); u.Capacity != 5 {
					t.Errorf("user %+v", u)
				}
				wantError(t, f.do(request{method: "PATCH", path: "/api/v1/users/{agent}", as: "agent", body: `{"capacity": 50}`}), http.StatusForbidden, "forbidden")
			},
		},
		{
			name:   "a hand-off can tell the customer who has the case now, and the promises go along",
			setup:  steps(ownedBy("agent"), promise(time.Hour)),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/handoff", as: "agent", body: `{"to_user_id": "{agent2}", "briefing": "הלקוח מחכה להחזר; בדקתי מול המחסן", "tell_customer": true}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var c convView
				if res.decode(t, &c); c.OwnerID != f.users["agent2"].ID || c.HandoffCount != 1 {
					t.Errorf("conversation %+v", c.Conversation)
				}
				msgs, _ := list[kesher.Message](f, "agent", "/api/v1/conversations/{conv}/messages")
				var told []string
				for _, m := range msgs {
					if m.Direction == kesher.Outbound {
						told = append(told, m.BodyText)
					}
				}
				if len(told) != 1 || !strings.Contains(told[0], f.users["agent2"].Name) || strings.Contains(told[0], "handoff.") {
					t.Errorf("outbound messages %q, want one naming %q", told, f.users["agent2"].Name)
				}
				wantCommitments("lead", "owner={agent2}&state=open", 1)(t, f)
				wantCommitments("agent", "owner=me", 0)(t, f)
			},
		},
	}
	runScenarios(t, scenarios)
}

// runScenarios runs each scenario on a fresh fixture, as TestScenarios does.
func runScenarios(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			if sc.setup != nil {
				sc.setup(t, f)
			}
			res := f.do(sc.req)
			if res.status != sc.status {
				t.Fatalf("status %d, want %d; body %s", res.status, sc.status, res.body)
			}
			if sc.code != "" {
				e := wantError(t, res, sc.status, sc.code)
				for _, field := range sc.fields {
					if _, ok := e.Error.Fields[field]; !ok {
						t.Errorf("error fields %v lack %q", e.Error.Fields, field)
					}
				}
			}
			if sc.check != nil {
				sc.check(t, f, res)
			}
		})
	}
}

// wantError checks an error answer's status and code and returns it.
func wantError(t *testing.T, res response, status int, code string) apiError {
	t.Helper()
	var e apiError
	if res.status != status {
		t.Errorf("status %d, want %d; body %s", res.status, status, res.body)
		return e
	}
	if res.decode(t, &e); e.Error.Code != code || e.Error.Message == "" {
		t.Errorf("error %+v, want code %s", e.Error, code)
	}
	return e
}

// fieldReason checks the reason an error gives for a field.
func fieldReason(field, reason string) func(t *testing.T, f *fixture, res response) {
	return func(t *testing.T, f *fixture, res response) {
		var e apiError
		if res.decode(t, &e); e.Error.Fields[field] != reason {
			t.Errorf("fields %v, want %s: %s", e.Error.Fields, field, reason)
		}
		noCommitments(t, f, res)
	}
}

func noCommitments(t *testing.T, f *fixture, _ response) {
	if items, _ := list[kesher.Commitment](f, "agent", "/api/v1/conversations/{conv}/commitments"); len(items) != 0 {
		t.Errorf("a refused commitment was stored: %+v", items)
	}
}

// fireTimers fires the due timers and checks how many fired.
func fireTimers(n int) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		t.Helper()
		if got := f.fire(); got != n {
			t.Errorf("%d timers fired, want %d", got, n)
		}
	}
}

// wantNotifications checks the kinds of a user's notifications, newest
// first.
func wantNotifications(as string, kinds ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		t.Helper()
		items, _ := list[kesher.Notification](f, as, "/api/v1/notifications")
		got := []string{}
		for _, n := range items {
			got = append(got, n.Kind)
		}
		if !slices.Equal(got, append([]string{}, kinds...)) {
			t.Errorf("%s's notifications %v, want %v", as, got, kinds)
		}
	}
}

// wantCommitments checks how many commitments a query lists for a user.
func wantCommitments(as, query string, n int) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		t.Helper()
		if items, _ := list[kesher.Commitment](f, as, "/api/v1/commitments?"+query); len(items) != n {
			t.Errorf("commitments?%s as %s: %d, want %d: %+v", query, as, len(items), n, items)
		}
	}
}

func wantCommitmentState(state kesher.CommitmentState) func(t *testing.T, f *fixture, res response) {
	return func(t *testing.T, f *fixture, res response) {
		checkSchema(t, "Commitment", res.body)
		var c kesher.Commitment
		if res.decode(t, &c); c.State != state || c.ResolvedAt.IsZero() {
			t.Errorf("commitment %+v, want %s", c, state)
		}
		types := f.eventTypes(c.ConversationID)
		if !slices.Contains(types, kesher.EventCommitmentResolved) {
			t.Errorf("events %v", types)
		}
	}
}

func proposals(t *testing.T, res response) []proposal {
	t.Helper()
	var page struct {
		Items      []json.RawMessage `json:"items"`
		NextCursor *string           `json:"next_cursor"`
	}
	res.decode(t, &page)
	if page.Items == nil || page.NextCursor == nil {
		t.Fatalf("list envelope incomplete: %s", res.body)
	}
	out := make([]proposal, len(page.Items))
	for i, item := range page.Items {
		checkSchema(t, "Proposal", item)
		if err := json.Unmarshal(item, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// withCalendar creates the calendar {calendar} and remembers its JSON.
func withCalendar(t *testing.T, f *fixture) {
	res := f.must(request{method: "POST", path: "/api/v1/calendars", as: "admin", body: `{"name": "שעות משרד", "spec": ` + israeliSpec + `}`}, http.StatusCreated, nil)
	var c kesher.CalendarRecord
	res.decode(t, &c)
	f.vars["calendar"] = c.ID
	f.vars["calendar_json"] = string(res.body)
}

// calendarUnchanged checks that {calendar} reads as it was created.
func calendarUnchanged(t *testing.T, f *fixture, _ response) {
	res := f.must(request{method: "GET", path: "/api/v1/calendars/{calendar}", as: "agent"}, http.StatusOK, nil)
	if string(res.body) != f.vars["calendar_json"] {
		t.Errorf("calendar changed: %s, was %s", res.body, f.vars["calendar_json"])
	}
}

// withPolicy creates an SLA policy as {policy}.
// withPolicy replaces the desk's default policy (the one a new desk has)
// with body.
func withPolicy(body string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		var p kesher.SLAPolicy
		res := f.must(request{method: "PUT", path: "/api/v1/sla-policies/default", as: "admin", body: body}, http.StatusOK, &p)
		checkSchema(t, "SLAPolicy", res.body)
		f.vars["policy"] = p.ID
	}
}

// TestSLAClockThroughTimers follows a phone conversation's first-response
// clock under a 20-second calendar-time policy: ok, warning at 15 s (the
// default share), breached at 20 s, stopped by the reply. A second
// conversation answered in time never warns, and an email conversation,
// which no target covers, has no clocks.
func TestSLAClockThroughTimers(t *testing.T) {
	f := newFixture(t)
	withPolicy(`{"name": "טלפון", "targets": [{"channel": "phone", "first_response_seconds": 20}]}`)(t, f)
	var p kesher.SLAPolicy
	f.must(request{method: "GET", path: "/api/v1/sla-policies/{policy}", as: "agent"}, http.StatusOK, &p)
	if p.WarnShare != kesher.DefaultWarnShare || p.TeamID != "" || len(p.Targets) != 1 || p.Targets[0].BusinessHours {
		t.Fatalf("policy %+v", p)
	}

	phone := `{"customer": {"phone": "+972-50-123-4567", "name": "יוסי לוי"}, "channel": "phone", "message": {"body_text": "התקשרתי לגבי ההחזר"}}`
	opened := f.open("agent", phone)
	id := opened.ID
	c := f.getConv(id)
	if c.SLA == nil || c.SLA.State != "ok" || c.SLA.PolicyID != f.vars["policy"] || c.SLA.FirstResponseDueAt == nil ||
		!c.SLA.FirstResponseDueAt.Equal(c.CreatedAt.Add(20*time.Second)) || c.SLA.NextResponseDueAt != nil || c.SLA.ResolutionDueAt != nil {
		t.Fatalf("new phone conversation's sla %+v (created %s)", c.SLA, c.CreatedAt)
	}
	answered := f.open("agent", strings.Replace(phone, "123-4567", "765-4321", 1)).ID
	email := f.open("agent", unownedBody).ID
	if c := f.getConv(email); c.SLA != nil {
		t.Errorf("email conversation has sla %+v; no target covers it", c.SLA)
	}

	timeline := []struct {
		name    string
		advance time.Duration
		act     func()
		state   string
		events  []string // the sla events of the phone conversation so far
		watch   string   // the watchdog's SLA list that holds it, if any
	}{
		{name: "nothing is due at 10 s", advance: 10 * time.Second, state: "ok"},
		{
			name: "the other conversation is answered at 10 s",
			act: func() {
				f.must(request{method: "POST", path: "/api/v1/conversations/" + answered + "/messages", as: "agent", body: `{"body_text": "שלום, אני בודקת"}`}, http.StatusCreated, nil)
			},
			state: "ok",
		},
		{name: "warning at 16 s", advance: 6 * time.Second, state: "warning", events: []string{kesher.EventSLAWarning}, watch: "sla_at_risk"},
		{name: "breached at 21 s", advance: 5 * time.Second, state: "breached", events: []string{kesher.EventSLAWarning, kesher.EventSLABreached}, watch: "sla_breached"},
		{
			name: "the reply stops the clock",
			act: func() {
				f.must(request{method: "POST", path: "/api/v1/conversations/" + id + "/messages", as: "agent", body: `{"body_text": "סליחה על ההמתנה, ההחזר בדרך"}`}, http.StatusCreated, nil)
			},
			state: "", events: []string{kesher.EventSLAWarning, kesher.EventSLABreached},
		},
		{name: "nothing fires later", advance: time.Hour, state: "", events: []string{kesher.EventSLAWarning, kesher.EventSLABreached}},
	}
	for _, st := range timeline {
		f.clock.Advance(st.advance)
		if st.act != nil {
			st.act()
		}
		f.fire()
		c := f.getConv(id)
		if c.SLA == nil || c.SLA.State != st.state {
			t.Fatalf("%s: sla %+v, want state %q", st.name, c.SLA, st.state)
		}
		var got []string
		for _, typ := range f.eventTypes(id) {
			if strings.HasPrefix(typ, "sla.") {
				got = append(got, typ)
			}
		}
		if !slices.Equal(got, st.events) {
			t.Errorf("%s: sla events %v, want %v", st.name, got, st.events)
		}
		for _, list := range []string{"sla_at_risk", "sla_breached"} {
			var w struct {
				Counts map[string]int `json:"counts"`
			}
			f.must(request{method: "GET", path: "/api/v1/watchdog", as: "agent"}, http.StatusOK, &w)
			var page struct{ Items []kesher.Conversation }
			f.must(request{method: "GET", path: "/api/v1/watchdog/" + list, as: "agent"}, http.StatusOK, &page)
			want := 0
			if list == st.watch {
				want = 1
			}
			if len(page.Items) != want || w.Counts[list] != want || want == 1 && page.Items[0].ID != id {
				t.Errorf("%s: watchdog %s counts %d and lists %+v, want %d", st.name, list, w.Counts[list], ids(page.Items), want)
			}
		}
	}
	c = f.getConv(id)
	first := slaClock(c.SLA, kesher.SLAFirstResponse)
	if first == nil || first.StoppedAt.IsZero() || first.BreachedAt.IsZero() || c.SLA.FirstResponseDueAt != nil {
		t.Errorf("first-response clock after the reply %+v, sla %+v", first, c.SLA)
	}
	other := f.getConv(answered)
	if first := slaClock(other.SLA, kesher.SLAFirstResponse); first == nil || first.StoppedAt.IsZero() || !first.WarnedAt.IsZero() || !first.BreachedAt.IsZero() {
		t.Errorf("the clock answered in time %+v", first)
	}
	for _, typ := range f.eventTypes(answered) {
		if strings.HasPrefix(typ, "sla.") {
			t.Errorf("the conversation answered in time has event %s", typ)
		}
	}
}

func slaClock(s *slaView, m kesher.SLAMetric) *kesher.SLAClock {
	if s == nil {
		return nil
	}
	for i := range s.Clocks {
		if s.Clocks[i].Metric == m {
			return &s.Clocks[i]
		}
	}
	return nil
}
