package kesher

import (
	"encoding/json"
	"time"
)

// Mailbox is an email address the desk answers: mail to it, or to one of
// its aliases, becomes conversations of its team, and replies go out from
// it. Connection passwords never leave the server: they are not in the
// JSON form of a mailbox, which says only whether one is set.
type Mailbox struct {
	ID string `json:"id"`
	// Address is the normalised (lower-case) address replies come from.
	Address string `json:"address"`
	// Aliases are further normalised addresses delivered to this mailbox.
	// An address, alias or not, belongs to one mailbox only.
	Aliases []string `json:"aliases"`
	// Name is the display name of the From header ("Noga Home Support").
	Name string `json:"name"`
	// TeamID is the team new conversations of this mailbox go to.
	TeamID    string `json:"team_id"`
	Signature string `json:"signature"`
	// Acknowledge sends a human, non-dead-end acknowledgement to a
	// customer who starts a conversation (P3).
	Acknowledge bool `json:"acknowledge"`
	// ResponseTime is the first-response time acknowledgements promise;
	// it is stored, and shown in JSON, in whole seconds.
	ResponseTime time.Duration `json:"-"`
	// SMTP accepts mail for the mailbox through the desk's SMTP listener.
	SMTP bool `json:"smtp"`
	// IMAP, when set, fetches the mailbox's mail from an IMAP server.
	IMAP *IMAPSettings `json:"imap"`
	// Relay is the SMTP server replies are sent through.
	Relay     RelaySettings `json:"relay"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
}

// MarshalJSON adds the response time in seconds, the unit people and the
// API use, where time.Duration would give nanoseconds.
func (m Mailbox) MarshalJSON() ([]byte, error) {
	type plain Mailbox // drops this method, so Marshal does not recurse
	return json.Marshal(struct {
		plain
		ResponseTime int64 `json:"response_time"`
	}{plain(m), int64(m.ResponseTime / time.Second)})
}

// Addresses returns the mailbox's address followed by its aliases.
func (m *Mailbox) Addresses() []string {
	return append([]string{m.Address}, m.Aliases...)
}

// Security is how a connection to a mail server is protected.
type Security string

// Securities: TLS from the first byte, STARTTLS on a plain connection, or
// none (only for servers on the same machine or network).
const (
	SecurityTLS      Security = "tls"
	SecurityStartTLS Security = "starttls"
	SecurityNone     Security = "none"
)

// Valid reports whether s is a known kind of security.
func (s Security) Valid() bool { return s == SecurityTLS || s == SecurityStartTLS || s == SecurityNone }

// AfterImport is what the IMAP poller does with a message it has stored.
type AfterImport string

// What happens to an imported message on the IMAP server.
const (
	AfterImportMarkSeen AfterImport = "mark_seen"
	AfterImportMove     AfterImport = "move"
	AfterImportDelete   AfterImport = "delete"
)

// Valid reports whether a is a known action.
func (a AfterImport) Valid() bool {
	return a == AfterImportMarkSeen || a == AfterImportMove || a == AfterImportDelete
}

// IMAPSettings say where and how to fetch a mailbox's mail.
type IMAPSettings struct {
	Host        string      `json:"host"`
	Port        int         `json:"port"`
	Security    Security    `json:"security"`
	Username    string      `json:"username"`
	Password    string      `json:"-"`
	Folder      string      `json:"folder"`
	AfterImport AfterImport `json:"after_import"`
	// MoveTo is the folder imported messages move to (AfterImportMove).
	MoveTo string `json:"move_to"`
}

// MarshalJSON says whether a password is set instead of showing it.
func (s IMAPSettings) MarshalJSON() ([]byte, error) {
	type plain IMAPSettings
	return json.Marshal(struct {
		plain
		HasPassword bool `json:"has_password"`
	}{plain(s), s.Password != ""})
}

// RelaySettings say which SMTP server sends a mailbox's replies. An empty
// Host means the mailbox cannot send.
type RelaySettings struct {
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Security Security `json:"security"`
	Username string   `json:"username"`
	Password string   `json:"-"`
}

// MarshalJSON says whether a password is set instead of showing it.
func (s RelaySettings) MarshalJSON() ([]byte, error) {
	type plain RelaySettings
	return json.Marshal(struct {
		plain
		HasPassword bool `json:"has_password"`
	}{plain(s), s.Password != ""})
}

// IMAPState is how far the IMAP poller has read one folder of a mailbox.
// UIDs are only meaningful within one UIDValidity: when the server reports
// another, the folder has to be read again from the start.
type IMAPState struct {
	MailboxID   string    `json:"mailbox_id"`
	Folder      string    `json:"folder"`
	UIDValidity uint32    `json:"uid_validity"`
	LastUID     uint32    `json:"last_uid"`
	LastError   string    `json:"last_error"`
	LastOKAt    time.Time `json:"last_ok_at"`
	// Failures counts the polls that failed since the last one that did
	// not, so the poller can back off and the admin page can warn.
	Failures int `json:"failures"`
}

// EmailAddress is one address of an email header.
type EmailAddress struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email"`
}

