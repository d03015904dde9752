package desk

import (
	"context"
	"slices"
	"strings"
	"time"

	"kesher"
	"kesher/internal/auth"
)

// Email proofs: whoever asks proves that they own an email address by
// following a one-time link the desk mails to it. The customer portal signs
// customers in with them; anything else that needs "this visitor owns that
// address" asks for a proof of its own purpose.
//
// A request is answered alike whether or not the address belongs to a
// customer, so the answer tells nobody which addresses are known; only a
// customer's address gets the email. The link's secret is made when the
// email is sent, by the outbox's job, and only its SHA-256 is stored, so
// neither the outbox nor a copy of the database holds a working link.

// Purposes of email proofs. A proof proves nothing for another purpose.
const (
	// ProofPortal signs a customer in to the portal.
	ProofPortal = "portal"
	// ProofChat joins a chat visitor's timeline to the customer who owns
	// the address the visitor gave.
	ProofChat = "chat"
)

// proofPurposes lists every purpose RequestEmailProof accepts. A chat's
// proof is asked for by the chat channel alone (ChatIdentify), which ties
// it to its visitor.
var proofPurposes = []string{ProofPortal}

// ProofPrefix starts every link secret, so a leaked one is easy to tell
// from a session or an API token and to find by secret scanners.
const ProofPrefix = "kpl_"

// JobEmailProof mails the link of an email proof (EmailProofJob).
const JobEmailProof = "email.proof"

// EmailProofJob is the payload of a JobEmailProof job. It names the proof
// only: the link's secret is made when the job runs.
type EmailProofJob struct {
	ProofID string `json:"proof_id"`
}

// EventEmailProofRequested records on a customer's timeline that someone
// asked for a link to one of the customer's addresses.
const EventEmailProofRequested = "email_proof.requested"

// PortalConfig tunes email proofs and the customer portal.
type PortalConfig struct {
	// LinkLifetime is how long an emailed link works, from the request.
	// Default 15 minutes.
	LinkLifetime time.Duration
	// SessionLifetime is how long a customer stays signed in after their
	// last use of the portal. Default 24 hours.
	SessionLifetime time.Duration
	// ProofWindow, ProofsPerEmail and ProofsPerClient limit requests: at
	// most ProofsPerEmail for one address and ProofsPerClient from one
	// client address within ProofWindow. Defaults 15 minutes, 3 and 30.
	ProofWindow     time.Duration
	ProofsPerEmail  int
	ProofsPerClient int
}

func (c PortalConfig) withDefaults() PortalConfig {
	c.LinkLifetime = orDefault(c.LinkLifetime, 15*time.Minute)
	c.SessionLifetime = orDefault(c.SessionLifetime, 24*time.Hour)
	c.ProofWindow = orDefault(c.ProofWindow, 15*time.Minute)
	c.ProofsPerEmail = orDefault(c.ProofsPerEmail, 3)
	c.ProofsPerClient = orDefault(c.ProofsPerClient, 30)
	return c
}

// LinkLifetime is how long an emailed link works.
func (d *Desk) LinkLifetime() time.Duration { return d.portal.LinkLifetime }

// EmailProofRequest asks for a link that proves ownership of Email for
// Purpose. Client is the requester's network address, for its rate limit.
type EmailProofRequest struct {
	Email   string
	Purpose string
	Client  string
}

// maxClient bounds the stored client address (an IP address is far
// shorter).
const maxClient = 100

// RequestEmailProof records a request for a link to in.Email and, when the
// address belongs to a customer, enqueues the email that carries the link,
// in one Write. It returns nil whether or not the address is known. Anyone
// may ask: a request proves nothing until its link is followed.
//
// Errors: ECodeValidation with "invalid" on field email or purpose;
// ECodeRateLimited when the address or the client asked too often within
// the proof window, whether or not the address is known.
func (d *Desk) RequestEmailProof(ctx context.Context, in EmailProofRequest) error {
	var v kesher.Validation
	addr, err := kesher.NormalizeEmail(strings.TrimSpace(in.Email))
	v.Check(err == nil && len(addr) <= 254, "email", "invalid")
	v.Check(slices.Contains(proofPurposes, in.Purpose), "purpose", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		_, err := d.createEmailProof(ctx, tx, addr, in.Purpose, in.Client)
		return err
	})
}

