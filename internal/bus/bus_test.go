package bus_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"kesher"
	"kesher/internal/bus"
)

func events(ids ...string) []*kesher.Event {
	out := make([]*kesher.Event, len(ids))
	for i, id := range ids {
		out[i] = &kesher.Event{ID: id, Type: kesher.EventMessageAdded}
	}
	return out
}

// buffered returns the ids of the events waiting in s, without blocking.
func buffered(s *bus.Subscription) []string {
	var ids []string
	for {
		select {
		case e := <-s.C():
			ids = append(ids, e.ID)
		default:
			return ids
		}
	}
}

func TestLocal(t *testing.T) {
	tests := []struct {
		name       string
		buffer     int
		publish    [][]string
		want       []string
		wantLagged bool
	}{
		{"nothing published", 4, nil, nil, false},
		{"events in order", 4, [][]string{{"a", "b"}, {"c"}}, []string{"a", "b", "c"}, false},
		{"exactly full", 3, [][]string{{"a", "b", "c"}}, []string{"a", "b", "c"}, false},
		{"overflow keeps the first and marks the loss", 2, [][]string{{"a"}, {"b", "c"}, {"d"}}, []string{"a", "b"}, true},
		{"a buffer below 1 holds one", 0, [][]string{{"a", "b"}}, []string{"a"}, true},
		{"an empty publish", 1, [][]string{{}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := bus.NewLocal()
			s := l.Subscribe(tt.buffer)
			defer s.Close()
			roomy := l.Subscribe(100)
			defer roomy.Close()
			var all []string
			for _, ids := range tt.publish {
				l.Publish(events(ids...))
				all = append(all, ids...)
			}
			if got := buffered(s); !slices.Equal(got, tt.want) {
				t.Errorf("received %v, want %v", got, tt.want)
			}
			if got := s.Lagged(); got != tt.wantLagged {
				t.Errorf("Lagged() = %v, want %v", got, tt.wantLagged)
			}
			if s.Lagged() {
				t.Error("Lagged() stays true after it was read")
			}
			// A slow subscriber costs the others nothing.
			if got := buffered(roomy); !slices.Equal(got, all) || roomy.Lagged() {
				t.Errorf("the other subscriber received %v (lagged %v), want %v", got, roomy.Lagged(), all)
			}
		})
	}
}

func TestLocalClose(t *testing.T) {
	l := bus.NewLocal()
	a, b := l.Subscribe(4), l.Subscribe(4)
	l.Publish(events("1"))
	a.Close()
	a.Close()
	l.Publish(events("2"))
	if got := buffered(a); !slices.Equal(got, []string{"1"}) {
		t.Errorf("closed subscription received %v, want only the event before Close", got)
	}
	if got := buffered(b); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("open subscription received %v", got)
	}
}

// TestLocalConcurrent publishes from several writers while listeners come
// and go; run it with -race. Each listener that stays sees every writer's
// events in that writer's order.
func TestLocalConcurrent(t *testing.T) {
	const writers, each = 4, 200
	l := bus.NewLocal()
	stay := l.Subscribe(writers * each)
	defer stay.Close()
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				l.Publish(events(fmt.Sprintf("%d-%03d", w, i)))
			}
		})
	}
	for range 8 {
		wg.Go(func() {
			for range 50 {
				s := l.Subscribe(1)
				buffered(s)
				s.Lagged()
				s.Close()
			}
		})
	}
	wg.Wait()
	got := buffered(stay)
	if len(got) != writers*each || stay.Lagged() {
		t.Fatalf("received %d events (lagged %v), want %d", len(got), stay.Lagged(), writers*each)
	}
	last := map[byte]string{}
	for _, id := range got {
		if id <= last[id[0]] {
			t.Fatalf("event %s after %s: a writer's events out of order", id, last[id[0]])
		}
		last[id[0]] = id
	}
}

// BenchmarkPublish publishes a write's two events to 200 subscribers that
// read them as they come, as open pages do.
func BenchmarkPublish(b *testing.B) {
	l := bus.NewLocal()
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 200 {
		s := l.Subscribe(64)
		defer s.Close()
		wg.Go(func() {
			for {
				select {
				case <-s.C():
				case <-done:
					return
				}
			}
		})
	}
	evs := events("conversation.created", "message.added")
	b.ReportAllocs()
	for b.Loop() {
		l.Publish(evs)
	}
	b.StopTimer()
	close(done)
	wg.Wait()
}
