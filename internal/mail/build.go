package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"html"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/inbucket/html2text"
	gomail "github.com/wneessen/go-mail"
)

// Outgoing is a message the desk sends: a reply, an acknowledgement, a
// notification.
type Outgoing struct {
	From       Address // e.g. {"Dana via Noga Home", "support@noga.example"}
	To, Cc     []Address
	ReplyTo    *Address
	Subject    string
	MessageID  string   // without brackets; made from From's domain when empty
	InReplyTo  string   // without brackets
	References []string // without brackets
	Text       string
	// HTML is optional: when it is empty an HTML alternative is made from
	// Text (escaped, one paragraph per blank-line-separated block, dir="auto"
	// so Hebrew and English paragraphs each read in their own direction).
	HTML        string
	Attachments []Attachment // Inline ones are embedded and named by ContentID
	// Headers are extra header fields, e.g. "Auto-Submitted": "auto-replied"
	// for acknowledgements or "X-Kesher-Ticket": "1234". They cannot replace
	// the fields Build writes itself.
	Headers map[string]string
	// Date is required: it comes from the desk's clock, not from Build.
	Date time.Time
}

// reservedHeaders are the fields Build writes from Outgoing's own fields.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Sender": true,
	"Subject": true, "Date": true, "Message-Id": true, "In-Reply-To": true, "References": true,
	"Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
}

// fieldName is an RFC 5322 header field name: printable ASCII without ":".
var fieldName = regexp.MustCompile(`^[!-9;-~]+$`)

// msgID is an id written between angle brackets: printable ASCII without
// white space or brackets.
var msgID = regexp.MustCompile(`^[!-;=?-~]+$`)

// Build composes an outbound message: multipart/alternative with a text and
// an HTML part, inline images and attachments around it, all in UTF-8, with
// Message-ID, In-Reply-To and References in angle brackets, Date and
// MIME-Version, and Hebrew display names and subjects as encoded-words.
func Build(o Outgoing) ([]byte, error) {
	if o.Date.IsZero() {
		return nil, errors.New("mail: Outgoing.Date is required")
	}
	from, err := mailAddress(o.From)
	if err != nil {
		return nil, fmt.Errorf("mail: From: %w", err)
	}
	to, err := mailAddresses(o.To)
	if err != nil {
		return nil, fmt.Errorf("mail: To: %w", err)
	}
	cc, err := mailAddresses(o.Cc)
	if err != nil {
		return nil, fmt.Errorf("mail: Cc: %w", err)
	}
	if len(to)+len(cc) == 0 {
		return nil, errors.New("mail: no recipients")
	}

	// Base64 keeps Hebrew text and encoded-words at a third of the size
	// quoted-printable would make them.
	m := gomail.NewMsg(gomail.WithEncoding(gomail.EncodingB64), gomail.WithNoDefaultUserAgent())
	m.SetAddrHeaderFromMailAddress(gomail.HeaderFrom, from)
	if len(to) > 0 {
		m.SetAddrHeaderFromMailAddress(gomail.HeaderTo, to...)
	}
	if len(cc) > 0 {
		m.SetAddrHeaderFromMailAddress(gomail.HeaderCc, cc...)
	}
	if o.ReplyTo != nil {
		rt, err := mailAddress(*o.ReplyTo)
		if err != nil {
			return nil, fmt.Errorf("mail: Reply-To: %w", err)
		}
		m.SetAddrHeaderFromMailAddress(gomail.HeaderReplyTo, rt)
	}
	m.Subject(oneLine(o.Subject))
	m.SetDateWithValue(o.Date)

	id := o.MessageID
	if id == "" {
		_, domain, _ := strings.Cut(from.Address, "@")
		id = NewMessageID(domain)
	}
	if !msgID.MatchString(id) {
		return nil, fmt.Errorf("mail: invalid Message-ID %q", id)
	}
	m.SetMessageIDWithValue(id)
	if o.InReplyTo != "" {
		if !msgID.MatchString(o.InReplyTo) {
			return nil, fmt.Errorf("mail: invalid In-Reply-To %q", o.InReplyTo)
		}
		m.SetGenHeader(gomail.HeaderInReplyTo, "<"+o.InReplyTo+">")
	}
	if len(o.References) > 0 {
		refs := make([]string, len(o.References))
		for i, r := range o.References {
			if !msgID.MatchString(r) {
				return nil, fmt.Errorf("mail: invalid References id %q", r)
			}
			refs[i] = "<" + r + ">"
		}
		m.SetGenHeader(gomail.HeaderReferences, strings.Join(refs, " "))
	}
	for k, v := range o.Headers {
		key := textproto.CanonicalMIMEHeaderKey(k)
		if !fieldName.MatchString(k) || reservedHeaders[key] || strings.HasPrefix(key, "Content-") {
			return nil, fmt.Errorf("mail: header %q cannot be set", k)
		}
		m.SetGenHeader(gomail.Header(key), oneLine(v))
	}

	text, body := o.Text, o.HTML
	if text == "" && body != "" {
		if text, err = html2text.FromString(body); err != nil {
			return nil, fmt.Errorf("mail: text from HTML: %w", err)
		}
	}
	if body == "" {
		body = textToHTML(text)
	}
	m.SetBodyString(gomail.TypeTextPlain, crlf(text))
	m.AddAlternativeString(gomail.TypeTextHTML, crlf(body))

	for _, a := range o.Attachments {
		name := oneLine(a.Filename)
		if name == "" {
			name = "attachment"
		}
		opts := []gomail.FileOption{}
		if a.ContentType != "" {
			opts = append(opts, gomail.WithFileContentType(gomail.ContentType(oneLine(a.ContentType))))
		}
		if a.Inline {
			if a.ContentID != "" {
				if !msgID.MatchString(a.ContentID) {
					return nil, fmt.Errorf("mail: invalid Content-ID %q", a.ContentID)
				}
				opts = append(opts, gomail.WithFileContentID("<"+a.ContentID+">"))
			}
			err = m.EmbedReader(name, bytes.NewReader(a.Data), opts...)
		} else {
			err = m.AttachReader(name, bytes.NewReader(a.Data), opts...)
		}
		if err != nil {
			return nil, fmt.Errorf("mail: attachment %q: %w", name, err)
		}
	}

	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("mail: write: %w", err)
	}
	return buf.Bytes(), nil
}

