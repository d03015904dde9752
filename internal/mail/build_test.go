package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var buildDate = time.Date(2025, 3, 6, 10, 30, 0, 0, time.FixedZone("IST", 2*3600))

func baseOutgoing() Outgoing {
	return Outgoing{
		From:       Address{Name: "דנה דרך נוגה בית", Email: "support@noga.example"},
		To:         []Address{{Name: "שרה אברהם", Email: "sarah.a@example.org"}},
		Subject:    "Re: [#1047] חשבונית שגויה – הזמנה 55990",
		MessageID:  "k.01jnhq2w3e4r5t6y7u8i9o0p1a@noga.example",
		InReplyTo:  "001a01db8e5f$7c8d9e00$75bad400$@example.org",
		References: []string{"k.01jnfa1b2c3d4e5f6g7h8j9k0m@noga.example", "001a01db8e5f$7c8d9e00$75bad400$@example.org"},
		Text:       "שלום שרה,\n\nהחשבונית המתוקנת על סך 3,180 ₪ מצורפת.\n\nDana & the <Noga> team",
		Date:       buildDate,
	}
}

// TestBuildRoundTrip builds messages and reads them back with Parse, so the
// two halves of the package agree on every header and part.
func TestBuildRoundTrip(t *testing.T) {
	pdf := []byte("%PDF-1.4\n% a small document\n")
	png := []byte("\x89PNG\r\n\x1a\nnot really an image")
	tests := []struct {
		name     string
		edit     func(*Outgoing)
		wantHTML []string // substrings of the parsed HTML
		check    func(t *testing.T, m *Message)
	}{
		{
			name:     "text only makes an escaped HTML alternative",
			edit:     func(*Outgoing) {},
			wantHTML: []string{`<p dir="auto">שלום שרה,</p>`, "Dana &amp; the &lt;Noga&gt; team"},
		},
		{
			name:     "given HTML is kept",
			edit:     func(o *Outgoing) { o.HTML = `<div dir="rtl">החשבונית <b>מצורפת</b></div>` },
			wantHTML: []string{`<div dir="rtl">החשבונית <b>מצורפת</b></div>`},
		},
		{
			name: "cc, reply-to and extra headers",
			edit: func(o *Outgoing) {
				o.Cc = []Address{{Name: "Eli Bar", Email: "eli.bar@example.net"}, {Email: "accounts@example.org"}}
				o.ReplyTo = &Address{Name: "נוגה בית", Email: "reply+1047@noga.example"}
				o.Headers = map[string]string{"Auto-Submitted": "auto-replied", "X-Kesher-Ticket": "1047"}
			},
			check: func(t *testing.T, m *Message) {
				wantCc := []Address{{Name: "Eli Bar", Email: "eli.bar@example.net"}, {Email: "accounts@example.org"}}
				if diff := cmp.Diff(wantCc, m.Cc); diff != "" {
					t.Errorf("Cc (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]Address{{Name: "נוגה בית", Email: "reply+1047@noga.example"}}, m.ReplyTo); diff != "" {
					t.Errorf("ReplyTo (-want +got):\n%s", diff)
				}
				if got := m.Headers["X-Kesher-Ticket"]; len(got) != 1 || got[0] != "1047" {
					t.Errorf("X-Kesher-Ticket = %q", got)
				}
				if m.Auto != AutoReply {
					t.Errorf("Auto = %q, want the acknowledgement to read as an auto-reply", m.Auto)
				}
			},
		},
		{
			name: "attachments and inline image",
			edit: func(o *Outgoing) {
				o.HTML = `<p>ראו תמונה: <img src="cid:logo.1@noga.example"></p>`
				o.Attachments = []Attachment{
					{Filename: "חשבונית 88213.pdf", ContentType: "application/pdf", Data: pdf},
					{Filename: "logo.png", ContentType: "image/png", ContentID: "logo.1@noga.example", Inline: true, Data: png},
				}
			},
			check: func(t *testing.T, m *Message) {
				want := []Attachment{
					{Filename: "logo.png", ContentType: "image/png", ContentID: "logo.1@noga.example", Inline: true, Data: png, SHA256: sha(png)},
					{Filename: "חשבונית 88213.pdf", ContentType: "application/pdf", Data: pdf, SHA256: sha(pdf)},
				}
				if diff := cmp.Diff(want, m.Attachments); diff != "" {
					t.Errorf("Attachments (-want +got):\n%s", diff)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := baseOutgoing()
			tt.edit(&o)
			raw, err := Build(o)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range []string{
				"Message-ID: <k.01jnhq2w3e4r5t6y7u8i9o0p1a@noga.example>\r\n",
				"In-Reply-To: <001a01db8e5f$7c8d9e00$75bad400$@example.org>\r\n",
				"References: <k.01jnfa1b2c3d4e5f6g7h8j9k0m@noga.example>",
				"MIME-Version: 1.0\r\n",
				"Date: Thu, 06 Mar 2025 10:30:00 +0200\r\n",
			} {
				if !bytes.Contains(raw, []byte(h)) {
					t.Errorf("built message lacks %q:\n%s", h, raw)
				}
			}
			if bytes.Contains(raw, []byte("go-mail")) {
				t.Errorf("built message names the library that built it:\n%s", raw)
			}
			m, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(m.Problems) > 0 {
				t.Errorf("Problems = %q", m.Problems)
			}
			if diff := cmp.Diff(o.From, m.From); diff != "" {
				t.Errorf("From (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(o.To, m.To); diff != "" {
				t.Errorf("To (-want +got):\n%s", diff)
			}
			if m.Subject != o.Subject || m.MessageID != o.MessageID || !m.Date.Equal(o.Date) {
				t.Errorf("Subject %q, MessageID %q, Date %v", m.Subject, m.MessageID, m.Date)
			}
			if diff := cmp.Diff([]string{o.InReplyTo}, m.InReplyTo); diff != "" {
				t.Errorf("InReplyTo (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(o.References, m.References); diff != "" {
				t.Errorf("References (-want +got):\n%s", diff)
			}
			if m.Text != strings.TrimSpace(o.Text) {
				t.Errorf("Text = %q, want %q", m.Text, o.Text)
			}
			for _, s := range tt.wantHTML {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("HTML lacks %q:\n%s", s, m.HTML)
				}
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestBuildTextFromHTML(t *testing.T) {
	o := baseOutgoing()
	o.Text, o.HTML = "", "<p>שלום שרה,</p><p>החשבונית מצורפת.</p>"
	raw, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "שלום שרה,\n\nהחשבונית מצורפת." {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestBuildRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Outgoing)
	}{
		{"no date", func(o *Outgoing) { o.Date = time.Time{} }},
		{"bad from", func(o *Outgoing) { o.From.Email = "support" }},
		{"from with a name inside", func(o *Outgoing) { o.From.Email = "Noga <support@noga.example>" }},
		{"bad to", func(o *Outgoing) { o.To = []Address{{Email: "sarah@"}} }},
		{"no recipients", func(o *Outgoing) { o.To = nil }},
		{"bracketed message id", func(o *Outgoing) { o.MessageID = "<x@noga.example>" }},
		{"in-reply-to with space", func(o *Outgoing) { o.InReplyTo = "a b@example.org" }},
		{"reference with newline", func(o *Outgoing) { o.References = []string{"a@b\r\nBcc: x@example.org"} }},
		{"reserved header", func(o *Outgoing) { o.Headers = map[string]string{"bcc": "x@example.org"} }},
		{"content header", func(o *Outgoing) { o.Headers = map[string]string{"Content-Disposition": "inline"} }},
		{"header name with colon", func(o *Outgoing) { o.Headers = map[string]string{"X-A:B": "1"} }},
	}
	for _, tt := range tests {
		o := baseOutgoing()
		tt.edit(&o)
		if _, err := Build(o); err == nil {
			t.Errorf("%s: Build succeeded", tt.name)
		}
	}
}

// TestBuildHeaderInjection checks that line breaks in values cannot add
// header fields.
func TestBuildHeaderInjection(t *testing.T) {
	o := baseOutgoing()
	o.Subject = "hello\r\nBcc: victim@example.org"
	o.From.Name = "Dana\r\nBcc: victim@example.org"
	o.Headers = map[string]string{"X-Kesher-Ticket": "1\r\nBcc: victim@example.org"}
	raw, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Headers["Bcc"]; ok {
		t.Errorf("a Bcc header was injected:\n%s", raw)
	}
}

func TestBuildMakesMessageID(t *testing.T) {
	o := baseOutgoing()
	o.MessageID = ""
	raw, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.MessageID, "k.") || !strings.HasSuffix(m.MessageID, "@noga.example") {
		t.Errorf("MessageID = %q", m.MessageID)
	}
}

func TestNewMessageID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := NewMessageID("desk.example")
		if !msgID.MatchString(id) || !strings.HasPrefix(id, "k.") || !strings.HasSuffix(id, "@desk.example") || len(id) != len("k.")+26+len("@desk.example") {
			t.Fatalf("NewMessageID = %q", id)
		}
		if seen[id] {
			t.Fatalf("NewMessageID repeated %q", id)
		}
		seen[id] = true
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
