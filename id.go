package kesher

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
)

// crockford is Crockford's base32 alphabet in lower case: no I, L, O, U, so
// IDs are easy to read aloud and sort as their creation time.
var crockford = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a 26-character ID: 48 bits of milliseconds since the epoch
// followed by 80 random bits (the ULID layout), so IDs made later sort later
// and index pages stay warm.
func NewID(now time.Time) string {
	var b [16]byte
	ms := uint64(now.UnixMilli())
	binary.BigEndian.PutUint64(b[:8], ms<<16)
	// crypto/rand.Read never returns an error on supported platforms.
	_, _ = rand.Read(b[6:])
	return crockford.EncodeToString(b[:])
}