// mailAddress checks that an Address holds one bare email address.
func mailAddress(a Address) (*netmail.Address, error) {
	parsed, err := netmail.ParseAddress(strings.TrimSpace(a.Email))
	if err != nil || parsed.Name != "" {
		return nil, fmt.Errorf("invalid address %q", a.Email)
	}
	parsed.Name = oneLine(a.Name)
	return parsed, nil
}

func mailAddresses(list []Address) ([]*netmail.Address, error) {
	out := make([]*netmail.Address, 0, len(list))
	for _, a := range list {
		p, err := mailAddress(a)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// oneLine keeps a header value on one line, so no value can start a new
// header field.
func oneLine(s string) string {
	return strings.TrimSpace(strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s))
}

// crlf gives text the CRLF line ends MIME's canonical form requires; the
// parts are base64, so the transfer encoding does not fix them.
func crlf(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

var blankLines = regexp.MustCompile(`\n[ \t]*\n\s*`)

// textToHTML makes the HTML alternative of a plain-text body.
func textToHTML(text string) string {
	text = strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n")
	if text != "" {
		for _, para := range blankLines.Split(text, -1) {
			b.WriteString(`<p dir="auto">`)
			b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>\n"))
			b.WriteString("</p>\n")
		}
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

// messageIDAlphabet is Crockford's base32 in lower case, as the desk's own
// IDs use.
var messageIDAlphabet = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewMessageID returns a new Message-ID (without angle brackets) in the form
// "k.<26 random characters>@domain". It is 128 random bits, so it needs no
// clock and no coordination between nodes to be unique.
func NewMessageID(domain string) string {
	var b [16]byte
	// crypto/rand.Read never returns an error on supported platforms.
	_, _ = rand.Read(b[:])
	domain = strings.TrimSpace(domain)
	if domain == "" {
		domain = "localhost"
	}
	return "k." + messageIDAlphabet.EncodeToString(b[:]) + "@" + domain
}
