package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kesher"
)

// callEvent is the body of one call event of call pbx-1 at second s after
// 09:00, with extra JSON fields.
func callEvent(typ string, s int, extra string) string {
	return fmt.Sprintf(`{"call_id": "pbx-1", "type": %q, "at": "2026-03-01T08:%02d:%02dZ", "from": "052-111-2233", "to": "03-1234567"%s}`,
		typ, 58+s/60, s%60, extra)
}

// withCallEvents sends the events as the agent, in the order given.
func withCallEvents(bodies ...string) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		for _, b := range bodies {
			f.must(request{method: "POST", path: "/api/v1/calls/events", as: "agent", body: b}, http.StatusOK, nil)
		}
	}
}

func wantCalls(n int) func(t *testing.T, f *fixture, res response) {
	return func(t *testing.T, f *fixture, res response) {
		if calls, _ := list[kesher.Call](f, "agent", "/api/v1/calls"); len(calls) != n {
			t.Errorf("%d calls, want %d: %+v", len(calls), n, calls)
		}
	}
}

func TestCallScenarios(t *testing.T) {
	const post = "/api/v1/calls/events"
	answeredByAgent := `, "agent_email": "agent@example.com", "queue": "שירות לקוחות"`
	runScenarios(t, []scenario{
		{
			name:   "a missed call is in the caller's timeline with a callback for the agent it rang for",
			setup:  withCallEvents(callEvent("ringing", 0, `, "agent_id": "{agent}"`)),
			req:    request{method: "POST", path: post, as: "agent", body: callEvent("ended", 35, "")},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var c kesher.Call
				if res.decode(t, &c); c.State != kesher.CallStateMissed || c.WaitSeconds != 35 || c.CallbackID == "" || *c.AnsweredWithinTarget {
					t.Fatalf("call %+v", c)
				}
				var conv kesher.Conversation
				f.must(request{method: "GET", path: "/api/v1/conversations/" + c.ConversationID, as: "agent"}, http.StatusOK, &conv)
				commitments, _ := list[kesher.Commitment](f, "agent", "/api/v1/commitments?owner=me")
				if len(commitments) != 1 || commitments[0].ID != c.CallbackID || commitments[0].ConversationID != conv.ID {
					t.Errorf("the agent's commitments %+v, want the callback", commitments)
				}
				entries, _ := list[kesher.TimelineEntry](f, "agent", "/api/v1/customers/"+conv.CustomerID+"/timeline")
				var sawMissed, sawMessage bool
				for _, e := range entries {
					sawMissed = sawMissed || e.Type == kesher.EventCallMissed
					sawMessage = sawMessage || (e.Message != nil && e.Message.Channel == kesher.ChannelPhone && strings.Contains(e.Message.BodyText, "+972521112233"))
				}
				if !sawMissed || !sawMessage {
					t.Errorf("timeline lacks the call (missed %v, message %v): %+v", sawMissed, sawMessage, entries)
				}
				missed, _ := list[kesher.Call](f, "agent", "/api/v1/calls?missed=true&agent=me")
				if len(missed) != 1 || missed[0].ID != c.ID {
					t.Errorf("missed calls %+v", missed)
				}
				var got kesher.Call
				if f.must(request{method: "GET", path: "/api/v1/calls/" + c.ID, as: "lead"}, http.StatusOK, &got); got.CallbackID != c.CallbackID {
					t.Errorf("GET call %+v", got)
				}
			},
		},
		{
			name:   "a retried event is answered with the call and records nothing more",
			setup:  withCallEvents(callEvent("ringing", 0, ""), callEvent("answered", 9, answeredByAgent)),
			req:    request{method: "POST", path: post, as: "agent", body: callEvent("answered", 9, answeredByAgent)},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var c kesher.Call
				if res.decode(t, &c); c.State != kesher.CallStateAnswered || *c.AnswerSeconds != 9 || !*c.AnsweredWithinTarget || c.AgentID != f.users["agent"].ID {
					t.Errorf("call %+v", c)
				}
				events, _ := list[kesher.Event](f, "agent", "/api/v1/conversations/"+c.ConversationID+"/events")
				n := 0
				for _, e := range events {
					if e.Type == kesher.EventCallAnswered {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d call.answered events, want 1", n)
				}
				wantCalls(1)(t, f, res)
			},
		},
		{
			name:   "unknown values are validation_failed naming each field, and nothing is recorded",
			req:    request{method: "POST", path: post, as: "agent", body: `{"call_id": "", "type": "hangup", "at": "2026-03-01T09:00:00Z", "from": "שלום", "direction": "up", "agent_email": "nobody@example.com"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"call_id", "type", "from", "direction"},
			check: func(t *testing.T, f *fixture, res response) {
				wantCalls(0)(t, f, res)
				wantConversationCount(0)(t, f, res)
			},
		},
		{
			name:   "an unknown agent is validation_failed on agent_email",
			req:    request{method: "POST", path: post, as: "agent", body: callEvent("answered", 5, `, "agent_email": "nobody@example.com"`)},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"agent_email"},
			check: wantCalls(0),
		},
		{
			name:   "a malformed time names its field",
			req:    request{method: "POST", path: post, as: "agent", body: `{"call_id": "x", "type": "ringing", "at": "אתמול", "from": "0521112233"}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"at"},
			check: wantCalls(0),
		},
		{
			name:   "an unauthenticated event is 401 and recorded nowhere",
			req:    request{method: "POST", path: post, body: callEvent("ringing", 0, "")},
			status: http.StatusUnauthorized, code: kesher.ECodeUnauthorized,
			check: wantCalls(0),
		},
		{
			name:   "calls filter by the period they started in",
			setup:  withCallEvents(callEvent("ended", 30, "")),
			req:    request{method: "GET", path: "/api/v1/calls?from=2026-03-02", as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.Call }
				if res.decode(t, &page); len(page.Items) != 0 {
					t.Errorf("calls from tomorrow: %+v", page.Items)
				}
			},
		},
		{
			name:   "missed takes a boolean",
			req:    request{method: "GET", path: "/api/v1/calls?missed=maybe", as: "agent"},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"missed"},
		},
	})
}
