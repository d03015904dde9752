// Package bus carries committed events to live listeners, such as the agent
// pages that update as soon as a conversation changes. Local fans events
// out inside one process.
package bus

import (
	"slices"
	"sync"
	"sync/atomic"

	"kesher"
)

// Local fans events out to the subscribers of one process. It implements
// kesher.Publisher and is safe for concurrent use.
//
// Publish never waits: it reads the subscriber list without a lock and
// offers each event to each subscriber's buffer. A subscriber whose buffer
// is full misses the event and is marked as lagged, so one slow page never
// holds up the writers or the other pages.
type Local struct {
	// subs is replaced, never changed in place, so Publish can range over
	// it while Subscribe and Close make new lists under mu.
	subs atomic.Pointer[[]*Subscription]
	mu   sync.Mutex
}

var _ kesher.Publisher = (*Local)(nil)

// NewLocal returns a bus without subscribers.
func NewLocal() *Local {
	l := &Local{}
	l.subs.Store(&[]*Subscription{})
	return l
}

// Publish offers events, in order, to every subscriber.
func (l *Local) Publish(events []*kesher.Event) {
	for _, s := range *l.subs.Load() {
		for _, e := range events {
			select {
			case s.c <- e:
			default:
				s.lagged.Store(true)
			}
		}
	}
}

// Subscribe returns a subscription that receives every event published from
// now on, holding up to buffer of them (at least 1) until they are read.
func (l *Local) Subscribe(buffer int) *Subscription {
	s := &Subscription{bus: l, c: make(chan *kesher.Event, max(buffer, 1))}
	l.mu.Lock()
	defer l.mu.Unlock()
	subs := append(slices.Clone(*l.subs.Load()), s)
	l.subs.Store(&subs)
	return s
}

// Subscription is one listener of a Local bus.
//
// A listener reads C and, after each event, asks Lagged whether it has
// missed any: events are dropped only while the buffer is full, so there
// is always a buffered event left to read after a loss, and the listener
// learns of it. A listener that has lagged should no longer trust what it
// built from events and re-read the state it shows, as a page does by
// fetching itself again.
type Subscription struct {
	bus    *Local
	c      chan *kesher.Event
	lagged atomic.Bool
	once   sync.Once
}

// C delivers the events in the order they were published. It is never
// closed, so a listener stops by calling Close and then no longer reads.
func (s *Subscription) C() <-chan *kesher.Event { return s.c }

// Lagged reports whether events were dropped because the buffer was full
// since the last call, and resets the mark.
func (s *Subscription) Lagged() bool { return s.lagged.Swap(false) }

// Close ends the subscription; calling it again does nothing. A Publish
// already under way may still fill the buffer.
func (s *Subscription) Close() {
	s.once.Do(func() {
		l := s.bus
		l.mu.Lock()
		defer l.mu.Unlock()
		subs := slices.DeleteFunc(slices.Clone(*l.subs.Load()), func(o *Subscription) bool { return o == s })
		l.subs.Store(&subs)
	})
}
