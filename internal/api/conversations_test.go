package api

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"kesher"
)

// TestConversationFilters runs each list filter over one set of
// conversations that differ in every filtered field.
func TestConversationFilters(t *testing.T) {
	f := newFixture(t)
	withReason(t, f)
	var team kesher.Team
	f.must(request{method: "POST", path: "/api/v1/teams", as: "admin", body: `{"name": "Billing"}`}, http.StatusCreated, &team)
	f.vars["team"] = team.ID

	byName := map[string]string{}
	open := func(name, body, status string) {
		c := f.open("admin", body)
		byName[name] = c.ID
		f.vars[name+"_cust"] = c.CustomerID
		if status != "" {
			f.must(request{method: "PATCH", path: "/api/v1/conversations/" + c.ID, as: "admin", body: `{"status": "` + status + `"}`}, http.StatusOK, nil)
		}
	}
	open("c1", `{"customer": {"email": "a@example.com"}, "channel": "email", "priority": "high", "owner_id": "{agent}", "team_id": "{team}", "tags": ["vip"], "reason": "late-delivery", "message": {"body_text": "1"}}`, "")
	open("c2", `{"customer": {"whatsapp": "0501111111"}, "channel": "whatsapp", "tags": ["refund"], "message": {"body_text": "2"}}`, "pending")
	open("c3", `{"customer": {"email": "a@example.com"}, "channel": "phone", "priority": "urgent", "owner_id": "{lead}", "message": {"body_text": "3"}}`, "solved")
	open("c4", `{"customer": {"chat": "visitor-4"}, "channel": "chat", "priority": "low", "owner_id": "{agent}", "team_id": "{team}", "message": {"body_text": "4"}}`, "on_hold")
	f.clock.Advance(time.Hour)
	open("c5", `{"customer": {"telegram": "@dana"}, "channel": "email", "message": {"body_text": "5"}}`, "closed")
	after := url.QueryEscape(f.clock.Now().Add(-time.Minute).Format(time.RFC3339))

	cases := []struct {
		query string
		as    string
		want  []string
	}{
		{"", "agent", []string{"c1", "c2", "c3", "c4", "c5"}},
		{"status=open", "agent", []string{"c1"}},
		{"status=pending&status=on_hold", "agent", []string{"c2", "c4"}},
		{"status=open,solved", "agent", []string{"c1", "c3"}},
		{"owner=me", "agent", []string{"c1", "c4"}},
		{"owner=me", "lead", []string{"c3"}},
		{"owner=none", "agent", []string{"c2", "c5"}},
		{"owner=me,none", "agent", []string{"c1", "c2", "c4", "c5"}},
		{"owner={lead}&owner=none", "agent", []string{"c2", "c3", "c5"}},
		{"team={team}", "agent", []string{"c1", "c4"}},
		{"channel=email", "agent", []string{"c1", "c5"}},
		{"channel=chat,phone", "agent", []string{"c3", "c4"}},
		{"priority=urgent", "agent", []string{"c3"}},
		{"priority=normal", "agent", []string{"c2", "c5"}},
		{"tag=vip", "agent", []string{"c1"}},
		{"tag=VIP", "agent", []string{"c1"}},
		{"tag=vip,refund", "agent", nil}, // every tag given, not any
		{"reason=late-delivery", "agent", []string{"c1"}},
		{"customer_id={c1_cust}", "agent", []string{"c1", "c3"}},
		{"updated_after=" + after, "agent", []string{"c5"}},
		{"status=open,on_hold&owner=me&team={team}", "agent", []string{"c1", "c4"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			items, next := list[kesher.Conversation](f, tc.as, "/api/v1/conversations?"+tc.query)
			var want []string
			for _, n := range tc.want {
				want = append(want, byName[n])
			}
			slices.Sort(want)
			if got := ids(items); !slices.Equal(got, want) || next != "" {
				t.Errorf("got %v (next %q), want %v", got, next, tc.want)
			}
		})
	}

	for _, bad := range []struct{ query, field string }{
		{"status=open,bogus", "status"},
		{"channel=fax", "channel"},
		{"priority=asap", "priority"},
		{"updated_after=yesterday", "updated_after"},
		{"limit=0", "limit"},
		{"limit=many", "limit"},
	} {
		t.Run(bad.query, func(t *testing.T) {
			var e apiError
			f.must(request{method: "GET", path: "/api/v1/conversations?" + bad.query, as: "agent"}, http.StatusUnprocessableEntity, &e)
			if _, ok := e.Error.Fields[bad.field]; !ok || e.Error.Code != kesher.ECodeValidation {
				t.Errorf("error %+v, want validation_failed on %s", e.Error, bad.field)
			}
		})
	}
}

// TestConversationPagination follows next_cursor through every page and
// checks that each conversation comes exactly once, newest activity first.
func TestConversationPagination(t *testing.T) {
	f := newFixture(t)
	const total = 11
	created := map[string]bool{}
	for i := range total {
		// Every other conversation shares its time with the previous one,
		// so the cursor must break ties.
		if i%2 == 0 {
			f.clock.Advance(time.Second)
		}
		created[f.open("agent", `{"customer": {"email": "p@example.com"}, "channel": "chat", "message": {"body_text": "page test"}}`).ID] = true
	}
	seen := map[string]int{}
	var order []kesher.Conversation
	cursor, pages := "", 0
	for {
		items, next := list[kesher.Conversation](f, "agent", "/api/v1/conversations?limit=4&cursor="+url.QueryEscape(cursor))
		pages++
		if len(items) > 4 {
			t.Fatalf("page of %d items, limit 4", len(items))
		}
		for _, c := range items {
			seen[c.ID]++
		}
		order = append(order, items...)
		if next == "" {
			break
		}
		if pages > total {
			t.Fatal("pagination does not end")
		}
		cursor = next
	}
	if len(seen) != total || pages != 3 {
		t.Errorf("saw %d conversations in %d pages, want %d in 3", len(seen), pages, total)
	}
	for id, n := range seen {
		if n != 1 || !created[id] {
			t.Errorf("conversation %s seen %d times (created by the test: %v)", id, n, created[id])
		}
	}
	if !slices.IsSortedFunc(order, func(a, b kesher.Conversation) int { return b.UpdatedAt.Compare(a.UpdatedAt) }) {
		t.Error("conversations are not newest first")
	}
	// A cursor that was never issued is the client's mistake, not ours.
	var e apiError
	f.must(request{method: "GET", path: "/api/v1/conversations?cursor=garbage", as: "agent"}, http.StatusUnprocessableEntity, &e)
	if _, ok := e.Error.Fields["cursor"]; !ok {
		t.Errorf("bad cursor error %+v", e.Error)
	}
}
