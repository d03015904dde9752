package desk

import (
	"context"
	"strings"

	"kesher"
	"kesher/internal/mail"
)

// maxIMAPError bounds the failure reason kept with an IMAP state; servers'
// replies may be long.
const maxIMAPError = 1000

// IMAPState returns how far the IMAP poller has read a mailbox's folder
// and how its last poll went. Channels (no user) and admins only.
//
// Errors: ECodeNotFound before the folder's first poll.
func (d *Desk) IMAPState(ctx context.Context, mailboxID, folder string) (*kesher.IMAPState, error) {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return nil, err
	}
	return d.store.IMAPState(ctx, mailboxID, folder)
}

// SaveIMAPState records how far the IMAP poller has read a mailbox's
// folder and how its last poll went. The poller saves it after every
// message it takes in, so it appends no event: the messages' own events
// tell the story. Channels (no user) and admins only.
//
// Errors: ECodeValidation without a mailbox or folder, ECodeNotFound for
// a mailbox that is gone.
func (d *Desk) SaveIMAPState(ctx context.Context, s *kesher.IMAPState) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	var v kesher.Validation
	v.Check(s.MailboxID != "", "mailbox_id", "required")
	v.Check(s.Folder != "", "folder", "required")
	v.Check(s.Failures >= 0, "failures", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	st := *s
	st.LastError = truncate(strings.ToValidUTF8(strings.TrimSpace(st.LastError), "?"), maxIMAPError)
	return d.store.Write(ctx, func(tx kesher.Tx) error { return tx.SaveIMAPState(ctx, &st) })
}

// Reasons a channel gives for an email it holds but cannot hand to the
// desk (SkippedEmail.Reason).
const (
	SkipTooLarge   = "too_large"
	SkipUnreadable = "unreadable"
)

// SkippedEmail is an email that a channel holds but the desk cannot take
// in, described by what the channel can read of it without its content:
// an IMAP server tells the header and size of a message it is not asked
// to send.
type SkippedEmail struct {
	MailboxID string
	// Source is "imap".
	Source string
	// Reason is SkipTooLarge or SkipUnreadable.
	Reason string
	// Header is the email's raw header, when the channel has it.
	Header []byte
	Size   int64
}

// RecordSkippedEmail records an email that stays where the channel found
// it because the desk cannot take it in, as an EventEmailIgnored event
// naming its sender and subject, so that what a customer sent is never
// dropped unseen: an SMTP sender is refused and knows, but nobody tells
// the sender of mail fetched over IMAP. Channels (no user) and admins
// only.
//
// Errors: ECodeValidation without a mailbox, or for an unknown source or
// reason.
func (d *Desk) RecordSkippedEmail(ctx context.Context, s SkippedEmail) error {
	if _, err := require(ctx, kesher.RoleAdmin); err != nil {
		return err
	}
	var v kesher.Validation
	v.Check(s.MailboxID != "", "mailbox_id", "required")
	v.Check(s.Source == "smtp" || s.Source == "imap", "source", "invalid")
	v.Check(s.Reason == SkipTooLarge || s.Reason == SkipUnreadable, "reason", "invalid")
	if err := v.Err(); err != nil {
		return err
	}
	data := map[string]any{"reason": s.Reason, "source": s.Source, "mailbox_id": s.MailboxID, "size": s.Size}
	// A header that cannot be read still leaves the rest of the record.
	if h, err := mail.Parse(s.Header); err == nil {
		from := h.From.Email
		if a, ok := emailAddress(h.From); ok {
			from = a.Email
		}
		data["message_id"], data["from"], data["subject"] = bareID(h.MessageID), from, truncate(strings.TrimSpace(h.Subject), kesher.MaxSubject)
	}
	ev := d.event(ctx, EventEmailIgnored, data)
	return d.store.Write(ctx, func(tx kesher.Tx) error { return tx.AppendEvent(ctx, ev) })
}
