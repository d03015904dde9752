package desk_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// step is one event a telephone system sends, at a time after the start.
type step struct {
	after time.Duration
	typ   kesher.CallEventType
	agent bool // the event names the agent (by email): the call rang for them or they answered
}

// TestCallEvents: whatever the order and however often events arrive, a
// call ends in the state its set of events makes, its answer is measured
// against the 20-second target, and a missed call is a callback owned by
// someone.
func TestCallEvents(t *testing.T) {
	ringing, answered, ended := kesher.CallRinging, kesher.CallAnswered, kesher.CallEnded
	tests := []struct {
		name     string
		steps    []step
		state    kesher.CallState
		answer   int // -1: not answered
		within   bool
		callback kesher.CommitmentState // "" for none
		events   map[string]int
	}{
		{
			name:  "in order, answered in time",
			steps: []step{{0, ringing, false}, {12 * time.Second, answered, true}, {3 * time.Minute, ended, false}},
			state: kesher.CallStateCompleted, answer: 12, within: true,
			events: map[string]int{kesher.EventCallStarted: 1, kesher.EventCallAnswered: 1, kesher.EventCallEnded: 1, kesher.EventCallMissed: 0},
		},
		{
			name:  "answered after the target",
			steps: []step{{0, ringing, false}, {45 * time.Second, answered, true}},
			state: kesher.CallStateAnswered, answer: 45, within: false,
			events: map[string]int{kesher.EventCallAnswered: 1, kesher.EventCallEnded: 0},
		},
		{
			// The reports are sent at their times but arrive last first.
			name:  "out of order: ended, then answered, then ringing",
			steps: []step{{3 * time.Minute, ended, false}, {12 * time.Second, answered, true}, {0, ringing, false}},
			state: kesher.CallStateCompleted, answer: 12, within: true,
			events: map[string]int{kesher.EventCallStarted: 1, kesher.EventCallAnswered: 1, kesher.EventCallEnded: 1},
		},
		{
			name: "duplicates change nothing",
			steps: []step{{0, ringing, false}, {0, ringing, false}, {12 * time.Second, answered, true}, {12 * time.Second, answered, true},
				{3 * time.Minute, ended, false}, {3 * time.Minute, ended, false}},
			state: kesher.CallStateCompleted, answer: 12, within: true,
			events: map[string]int{kesher.EventCallStarted: 1, kesher.EventCallAnswered: 1, kesher.EventCallEnded: 1},
		},
		{
			name:  "missed: a callback with an owner",
			steps: []step{{0, ringing, true}, {40 * time.Second, ended, false}},
			state: kesher.CallStateMissed, answer: -1, callback: kesher.CommitmentOpen,
			events: map[string]int{kesher.EventCallMissed: 1, kesher.EventCommitmentCreated: 1, kesher.EventCallAnswered: 0},
		},
		{
			name:  "a late answer corrects a missed call and cancels its callback",
			steps: []step{{0, ringing, true}, {2 * time.Minute, ended, false}, {15 * time.Second, answered, true}},
			state: kesher.CallStateCompleted, answer: 15, within: true, callback: kesher.CommitmentCancelled,
			events: map[string]int{kesher.EventCallMissed: 1, kesher.EventCallAnswered: 1, kesher.EventCommitmentResolved: 1},
		},
	}
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, open(t))
				start := f.clock.Now()
				var call *kesher.Call
				for _, s := range tt.steps {
					if at := start.Add(s.after); at.After(f.clock.Now()) {
						f.clock.Set(at)
					}
					r := desk.CallReport{CallID: "pbx-7781", Type: s.typ, At: start.Add(s.after), From: "050-123-4567", To: "03-1234567", Queue: "תמיכה"}
					if s.agent {
						r.AgentEmail = "Agent@Example.com"
					}
					var err error
					if call, err = f.desk.RecordCallEvent(f.asAgent2, r); err != nil {
						t.Fatalf("RecordCallEvent(%s): %v", s.typ, err)
					}
				}
				if call.State != tt.state || call.From != "+972501234567" || call.To != "+97231234567" {
					t.Errorf("call %s from %s to %s, want %s", call.State, call.From, call.To, tt.state)
				}
				answer := -1
				if call.AnswerSeconds != nil {
					answer = *call.AnswerSeconds
				}
				if answer != tt.answer || call.AnsweredWithinTarget == nil || *call.AnsweredWithinTarget != tt.within || !call.StartedAt.Equal(start) {
					t.Errorf("answer %d within %v started %v; want %d %v %v", answer, call.AnsweredWithinTarget, call.StartedAt, tt.answer, tt.within, start)
				}
				calls, _, err := f.desk.Calls(f.asAgent, kesher.CallFilter{})
				if err != nil || len(calls) != 1 || calls[0].ID != call.ID {
					t.Fatalf("Calls = %v, %v; want the one call", calls, err)
				}
				conv := f.conv(t, call.ConversationID)
				if conv.Channel != kesher.ChannelPhone || conv.MessageCount != 1 || conv.OwnerID == "" {
					t.Errorf("conversation %+v: want one phone message and an owner", conv)
				}
				types := eventTypes(t, f, conv.ID)
				for typ, n := range tt.events {
					if got := count(types, typ); got != n {
						t.Errorf("%d %s events, want %d (all: %v)", got, typ, n, types)
					}
				}
				if tt.callback == "" {
					if call.CallbackID != "" {
						t.Errorf("callback %s, want none", call.CallbackID)
					}
					return
				}
				cb, err := f.store.Commitment(context.Background(), call.CallbackID)
				if err != nil {
					t.Fatal(err)
				}
				if cb.State != tt.callback || cb.OwnerID != f.agent.ID || !strings.Contains(cb.Text, "+972501234567") {
					t.Errorf("callback %+v, want %s owned by the agent", cb, tt.callback)
				}
			})
		}
		t.Run("a missed call's callback is on the watchdog and kept by calling back", func(t *testing.T) { testCallback(t, newFixture(t, open(t))) })
		t.Run("bad reports name their fields and record nothing", func(t *testing.T) { testCallValidation(t, newFixture(t, open(t))) })
	})
}

