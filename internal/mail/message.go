package mail

import (
	"fmt"
	"time"
)

// Address is one mailbox. Email is kept as the sender wrote it (trimmed):
// the local part of an address may be case-sensitive, so lower-casing it is
// the caller's decision when it compares identities.
type Address struct{ Name, Email string }

// AutoKind classifies machine-sent mail, which must never open a conversation
// or get an acknowledgement: answering a robot starts a mail loop.
type AutoKind string

// The kinds of mail. Human is the zero value, so a Message is assumed to come
// from a person unless a header or the structure says otherwise.
const (
	Human     AutoKind = ""
	AutoReply AutoKind = "auto_reply" // out-of-office, vacation, read receipts
	Bounce    AutoKind = "bounce"     // delivery status notifications
	Bulk      AutoKind = "bulk"       // newsletters and mailing lists
)

// Attachment is a file that came with a message, or one to send. Inline parts
// (images an HTML body shows through "cid:" URLs) are attachments too, with
// Inline set and ContentID naming them.
type Attachment struct {
	Filename, ContentType, ContentID string
	Inline                           bool
	Data                             []byte
	SHA256                           string // hex of Data
}

// Invite is a calendar invitation (a text/calendar part), read just far
// enough for an agent to see what is being proposed.
type Invite struct {
	Method, Summary, Location string
	Start, End                time.Time
}

// BounceReport is what a delivery status notification says about the
// message that could not be delivered, so the desk can mark its own outbound
// message as failed.
type BounceReport struct {
	// Recipients are the addresses the report says failed (Action: failed),
	// without the "rfc822;" type prefix.
	Recipients []string
	// Status is the first failed recipient's enhanced status code, e.g. "5.1.1".
	Status string
	// Diagnostic is the remote server's explanation, when it gave one.
	Diagnostic string
	// MessageID is the Message-ID of the undelivered message (without angle
	// brackets), taken from the returned message or its headers.
	MessageID string
}

// Message is an inbound email as the desk needs it.
type Message struct {
	MessageID  string   // without angle brackets; "" if absent
	InReplyTo  []string // ids without brackets
	References []string
	From       Address
	ReplyTo    []Address
	To, Cc     []Address
	Subject    string    // decoded, trimmed
	Date       time.Time // zero if absent or unparseable
	// Text is the full plain-text body, made from the HTML when the message
	// has no text part. Line ends are "\n".
	Text string
	// HTML is the full HTML body as sent. It is not sanitised: the desk
	// sanitises before it stores or shows anything.
	HTML string
	// Visible is the new part of Text: quoted history ("> " lines, "On …
	// wrote:" and "בתאריך … כתב:" attributions, Outlook's "From: … Sent: …"
	// and "מאת: … נשלח: …" blocks, "-----Original Message-----") and the
	// signature after a "-- " line are removed. For a forward, the forwarded
	// message is what the customer is showing us, so it stays. Visible equals
	// Text when nothing was removed.
	Visible     string
	Attachments []Attachment // attachments and inline parts, in message order
	Auto        AutoKind
	Invite      *Invite       // nil unless a calendar invitation is attached
	Bounce      *BounceReport // nil unless the message is a delivery status notification
	// Forwarded is true when the customer forwarded someone else's mail: a
	// Fwd:/FW:/הועבר: subject, a forwarded-message marker in the body, or an
	// attached message/rfc822.
	Forwarded bool
	Size      int                 // len(raw)
	Headers   map[string][]string // the raw header (canonical keys), for audit
	// Problems lists what the MIME parser could not read cleanly (a broken
	// boundary, an unknown charset, corrupt base64). A message with problems
	// is still delivered to the desk when it has a usable From.
	Problems []string
}

// Limits bound what Parse accepts, so one hostile message cannot exhaust
// memory or storage. A zero field means no limit.
type Limits struct {
	MaxAttachments     int
	MaxAttachmentBytes int64
	MaxTotalBytes      int64
}

// DefaultLimits match the desk's own limits on attachments.
var DefaultLimits = Limits{MaxAttachments: 50, MaxAttachmentBytes: 25 << 20, MaxTotalBytes: 25 << 20}

// Names of the limits, as LimitError.Limit reports them.
const (
	LimitAttachments     = "max_attachments"
	LimitAttachmentBytes = "max_attachment_bytes"
	LimitTotalBytes      = "max_total_bytes"
)

// LimitError reports a message that exceeds one of the Limits. Limit is one
// of the Limit… constants; Got is the offending count or size.
type LimitError struct {
	Limit    string
	Max, Got int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("mail: message exceeds %s (%d > %d)", e.Limit, e.Got, e.Max)
}
