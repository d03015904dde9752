package api

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
)

// scenario is one request against a fresh desk, after setup, with the
// answer it must get.
type scenario struct {
	name   string
	setup  func(t *testing.T, f *fixture)
	req    request
	status int
	code   string   // the error code, for error answers
	fields []string // the fields the error must name
	check  func(t *testing.T, f *fixture, res response)
}

const hebrewSubject = "ההזמנה שלי לא הגיעה"

// withConversation opens a conversation as the agent and remembers its id
// as {conv} and its customer as {cust}.
func withConversation(body string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		c := f.open("agent", body)
		f.vars["conv"], f.vars["cust"] = c.ID, c.CustomerID
	}
}

// ownedBy opens a conversation owned by the named user as {conv}.
func ownedBy(owner string) func(t *testing.T, f *fixture) {
	return withConversation(`{"customer": {"email": "owned@example.com"}, "channel": "email", "owner_id": "{` + owner + `}", "message": {"body_text": "שלום"}}`)
}

func wantConversationCount(n int) func(t *testing.T, f *fixture, res response) {
	return func(t *testing.T, f *fixture, res response) {
		if got := f.countConversations(); got != n {
			t.Errorf("conversations = %d, want %d", got, n)
		}
	}
}

func TestScenarios(t *testing.T) {
	const post = "/api/v1/conversations"
	basic := `{"customer": {"email": "dana@example.com"}, "channel": "email", "message": {"body_text": "hello"}}`
	scenarios := []scenario{
		{
			name:   "create conversation creates the customer, Hebrew round-trips",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "Dana@Example.com", "name": "דנה כהן"}, "subject": "` + hebrewSubject + `", "channel": "email", "message": {"body_text": "שלום, ההזמנה שלי לא הגיעה"}}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c conv
				res.decode(t, &c)
				if c.Subject != hebrewSubject || c.Number < 1 || c.Status != kesher.StatusOpen || c.CustomerID == "" {
					t.Errorf("created %+v", c.Conversation)
				}
				if c.Message == nil || c.Message.BodyText != "שלום, ההזמנה שלי לא הגיעה" || c.Message.Direction != kesher.Inbound {
					t.Errorf("message %+v", c.Message)
				}
				var got conv
				f.must(request{method: "GET", path: "/api/v1/conversations/" + c.ID, as: "agent"}, http.StatusOK, &got)
				if got.Subject != hebrewSubject {
					t.Errorf("read back subject %q", got.Subject)
				}
				var cust kesher.Customer
				f.must(request{method: "GET", path: "/api/v1/customers/" + c.CustomerID, as: "agent"}, http.StatusOK, &cust)
				if cust.Name != "דנה כהן" || len(cust.Identities) != 1 || cust.Identities[0].Value != "dana@example.com" {
					t.Errorf("customer %+v", cust)
				}
			},
		},
		{
			name:   "email is case-insensitive: same customer",
			setup:  withConversation(`{"customer": {"email": "Dana@Example.com"}, "channel": "email", "message": {"body_text": "one"}}`),
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "dana@example.com"}, "channel": "chat", "message": {"body_text": "two"}}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c conv
				if res.decode(t, &c); c.CustomerID != f.vars["cust"] {
					t.Errorf("customer %s, want %s", c.CustomerID, f.vars["cust"])
				}
			},
		},
		{
			name:   "Israeli phone in local and international form: same customer",
			setup:  withConversation(`{"customer": {"phone": "050-1234567"}, "channel": "phone", "message": {"body_text": "one"}}`),
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"phone": "+972501234567"}, "channel": "phone", "message": {"body_text": "two"}}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c conv
				if res.decode(t, &c); c.CustomerID != f.vars["cust"] {
					t.Errorf("customer %s, want %s", c.CustomerID, f.vars["cust"])
				}
			},
		},
		{
			name:   "PATCH status, priority, tags and reason",
			setup:  func(t *testing.T, f *fixture) { withReason(t, f); withConversation(basic)(t, f) },
			req:    request{method: "PATCH", path: "/api/v1/conversations/{conv}", as: "agent", body: `{"status": "pending", "priority": "urgent", "tags": ["VIP", "משלוח"], "reason": "late-delivery"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				c := f.conversation(f.vars["conv"])
				if c.Status != kesher.StatusPending || c.Priority != kesher.PriorityUrgent || c.Reason != "late-delivery" || !slices.Equal(c.Tags, []string{"vip", "משלוח"}) {
					t.Errorf("after PATCH: %+v", c)
				}
			},
		},
		{
			name: "PATCH reason null clears it, absent fields stay",
			setup: func(t *testing.T, f *fixture) {
				withReason(t, f)
				withConversation(`{"customer": {"email": "a@example.com"}, "channel": "email", "reason": "late-delivery", "priority": "high", "message": {"body_text": "x"}}`)(t, f)
			},
			req:    request{method: "PATCH", path: "/api/v1/conversations/{conv}", as: "agent", body: `{"reason": null}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if c := f.conversation(f.vars["conv"]); c.Reason != "" || c.Priority != kesher.PriorityHigh {
					t.Errorf("reason %q priority %q, want cleared and high", c.Reason, c.Priority)
				}
			},
		},
		{
			name:   "owner change without briefing is refused and changes nothing",
			setup:  ownedBy("agent"),
			req:    request{method: "PATCH", path: "/api/v1/conversations/{conv}", as: "lead", body: `{"owner_id": "{agent2}", "priority": "high"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"briefing"},
			check: func(t *testing.T, f *fixture, res response) {
				c := f.conversation(f.vars["conv"])
				if c.OwnerID != f.users["agent"].ID || c.HandoffCount != 0 || c.Priority != kesher.PriorityNormal {
					t.Errorf("conversation changed: %+v", c)
				}
			},
		},
		{
			name:   "hand-off with briefing moves the owner and counts",
			setup:  ownedBy("agent"),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/handoff", as: "agent", body: `{"to_user_id": "{agent2}", "briefing": "הלקוחה מחכה להחזר; הבטחתי לחזור אליה ביום חמישי"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var c conv
				res.decode(t, &c)
				if c.OwnerID != f.users["agent2"].ID || c.HandoffCount != 1 {
					t.Errorf("after hand-off: owner %s count %d", c.OwnerID, c.HandoffCount)
				}
				events, _ := list[kesher.Event](f, "agent2", "/api/v1/conversations/{conv}/events")
				if !slices.ContainsFunc(events, func(e kesher.Event) bool {
					return e.Type == kesher.EventOwnerChanged && strings.Contains(string(e.Data), "ביום חמישי")
				}) {
					t.Errorf("no owner_changed event with the briefing in %+v", events)
				}
			},
		},
		{
			name:   "hand-off without briefing names the field",
			setup:  ownedBy("agent"),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/handoff", as: "agent", body: `{"to_user_id": "{agent2}"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"briefing"},
		},
		{
			name:   "an agent cannot reassign another agent's conversation",
			setup:  ownedBy("agent2"),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/handoff", as: "agent", body: `{"to_user_id": "{agent}", "briefing": "I'll take it"}`},
			status: http.StatusForbidden, code: kesher.ECodeForbidden,
			check: func(t *testing.T, f *fixture, res response) {
				if c := f.conversation(f.vars["conv"]); c.OwnerID != f.users["agent2"].ID {
					t.Errorf("owner changed to %s", c.OwnerID)
				}
			},
		},
		{
			name:   "a lead can reassign another agent's conversation",
			setup:  ownedBy("agent2"),
			req:    request{method: "PATCH", path: "/api/v1/conversations/{conv}", as: "lead", body: `{"owner_id": "{agent}", "briefing": "agent2 is on leave"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if c := f.conversation(f.vars["conv"]); c.OwnerID != f.users["agent"].ID || c.HandoffCount != 1 {
					t.Errorf("owner %s count %d", c.OwnerID, c.HandoffCount)
				}
			},
		},
		{
			name:   "a note is added and listed after the first message",
			setup:  withConversation(basic),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"direction": "note", "body_text": "לבדוק מול המחסן"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var m kesher.Message
				if res.decode(t, &m); m.Direction != kesher.Note || m.AuthorType != kesher.AuthorAgent || m.AuthorID != f.users["agent"].ID {
					t.Errorf("note %+v", m)
				}
				f.must(request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"body_text": "We are on it"}`}, http.StatusCreated, nil)
				msgs, next := list[kesher.Message](f, "agent", "/api/v1/conversations/{conv}/messages")
				var got []string
				for _, m := range msgs {
					got = append(got, string(m.Direction)+":"+m.BodyText)
				}
				if want := []string{"inbound:hello", "note:לבדוק מול המחסן", "outbound:We are on it"}; !slices.Equal(got, want) || next != "" {
					t.Errorf("thread %q (next %q), want %q", got, next, want)
				}
			},
		},
		{
			name: "timeline spans both customers' conversations after a merge",
			setup: func(t *testing.T, f *fixture) {
				a := f.open("agent", `{"customer": {"email": "dana@example.com"}, "channel": "email", "message": {"body_text": "email from Dana"}}`)
				b := f.open("agent", `{"customer": {"whatsapp": "+972501234567"}, "channel": "whatsapp", "message": {"body_text": "וואטסאפ מדנה"}}`)
				f.vars["a"], f.vars["b"] = a.CustomerID, b.CustomerID
			},
			req:    request{method: "POST", path: "/api/v1/customers/{a}/merge", as: "agent", body: `{"customer_id": "{b}"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var survivor kesher.Customer
				if res.decode(t, &survivor); survivor.ID != f.vars["a"] || len(survivor.Identities) != 2 {
					t.Errorf("survivor %+v", survivor)
				}
				entries, _ := list[kesher.TimelineEntry](f, "agent", "/api/v1/customers/{a}/timeline")
				channels := map[kesher.Channel]string{}
				for _, e := range entries {
					if e.Type == kesher.EventMessageAdded && e.Message != nil {
						channels[e.Message.Channel] = e.Message.BodyText
					}
				}
				if channels[kesher.ChannelEmail] != "email from Dana" || channels[kesher.ChannelWhatsApp] != "וואטסאפ מדנה" {
					t.Errorf("timeline messages by channel: %v", channels)
				}
				var merged kesher.Customer
				if f.must(request{method: "GET", path: "/api/v1/customers/{b}", as: "agent"}, http.StatusOK, &merged); merged.ID != f.vars["a"] {
					t.Errorf("merged customer leads to %s, want %s", merged.ID, f.vars["a"])
				}
			},
		},
		{
			name:   "a body over the limit is too_large and creates nothing",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "message": {"body_text": "` + strings.Repeat("א", testMaxBody) + `"}}`},
			status: http.StatusRequestEntityTooLarge, code: kesher.ECodeTooLarge,
			check: wantConversationCount(0),
		},
		{
			name:   "a body over the limit with an Idempotency-Key is too_large too",
			req:    request{method: "POST", path: post, as: "agent", header: map[string]string{"Idempotency-Key": "big"}, body: `{"customer": {"email": "a@example.com"}, "channel": "email", "message": {"body_text": "` + strings.Repeat("x", testMaxBody) + `"}}`},
			status: http.StatusRequestEntityTooLarge, code: kesher.ECodeTooLarge,
			check: wantConversationCount(0),
		},
		{
			name:   "malformed JSON is invalid_json",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "a@example.com"`},
			status: http.StatusBadRequest, code: kesher.ECodeInvalidJSON,
			check: wantConversationCount(0),
		},
		{
			name:   "an empty body is invalid_json",
			req:    request{method: "POST", path: "/api/v1/teams", as: "admin"},
			status: http.StatusBadRequest, code: kesher.ECodeInvalidJSON,
		},
		{
			name:   "two JSON values are invalid_json",
			req:    request{method: "POST", path: "/api/v1/teams", as: "admin", body: `{"name": "a"} {"name": "b"}`},
			status: http.StatusBadRequest, code: kesher.ECodeInvalidJSON,
		},
		{
			name:   "an unknown field is invalid_json naming it",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "sujbect": "typo", "message": {"body_text": "x"}}`},
			status: http.StatusBadRequest, code: kesher.ECodeInvalidJSON, fields: []string{"sujbect"},
			check: wantConversationCount(0),
		},
		{
			name:   "validation errors name every bad field",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "not-an-email"}, "channel": "fax", "priority": "asap", "message": {"body_text": ""}}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation,
			fields: []string{"customer.email", "channel", "priority", "message.body_text"},
			check:  wantConversationCount(0),
		},
		{
			name:   "a value of the wrong type names its field",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "tags": "vip", "message": {"body_text": "x"}}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"tags"},
		},
		{
			name:   "a malformed time names its field",
			req:    request{method: "POST", path: post, as: "admin", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "message": {"body_text": "x", "created_at": "yesterday"}}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"message.created_at"},
		},
		{
			name: "an Idempotency-Key replay returns the first answer and creates nothing",
			setup: func(t *testing.T, f *fixture) {
				res := f.must(request{method: "POST", path: post, as: "agent", body: basic, header: map[string]string{"Idempotency-Key": "k-1"}}, http.StatusCreated, nil)
				f.vars["first"] = string(res.body)
			},
			req:    request{method: "POST", path: post, as: "agent", body: basic, header: map[string]string{"Idempotency-Key": "k-1"}},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				if string(res.body) != f.vars["first"] {
					t.Errorf("replay body\n%s\nwant\n%s", res.body, f.vars["first"])
				}
				if res.header.Get("Idempotent-Replayed") != "true" {
					t.Error("no Idempotent-Replayed header")
				}
				wantConversationCount(1)(t, f, res)
			},
		},
		{
			name: "the same Idempotency-Key with another body is refused",
			setup: func(t *testing.T, f *fixture) {
				f.must(request{method: "POST", path: post, as: "agent", body: basic, header: map[string]string{"Idempotency-Key": "k-1"}}, http.StatusCreated, nil)
			},
			req:    request{method: "POST", path: post, as: "agent", body: strings.Replace(basic, "hello", "shalom", 1), header: map[string]string{"Idempotency-Key": "k-1"}},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"Idempotency-Key"},
			check: wantConversationCount(1),
		},
		{
			name: "Idempotency-Keys belong to their user",
			setup: func(t *testing.T, f *fixture) {
				f.must(request{method: "POST", path: post, as: "agent", body: basic, header: map[string]string{"Idempotency-Key": "k-1"}}, http.StatusCreated, nil)
			},
			req:    request{method: "POST", path: post, as: "agent2", body: basic, header: map[string]string{"Idempotency-Key": "k-1"}},
			status: http.StatusCreated,
			check:  wantConversationCount(2),
		},
		{
			name:   "an Idempotency-Key over 255 characters is refused",
			req:    request{method: "POST", path: post, as: "agent", body: basic, header: map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"Idempotency-Key"},
			check: wantConversationCount(0),
		},
		{
			name:   "created_at is accepted from an admin",
			req:    request{method: "POST", path: post, as: "admin", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "created_at": "2025-12-01T10:00:00+02:00", "message": {"body_text": "imported", "created_at": "2025-12-01T10:00:00+02:00"}}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var c conv
				res.decode(t, &c)
				want := time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC)
				if !c.CreatedAt.Equal(want) || !c.Message.CreatedAt.Equal(want) {
					t.Errorf("created_at %v / %v, want %v", c.CreatedAt, c.Message.CreatedAt, want)
				}
			},
		},
		{
			name:   "created_at is refused from an agent",
			req:    request{method: "POST", path: post, as: "agent", body: `{"customer": {"email": "a@example.com"}, "channel": "email", "created_at": "2025-12-01T10:00:00Z", "message": {"body_text": "x"}}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"created_at"},
			check: wantConversationCount(0),
		},
		{
			name:   "a message's created_at is refused from an agent",
			setup:  withConversation(basic),
			req:    request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"body_text": "x", "created_at": "2025-12-01T10:00:00Z"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"created_at"},
		},
		{
			name:   "a limit over 200 is refused",
			req:    request{method: "GET", path: "/api/v1/conversations?limit=201", as: "agent"},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"limit"},
		},
		{
			name:   "an unknown conversation is not_found",
			req:    request{method: "GET", path: "/api/v1/conversations/nope", as: "agent"},
			status: http.StatusNotFound, code: kesher.ECodeNotFound,
		},
		{
			name:   "an unknown route is not_found in the error format",
			req:    request{method: "GET", path: "/api/v1/nothing-here", as: "agent"},
			status: http.StatusNotFound, code: kesher.ECodeNotFound,
		},
		{
			name:   "a wrong method is method_not_allowed with Allow",
			req:    request{method: "DELETE", path: "/api/v1/conversations/x", as: "agent"},
			status: http.StatusMethodNotAllowed, code: codeMethodNotAllowed,
			check: func(t *testing.T, f *fixture, res response) {
				if got := res.header.Get("Allow"); got != "GET, PATCH" {
					t.Errorf("Allow = %q", got)
				}
			},
		},
		{
			name:   "no token is unauthorized with a Bearer challenge",
			req:    request{method: "GET", path: "/api/v1/conversations"},
			status: http.StatusUnauthorized, code: kesher.ECodeUnauthorized,
			check: func(t *testing.T, f *fixture, res response) {
				if !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", res.header.Get("WWW-Authenticate"))
				}
			},
		},
		{
			name:   "a wrong token is unauthorized",
			req:    request{method: "GET", path: "/api/v1/users/me", header: map[string]string{"Authorization": "Bearer ksr_not-a-token"}},
			status: http.StatusUnauthorized, code: kesher.ECodeUnauthorized,
		},
		{
			name:   "users/me is the signed-in user",
			req:    request{method: "GET", path: "/api/v1/users/me", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var u kesher.User
				if res.decode(t, &u); u.ID != f.users["lead"].ID || u.Role != kesher.RoleLead {
					t.Errorf("me = %+v", u)
				}
				if strings.Contains(string(res.body), "password") {
					t.Errorf("user leaks a password field: %s", res.body)
				}
			},
		},
		{
			name:   "a new token is shown once and signs in",
			req:    request{method: "POST", path: "/api/v1/users/{agent}/tokens", as: "agent", body: `{"name": "laptop"}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var tok struct {
					Token, ID, UserID, Name string
				}
				res.decode(t, &tok)
				if tok.ID == "" || tok.Name != "laptop" {
					t.Errorf("token %s", res.body)
				}
				f.tokens["new"] = tok.Token
				var me kesher.User
				if f.must(request{method: "GET", path: "/api/v1/users/me", as: "new"}, http.StatusOK, &me); me.ID != f.users["agent"].ID {
					t.Errorf("new token signs in as %s", me.ID)
				}
			},
		},
		{
			name: "a token retried with its Idempotency-Key is not shown or stored again",
			setup: func(t *testing.T, f *fixture) {
				var tok struct{ Token string }
				f.must(request{method: "POST", path: "/api/v1/users/{agent}/tokens", as: "agent", body: `{"name": "ci"}`, header: map[string]string{"Idempotency-Key": "tok-1"}}, http.StatusCreated, &tok)
				f.vars["secret"] = tok.Token
			},
			req:    request{method: "POST", path: "/api/v1/users/{agent}/tokens", as: "agent", body: `{"name": "ci"}`, header: map[string]string{"Idempotency-Key": "tok-1"}},
			status: http.StatusConflict, code: kesher.ECodeConflict,
			check: func(t *testing.T, f *fixture, res response) {
				secret := f.vars["secret"]
				if secret == "" || strings.Contains(string(res.body), secret) {
					t.Errorf("replay %s repeats the secret %q", res.body, secret)
				}
				rec, err := f.store.Idempotency(context.Background(), f.users["agent"].ID, "tok-1")
				if err != nil || strings.Contains(string(rec.Body), secret) {
					t.Errorf("stored idempotent response %s, %v holds the secret", rec.Body, err)
				}
			},
		},
		{
			name: "PATCH of a team changes only what is given",
			setup: func(t *testing.T, f *fixture) {
				var team kesher.Team
				f.must(request{method: "POST", path: "/api/v1/teams", as: "admin", body: `{"name": "משלוחים", "member_ids": ["{agent}"]}`}, http.StatusCreated, &team)
				f.vars["team"] = team.ID
			},
			req:    request{method: "PATCH", path: "/api/v1/teams/{team}", as: "admin", body: `{"name": "Delivery"}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var team kesher.Team
				if res.decode(t, &team); team.Name != "Delivery" || !slices.Equal(team.MemberIDs, []string{f.users["agent"].ID}) {
					t.Errorf("team %+v", team)
				}
			},
		},
		{
			name:   "PATCH of a reason changes only what is given",
			setup:  withReason,
			req:    request{method: "PATCH", path: "/api/v1/reasons/late-delivery", as: "admin", body: `{"active": false}`},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var r kesher.Reason
				if res.decode(t, &r); r.Active || r.Name != "משלוח מאחר" || r.Source != kesher.SourceDelivery {
					t.Errorf("reason %+v", r)
				}
			},
		},
	}
	runScenarios(t, scenarios)
}

// withReason creates the reason late-delivery.
func withReason(t *testing.T, f *fixture) {
	f.must(request{method: "POST", path: "/api/v1/reasons", as: "admin", body: `{"code": "late-delivery", "name": "משלוח מאחר", "source": "delivery"}`}, http.StatusCreated, nil)
}