// testCallback: the callback of a missed call is due an hour after it,
// listed as due and then overdue; the caller's second call threads into
// the same conversation; an answered outbound call to them keeps it.
func testCallback(t *testing.T, f *fixture) {
	team, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "מכירות", LeadID: f.lead.ID, MemberIDs: []string{f.agent.ID}})
	if err != nil {
		t.Fatal(err)
	}
	start := f.clock.Now()
	report := func(id string, typ kesher.CallEventType, after time.Duration, r desk.CallReport) *kesher.Call {
		t.Helper()
		f.clock.Set(start.Add(after))
		r.CallID, r.Type, r.At = id, typ, start.Add(after)
		c, err := f.desk.RecordCallEvent(f.asAgent2, r)
		if err != nil {
			t.Fatalf("%s %s: %v", id, typ, err)
		}
		return c
	}
	in := desk.CallReport{From: "+972 54-765-4321", To: "100", Queue: "מכירות"}
	report("a", kesher.CallRinging, 0, in)
	missed := report("a", kesher.CallEnded, 30*time.Second, in)
	conv := f.conv(t, missed.ConversationID)
	// Nobody of the team is online: the conversation went to the lead,
	// who owns the callback.
	if conv.TeamID != team.ID || conv.OwnerID != f.lead.ID || missed.CallbackID == "" {
		t.Fatalf("conversation team %s owner %s callback %q; want the queue's team and its lead", conv.TeamID, conv.OwnerID, missed.CallbackID)
	}
	cb, err := f.store.Commitment(context.Background(), missed.CallbackID)
	if err != nil || cb.OwnerID != f.lead.ID || !cb.DueAt.Equal(start.Add(30*time.Second+time.Hour)) {
		t.Fatalf("callback %+v, %v", cb, err)
	}
	f.clock.Set(start.Add(time.Hour))
	due, _, err := f.desk.Commitments(f.asLead, kesher.CommitmentFilter{State: kesher.CommitmentDue, OwnerID: f.lead.ID})
	if err != nil || len(due) != 1 || due[0].ID != cb.ID {
		t.Errorf("due commitments %v, %v; want the callback", due, err)
	}
	f.clock.Set(start.Add(2 * time.Hour))
	f.fire(t)
	counts, err := f.desk.Watchdog(f.asLead)
	if err != nil {
		t.Fatal(err)
	}
	if counts[kesher.WatchCommitmentsOverdue] != 1 {
		t.Errorf("watchdog %v, want one overdue commitment", counts)
	}

	// The customer calls again and nobody answers: same conversation.
	second := report("b", kesher.CallEnded, 2*time.Hour+time.Minute, in)
	if second.ConversationID != conv.ID {
		t.Errorf("second call in %s, want %s", second.ConversationID, conv.ID)
	}
	// The lead calls back and the customer answers: both callbacks are
	// kept (late, so the first counts as missed).
	out := desk.CallReport{From: "100", To: "0547654321", Direction: kesher.CallOutbound, AgentID: f.lead.ID}
	back := report("c", kesher.CallAnswered, 2*time.Hour+5*time.Minute, out)
	if back.ConversationID != conv.ID || back.Direction != kesher.CallOutbound {
		t.Errorf("callback call %+v, want outbound in %s", back, conv.ID)
	}
	for id, want := range map[string]kesher.CommitmentState{missed.CallbackID: kesher.CommitmentMissed, second.CallbackID: kesher.CommitmentKept} {
		c, err := f.store.Commitment(context.Background(), id)
		if err != nil || c.State != want {
			t.Errorf("callback %s: %+v, %v; want %s", id, c, err, want)
		}
	}
	msgs, _, err := f.desk.Messages(f.asAgent, conv.ID, kesher.Page{})
	if err != nil || len(msgs) != 3 || msgs[2].Direction != kesher.Outbound || msgs[2].AuthorID != f.lead.ID {
		t.Fatalf("messages %v, %v; want three, the last the lead's outbound call", msgs, err)
	}
	if !strings.Contains(msgs[0].BodyText, "לא נענתה") || !strings.Contains(msgs[0].BodyText, "0:30") {
		t.Errorf("missed call described as %q", msgs[0].BodyText)
	}
	yes := true
	missedCalls, _, err := f.desk.Calls(f.asAgent, kesher.CallFilter{Missed: &yes})
	if err != nil || len(missedCalls) != 2 {
		t.Errorf("missed calls %v, %v; want two", missedCalls, err)
	}
}

