package mail

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// Errors for messages that are malformed beyond use.
var (
	// ErrNoHeader means the bytes do not start with a header block.
	ErrNoHeader = errors.New("mail: no header block")
	// ErrNoFrom means the header has no From address the desk could answer.
	ErrNoFrom = errors.New("mail: no usable From address")
)

// parser is enmime configured for mail from the wild: a broken part is
// skipped and reported rather than failing the message, and charsets follow
// the policy in charset.go. It holds configuration only and is safe to share.
var parser = enmime.NewParser(
	enmime.SkipMalformedParts(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.SetCustomParseMediaType(parseMediaType),
	enmime.DisableCharacterDetection(true),
	// Detection only runs on undeclared text, where a guess from a short
	// text still beats reading bytes with no charset at all.
	enmime.MinCharsetDetectRunes(20),
)

// Parse reads an inbound message within DefaultLimits.
func Parse(raw []byte) (*Message, error) { return ParseWithLimits(raw, DefaultLimits) }

// ParseWithLimits reads an inbound message. A message enmime can only partly
// read still parses when it has a usable From: what went wrong is listed in
// Message.Problems. It returns ErrNoHeader or ErrNoFrom for messages beyond
// use and a *LimitError for messages over l.
func ParseWithLimits(raw []byte, l Limits) (*Message, error) {
	if l.MaxTotalBytes > 0 && int64(len(raw)) > l.MaxTotalBytes {
		return nil, &LimitError{Limit: LimitTotalBytes, Max: l.MaxTotalBytes, Got: int64(len(raw))}
	}
	m := &Message{Size: len(raw)}
	var header textproto.MIMEHeader
	fromHTML := false
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err == nil {
		header = env.Root.Header
		m.Text, m.HTML = env.Text, env.HTML
		fromHTML = env.Text != "" && env.Root.BreadthMatchFirst(isPlainBody) == nil
		// A corrupt part repeats the same warning for every bad chunk; one
		// line per distinct problem is enough for an agent.
		seen := make(map[string]bool)
		for _, e := range env.Errors {
			p := toUTF8(e.Error())
			if e.Name != enmime.ErrorPlainTextFromHTML && !seen[p] {
				seen[p] = true
				m.Problems = append(m.Problems, p)
			}
		}
		m.Problems = append(m.Problems, unknownCharsets(env.Root)...)
		m.Attachments = attachments(env.Root)
		m.Invite = findInvite(env.Root)
		m.Bounce = findBounce(env.Root)
	} else {
		// enmime gave up on the body. The header alone still tells the desk
		// who wrote, so keep it and show the body as the bytes it is.
		m.Problems = append(m.Problems, toUTF8(err.Error()))
		header, m.Text, err = readHeaderOnly(raw, m)
		if err != nil {
			return nil, err
		}
	}
	if len(header) == 0 {
		return nil, ErrNoHeader
	}
	if err := checkAttachmentLimits(m.Attachments, l); err != nil {
		return nil, err
	}

	m.Headers = make(map[string][]string, len(header))
	for k, vs := range header {
		clean := make([]string, len(vs))
		for i, v := range vs {
			clean[i] = toUTF8(v)
		}
		m.Headers[toUTF8(k)] = clean
	}
	h := textproto.MIMEHeader(m.Headers)

	from := addresses(h.Get("From"))
	if len(from) == 0 || from[0].Email == "" {
		return nil, ErrNoFrom
	}
	m.From = from[0]
	m.ReplyTo = addresses(h.Get("Reply-To"))
	m.To = addresses(strings.Join(h.Values("To"), ", "))
	m.Cc = addresses(strings.Join(h.Values("Cc"), ", "))
	m.Subject = strings.TrimSpace(decodeHeader(h.Get("Subject")))
	if ids := messageIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = messageIDs(h.Get("In-Reply-To"))
	m.References = messageIDs(strings.Join(h.Values("References"), " "))
	if date, err := netmail.ParseDate(decodeHeader(h.Get("Date"))); err == nil {
		m.Date = date
	}

	m.Text = cleanBody(m.Text)
	m.HTML = toUTF8(m.HTML)
	q := splitQuoted(m.Text, m.Subject, fromHTML)
	m.Visible = q.visible
	// A bounce returns the lost message as message/rfc822 too, but it is
	// not a forward.
	m.Forwarded = q.forwarded || forwardSubject(m.Subject) || (m.Bounce == nil && hasAttachedMessage(m.Attachments))
	m.Auto = classify(h, m)
	return m, nil
}

// isPlainBody matches the text/plain parts enmime reads as the body.
func isPlainBody(p *enmime.Part) bool {
	return p.ContentType == "text/plain" && p.Disposition != "attachment"
}

// readHeaderOnly reads the header with enmime's tolerant header reader and
// returns everything after it as the text body.
func readHeaderOnly(raw []byte, m *Message) (textproto.MIMEHeader, string, error) {
	br := bufio.NewReader(bytes.NewReader(raw))
	header, err := enmime.ReadHeader(br, problemCollector{m})
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrNoHeader, err)
	}
	body, err := io.ReadAll(br)
	if err != nil {
		return nil, "", err
	}
	return header, string(body), nil
}

