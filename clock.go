package kesher

import "time"

// Clock tells the time. Everything that depends on time takes a Clock so
// that SLA and commitment logic can be tested with a fake one.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
