package kesher

import (
	"context"
	"time"
)

// EmailProof is a request to prove that whoever asks owns an email address:
// the desk mails a one-time link to the address, and following the link is
// the proof. Only the SHA-256 of the link's secret is stored, and only once
// the link is issued (when its email is sent), so a copy of the database
// holds no working link. Purpose names what the proof is for (the customer
// portal's sign-in, say): a link made for one purpose proves nothing for
// another.
//
// Requests for addresses that belong to no customer are recorded too,
// without a customer and never mailed, so that rate limits count every
// request alike and cannot tell known addresses from unknown ones.
type EmailProof struct {
	ID      string `json:"id"`
	Purpose string `json:"purpose"`
	// Email is the normalised address the link goes to.
	Email string `json:"email"`
	// CustomerID is the customer who owned the address when the proof was
	// asked for; "" for an address of nobody's.
	CustomerID string `json:"customer_id"`
	// Client is the network address the request came from, for its limit.
	Client string `json:"-"`
	// TokenHash is the SHA-256 of the link's secret; nil until issued.
	TokenHash []byte    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	// UsedAt is when the link was followed, or made void by another link
	// of the same address and purpose that was; zero while it is unused.
	UsedAt time.Time `json:"used_at"`
}

// EmailProofFilter selects recent proofs for a rate limit: those of Email,
// or those of Client, made at or after Since. Exactly one of Email and
// Client is set.
type EmailProofFilter struct {
	Email  string
	Client string
	Since  time.Time
}

// CustomerSession is a customer signed in to the portal. Like an agent's
// Session it is stored by the SHA-256 of its secret, which only the
// browser's cookie holds. It belongs to the email address the customer
// proved: each use checks that the address still belongs to the customer
// (or to the customer it was merged into).
type CustomerSession struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	// Email is the address whose proof started the session.
	Email     string `json:"email"`
	TokenHash []byte `json:"-"`
	// CSRFToken is put in the portal's forms and sent back with every
	// change the browser makes.
	CSRFToken  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
}

// EventPortalSignedIn records on a customer's timeline that they signed in
// to the portal; the latest one is their last sign-in.
const EventPortalSignedIn = "portal.signed_in"

// Portal reads what the customer portal keeps: email proofs and customer
// sessions.
type Portal interface {
	// EmailProof returns a proof by id.
	EmailProof(ctx context.Context, id string) (*EmailProof, error)
	// EmailProofByHash finds an issued proof by the SHA-256 of its link's
	// secret, used or not; ECodeNotFound when there is none.
	EmailProofByHash(ctx context.Context, hash []byte) (*EmailProof, error)
	// CountEmailProofs counts the proofs f selects up to max, as
	// CountConversations does. A filter without exactly one of Email and
	// Client is ECodeValidation on field "filter".
	CountEmailProofs(ctx context.Context, f EmailProofFilter, max int) (int, error)
	// CustomerSessionByHash finds a customer session by the SHA-256 of its
	// secret, expired or not; ECodeNotFound when there is none.
	CustomerSessionByHash(ctx context.Context, hash []byte) (*CustomerSession, error)
	// LastPortalSignIn returns when the customer last signed in to the
	// portal (the latest EventPortalSignedIn of theirs), zero when never.
	LastPortalSignIn(ctx context.Context, customerID string) (time.Time, error)
}

// PortalTx writes what the customer portal keeps.
type PortalTx interface {
	// CreateEmailProof inserts a proof; a taken id or hash is ECodeConflict.
	CreateEmailProof(ctx context.Context, p *EmailProof) error
	// IssueEmailProof sets the hash of the secret of a proof's link,
	// replacing the one of a link issued before: only the latest link of a
	// proof works. ECodeNotFound for an unknown proof, ECodeConflict for a
	// taken hash.
	IssueEmailProof(ctx context.Context, id string, hash []byte) error
	// UseEmailProof marks an unused proof used at the given time, and with
	// it every other unused proof of the same email and purpose, so a link
	// followed voids the links sent before it. ECodeConflict when the proof
	// was used already, ECodeNotFound when there is no such proof.
	UseEmailProof(ctx context.Context, id string, at time.Time) error
	// DeleteEmailProofs deletes the proofs that expired before the given
	// time and returns how many there were.
	DeleteEmailProofs(ctx context.Context, before time.Time) (int, error)

	// CreateCustomerSession inserts a session; a taken hash is
	// ECodeConflict, an unknown customer ECodeNotFound.
	CreateCustomerSession(ctx context.Context, s *CustomerSession) error
	// TouchCustomerSession saves when a session was last used and its new
	// expiry; ECodeNotFound when there is no such session.
	TouchCustomerSession(ctx context.Context, id string, lastSeen, expires time.Time) error
	// DeleteCustomerSession ends one session; ECodeNotFound when there is
	// none.
	DeleteCustomerSession(ctx context.Context, id string) error
	// DeleteExpiredCustomerSessions deletes the sessions that expired
	// before the given time and returns how many there were.
	DeleteExpiredCustomerSessions(ctx context.Context, before time.Time) (int, error)
}
