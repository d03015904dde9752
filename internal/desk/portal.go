package desk

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
	"kesher/internal/auth"
	"kesher/internal/i18n"
)

// The customer portal: customers sign in with an email proof and see, and
// answer, their own requests. A portal session belongs to the address the
// customer proved, not to a customer id: each use finds the customer who
// owns the address now. So a session follows a merge to the surviving
// customer (the address moved there, and so did the conversations), and
// ends when the address is removed from the customer or given to another.
//
// The portal acts for the customer as a channel does: its changes are the
// desk's rules for customer messages and intake, attributed to the
// customer, never to an agent. Every read is of one customer's data, and a
// request of someone else's is "not found", exactly like one that does not
// exist.

// CustomerSessionPrefix starts every portal session secret, so a portal
// cookie is never mistaken for an agent's (SessionPrefix) or an API token.
const CustomerSessionPrefix = "kps_"

// asChannel drops any agent from ctx: what the portal does, it does for a
// customer.
func asChannel(ctx context.Context) context.Context { return kesher.WithActor(ctx, nil) }

// customerEvent builds an event of the customer's own doing.
func (d *Desk) customerEvent(ctx context.Context, customerID, typ string, data any) *kesher.Event {
	e := d.event(asChannel(ctx), typ, data)
	e.CustomerID, e.ActorType, e.ActorID = customerID, kesher.AuthorCustomer, customerID
	return e
}

// PortalSignIn is a browser following a portal link.
type PortalSignIn struct {
	Token     string
	UserAgent string
}

// PortalSignIn uses a portal link and starts a customer session, in one
// Write that also records the sign-in on the customer's timeline. It
// returns the session's secret, which only the browser's cookie may hold,
// the session and its customer.
//
// Errors: ECodeUnauthorized for a link that is unknown, used, expired, of
// another purpose, or of an address that is no longer its customer's.
func (d *Desk) PortalSignIn(ctx context.Context, in PortalSignIn) (secret string, s *kesher.CustomerSession, c *kesher.Customer, err error) {
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		p, cust, err := d.redeem(ctx, tx, in.Token, ProofPortal)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		secret = CustomerSessionPrefix + randomString()
		s = &kesher.CustomerSession{
			ID: kesher.NewID(now), CustomerID: cust.ID, Email: p.Email, TokenHash: auth.HashToken(secret), CSRFToken: randomString(),
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(d.portal.SessionLifetime), UserAgent: userAgent(in.UserAgent),
		}
		if err := tx.CreateCustomerSession(ctx, s); err != nil {
			return err
		}
		c = cust
		return tx.AppendEvent(ctx, d.customerEvent(ctx, cust.ID, kesher.EventPortalSignedIn, map[string]any{"email": p.Email, "session_id": s.ID}))
	})
	if err != nil {
		return "", nil, nil, err
	}
	return secret, s, c, nil
}

// PortalSession returns the customer of the portal session with this
// secret, and the session. Like an agent's session it slides: a use
// extends it, writing at most once a minute.
//
// Errors: ECodeUnauthorized when the secret is unknown or malformed, the
// session has expired or ended, or its address is no longer the
// customer's.
func (d *Desk) PortalSession(ctx context.Context, secret string) (*kesher.Customer, *kesher.CustomerSession, error) {
	unauthorized := kesher.Errorf(kesher.ECodeUnauthorized, "the portal session is not valid")
	if !strings.HasPrefix(secret, CustomerSessionPrefix) {
		return nil, nil, unauthorized
	}
	s, err := d.store.CustomerSessionByHash(ctx, auth.HashToken(secret))
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	now := d.clock.Now()
	if !now.Before(s.ExpiresAt) {
		return nil, nil, unauthorized
	}
	cust, err := d.addressOwner(ctx, d.store, s.Email, s.CustomerID)
	if kesher.ErrorCode(err) == kesher.ECodeUnauthorized {
		return nil, nil, unauthorized
	} else if err != nil {
		return nil, nil, err
	}
	if now.Sub(s.LastSeenAt) >= touchInterval {
		expires := now.Add(d.portal.SessionLifetime)
		err := d.store.Write(ctx, func(tx kesher.Tx) error { return tx.TouchCustomerSession(ctx, s.ID, now, expires) })
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return nil, nil, unauthorized // signed out since it was read
		} else if err != nil {
			return nil, nil, err
		}
		s.LastSeenAt, s.ExpiresAt = now, expires
	}
	return cust, s, nil
}

