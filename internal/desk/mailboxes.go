package desk

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kesher"
)

// MailboxInput is a mailbox's fields. Passwords are given in full: the API
// fills in the stored ones that a request leaves out, since it cannot
// show them to the client.
type MailboxInput struct {
	Address      string
	Aliases      []string
	Name         string
	TeamID       string
	Signature    string
	Acknowledge  bool
	ResponseTime time.Duration
	SMTP         bool
	IMAP         *kesher.IMAPSettings
	Relay        kesher.RelaySettings
}

// Limits of a mailbox's fields.
const (
	maxAliases      = 20
	maxSignature    = 4000
	maxResponseTime = 30 * 24 * time.Hour
)

// Mailboxes lists the desk's mailboxes. Agents see what they need to
// answer mail (addresses, names, teams, signatures) but not how the desk
// connects to mail servers; admins see that too, never the passwords.
func (d *Desk) Mailboxes(ctx context.Context, p kesher.Page) ([]*kesher.Mailbox, string, error) {
	actor, err := require(ctx, kesher.RoleAgent)
	if err != nil {
		return nil, "", err
	}
	ms, next, err := d.store.Mailboxes(ctx, p)
	if err != nil {
		return nil, "", err
	}
	if actor != nil && actor.Role != kesher.RoleAdmin {
		for _, m := range ms {
			m.IMAP, m.Relay = nil, kesher.RelaySettings{}
		}
	}
	return ms, next, nil
}

// Mailbox returns one mailbox with its connection settings. Admins only.
func (d *Desk) Mailbox(ctx context.Context, id string) (*kesher.Mailbox, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	return d.store.Mailbox(ctx, id)
}

// SaveMailbox creates a mailbox (id "") or replaces one's fields. Admins
// only. An address or alias another mailbox receives is a validation
// error on the field that names it.
func (d *Desk) SaveMailbox(ctx context.Context, id string, in MailboxInput) (*kesher.Mailbox, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	m, err := newMailbox(in)
	if err != nil {
		return nil, err
	}
	err = d.store.Write(ctx, func(tx kesher.Tx) error {
		if err := checkRefs(ctx, tx, "", m.TeamID, ""); err != nil {
			return err
		}
		for i, a := range m.Addresses() {
			other, err := tx.MailboxByAddress(ctx, a)
			if err == nil && other.ID != id {
				field := "aliases"
				if i == 0 {
					field = "address"
				}
				return kesher.FieldError(field, "taken", "mailbox %s receives %s", other.Address, a)
			} else if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return err
			}
		}
		now := d.clock.Now()
		typ := "mailbox.created"
		if id == "" {
			m.ID, m.CreatedAt, m.UpdatedAt = kesher.NewID(now), now, now
			if err := tx.CreateMailbox(ctx, m); err != nil {
				return err
			}
		} else {
			cur, err := tx.Mailbox(ctx, id)
			if err != nil {
				return err
			}
			m.ID, m.CreatedAt, m.UpdatedAt, typ = id, cur.CreatedAt, now, "mailbox.updated"
			if err := tx.UpdateMailbox(ctx, m); err != nil {
				return err
			}
		}
		// The mailbox's JSON form carries no passwords.
		return tx.AppendEvent(ctx, d.event(ctx, typ, m))
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// newMailbox validates a mailbox's fields and builds it, addresses
// normalised; it writes nothing.
func newMailbox(in MailboxInput) (*kesher.Mailbox, error) {
	var v kesher.Validation
	address, err := kesher.NormalizeEmail(strings.TrimSpace(in.Address))
	v.Check(err == nil, "address", "invalid")
	seen := map[string]bool{address: true}
	aliases := []string{}
	for _, a := range in.Aliases {
		alias, err := kesher.NormalizeEmail(strings.TrimSpace(a))
		v.Check(err == nil, "aliases", "invalid")
		if err == nil && !seen[alias] {
			seen[alias] = true
			aliases = append(aliases, alias)
		}
	}
	v.Check(len(aliases) <= maxAliases, "aliases", "too_many")
	name := strings.TrimSpace(in.Name)
	v.Check(utf8.RuneCountInString(name) <= 200, "name", "too_long")
	v.Check(len(in.Signature) <= maxSignature, "signature", "too_long")
	v.Check(in.ResponseTime >= 0 && in.ResponseTime <= maxResponseTime, "response_time", "invalid")
	if in.IMAP != nil {
		imap := *in.IMAP
		imap.Host = strings.TrimSpace(imap.Host)
		imap.Folder = orDefault(strings.TrimSpace(imap.Folder), "INBOX")
		imap.AfterImport = orDefault(imap.AfterImport, kesher.AfterImportMarkSeen)
		v.Check(imap.Host != "", "imap.host", "required")
		v.Check(imap.Port > 0 && imap.Port < 65536, "imap.port", "invalid")
		v.Check(imap.Security.Valid(), "imap.security", "invalid")
		v.Check(imap.Username != "", "imap.username", "required")
		v.Check(imap.AfterImport.Valid(), "imap.after_import", "invalid")
		v.Check(imap.AfterImport != kesher.AfterImportMove || imap.MoveTo != "", "imap.move_to", "required")
		in.IMAP = &imap
	}
	relay := in.Relay
	relay.Host = strings.TrimSpace(relay.Host)
	if relay.Host == "" {
		relay = kesher.RelaySettings{} // no relay keeps no stray password
	} else {
		v.Check(relay.Port > 0 && relay.Port < 65536, "relay.port", "invalid")
		v.Check(relay.Security.Valid(), "relay.security", "invalid")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &kesher.Mailbox{
		Address: address, Aliases: aliases, Name: name, TeamID: in.TeamID, Signature: in.Signature, Acknowledge: in.Acknowledge,
		ResponseTime: in.ResponseTime.Truncate(time.Second), SMTP: in.SMTP, IMAP: in.IMAP, Relay: relay,
	}, nil
}

// DeleteMailbox removes a mailbox. Admins only. Its conversations stay;
// their replies go out from another mailbox.
func (d *Desk) DeleteMailbox(ctx context.Context, id string) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		m, err := tx.Mailbox(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteMailbox(ctx, id); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, d.event(ctx, "mailbox.deleted", map[string]any{"mailbox_id": id, "address": m.Address}))
	})
}

// MailboxForAddress returns the mailbox that receives address, its own or
// an alias, for the SMTP listener's RCPT check; ECodeNotFound when none
// does. Channels (no user) and admins only.
func (d *Desk) MailboxForAddress(ctx context.Context, address string) (*kesher.Mailbox, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	a, err := kesher.NormalizeEmail(strings.TrimSpace(address))
	if err != nil {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "no mailbox receives %q", address)
	}
	return d.store.MailboxByAddress(ctx, a)
}
