package kesher

import (
	"testing"
	"time"
)

func TestNewIDOrder(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	prev := NewID(now.Add(-time.Millisecond))
	for i := range 1000 {
		at := now
		if i%100 == 99 {
			now = now.Add(time.Millisecond)
		}
		id := NewID(at)
		if len(id) != 26 || id <= prev {
			t.Fatalf("ID %d = %q after %q: want 26 characters, strictly increasing", i, id, prev)
		}
		prev = id
	}
}