// problemCollector lets enmime's header reader report into Message.Problems.
type problemCollector struct{ m *Message }

func (c problemCollector) AddError(name, format string, args ...any) {
	c.m.Problems = append(c.m.Problems, toUTF8(name+": "+fmt.Sprintf(format, args...)))
}

func (c problemCollector) AddWarning(name, format string, args ...any) {
	c.AddError(name, format, args...)
}

// cleanBody makes a body valid UTF-8 with "\n" line ends and no surrounding
// blank space.
func cleanBody(s string) string {
	s = toUTF8(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.TrimSpace(s)
}

// decodeHeader decodes RFC 2047 encoded-words with enmime's charset table,
// which knows windows-1255 and ISO-8859-8-I.
func decodeHeader(v string) string { return toUTF8(enmime.DecodeRFC2047(v)) }

// addresses parses an address list leniently; an unparseable list yields
// nothing rather than failing the whole message.
func addresses(v string) []Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	list, err := enmime.ParseAddressList(v)
	if err != nil {
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: strings.TrimSpace(toUTF8(a.Name)), Email: strings.TrimSpace(toUTF8(a.Address))})
	}
	return out
}

var bracketedID = regexp.MustCompile(`<([^<>\s]+)>`)

// messageIDs returns the ids in a Message-ID, In-Reply-To or References
// value without angle brackets. Values without brackets, which some
// mailers write, are split on white space.
func messageIDs(v string) []string {
	var ids []string
	for _, m := range bracketedID.FindAllStringSubmatch(v, -1) {
		ids = append(ids, m[1])
	}
	if ids == nil {
		ids = strings.Fields(v)
	}
	return ids
}

// attachments collects every leaf part that is not the message body, in
// the order the message holds them.
func attachments(root *enmime.Part) []Attachment {
	parts := root.DepthMatchAll(func(p *enmime.Part) bool {
		if p.FirstChild != nil || strings.HasPrefix(p.ContentType, "multipart/") {
			return false
		}
		body := (p.ContentType == "text/plain" || p.ContentType == "text/html" || p.ContentType == "") &&
			p.FileName == "" && p.Disposition != "attachment"
		return !body
	})
	var out []Attachment
	for _, p := range parts {
		sum := sha256.Sum256(p.Content)
		out = append(out, Attachment{
			Filename:    strings.TrimSpace(toUTF8(p.FileName)),
			ContentType: toUTF8(p.ContentType),
			ContentID:   toUTF8(p.ContentID),
			Inline:      p.Disposition == "inline" || (p.ContentID != "" && p.Disposition != "attachment"),
			Data:        p.Content,
			SHA256:      hex.EncodeToString(sum[:]),
		})
	}
	return out
}

func checkAttachmentLimits(atts []Attachment, l Limits) error {
	if l.MaxAttachments > 0 && len(atts) > l.MaxAttachments {
		return &LimitError{Limit: LimitAttachments, Max: int64(l.MaxAttachments), Got: int64(len(atts))}
	}
	for _, a := range atts {
		if l.MaxAttachmentBytes > 0 && int64(len(a.Data)) > l.MaxAttachmentBytes {
			return &LimitError{Limit: LimitAttachmentBytes, Max: l.MaxAttachmentBytes, Got: int64(len(a.Data))}
		}
	}
	return nil
}

func hasAttachedMessage(atts []Attachment) bool {
	for _, a := range atts {
		if a.ContentType == "message/rfc822" {
			return true
		}
	}
	return false
}