// PortalSignOut ends the portal session with this secret. Ending an
// unknown or ended session is no error. It returns only errors of the
// database.
func (d *Desk) PortalSignOut(ctx context.Context, secret string) error {
	if !strings.HasPrefix(secret, CustomerSessionPrefix) {
		return nil
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		s, err := tx.CustomerSessionByHash(ctx, auth.HashToken(secret))
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			return nil
		} else if err != nil {
			return err
		}
		return tx.DeleteCustomerSession(ctx, s.ID)
	})
}

// CleanupPortal deletes expired customer sessions and the email proofs
// that expired a whole proof window ago (the rate limits count them until
// then), and returns how many rows it deleted; the server calls it every
// hour. Admins only (and the system). Errors: ECodeForbidden for other
// users.
func (d *Desk) CleanupPortal(ctx context.Context) (int, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return 0, err
	}
	var n int
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		now := d.clock.Now()
		sessions, err := tx.DeleteExpiredCustomerSessions(ctx, now)
		if err != nil {
			return err
		}
		proofs, err := tx.DeleteEmailProofs(ctx, now.Add(-d.portal.ProofWindow))
		n = sessions + proofs
		return err
	})
	return n, err
}

// LastPortalSignIn returns when a customer (or a customer merged into
// them) last signed in to the portal, zero when never. Any signed-in user.
//
// Errors: ECodeNotFound for an unknown customer.
func (d *Desk) LastPortalSignIn(ctx context.Context, customerID string) (time.Time, error) {
	c, err := d.Customer(ctx, customerID)
	if err != nil {
		return time.Time{}, err
	}
	return d.store.LastPortalSignIn(ctx, c.ID)
}

// PortalConversation is what a customer sees of one of their requests:
// nothing of its owner, team, priority, reason, tags or clocks.
type PortalConversation struct {
	ID        string
	Number    int64
	Subject   string
	Status    kesher.Status
	Channel   kesher.Channel
	CreatedAt time.Time
	UpdatedAt time.Time
}

