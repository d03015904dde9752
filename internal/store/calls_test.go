package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"kesher"
	"kesher/internal/store"
)

func testCalls(t *testing.T, db *store.DB) {
	cust := createCustomer(t, db, newCustomer("יוסי לוי", t0, phone("+972521112233")))
	conv := newConversation(t, db, &kesher.Conversation{CustomerID: cust.ID, Channel: kesher.ChannelPhone, Subject: "שיחה נכנסת", UpdatedAt: t0})
	agent := createUser(t, db, "calls-agent@example.com")
	wait := 7
	answered := &kesher.Call{ID: newID(), ExternalID: "pbx-1", ConversationID: conv.ID, MessageID: "m1", Direction: kesher.CallInbound,
		From: "+972521112233", To: "+97231234567", AgentID: agent.ID, Queue: "מכירות", State: kesher.CallStateRinging,
		StartedAt: at(0), AnswerTargetSeconds: 20, CreatedAt: at(0), UpdatedAt: at(0)}
	missed := &kesher.Call{ID: newID(), ExternalID: "pbx-2", ConversationID: conv.ID, MessageID: "m2", Direction: kesher.CallInbound,
		From: "+972521112233", To: "+97231234567", State: kesher.CallStateMissed, StartedAt: at(100), EndedAt: at(130),
		AnswerTargetSeconds: 20, WaitSeconds: 30, AnsweredWithinTarget: new(bool), CallbackID: "cb1", CreatedAt: at(100), UpdatedAt: at(130)}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.CreateCall(ctx, answered); err != nil {
			return err
		}
		return tx.CreateCall(ctx, missed)
	})
	write(t, db, func(tx kesher.Tx) error {
		wantCode(t, "a second call with the same external id", tx.CreateCall(ctx, &kesher.Call{ID: newID(), ExternalID: "pbx-1",
			ConversationID: conv.ID, Direction: kesher.CallInbound, State: kesher.CallStateRinging}), kesher.ECodeConflict)
		return nil
	})

	// The events: one per type; a repeat is a conflict and stores nothing.
	ringing := &kesher.CallEvent{CallID: "pbx-1", Type: kesher.CallRinging, At: at(0), From: "+972521112233", Queue: "מכירות"}
	ans := &kesher.CallEvent{CallID: "pbx-1", Type: kesher.CallAnswered, At: at(12), AgentID: agent.ID, QueueWaitSeconds: &wait}
	write(t, db, func(tx kesher.Tx) error {
		if err := tx.AddCallEvent(ctx, answered.ID, ans, at(13)); err != nil {
			return err
		}
		return tx.AddCallEvent(ctx, answered.ID, ringing, at(14))
	})
	write(t, db, func(tx kesher.Tx) error {
		wantCode(t, "a repeated event", tx.AddCallEvent(ctx, answered.ID, &kesher.CallEvent{CallID: "pbx-1", Type: kesher.CallAnswered, At: at(50)}, at(50)), kesher.ECodeConflict)
		return nil
	})
	events, err := db.CallEvents(ctx, answered.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*kesher.CallEvent{ringing, ans}, events); diff != "" {
		t.Errorf("CallEvents (-want +got):\n%s", diff)
	}

	answered.Derive(events, 20*time.Second)
	answered.UpdatedAt = at(14)
	write(t, db, func(tx kesher.Tx) error { return tx.UpdateCall(ctx, answered) })
	got, err := db.CallByExternalID(ctx, "pbx-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(answered, got); diff != "" {
		t.Errorf("call after update (-want +got):\n%s", diff)
	}
	if got.State != kesher.CallStateAnswered || got.AnswerSeconds == nil || *got.AnswerSeconds != 12 || !*got.AnsweredWithinTarget {
		t.Errorf("derived call %+v", got)
	}
	if got, err := db.Call(ctx, missed.ID); err != nil || !cmp.Equal(got, missed) {
		t.Errorf("Call(missed) = %+v, %v; want %+v", got, err, missed)
	}
	_, err = db.Call(ctx, "nope")
	wantCode(t, "an unknown call", err, kesher.ECodeNotFound)

	yes, no := true, false
	for _, tc := range []struct {
		name string
		f    kesher.CallFilter
		want []string
	}{
		{"all, newest first", kesher.CallFilter{}, []string{missed.ID, answered.ID}},
		{"missed", kesher.CallFilter{Missed: &yes}, []string{missed.ID}},
		{"not missed", kesher.CallFilter{Missed: &no}, []string{answered.ID}},
		{"agent", kesher.CallFilter{AgentID: agent.ID}, []string{answered.ID}},
		{"conversation", kesher.CallFilter{ConversationID: conv.ID}, []string{missed.ID, answered.ID}},
		{"from", kesher.CallFilter{From: at(50)}, []string{missed.ID}},
		{"to", kesher.CallFilter{To: at(50)}, []string{answered.ID}},
	} {
		cs, next, err := db.Calls(ctx, tc.f)
		if err != nil || next != "" {
			t.Fatalf("%s: %v (next %q)", tc.name, err, next)
		}
		if got := ids(cs, func(c *kesher.Call) string { return c.ID }); !cmp.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	first, next, err := db.Calls(ctx, kesher.CallFilter{Page: kesher.Page{Limit: 1}})
	if err != nil || len(first) != 1 || first[0].ID != missed.ID || next == "" {
		t.Fatalf("first page %v next %q err %v", first, next, err)
	}
	second, next, err := db.Calls(ctx, kesher.CallFilter{Page: kesher.Page{Limit: 1, Cursor: next}})
	if err != nil || len(second) != 1 || second[0].ID != answered.ID || next != "" {
		t.Errorf("second page %v next %q err %v", second, next, err)
	}
}