func testCallValidation(t *testing.T, f *fixture) {
	wait := -3
	tests := []struct {
		name   string
		ctx    context.Context
		r      desk.CallReport
		code   string
		fields []string
	}{
		{"nothing", f.asAgent, desk.CallReport{}, kesher.ECodeValidation, []string{"call_id", "type", "at"}},
		{"bad values", f.asAgent, desk.CallReport{CallID: "x", Type: "hangup", At: f.clock.Now(), From: "שלום", Direction: "sideways",
			QueueWaitSeconds: &wait, RecordingURL: "javascript:alert(1)"}, kesher.ECodeValidation,
			[]string{"type", "from", "direction", "queue_wait_seconds", "recording_url"}},
		{"unknown agent", f.asAgent, desk.CallReport{CallID: "x", Type: kesher.CallRinging, At: f.clock.Now(), From: "0501234567", AgentEmail: "nobody@example.com"},
			kesher.ECodeValidation, []string{"agent_email"}},
		{"no customer number on the first event", f.asAgent, desk.CallReport{CallID: "x", Type: kesher.CallRinging, At: f.clock.Now(), To: "031234567"},
			kesher.ECodeValidation, []string{"from"}},
		{"an outbound call needs the customer in to", f.asAgent, desk.CallReport{CallID: "x", Type: kesher.CallRinging, At: f.clock.Now(),
			Direction: kesher.CallOutbound, From: "0501234567", To: "עשר"}, kesher.ECodeValidation, []string{"to"}},
	}
	for _, tt := range tests {
		_, err := f.desk.RecordCallEvent(tt.ctx, tt.r)
		wantCode(t, err, tt.code)
		var e *kesher.Error
		if !asError(err, &e) {
			t.Fatalf("%s: %v is not a kesher error", tt.name, err)
		}
		var got []string
		for k := range e.Fields {
			got = append(got, k)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(tt.fields))
		if !slices.Equal(got, want) {
			t.Errorf("%s: fields %v, want %v", tt.name, got, want)
		}
	}
	calls, _, err := f.desk.Calls(f.asAgent, kesher.CallFilter{})
	if err != nil || len(calls) != 0 {
		t.Errorf("calls after bad reports: %v, %v", calls, err)
	}
	if n, err := f.desk.CountConversations(f.asAgent, kesher.ConversationFilter{}, 10); err != nil || n != 0 {
		t.Errorf("conversations after bad reports: %d, %v", n, err)
	}
}

