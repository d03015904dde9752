package desk_test

import (
	"context"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestWaitingSince(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f := newFixture(t, open(t))
		start := f.clock.Now()
		c := f.open(t, desk.CustomerRef{Email: "waiting@example.com"}, kesher.ChannelEmail, "ההזמנה לא הגיעה")
		if !c.WaitingSince.Equal(start) {
			t.Fatalf("a new conversation from the customer waits since %v, want %v", c.WaitingSince, start)
		}
		pending := kesher.StatusPending
		inbound := func(body string) func() error {
			return func() error {
				_, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Inbound, BodyText: body})
				return err
			}
		}
		reply := func(dir kesher.Direction) func() error {
			return func() error {
				_, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: dir, BodyText: "תודה, בודקים"})
				return err
			}
		}
		for _, step := range []struct {
			name string
			do   func() error
			want time.Time // the clock is a minute later at each step
		}{
			{"a second customer message keeps the first time", inbound("שוב שלום"), start},
			{"a note answers nothing", reply(kesher.Note), start},
			{"a status change leaves it", func() error {
				_, err := f.desk.UpdateConversation(f.asAgent, c.ID, kesher.ConversationUpdate{Status: &pending})
				return err
			}, start},
			{"a reply clears it", reply(kesher.Outbound), time.Time{}},
			{"the next customer message starts a new wait", inbound("עדיין לא הגיע"), start.Add(5 * time.Minute)},
		} {
			f.clock.Advance(time.Minute)
			if err := step.do(); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got, err := f.store.Conversation(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !got.WaitingSince.Equal(step.want) {
				t.Errorf("%s: waiting since %v, want %v", step.name, got.WaitingSince, step.want)
			}
		}
		out, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
			Customer: desk.CustomerRef{Email: "outreach@example.com"}, Channel: kesher.ChannelEmail,
			Message: desk.NewMessage{Direction: kesher.Outbound, BodyText: "החבילה שלך מתעכבת"},
		})
		if err != nil || !out.WaitingSince.IsZero() {
			t.Errorf("a conversation the desk began: %+v, %v; want no wait", out, err)
		}
	})
}