// createEmailProof records a proof of addr, a normalised address, for
// purpose inside tx and, when the address belongs to a customer, enqueues
// its email; it is RequestEmailProof's Write, for callers that need the
// proof (the chat channel waits on it).
func (d *Desk) createEmailProof(ctx context.Context, tx kesher.Tx, addr, purpose, client string) (*kesher.EmailProof, error) {
	client = clip(strings.TrimSpace(client), maxClient)
	cfg := d.portal
	now := d.clock.Now()
	since := now.Add(-cfg.ProofWindow)
	limited := kesher.Errorf(kesher.ECodeRateLimited, "too many links were asked for; try again later")
	if n, err := tx.CountEmailProofs(ctx, kesher.EmailProofFilter{Email: addr, Since: since}, cfg.ProofsPerEmail); err != nil {
		return nil, err
	} else if n >= cfg.ProofsPerEmail {
		return nil, limited
	}
	if client != "" {
		if n, err := tx.CountEmailProofs(ctx, kesher.EmailProofFilter{Client: client, Since: since}, cfg.ProofsPerClient); err != nil {
			return nil, err
		} else if n >= cfg.ProofsPerClient {
			return nil, limited
		}
	}
	cust, err := tx.CustomerByIdentity(ctx, kesher.IdentityEmail, addr)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return nil, err
	}
	p := &kesher.EmailProof{ID: kesher.NewID(now), Purpose: purpose, Email: addr, Client: client, CreatedAt: now,
		ExpiresAt: now.Add(cfg.LinkLifetime)}
	if cust != nil {
		p.CustomerID = cust.ID
	}
	if err := tx.CreateEmailProof(ctx, p); err != nil || cust == nil {
		return p, err
	}
	if err := d.enqueue(ctx, tx, JobEmailProof, "proof:"+p.ID, EmailProofJob{ProofID: p.ID}); err != nil {
		return nil, err
	}
	// Whoever asked has proved nothing yet: the desk records it.
	e := d.systemEvent(EventEmailProofRequested, map[string]any{"purpose": p.Purpose, "email": p.Email, "proof_id": p.ID})
	e.CustomerID = cust.ID
	return p, tx.AppendEvent(ctx, e)
}

// ProofEmail is what the sender needs to mail a proof's link.
type ProofEmail struct {
	Proof    *kesher.EmailProof
	Customer *kesher.Customer
	Mailbox  *kesher.Mailbox
	// Token is the link's secret. It goes into the email and nowhere else:
	// never into a log, a job or the database.
	Token string
}

// IssueEmailProof makes a new link for a proof (a JobEmailProof job) and
// returns what the email needs. Each call replaces the proof's link, so
// when a job runs again only the latest email's link works. The email goes
// from the mailbox of the customer's latest email conversation, else from
// the desk's first mailbox that can send. Channels (no user) and admins
// only.
//
// Errors: ECodeNotFound for an unknown proof or when no mailbox can send;
// ECodeConflict for a proof that needs no email (used, expired, or of an
// address that is nobody's, or no longer the customer's).
func (d *Desk) IssueEmailProof(ctx context.Context, proofID string) (*ProofEmail, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	var out *ProofEmail
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		p, err := tx.EmailProof(ctx, proofID)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		switch {
		case p.CustomerID == "":
			return kesher.Errorf(kesher.ECodeConflict, "email proof %s is for an address of nobody's", p.ID)
		case !p.UsedAt.IsZero():
			return kesher.Errorf(kesher.ECodeConflict, "email proof %s was used already", p.ID)
		case !now.Before(p.ExpiresAt):
			return kesher.Errorf(kesher.ECodeConflict, "email proof %s has expired", p.ID)
		}
		cust, err := d.addressOwner(ctx, tx, p.Email, p.CustomerID)
		if err != nil {
			return kesher.Errorf(kesher.ECodeConflict, "the address of email proof %s is no longer its customer's", p.ID)
		}
		mb, err := d.proofMailbox(ctx, tx, cust.ID)
		if err != nil {
			return err
		}
		token := ProofPrefix + randomString()
		if err := tx.IssueEmailProof(ctx, p.ID, auth.HashToken(token)); err != nil {
			return err
		}
		p.TokenHash = auth.HashToken(token)
		out = &ProofEmail{Proof: p, Customer: cust, Mailbox: mb, Token: token}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// proofMailbox picks the mailbox a proof's email goes from: the one the
// customer's latest email conversation is held in, when it can send, else
// the first mailbox (in the order they were made) that can.
func (d *Desk) proofMailbox(ctx context.Context, q kesher.Queries, customerID string) (*kesher.Mailbox, error) {
	latest, _, err := q.Conversations(ctx, kesher.ConversationFilter{CustomerID: customerID, Channels: []kesher.Channel{kesher.ChannelEmail},
		Page: kesher.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(latest) == 1 {
		th, err := q.EmailThread(ctx, latest[0].ID)
		if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			return nil, err
		}
		if err == nil && th.MailboxID != "" {
			mb, err := q.Mailbox(ctx, th.MailboxID)
			if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return nil, err
			}
			if err == nil && mb.Relay.Host != "" {
				return mb, nil
			}
		}
	}
	var found *kesher.Mailbox
	err = eachPage(func(p kesher.Page) (string, error) {
		ms, next, err := q.Mailboxes(ctx, p)
		if i := slices.IndexFunc(ms, func(m *kesher.Mailbox) bool { return m.Relay.Host != "" }); i >= 0 {
			found, next = ms[i], ""
		}
		return next, err
	})
	if err == nil && found == nil {
		err = kesher.Errorf(kesher.ECodeNotFound, "no mailbox can send email")
	}
	return found, err
}

// errInvalidLink is the one answer to every link that does not prove
// anything, so the answer does not tell which check it failed.
var errInvalidLink = kesher.Errorf(kesher.ECodeUnauthorized, "the link is not valid: a link works once, for a while, and for what it was sent for")

// CheckEmailProof reports whether a link would prove its address for
// purpose now, without using it, so a page can say at once that a link
// has expired. Anyone may ask.
//
// Errors: ECodeUnauthorized for a link that is unknown, used, expired, of
// another purpose, or of an address that is no longer its customer's.
func (d *Desk) CheckEmailProof(ctx context.Context, token, purpose string) error {
	p, err := d.validProof(ctx, d.store, token, purpose)
	if err != nil {
		return err
	}
	_, err = d.addressOwner(ctx, d.store, p.Email, p.CustomerID)
	return err
}

// RedeemEmailProof uses a link: it proves that whoever followed it owns
// the proof's address, for purpose, once. The proof returned names the
// address and the customer who owns it now (the one its customer was
// merged into, if it was). Using a link voids the other unused links of
// the same address and purpose. Anyone may; the link is the credential.
//
// Errors: ECodeUnauthorized as CheckEmailProof; a link refused for its
// purpose stays unused.
func (d *Desk) RedeemEmailProof(ctx context.Context, token, purpose string) (*kesher.EmailProof, error) {
	var proof *kesher.EmailProof
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		p, _, err := d.redeem(ctx, tx, token, purpose)
		proof = p
		return err
	})
	if err != nil {
		return nil, err
	}
	return proof, nil
}