func portalConversation(c *kesher.Conversation) PortalConversation {
	return PortalConversation{ID: c.ID, Number: c.Number, Subject: c.Subject, Status: c.Status, Channel: c.Channel,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// Who wrote a message of the portal's thread.
const (
	// FromCustomer: the signed-in customer (or a customer merged into them).
	FromCustomer = "customer"
	// FromAgent: an agent, named by PortalMessage.Author.
	FromAgent = "agent"
	// FromDesk: the desk itself (an acknowledgement).
	FromDesk = "desk"
	// FromParticipant: someone else on the email thread.
	FromParticipant = "participant"
)

// PortalMessage is a message of the thread as the customer sees it: no
// internal notes, no delivery states or mail headers.
type PortalMessage struct {
	ID string
	// From is one of FromCustomer, FromAgent, FromDesk, FromParticipant.
	From string
	// Author is the agent's display name, for FromAgent.
	Author      string
	Channel     kesher.Channel
	BodyText    string
	Attachments []kesher.Attachment
	CreatedAt   time.Time
}

// PortalCommitment is an open promise made to the customer (P4): what, and
// by when.
type PortalCommitment struct {
	Text  string
	DueAt time.Time
	// Late says the due time has passed.
	Late bool
}

// PortalRequest is one request as its customer sees it.
type PortalRequest struct {
	Conversation PortalConversation
	Messages     []PortalMessage
	// Commitments are the open ones, soonest due first.
	Commitments []PortalCommitment
	// Truncated says the thread is longer than the portal shows.
	Truncated bool
}

// maxPortalThread bounds the messages a request page shows.
const maxPortalThread = 1000

// PortalRequests lists a customer's requests on every channel, including
// those of customers merged into them, by last update, newest first.
func (d *Desk) PortalRequests(ctx context.Context, customerID string, p kesher.Page) ([]PortalConversation, string, error) {
	if customerID == "" {
		// An empty filter would select everyone's conversations.
		return nil, "", kesher.Errorf(kesher.ECodeUnauthorized, "the portal lists a signed-in customer's requests")
	}
	cs, next, err := d.store.Conversations(ctx, kesher.ConversationFilter{CustomerID: customerID, Page: p})
	if err != nil {
		return nil, "", err
	}
	out := make([]PortalConversation, len(cs))
	for i, c := range cs {
		out[i] = portalConversation(c)
	}
	return out, next, nil
}

// PortalRequest returns one of a customer's requests by ref, its ticket
// number or its id, with its thread as the customer sees it and its open
// commitments.
//
// Errors: ECodeNotFound for a request that does not exist or is someone
// else's, alike.
func (d *Desk) PortalRequest(ctx context.Context, customerID, ref string) (*PortalRequest, error) {
	conv, err := customerConversation(ctx, d.store, customerID, ref)
	if err != nil {
		return nil, err
	}
	out := &PortalRequest{Conversation: portalConversation(conv), Messages: []PortalMessage{}, Commitments: []PortalCommitment{}}
	authors := map[string]string{}
	err = eachPage(func(p kesher.Page) (string, error) {
		ms, next, err := d.store.Messages(ctx, conv.ID, p)
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			pm, ok, err := d.portalMessage(ctx, customerID, m, authors)
			if err != nil {
				return "", err
			}
			if ok {
				out.Messages = append(out.Messages, pm)
			}
		}
		if next != "" && len(out.Messages) >= maxPortalThread {
			out.Truncated, next = true, ""
		}
		return next, nil
	})
	if err != nil {
		return nil, err
	}
	now := d.clock.Now()
	err = eachPage(func(p kesher.Page) (string, error) {
		cs, next, err := d.store.Commitments(ctx, kesher.CommitmentFilter{ConversationID: conv.ID, State: kesher.CommitmentOpen, Page: p})
		for _, c := range cs {
			out.Commitments = append(out.Commitments, PortalCommitment{Text: c.Text, DueAt: c.DueAt, Late: !now.Before(c.DueAt)})
		}
		return next, err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// portalMessage shows m to the customer, or reports that it is not for
// them: internal notes, mail sent by machines (auto-replies, bounces) and
// an acknowledgement not yet worded stay out. authors caches who wrote
// what: an agent's name, or for a customer id the From it stands for.
func (d *Desk) portalMessage(ctx context.Context, customerID string, m *kesher.Message, authors map[string]string) (PortalMessage, bool, error) {
	pm := PortalMessage{ID: m.ID, Channel: m.Channel, BodyText: m.BodyText, Attachments: m.Attachments, CreatedAt: m.CreatedAt}
	switch {
	case m.Direction == kesher.Note:
		return pm, false, nil
	case m.Direction == kesher.Inbound && (m.AuthorType != kesher.AuthorCustomer || m.Email != nil && m.Email.Auto != ""):
		return pm, false, nil
	case m.Direction == kesher.Outbound && strings.TrimSpace(m.BodyText) == "" && len(m.Attachments) == 0:
		return pm, false, nil
	}
	switch {
	case m.Direction == kesher.Inbound:
		from, ok := authors["customer:"+m.AuthorID]
		if !ok {
			from = FromParticipant
			// A message of a customer merged into this one is theirs too.
			c, err := d.liveCustomer(ctx, d.store, m.AuthorID)
			if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return pm, false, err
			}
			if err == nil && c.ID == customerID {
				from = FromCustomer
			}
			authors["customer:"+m.AuthorID] = from
		}
		pm.From = from
	case m.AuthorType == kesher.AuthorAgent:
		name, ok := authors["user:"+m.AuthorID]
		if !ok {
			u, err := d.store.User(ctx, m.AuthorID)
			if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return pm, false, err
			}
			if err == nil {
				name = u.Name
			}
			authors["user:"+m.AuthorID] = name
		}
		pm.From, pm.Author = FromAgent, name
	default:
		pm.From = FromDesk
	}
	return pm, true, nil
}

// customerConversation finds a conversation by ticket number (all digits)
// or id, when it is the customer's.
func customerConversation(ctx context.Context, q kesher.Queries, customerID, ref string) (*kesher.Conversation, error) {
	notFound := kesher.Errorf(kesher.ECodeNotFound, "request %s not found", ref)
	var c *kesher.Conversation
	var err error
	if n, perr := strconv.ParseInt(ref, 10, 64); perr == nil && ref != "" && ref[0] != '+' && ref[0] != '-' {
		c, err = q.ConversationByNumber(ctx, n)
	} else {
		c, err = q.Conversation(ctx, ref)
	}
	if kesher.ErrorCode(err) == kesher.ECodeNotFound {
		return nil, notFound
	} else if err != nil {
		return nil, err
	}
	if customerID == "" || c.CustomerID != customerID {
		return nil, notFound
	}
	return c, nil
}

// PortalReply adds a customer's message, written in the portal, to one of
// their requests: an inbound message on the web channel, by the customer.
// Like any customer message it reopens a request that waited or was
// solved, and it reaches agents' open pages live.
//
// Errors: ECodeNotFound for a request that does not exist or is someone
// else's (nothing is written); ECodeValidation with "required" or
// "too_long" on field body_text; ECodeConflict for a closed request.
func (d *Desk) PortalReply(ctx context.Context, customerID, ref, body string) (*kesher.Message, error) {
	ctx = asChannel(ctx)
	in := NewMessage{Direction: kesher.Inbound, Channel: kesher.ChannelWeb, BodyText: body}
	var v kesher.Validation
	checkMessage(nil, in, d.clock.Now(), "", &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	in.managerAsk = askedForManager(in)
	var msg *kesher.Message
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := customerConversation(ctx, tx, customerID, ref)
		if err != nil {
			return err
		}
		if c.Status == kesher.StatusClosed {
			return kesher.Errorf(kesher.ECodeConflict, "request %d is closed; start a new one", c.Number)
		}
		if err := d.reopenForCustomer(ctx, tx, c); err != nil {
			return err
		}
		msg, err = d.appendMessage(ctx, tx, c, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return msg, nil
}

// PortalNewRequest starts a request from the portal through the desk's
// intake, on the web channel: assignment, clocks and escalation apply as
// to any new conversation.
//
// Errors: ECodeValidation with "required" or "too_long" on field subject
// or message.body_text; ECodeNotFound for an unknown customer.
func (d *Desk) PortalNewRequest(ctx context.Context, customerID, subject, body string) (*kesher.Conversation, error) {
	subject = strings.TrimSpace(subject)
	var v kesher.Validation
	v.Check(subject != "", "subject", "required")
	v.Check(utf8.RuneCountInString(subject) <= kesher.MaxSubject, "subject", "too_long")
	v.Check(strings.TrimSpace(body) != "", "message.body_text", "required")
	v.Check(len(body) <= kesher.MaxBodyText, "message.body_text", "too_long")
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, _, err := d.CreateConversation(asChannel(ctx), NewConversation{Customer: CustomerRef{ID: customerID}, Subject: subject,
		Channel: kesher.ChannelWeb, Message: NewMessage{BodyText: body}})
	return c, err
}

// PortalSetLanguage saves the language a customer chose in the portal
// ("he" or "en"): the portal and the desk's emails speak it from then on.
//
// Errors: ECodeValidation with "invalid" on field language.
func (d *Desk) PortalSetLanguage(ctx context.Context, customerID, lang string) (*kesher.Customer, error) {
	if !i18n.Valid(lang) {
		return nil, kesher.FieldError("language", "invalid", "unknown language %q", lang)
	}
	var cust *kesher.Customer
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		c, err := tx.Customer(ctx, customerID)
		if err != nil {
			return err
		}
		cust = c
		if c.Language == lang {
			return nil
		}
		from := c.Language
		c.Language, c.UpdatedAt = lang, d.clock.Now()
		if err := tx.UpdateCustomer(ctx, c); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.customerEvent(ctx, c.ID, kesher.EventCustomerUpdated,
			map[string]any{"changes": map[string]change{"language": {from, lang}}}))
	})
	return cust, err
}
