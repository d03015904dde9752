package mail

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func TestParseUnusable(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{"empty", "", ErrNoHeader},
		{"body only", "\r\nhello there\r\n", ErrNoHeader},
		{"no From", "To: support@noga.example\r\nSubject: hi\r\n\r\nbody\r\n", ErrNoFrom},
		{"From without address", "From: Dana Levi\r\nSubject: hi\r\n\r\nbody\r\n", ErrNoFrom},
		{"empty From", "From: \r\nSubject: hi\r\n\r\nbody\r\n", ErrNoFrom},
	}
	for _, tt := range tests {
		if _, err := Parse([]byte(tt.raw)); !errors.Is(err, tt.want) {
			t.Errorf("%s: Parse error = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestParseLimits(t *testing.T) {
	attachment := func(name string, size int) string {
		return "--b\r\nContent-Type: application/octet-stream\r\n" +
			"Content-Disposition: attachment; filename=\"" + name + "\"\r\n\r\n" + strings.Repeat("x", size) + "\r\n"
	}
	raw := "From: dana@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		attachment("a.bin", 10) + attachment("b.bin", 300) + attachment("c.bin", 10) + "--b--\r\n"
	tests := []struct {
		name   string
		limits Limits
		want   string // the limit exceeded, "" for none
	}{
		{"within", Limits{MaxAttachments: 3, MaxAttachmentBytes: 300, MaxTotalBytes: int64(len(raw))}, ""},
		{"zero means no limit", Limits{}, ""},
		{"total", Limits{MaxTotalBytes: 100}, LimitTotalBytes},
		{"count", Limits{MaxAttachments: 2}, LimitAttachments},
		{"size", Limits{MaxAttachmentBytes: 299}, LimitAttachmentBytes},
	}
	for _, tt := range tests {
		m, err := ParseWithLimits([]byte(raw), tt.limits)
		var le *LimitError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want == "" && len(m.Attachments) != 3:
			t.Errorf("%s: %d attachments, want 3", tt.name, len(m.Attachments))
		case tt.want != "" && !errors.As(err, &le):
			t.Errorf("%s: error = %v, want a *LimitError", tt.name, err)
		case tt.want != "" && le.Limit != tt.want:
			t.Errorf("%s: limit = %q, want %q", tt.name, le.Limit, tt.want)
		}
	}
}

// TestParseHeaderOnly checks that a message enmime cannot read as MIME still
// reaches the desk with its sender and its body as text.
func TestParseHeaderOnly(t *testing.T) {
	raw := "From: Dana <dana@example.com>\r\nSubject: broken\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text plain; charset=utf-8\r\n\r\nthe body\r\n"
	m, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.From.Email != "dana@example.com" || m.Subject != "broken" {
		t.Errorf("From = %+v, Subject = %q", m.From, m.Subject)
	}
	if !strings.Contains(m.Text, "the body") || len(m.Problems) == 0 {
		t.Errorf("Text = %q, Problems = %q", m.Text, m.Problems)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name    string
		header  map[string]string
		from    string
		subject string
		want    AutoKind
	}{
		{"person", nil, "dana@example.com", "Order 55817", Human},
		{"auto-submitted no", map[string]string{"Auto-Submitted": "no"}, "dana@example.com", "hi", Human},
		{"auto-replied", map[string]string{"Auto-Submitted": "auto-replied"}, "dana@example.com", "hi", AutoReply},
		{"auto-generated with params", map[string]string{"Auto-Submitted": "Auto-Generated; owner-email=x@example.com"}, "a@example.com", "hi", AutoReply},
		{"x-autoreply", map[string]string{"X-Autoreply": "yes"}, "a@example.com", "hi", AutoReply},
		{"x-autorespond", map[string]string{"X-Autorespond": "vacation"}, "a@example.com", "hi", AutoReply},
		{"precedence auto_reply", map[string]string{"Precedence": "auto_reply"}, "a@example.com", "hi", AutoReply},
		{"automatic reply subject", nil, "a@example.com", "Automatic reply: [#12] Order", AutoReply},
		{"out of office alone", nil, "a@example.com", "Out of Office", AutoReply},
		{"hebrew out of office", nil, "a@example.com", "מחוץ למשרד", AutoReply},
		{"hebrew out of office with dash", nil, "a@example.com", "מחוץ למשרד - חוזרת ב-10.3", AutoReply},
		{"hebrew not in office", nil, "a@example.com", "אני לא במשרד", AutoReply},
		{"hebrew automatic reply", nil, "a@example.com", "תשובה אוטומטית: הזמנה", AutoReply},
		{"customer asking about hours", nil, "a@example.com", "Out of office hours support?", Human},
		{"hebrew sentence", nil, "a@example.com", "מחוץ למשרד שלכם יש חניה?", Human},
		{"read receipt", map[string]string{"Content-Type": "multipart/report; report-type=disposition-notification; boundary=x"}, "a@example.com", "Read: hi", AutoReply},
		{"dsn", map[string]string{"Content-Type": "multipart/report; report-type=delivery-status; boundary=x"}, "a@example.com", "Undeliverable", Bounce},
		{"mailer-daemon", nil, "MAILER-DAEMON@mx.example.com", "failure notice", Bounce},
		{"postmaster", nil, "postmaster@example.com", "Delivery failed", Bounce},
		{"bounce beats auto-submitted", map[string]string{"Auto-Submitted": "auto-replied"}, "mailer-daemon@mx.example.com", "x", Bounce},
		{"precedence bulk", map[string]string{"Precedence": "bulk"}, "news@example.com", "Sale", Bulk},
		{"precedence list", map[string]string{"Precedence": "list"}, "a@example.com", "hi", Bulk},
		{"precedence junk", map[string]string{"Precedence": "junk"}, "a@example.com", "hi", Bulk},
		{"list-id", map[string]string{"List-Id": "<x.lists.example.org>"}, "a@example.com", "hi", Bulk},
		{"list-unsubscribe", map[string]string{"List-Unsubscribe": "<mailto:u@example.org>"}, "a@example.com", "hi", Bulk},
	}
	for _, tt := range tests {
		h := textproto.MIMEHeader{}
		for k, v := range tt.header {
			h.Set(k, v)
		}
		m := &Message{From: Address{Email: tt.from}, Subject: tt.subject}
		if got := classify(h, m); got != tt.want {
			t.Errorf("%s: classify = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSplitQuoted(t *testing.T) {
	tests := []struct {
		name, subject, text, want string
		forwarded                 bool
	}{
		{name: "nothing quoted", text: "Hello\n\nplease help", want: "Hello\n\nplease help"},
		{name: "signature", text: "Hello\n-- \nDana\n054", want: "Hello"},
		{name: "double dash without space is text", text: "Hello\n--\nDana", want: "Hello\n--\nDana"},
		{name: "english attribution", text: "Yes.\n\nOn Mon, 3 Mar 2025, Noga wrote:\n> Is it OK?", want: "Yes."},
		{name: "attribution over three lines", text: "Yes.\n\nOn Mon, Mar 3, 2025 at 4:31 PM\nNoga Home Support <support@noga.example>\nwrote:\n> Is it OK?", want: "Yes."},
		{name: "hebrew attribution", text: "כן.\n\nב-3 במרץ 2025, 16:31, צוות נוגה כתב/ה:\n> זה בסדר?", want: "כן."},
		{name: "hebrew written", text: "כן.\n\nבתאריך 3.3.2025 נכתב:\n> זה בסדר?", want: "כן."},
		{name: "outlook english block", text: "Thanks\n\nFrom: Noga\nSent: Monday\nTo: Dana\nSubject: x\n\nold", want: "Thanks"},
		{name: "outlook hebrew block", text: "תודה\n\n________________________________\nמאת: נוגה\nנשלח: יום שני\nאל: דנה\nנושא: x\n\nישן", want: "תודה"},
		{name: "from line alone is text", text: "From: the warehouse, the box was empty.\nPlease check.", want: "From: the warehouse, the box was empty.\nPlease check."},
		{name: "original message", text: "Done.\n-----Original Message-----\nFrom: Noga\nold", want: "Done."},
		{name: "interleaved", text: "On Mon, Noga wrote:\n> Order number?\n55817\n> Opened?\nNo.\n> Noga", want: "55817\n\nNo."},
		{name: "bottom posting with signature", text: "On Mon, Noga wrote:\n> Order number?\n\n-- \nDana", want: ""},
		{name: "quotes without attribution", text: "> Order number?\n55817", want: "55817"},
		{
			name: "forward keeps forwarded text", subject: "Fwd: slot",
			text:      "See below\n-- \nTamar\n\n---------- Forwarded message ---------\nFrom: Courier\nDate: today\n\nSlot Thursday\n-- \nCourier",
			want:      "See below\n\n---------- Forwarded message ---------\nFrom: Courier\nDate: today\n\nSlot Thursday\n-- \nCourier",
			forwarded: true,
		},
		{
			name: "hebrew gmail forward marker", text: "ראו למטה\n\n---------- הודעה שהועברה ---------\nמאת: שליח\n\nהמשלוח ביום חמישי",
			want: "ראו למטה\n\n---------- הודעה שהועברה ---------\nמאת: שליח\n\nהמשלוח ביום חמישי", forwarded: true,
		},
		{
			name: "outlook FW keeps the block", subject: "FW: invoice",
			text: "Wrong amount\n\nFrom: Billing\nSent: Sunday\n\nInvoice 88213", want: "Wrong amount\n\nFrom: Billing\nSent: Sunday\n\nInvoice 88213",
		},
		{
			name: "reply quoting a forward is a reply", subject: "Re: Fwd: slot",
			text: "Thanks!\n\nOn Mon, Noga wrote:\n> ---------- Forwarded message ---------\n> Slot", want: "Thanks!",
		},
	}
	for _, tt := range tests {
		q := splitQuoted(tt.text, tt.subject, false)
		if q.visible != tt.want || q.forwarded != tt.forwarded {
			t.Errorf("%s: splitQuoted = %q, forwarded %v; want %q, %v", tt.name, q.visible, q.forwarded, tt.want, tt.forwarded)
		}
	}
}

func TestICalTime(t *testing.T) {
	jerusalem, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		value, tzid string
		want        time.Time
	}{
		{"20250312T080000Z", "", time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)},
		{"20250310T100000", "Israel Standard Time", time.Date(2025, 3, 10, 10, 0, 0, 0, jerusalem)},
		{"20250310T100000", "Asia/Jerusalem", time.Date(2025, 3, 10, 10, 0, 0, 0, jerusalem)},
		{"20250310T100000", "Nowhere Standard Time", time.Date(2025, 3, 10, 10, 0, 0, 0, time.UTC)},
		{"20250310", "", time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)},
		{"tomorrow", "", time.Time{}},
	}
	for _, tt := range tests {
		if got := icalTime(tt.value, tt.tzid); !got.Equal(tt.want) {
			t.Errorf("icalTime(%q, %q) = %v, want %v", tt.value, tt.tzid, got, tt.want)
		}
	}
}

func TestICalProperty(t *testing.T) {
	name, params, value := icalProperty(`DTSTART;TZID="(UTC+02:00) Jerusalem";VALUE=DATE-TIME:20250310T100000`)
	if name != "DTSTART" || params["TZID"] != "(UTC+02:00) Jerusalem" || params["VALUE"] != "DATE-TIME" || value != "20250310T100000" {
		t.Errorf("icalProperty = %q, %q, %q", name, params, value)
	}
}
