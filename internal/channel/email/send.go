package email

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/jobs"
	"kesher/internal/mail"
)

// DefaultSendTimeout bounds connecting to a relay, and then the transfer
// of one message's data. It is well inside the job runner's default
// lease, whose end would cancel the attempt anyway.
const DefaultSendTimeout = time.Minute

// Blobs reads stored files by their hex SHA-256: the store.
type Blobs interface {
	Blob(ctx context.Context, sha256 string) ([]byte, error)
}

// SenderConfig says what the sender needs.
type SenderConfig struct {
	Desk *desk.Desk
	// Blobs holds the bytes of the attachments of outbound messages.
	Blobs Blobs
	// PublicURL is where customers reach the desk, such as
	// https://help.noga.co.il; acknowledgements link to its help centre
	// (PublicURL + "/help"). Empty leaves the link out.
	PublicURL string
	Clock     kesher.Clock
	Logger    *slog.Logger
	// Timeout is DefaultSendTimeout when zero.
	Timeout time.Duration
}

// Sender runs the email jobs of the outbox: it builds each outbound email
// and hands it to its mailbox's relay, then tells the desk how it went.
// The runner runs a job at least once; an email that the desk already
// records as sent is not sent again, and one sent twice (the process died
// between sending and recording) carries the same Message-ID both times,
// so mail programs show it once.
type Sender struct {
	desk      *desk.Desk
	blobs     Blobs
	publicURL string
	clock     kesher.Clock
	log       *slog.Logger
	timeout   time.Duration
}

// NewSender returns a sender for cfg.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Clock == nil {
		cfg.Clock = kesher.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultSendTimeout
	}
	return &Sender{desk: cfg.Desk, blobs: cfg.Blobs, publicURL: strings.TrimRight(cfg.PublicURL, "/"), clock: cfg.Clock,
		log: cfg.Logger, timeout: cfg.Timeout}
}

// Handlers returns the job handlers of the email channel, by job kind.
func (s *Sender) Handlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{desk.JobSendEmail: s.sendReply, desk.JobAcknowledge: s.acknowledge, desk.JobEmailProof: s.sendProof,
		desk.JobSurveyInvite: s.sendSurvey}
}

// OnFinish is the runner's hook: when an email job has failed for good,
// it marks the email failed with the reason, so that the agent sees that
// the customer did not get it.
func (s *Sender) OnFinish(job *kesher.Job, err error, final bool) {
	if err == nil || !final || (job.Kind != desk.JobSendEmail && job.Kind != desk.JobAcknowledge) {
		return
	}
	// Without a message (an acknowledgement whose conversation is gone)
	// there is nothing to mark; the runner has logged the failure.
	id := failedMessage(job, err)
	if id == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if rerr := s.desk.RecordDelivery(ctx, id, desk.DeliveryResult{State: kesher.DeliveryFailed, Error: err.Error()}); rerr != nil {
		s.log.Error("email: recording a failed delivery failed", "job", job.ID, "message", id, "err", rerr)
	}
}

// failedMessage is the id of the message a failed job was sending: the
// one its error names, else the one its payload names.
func failedMessage(job *kesher.Job, err error) string {
	if se := (*sendError)(nil); errors.As(err, &se) {
		return se.messageID
	}
	var p desk.SendEmailJob
	if job.Kind == desk.JobSendEmail && json.Unmarshal(job.Payload, &p) == nil {
		return p.MessageID
	}
	return ""
}

// sendError is the failure to send a message of the desk's; its text is
// the relay's answer, which the agent reads.
type sendError struct {
	messageID string
	err       error
}

func (e *sendError) Error() string { return e.err.Error() }
func (e *sendError) Unwrap() error { return e.err }

// sendReply runs a JobSendEmail job.
func (s *Sender) sendReply(ctx context.Context, job *kesher.Job) error {
	var p desk.SendEmailJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return failure("", fatalError{fmt.Errorf("email job payload: %w", err)})
	}
	out, err := s.desk.OutboundEmail(ctx, p.MessageID)
	if err != nil {
		return failure(p.MessageID, err)
	}
	return s.deliver(ctx, out)
}

// deliver sends out unless it was sent already, and records that it was.
func (s *Sender) deliver(ctx context.Context, out *desk.OutboundEmail) error {
	if out.Message.Delivery == kesher.DeliverySent {
		return nil
	}
	o, err := s.compose(ctx, out)
	if err != nil {
		return failure(out.Message.ID, err)
	}
	raw, err := mail.Build(o)
	if err != nil {
		return failure(out.Message.ID, fatalError{err})
	}
	rcpts := make([]string, 0, len(o.To)+len(o.Cc))
	for _, a := range slices.Concat(o.To, o.Cc) {
		rcpts = append(rcpts, a.Email)
	}
	if err := s.transmit(ctx, out.Mailbox.Relay, out.Mailbox.Address, rcpts, raw); err != nil {
		return failure(out.Message.ID, err)
	}
	// Should this fail, the job runs again and sends the email again, with
	// the same Message-ID: a repeat the customer's mail program shows once.
	return s.desk.RecordDelivery(ctx, out.Message.ID, desk.DeliveryResult{State: kesher.DeliverySent, MessageID: out.MessageID,
		BodyText: out.Message.BodyText})
}

