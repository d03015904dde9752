package web

import (
	"sync"
	"time"

	"kesher"
)

// limiter counts failed attempts per key (an email, a client address) in a
// sliding window. It lives in memory: a restart forgets the counts, which
// costs an attacker nothing they could not get by waiting a window.
type limiter struct {
	window time.Duration
	clock  kesher.Clock

	mu       sync.Mutex
	failures map[string][]time.Time
}

// sweepAt is the number of keys above which a failure also drops the keys
// whose window has passed, so the map stays bounded under a spray of
// addresses.
const sweepAt = 10000

func newLimiter(window time.Duration, clock kesher.Clock) *limiter {
	return &limiter{window: window, clock: clock, failures: map[string][]time.Time{}}
}

// allowed reports whether key, with fewer than max failures in the window,
// may try again, and if not, how long until it may.
func (l *limiter) allowed(key string, max int) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	recent := l.recent(key, now)
	if len(recent) < max {
		return true, 0
	}
	return false, recent[len(recent)-max].Add(l.window).Sub(now)
}

// fail records a failed attempt of key.
func (l *limiter) fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	l.failures[key] = append(l.recent(key, now), now)
	if len(l.failures) > sweepAt {
		for k := range l.failures {
			l.recent(k, now)
		}
	}
}

// record counts an attempt of key that is limited whether it succeeds or
// not, such as a post of the help centre's contact form.
func (l *limiter) record(key string) { l.fail(key) }

// reset forgets key's failures after a success.
func (l *limiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.failures, key)
}

// recent drops key's failures older than the window and returns the rest.
func (l *limiter) recent(key string, now time.Time) []time.Time {
	times := l.failures[key]
	i := 0
	for i < len(times) && !times[i].After(now.Add(-l.window)) {
		i++
	}
	times = times[i:]
	if len(times) == 0 {
		delete(l.failures, key)
		return nil
	}
	l.failures[key] = times
	return times
}
