package kesher

import "time"

// Session is a signed-in browser. Only the SHA-256 of its secret is stored:
// the secret lives in the browser's cookie alone, so a copy of the database
// does not sign anyone in.
type Session struct {
	ID        string `json:"id"`
	UserID    string `json:"user_id"`
	TokenHash []byte `json:"-"`
	// CSRFToken is put in the session's own pages and sent back with every
	// change the browser makes; it is useless without the cookie.
	CSRFToken string `json:"-"`
	// Remember gives the session the long lifetime of "remember me".
	Remember   bool      `json:"remember"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
}