// compose makes the email of out: from "Agent via Mailbox" at the
// mailbox's address, the message's text and HTML with the mailbox's
// signature, its attachments, and the threading headers the desk fixed
// when it queued the message. An acknowledgement says that it was sent
// automatically, so that auto-responders do not answer it.
func (s *Sender) compose(ctx context.Context, out *desk.OutboundEmail) (mail.Outgoing, error) {
	m, mb := out.Message, out.Mailbox
	o := mail.Outgoing{
		From: mail.Address{Name: fromName(out.AgentName, mb.Name), Email: mb.Address}, To: out.To, Cc: out.Cc,
		Subject: out.Subject, MessageID: out.MessageID, InReplyTo: out.InReplyTo, References: out.References,
		Text: withSignature(m.BodyText, mb.Signature), Date: s.clock.Now(),
	}
	if m.BodyHTML != "" {
		o.HTML = m.BodyHTML + signatureHTML(mb.Signature)
	}
	for _, a := range m.Attachments {
		data, err := s.blobs.Blob(ctx, a.SHA256)
		if err != nil {
			return o, fmt.Errorf("attachment %q: %w", a.Filename, err)
		}
		o.Attachments = append(o.Attachments, mail.Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: data})
	}
	if out.Ack {
		// RFC 3834; the second header keeps Exchange's out-of-office
		// replies from answering.
		o.Headers = map[string]string{"Auto-Submitted": "auto-replied", "X-Auto-Response-Suppress": "All"}
	}
	return o, nil
}

// fromName is the display name of the desk's email: the agent "via" the
// mailbox, so the customer sees both who answered and for whom.
func fromName(agent, mailbox string) string {
	switch {
	case agent != "" && mailbox != "":
		return agent + " via " + mailbox
	case agent != "":
		return agent
	}
	return mailbox
}

// sigDelimiter is the line that starts a signature (RFC 3676 §4.3), which
// mail programs, and the desk's own parser, know to leave out of quotes.
const sigDelimiter = "-- \n"

// withSignature appends the mailbox's signature to a text body.
func withSignature(text, signature string) string {
	signature = strings.TrimSpace(strings.ReplaceAll(signature, "\r\n", "\n"))
	if signature == "" {
		return text
	}
	return strings.TrimRight(text, "\n") + "\n\n" + sigDelimiter + signature + "\n"
}

// signatureHTML is the signature to append to an HTML body.
func signatureHTML(signature string) string {
	signature = strings.TrimSpace(strings.ReplaceAll(signature, "\r\n", "\n"))
	if signature == "" {
		return ""
	}
	return "\n<div dir=\"auto\">-- <br>\n" + strings.ReplaceAll(html.EscapeString(signature), "\n", "<br>\n") + "</div>\n"
}

// transmit hands raw to the relay for rcpts, with from as the envelope
// sender, so that bounces come back to the mailbox.
func (s *Sender) transmit(ctx context.Context, relay kesher.RelaySettings, from string, rcpts []string, raw []byte) error {
	if relay.Host == "" {
		return fatalError{errors.New("the mailbox has no relay to send through")}
	}
	opts := []gomail.Option{gomail.WithPort(relay.Port), gomail.WithTimeout(s.timeout)}
	switch relay.Security {
	case kesher.SecurityTLS:
		opts = append(opts, gomail.WithSSL())
	case kesher.SecurityStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if relay.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover), gomail.WithUsername(relay.Username),
			gomail.WithPassword(relay.Password))
	}
	addr := fmt.Sprintf("%s:%d", relay.Host, relay.Port)
	client, err := gomail.NewClient(relay.Host, opts...)
	if err != nil {
		return fatalError{fmt.Errorf("relay %s: %w", addr, err)}
	}
	c, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("relay %s: %w", addr, err)
	}
	// A cancelled attempt (shutdown, or the end of the job's lease) must
	// not wait for the relay's answer.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	defer c.Close()
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("relay %s: MAIL FROM <%s>: %w", addr, from, err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("relay %s: RCPT TO <%s>: %w", addr, r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("relay %s: DATA: %w", addr, err)
	}
	if err := c.UpdateDeadline(s.timeout); err != nil {
		return fmt.Errorf("relay %s: %w", addr, err)
	}
	if _, err := w.Write(raw); err != nil {
		return fmt.Errorf("relay %s: sending the message: %w", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("relay %s: end of DATA: %w", addr, err)
	}
	// The relay has taken the message; a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// failure prepares err, the failure of an attempt to send the message
// messageID ("" when it is not known yet), for the runner: permanent when
// retrying cannot help, so that the job fails at once.
func failure(messageID string, err error) error {
	if messageID != "" {
		err = &sendError{messageID: messageID, err: err}
	}
	if permanent(err) {
		return jobs.Permanent(err)
	}
	return err
}

// fatalError marks a failure of the desk's own data or settings (a
// message that cannot be built, a mailbox without a relay), which no
// retry fixes.
type fatalError struct{ error }

func (e fatalError) Unwrap() error { return e.error }

// permanent reports whether retrying cannot help: the relay answered with
// a 5xx reply, the message or its mailbox is gone or is not an email to
// send, or the desk's own data is at fault. Anything else (a 4xx reply, a
// network or TLS failure, a database error) is retried.
func permanent(err error) bool {
	if te := (*textproto.Error)(nil); errors.As(err, &te) {
		return te.Code >= 500
	}
	if errors.As(err, new(fatalError)) {
		return true
	}
	switch kesher.ErrorCode(err) {
	case kesher.ECodeNotFound, kesher.ECodeConflict, kesher.ECodeValidation:
		return true
	}
	return false
}
