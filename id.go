package kesher

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"sync"
	"time"
)

// crockford is Crockford's base32 alphabet in lower case: no I, L, O, U, so
// IDs are easy to read aloud and sort as their creation time.
var crockford = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// idState makes IDs of one millisecond strictly increasing: the events of
// one transaction share a timestamp, and the timeline orders them by
// (time, id), so their IDs must keep the order in which they were made.
var idState struct {
	sync.Mutex
	ms   uint64
	last [10]byte
}

// NewID returns a 26-character ID: 48 bits of milliseconds since the epoch
// followed by 80 bits that are random for the first ID of a millisecond and
// incremented for the next ones (the monotonic ULID layout), so IDs made
// later sort later and index pages stay warm.
func NewID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	idState.Lock()
	if ms == idState.ms {
		increment(idState.last[:])
	} else {
		// crypto/rand.Read never returns an error on supported platforms.
		_, _ = rand.Read(idState.last[:])
		idState.last[0] &= 0x7f // room to count up without overflowing
		idState.ms = ms
	}
	copy(b[6:], idState.last[:])
	idState.Unlock()
	return crockford.EncodeToString(b[:])
}

func increment(b []byte) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i]++
		if b[i] != 0 {
			return
		}
	}
}
