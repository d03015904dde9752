package desk

import (
	"slices"
	"sync"
	"time"

	"kesher"
)

// API tokens are checked on every request, and reading the token and its
// user took a tenth of the CPU of creating a conversation over the API. So
// a checked token is remembered for a few seconds.
//
// On this node every change to users or teams forgets all remembered
// tokens once it has committed (forgetTokens), so a deactivated user or a
// lowered role takes effect at once. Other nodes sharing the database
// notice within authTTL.
const (
	authTTL = 5 * time.Second
	// maxAuthEntries bounds the memory of the cache; when it is full it
	// starts again empty rather than tracking which entry is oldest.
	maxAuthEntries = 10_000
)

type authCache struct {
	mu      sync.Mutex
	entries map[string]authEntry // by token hash
	// gen counts forgets, so that a check that read the user before a
	// change committed does not remember what it read after the forget.
	gen uint64
}

type authEntry struct {
	user  kesher.User
	until time.Time
}

// lookup returns a copy of the remembered user of a token hash, and the
// generation to pass to remember after reading it afresh.
func (c *authCache) lookup(hash string, now time.Time) (*kesher.User, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if !ok || !now.Before(e.until) {
		return nil, c.gen
	}
	return copyUser(&e.user), c.gen
}

// remember keeps u for hash unless the cache was forgotten since gen.
func (c *authCache) remember(hash string, u *kesher.User, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil || len(c.entries) >= maxAuthEntries {
		c.entries = make(map[string]authEntry)
	}
	c.entries[hash] = authEntry{user: *copyUser(u), until: now.Add(authTTL)}
}

// copyUser keeps the cache and its callers from sharing what either may
// change.
func copyUser(u *kesher.User) *kesher.User {
	c := *u
	c.TeamIDs = slices.Clone(u.TeamIDs)
	return &c
}

// forget drops every remembered token.
func (c *authCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries = nil
	c.gen++
}
