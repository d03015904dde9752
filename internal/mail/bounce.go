package mail

import (
	"bytes"
	netmail "net/mail"
	"strings"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/dsn"
)

// findBounce reads a delivery status notification (RFC 3464): which
// recipients failed, why, and which message it was. It returns nil when the
// message holds no multipart/report of type delivery-status.
func findBounce(root *enmime.Part) *BounceReport {
	report := root.BreadthMatchFirst(func(p *enmime.Part) bool {
		if p.ContentType != "multipart/report" {
			return false
		}
		_, params, _, err := parseMediaType(p.Header.Get("Content-Type"))
		return err == nil && strings.EqualFold(params["report-type"], "delivery-status")
	})
	if report == nil {
		return nil
	}
	b := &BounceReport{}
	if r, err := dsn.ParseReport(report); err == nil && r != nil {
		for _, rcpt := range r.DeliveryStatus.RecipientDSNs {
			if !dsn.IsFailed(rcpt) {
				continue
			}
			addr := rcpt.Get("Final-Recipient")
			if addr == "" {
				addr = rcpt.Get("Original-Recipient")
			}
			b.Recipients = append(b.Recipients, toUTF8(typedValue(addr)))
			if b.Status == "" {
				b.Status = toUTF8(strings.TrimSpace(rcpt.Get("Status")))
				b.Diagnostic = toUTF8(typedValue(rcpt.Get("Diagnostic-Code")))
			}
		}
	}
	// The returned message may be whole (message/rfc822) or headers only
	// (text/rfc822-headers); either way its header names the lost message.
	original := report.BreadthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "message/rfc822" || p.ContentType == "text/rfc822-headers" ||
			p.ContentType == "message/rfc822-headers"
	})
	if original != nil {
		content := append(bytes.TrimRight(original.Content, "\r\n"), "\r\n\r\n"...)
		if msg, err := netmail.ReadMessage(bytes.NewReader(content)); err == nil {
			if ids := messageIDs(msg.Header.Get("Message-Id")); len(ids) > 0 {
				b.MessageID = toUTF8(ids[0])
			}
		}
	}
	return b
}

// typedValue drops the type from a DSN field such as "rfc822; dana@example.com"
// or "smtp; 550 5.1.1 no such user".
func typedValue(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return strings.TrimSpace(v)
}