func asError(err error, e **kesher.Error) bool { return errors.As(err, e) }

// BenchmarkCallEvents measures call-event ingestion through the desk on
// SQLite: each operation is one call's three events (ringing, answered,
// ended), so events/s is three per operation. "new callers" makes a
// customer and a conversation per call; "one caller" threads every call
// into the same open conversation; "retries" sends each event twice, as
// a webhook that did not get its answer does; "8 lines at once" records
// missed calls (ringing, ended: a callback each) from eight goroutines.
func BenchmarkCallEvents(b *testing.B) {
	for _, bc := range []struct {
		name    string
		number  func(i int) string
		repeats int
	}{
		{"new callers", func(i int) string { return fmt.Sprintf("+9725%08d", i) }, 1},
		{"one caller", func(int) string { return "+972541234567" }, 1},
		{"retries", func(i int) string { return fmt.Sprintf("+9725%08d", i) }, 2},
	} {
		b.Run(bc.name, func(b *testing.B) {
			clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			d := desk.New(desk.Config{Store: testkit.SQLite(b), Clock: clock})
			agent, err := d.CreateUser(context.Background(), desk.NewUser{Email: "agent@example.com", Name: "נציגה", Role: kesher.RoleAgent})
			if err != nil {
				b.Fatal(err)
			}
			events := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				start := clock.Now()
				for _, r := range []desk.CallReport{
					{Type: kesher.CallRinging, At: start},
					{Type: kesher.CallAnswered, At: start.Add(8 * time.Second), AgentID: agent.ID},
					{Type: kesher.CallEnded, At: start.Add(2 * time.Minute)},
				} {
					r.CallID, r.From, r.To = fmt.Sprintf("bench-%d", i), bc.number(i), "03-1234567"
					for range bc.repeats {
						if _, err := d.RecordCallEvent(context.Background(), r); err != nil {
							b.Fatal(err)
						}
						events++
					}
				}
				clock.Advance(3 * time.Minute)
			}
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
	// Eight telephone lines at once: concurrent writes share the group
	// commit's transactions.
	b.Run("8 lines at once", func(b *testing.B) {
		d := desk.New(desk.Config{Store: testkit.SQLite(b)})
		var n atomic.Int64
		b.SetParallelism(4) // 4 × GOMAXPROCS (2 here) goroutines
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				start := time.Now().Add(-time.Minute)
				for _, r := range []desk.CallReport{{Type: kesher.CallRinging, At: start}, {Type: kesher.CallEnded, At: start.Add(30 * time.Second)}} {
					r.CallID, r.From = fmt.Sprintf("line-%d", i), fmt.Sprintf("+9725%08d", i)
					if _, err := d.RecordCallEvent(context.Background(), r); err != nil {
						b.Error(err)
						return
					}
				}
			}
		})
		b.ReportMetric(float64(2*n.Load())/b.Elapsed().Seconds(), "events/s")
	})
}
