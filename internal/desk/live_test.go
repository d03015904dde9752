package desk_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"

	"kesher"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// watcher is the desk's Publisher in these tests. It records each batch,
// checks as the batch arrives that its conversation events are already
// committed (readable by the store outside the Write), and passes it on to
// a real bus.
type watcher struct {
	t       *testing.T
	store   kesher.Store
	bus     *bus.Local
	mu      sync.Mutex
	batches [][]*kesher.Event
}

func (w *watcher) Publish(events []*kesher.Event) {
	for _, e := range events {
		if e.ConversationID == "" {
			continue
		}
		stored, _, err := w.store.Events(context.Background(), e.ConversationID, kesher.Page{Limit: kesher.MaxPageLimit})
		if err != nil || !slices.ContainsFunc(stored, func(s *kesher.Event) bool { return s.ID == e.ID }) {
			w.t.Errorf("event %s (%s) was published before it was committed (%v)", e.ID, e.Type, err)
		}
	}
	w.mu.Lock()
	w.batches = append(w.batches, events)
	w.mu.Unlock()
	w.bus.Publish(events)
}

// published returns the types of the events of every batch so far.
func (w *watcher) published() [][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([][]string, len(w.batches))
	for i, b := range w.batches {
		for _, e := range b {
			out[i] = append(out[i], e.Type)
		}
	}
	return out
}

// liveFixture is a fixture whose desk publishes to a watcher. The users
// the fixture makes are created before, so no batch is recorded yet.
func liveFixture(t *testing.T, st kesher.Store) (*fixture, *watcher) {
	f := newFixture(t, st)
	w := &watcher{t: t, store: st, bus: bus.NewLocal()}
	f.desk = desk.New(desk.Config{Store: st, Clock: f.clock, Publisher: w})
	return f, w
}

func TestLive(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *fixture, w *watcher)
		}{
			{"intake is published once committed", testLiveIntake},
			{"a reply is published", testLiveReply},
			{"a failed write publishes nothing", testLiveFailure},
			{"concurrent intake publishes one new customer", testLiveConcurrent},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f, w := liveFixture(t, open(t))
				tc.run(t, f, w)
			})
		}
	})
}

func testLiveIntake(t *testing.T, f *fixture, w *watcher) {
	page := w.bus.Subscribe(16)
	defer page.Close()
	c := f.open(t, desk.CustomerRef{Email: "live@example.com"}, kesher.ChannelEmail, "שלום")
	// The events are waiting for the subscriber as soon as the desk returns.
	var got []*kesher.Event
	for len(page.C()) > 0 {
		got = append(got, <-page.C())
	}
	stored, _, err := f.store.Events(context.Background(), c.ID, kesher.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Type != kesher.EventCustomerCreated || got[0].CustomerID != c.CustomerID {
		t.Fatalf("subscriber received %d events %v, want customer.created first", len(got), w.published())
	}
	for i, e := range got[1:] {
		if e.ID != stored[i].ID || e.ConversationID != c.ID {
			t.Errorf("published event %d: %s of conversation %q, want %s (%s) of %s", i+1, e.ID, e.ConversationID, stored[i].ID, stored[i].Type, c.ID)
		}
	}
	if page.Lagged() {
		t.Error("a subscriber with room lagged")
	}
	if n := len(w.published()); n != 1 {
		t.Errorf("one Write published %d batches", n)
	}
}

func testLiveReply(t *testing.T, f *fixture, w *watcher) {
	c := f.open(t, desk.CustomerRef{Email: "reply@example.com"}, kesher.ChannelEmail, "hello")
	for _, step := range []struct {
		name string
		do   func() error
		want []string
	}{
		{"first reply, which takes the conversation", func() error {
			_, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{BodyText: "On it"})
			return err
		}, []string{kesher.EventOwnerChanged, kesher.EventMessageAdded}},
		{"second reply", func() error {
			_, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{BodyText: "Done"})
			return err
		}, []string{kesher.EventMessageAdded}},
		{"note", func() error {
			_, err := f.desk.AddMessage(f.asAgent, c.ID, desk.NewMessage{Direction: kesher.Note, BodyText: "פנימי"})
			return err
		}, []string{kesher.EventMessageAdded}},
	} {
		before := len(w.published())
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got := w.published()[before:]
		if len(got) != 1 || !slices.Equal(got[0], step.want) {
			t.Errorf("%s published %v, want one batch %v", step.name, got, step.want)
		}
	}
}

func testLiveFailure(t *testing.T, f *fixture, w *watcher) {
	f.open(t, desk.CustomerRef{Email: "first@example.com"}, kesher.ChannelEmail, "first")
	before := len(w.published())
	_, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
		Customer: desk.CustomerRef{Email: "owner@example.com"}, Channel: kesher.ChannelEmail, OwnerID: "nobody",
		Message: desk.NewMessage{BodyText: "x"},
	})
	wantCode(t, err, kesher.ECodeValidation)
	// This one fails after appending events: a new customer and its event,
	// then a message whose external id is taken.
	dup := desk.NewMessage{BodyText: "again", ExternalID: "<same@mail.example.com>"}
	if _, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
		Customer: desk.CustomerRef{Email: "a@example.com"}, Channel: kesher.ChannelEmail, Message: dup,
	}); err != nil {
		t.Fatal(err)
	}
	before++
	_, _, err = f.desk.CreateConversation(f.asAgent, desk.NewConversation{
		Customer: desk.CustomerRef{Email: "b@example.com"}, Channel: kesher.ChannelEmail, Message: dup,
	})
	wantCode(t, err, kesher.ECodeConflict)
	if got := w.published()[before:]; len(got) != 0 {
		t.Errorf("failed writes published %v", got)
	}
}

func testLiveConcurrent(t *testing.T, f *fixture, w *watcher) {
	const n = 10
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, _, err := f.desk.CreateConversation(f.asAgent, desk.NewConversation{
				Customer: desk.CustomerRef{Email: "rush@example.com"}, Channel: kesher.ChannelWeb, Message: desk.NewMessage{BodyText: "שלום"},
			}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	count := map[string]int{}
	for _, b := range w.published() {
		for _, typ := range b {
			count[typ]++
		}
	}
	want := map[string]int{kesher.EventCustomerCreated: 1, kesher.EventConversationCreated: n, kesher.EventMessageAdded: n}
	if !maps.Equal(count, want) {
		t.Errorf("published %v, want %v", count, want)
	}
}
