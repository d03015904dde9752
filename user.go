package kesher

import (
	"context"
	"time"
)

// Role is what a user may do. Admins manage the desk; leads also reassign
// any conversation and see their teams' work; agents handle conversations.
type Role string

// Roles, from most to least powerful.
const (
	RoleAdmin Role = "admin"
	RoleLead  Role = "lead"
	RoleAgent Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleLead || r == RoleAgent }

// AtLeast reports whether r is as powerful as min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() }

func (r Role) rank() int {
	switch r {
	case RoleAdmin:
		return 3
	case RoleLead:
		return 2
	case RoleAgent:
		return 1
	}
	return 0
}

// Availability is whether an agent can take new work right now.
type Availability string

// Availabilities.
const (
	Online  Availability = "online"
	Away    Availability = "away"
	Offline Availability = "offline"
)

// Valid reports whether a is a known availability.
func (a Availability) Valid() bool { return a == Online || a == Away || a == Offline }

// DefaultTimeZone is the time zone of a user who has not chosen one.
const DefaultTimeZone = "Asia/Jerusalem"

// User is a member of the service team who signs in to the desk.
type User struct {
	ID           string       `json:"id"`
	Email        string       `json:"email"`
	Name         string       `json:"name"`
	Role         Role         `json:"role"`
	Active       bool         `json:"active"`
	Availability Availability `json:"availability"`
	Language     string       `json:"language"`
	// TimeZone is the IANA name of the zone the user's times are shown in.
	TimeZone string   `json:"time_zone"`
	TeamIDs  []string `json:"team_ids"`
	// PasswordHash is the encoded KDF output; it never leaves the server.
	PasswordHash string `json:"-"`
	// Capacity bounds the open conversations assignment gives the user;
	// 0 means no bound.
	Capacity int `json:"capacity"`
	// LastSeenAt is the user's last activity; an online user idle for
	// longer than the desk's auto-away time counts as away.
	LastSeenAt time.Time `json:"last_seen_at"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Team is a group of users that shares a queue.
type Team struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	MemberIDs []string `json:"member_ids"`
	// LeadID owns the team's queue: conversations no agent can take go to
	// the lead, and alerts about the team reach them.
	LeadID string `json:"lead_id"`
	// CalendarID names the business calendar of the team's SLA clocks;
	// "" is the desk's default calendar.
	CalendarID string    `json:"calendar_id"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Token is an API token. Only its SHA-256 hash is stored; the secret is
// shown once, when it is created.
type Token struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	Name       string    `json:"name"`
	Hash       []byte    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at"`
}

type actorKey struct{}

// WithActor returns a context that carries the signed-in user.
func WithActor(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, actorKey{}, u)
}

// ActorFrom returns the signed-in user of ctx, or nil for the system itself
// (jobs, the CLI, inbound channels).
func ActorFrom(ctx context.Context) *User {
	u, _ := ctx.Value(actorKey{}).(*User)
	return u
}
