package mail

import (
	"encoding/base64"
	"mime"
	"mime/quotedprintable"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

func TestCharsetName(t *testing.T) {
	tests := []struct{ label, want string }{
		{"UTF-8", "utf-8"},
		{"utf8", "utf-8"},
		{"windows-1255", "windows-1255"},
		{"Windows-1255 ", "windows-1255"},
		{`"cp1255"`, "windows-1255"},
		{"x-cp1255", "windows-1255"},
		{"ISO-8859-8", "iso-8859-8"},
		{"visual", "iso-8859-8"},
		{"hebrew", "iso-8859-8"},
		{"ISO-8859-8-I", "iso-8859-8-i"},
		{"iso-8859-8-i", "iso-8859-8-i"},
		{"logical", "iso-8859-8-i"},
		{"csISO88598I", "iso-8859-8-i"},
		{"UTF-7", "utf-7"},
		// Undeclared: detection and the windows-1255 fallback decide.
		{"us-ascii", ""},
		{"", ""},
		{"win-1255", ""},
		{"x-unknown", ""},
	}
	for _, tt := range tests {
		if got := charsetName(tt.label); got != tt.want {
			t.Errorf("charsetName(%q) = %q, want %q", tt.label, got, tt.want)
		}
	}
}

func TestToUTF8(t *testing.T) {
	w1255 := func(s string) string {
		b, err := charmap.Windows1255.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct{ name, in, want string }{
		{"ascii", "hello", "hello"},
		{"utf-8", "שלום ₪", "שלום ₪"},
		{"windows-1255", w1255("שלום, שילמתי 250 ₪ – תודה"), "שלום, שילמתי 250 ₪ – תודה"},
		{"damaged utf-8 keeps its letters", "שלום עולם\xff", "שלום עולם\uFFFD"},
	}
	for _, tt := range tests {
		if got := toUTF8(tt.in); got != tt.want {
			t.Errorf("%s: toUTF8 = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestParseCharsets sends the same Hebrew through every charset label and
// transfer encoding Israeli mail uses and expects it back as UTF-8, in the
// body, the subject and the sender's name.
func TestParseCharsets(t *testing.T) {
	const body = "שלום, ההזמנה שלי לא הגיעה. תודה"
	const subject = "הזמנה 55990 לא הגיעה"
	const name = "שרה אברהם"
	encode := func(cs, s string) []byte {
		enc := charmap.Windows1255
		if strings.HasPrefix(strings.ToLower(cs), "iso") || cs == "visual" || cs == "logical" || cs == "hebrew" {
			enc = charmap.ISO8859_8
		}
		if strings.EqualFold(cs, "utf-8") {
			return []byte(s)
		}
		b, err := enc.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	qp := func(b []byte) string {
		var sb strings.Builder
		w := quotedprintable.NewWriter(&sb)
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return sb.String()
	}
	tests := []struct{ label, cte string }{
		{"UTF-8", "base64"},
		{"windows-1255", "8bit"},
		{"windows-1255", "quoted-printable"},
		{"windows-1255", "base64"},
		{"cp1255", "8bit"},
		{"ISO-8859-8", "8bit"},
		{"ISO-8859-8", "quoted-printable"},
		{"ISO-8859-8-I", "quoted-printable"},
		{"ISO-8859-8-I", "base64"},
		{"iso-8859-8-i", "8bit"},
		{"visual", "8bit"},
		{"logical", "8bit"},
		{"hebrew", "8bit"},
	}
	for _, tt := range tests {
		t.Run(tt.label+"/"+tt.cte, func(t *testing.T) {
			raw := encode(tt.label, body)
			var content string
			switch tt.cte {
			case "base64":
				content = b64(raw)
			case "quoted-printable":
				content = qp(raw)
			default:
				content = string(raw)
			}
			msg := "From: =?" + tt.label + "?B?" + b64(encode(tt.label, name)) + "?= <sarah@example.org>\r\n" +
				"Subject: " + mime.QEncoding.Encode(tt.label, string(encode(tt.label, subject))) + "\r\n" +
				"MIME-Version: 1.0\r\n" +
				"Content-Type: text/plain; charset=\"" + tt.label + "\"\r\n" +
				"Content-Transfer-Encoding: " + tt.cte + "\r\n\r\n" + content + "\r\n"
			m, err := Parse([]byte(msg))
			if err != nil {
				t.Fatal(err)
			}
			if m.Text != body {
				t.Errorf("Text = %q, want %q", m.Text, body)
			}
			if m.Subject != subject {
				t.Errorf("Subject = %q, want %q", m.Subject, subject)
			}
			if m.From.Name != name {
				t.Errorf("From.Name = %q, want %q", m.From.Name, name)
			}
		})
	}
}