// redeem uses a link inside tx and returns its proof, with CustomerID the
// address's owner now, and that customer.
func (d *Desk) redeem(ctx context.Context, tx kesher.Tx, token, purpose string) (*kesher.EmailProof, *kesher.Customer, error) {
	p, err := d.validProof(ctx, tx, token, purpose)
	if err != nil {
		return nil, nil, err
	}
	cust, err := d.addressOwner(ctx, tx, p.Email, p.CustomerID)
	if err != nil {
		return nil, nil, err
	}
	now := d.clock.Now()
	if err := tx.UseEmailProof(ctx, p.ID, now); kesher.ErrorCode(err) == kesher.ECodeConflict {
		return nil, nil, errInvalidLink // used meanwhile, on another node
	} else if err != nil {
		return nil, nil, err
	}
	p.UsedAt, p.CustomerID = now, cust.ID
	return p, cust, nil
}

// validProof finds the proof of a link that is issued, unused, unexpired,
// of purpose and of a customer's address.
func (d *Desk) validProof(ctx context.Context, q kesher.Queries, token, purpose string) (*kesher.EmailProof, error) {
	if !strings.HasPrefix(token, ProofPrefix) {
		return nil, errInvalidLink
	}
	p, err := q.EmailProofByHash(ctx, auth.HashToken(token))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, errInvalidLink
	} else if err != nil {
		return nil, err
	}
	if p.Purpose != purpose || !p.UsedAt.IsZero() || !d.clock.Now().Before(p.ExpiresAt) || p.CustomerID == "" {
		return nil, errInvalidLink
	}
	return p, nil
}

// addressOwner returns the customer who owns email now, when that is
// customerID or the customer it was merged into: a merge moves the
// address, and whoever proved it belongs with it. An address removed from
// the customer, or given to someone else, proves nothing any more.
//
// Errors: ECodeUnauthorized when the address is not the customer's.
func (d *Desk) addressOwner(ctx context.Context, q kesher.Queries, email, customerID string) (*kesher.Customer, error) {
	owner, err := q.CustomerByIdentity(ctx, kesher.IdentityEmail, email)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, errInvalidLink
	} else if err != nil {
		return nil, err
	}
	live, err := d.liveCustomer(ctx, q, customerID)
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, errInvalidLink
	} else if err != nil {
		return nil, err
	}
	if owner.ID != live.ID {
		return nil, errInvalidLink
	}
	return owner, nil
}