// EmailMeta is what a message keeps of its email: the headers that thread
// it and name its parties, and the hash of the raw message, whose bytes
// are kept as a blob. Message-IDs are stored without angle brackets.
type EmailMeta struct {
	MessageID  string         `json:"message_id"`
	InReplyTo  []string       `json:"in_reply_to,omitempty"`
	References []string       `json:"references,omitempty"`
	From       EmailAddress   `json:"from"`
	ReplyTo    []EmailAddress `json:"reply_to,omitempty"`
	To         []EmailAddress `json:"to,omitempty"`
	Cc         []EmailAddress `json:"cc,omitempty"`
	Subject    string         `json:"subject"`
	// MailboxID is the mailbox the email came in to or goes out from.
	MailboxID string `json:"mailbox_id,omitempty"`
	// RawSHA256 names the blob of the raw inbound message.
	RawSHA256 string `json:"raw_sha256,omitempty"`
	// Auto is "" for mail a person wrote, else "auto_reply", "bounce" or
	// "bulk". Outbound acknowledgements are "auto_reply".
	Auto string `json:"auto,omitempty"`
}

// AutoReply marks mail sent by a machine in answer to other mail: an
// out-of-office reply, or the desk's own acknowledgement.
const AutoReply = "auto_reply"

// Delivery is where an outbound email stands.
type Delivery string

// Deliveries. Messages that are not outbound email have none ("").
const (
	DeliveryQueued Delivery = "queued"
	DeliverySent   Delivery = "sent"
	DeliveryFailed Delivery = "failed"
)

// EmailThread is what the desk keeps about a conversation held by email.
type EmailThread struct {
	ConversationID string `json:"conversation_id"`
	// MailboxID is the mailbox replies go out from ("" once it is deleted).
	MailboxID string `json:"mailbox_id"`
	// ReplyTo is where the customer wants replies: the Reply-To, else the
	// From, of their latest email.
	ReplyTo EmailAddress `json:"reply_to"`
	// Participants are the other people on the thread (To and Cc of the
	// customers' emails, but not the customer or the desk's mailboxes):
	// replies copy them, and a ticket token in their mail is trusted.
	Participants []EmailAddress `json:"participants"`
	// AckMessageID is the acknowledgement sent for the conversation, so
	// that it is sent once.
	AckMessageID string    `json:"ack_message_id"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// EmailReceipt records one inbound email the desk has taken in, by the
// SHA-256 of its raw bytes and by its Message-ID, so that the same email
// is taken in once however often it is delivered.
type EmailReceipt struct {
	RawSHA256 string
	// MessageID is the email's Message-ID, "" when it has none.
	MessageID string
	MailboxID string
	// Source is how it came: "smtp" or "imap".
	Source string
	// ConversationID and StoredMessageID are the desk's message made of
	// the email; both are "" when it was ignored.
	ConversationID  string
	StoredMessageID string
	// Ignored says why the email made no message ("" when it made one).
	Ignored    string
	ReceivedAt time.Time
}
