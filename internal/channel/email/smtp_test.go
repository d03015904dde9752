package email_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// corpus names a message of the mail package's corpus.
func corpus(name string) string {
	return filepath.Join("..", "..", "mail", "testdata", "corpus", name+".eml")
}

// golden is what the corpus says a message decodes to.
type golden struct {
	From    mail.Address
	Subject string
	Visible string
}

func readGolden(t *testing.T, name string) golden {
	t.Helper()
	b, err := os.ReadFile(strings.TrimSuffix(corpus(name), ".eml") + ".golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// swaks runs swaks against addr with args and returns the server's reply
// to the last command before QUIT: to the end of DATA when the message
// went through, else to the command that was refused.
func swaks(t *testing.T, addr string, args ...string) string {
	t.Helper()
	bin := testkit.Swaks(t)
	args = append([]string{"--server", addr, "--helo", "client.example.com", "--timeout", "30"}, args...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	var replies []string
	for line := range strings.Lines(string(out)) {
		// "<-" marks a reply swaks expected, "<**" one it did not.
		if r, ok := strings.CutPrefix(line, "<-  "); ok {
			replies = append(replies, strings.TrimSpace(r))
		} else if r, ok := strings.CutPrefix(line, "<** "); ok {
			replies = append(replies, strings.TrimSpace(r))
		}
	}
	if len(replies) < 2 || !strings.HasPrefix(replies[len(replies)-1], "221") {
		t.Fatalf("swaks %q: %v\n%s", args, err, out)
	}
	return replies[len(replies)-2]
}

func bigMessage(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: משה כהן <moshe@example.com>\r\nTo: %s\r\nSubject: big\r\nMessage-ID: <big@example.com>\r\n\r\n", supportAddress)
	for b.Len() < n {
		b.WriteString("שורה ארוכה של טקסט בעברית כדי למלא את ההודעה עד שתהיה גדולה מדי.\r\n")
	}
	return b.Bytes()
}

// TestSMTPWithSwaks delivers mail into the listener with Debian's swaks,
// a real SMTP client: Hebrew in the encodings Israeli mail comes in, an
// attachment, refusals, a repeat and a reply.
func TestSMTPWithSwaks(t *testing.T) {
	dir := t.TempDir()
	invoice := []byte("%PDF-1.4\n% חשבונית 55990\n1 0 obj << >> endobj\n%%EOF\n")
	if err := os.WriteFile(filepath.Join(dir, "invoice.pdf"), invoice, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.eml")
	if err := os.WriteFile(big, bigMessage(80<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gmail-he-new-replyto-cc", "outlook-he-windows-1255-8bit", "webmail-iso-8859-8-8bit", "iso-8859-8-i-qp"} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, kesher.RelaySettings{}, true)
			addr := f.listen(t, 0, nil)
			g := readGolden(t, name)
			raw, err := os.ReadFile(corpus(name))
			if err != nil {
				t.Fatal(err)
			}
			if r := swaks(t, addr, "--from", g.From.Email, "--to", supportAddress, "--data", "@"+corpus(name)); !strings.HasPrefix(r, "250 ") {
				t.Fatalf("DATA: %s", r)
			}
			conv, ms := f.only(t)
			if len(ms) != 1 || ms[0].BodyText != g.Visible || conv.Subject != g.Subject {
				t.Fatalf("stored %q with %d messages, the first %q; want %q with %q", conv.Subject, len(ms), ms[0].BodyText, g.Subject, g.Visible)
			}
			if ms[0].Email.From.Email != g.From.Email || ms[0].Email.From.Name != g.From.Name {
				t.Errorf("from %+v, want %+v", ms[0].Email.From, g.From)
			}
			// swaks ends the data with a line break of its own before the
			// final dot, so that is what was sent.
			stored, err := f.store.Blob(context.Background(), ms[0].Email.RawSHA256)
			if err != nil || !bytes.Equal(stored, append(raw, "\r\n"...)) {
				t.Errorf("the raw message is not kept as sent (%v): %d bytes, sent %d", err, len(stored), len(raw))
			}
		})
	}

	t.Run("attachment", func(t *testing.T) {
		f := newFixture(t, kesher.RelaySettings{}, true)
		addr := f.listen(t, 0, nil)
		r := swaks(t, addr, "--from", moshe.Email, "--to", supportAddress, "--header", "Subject: =?UTF-8?B?15fXqdeR15XXoNeZ16o=?=",
			"--attach-type", "text/plain; charset=UTF-8", "--attach-body", "שלום, מצורפת החשבונית של הזמנה 55990.",
			"--attach-type", "application/pdf", "--attach-name", "invoice-55990.pdf", "--attach", "@"+filepath.Join(dir, "invoice.pdf"))
		if !strings.HasPrefix(r, "250 ") {
			t.Fatalf("DATA: %s", r)
		}
		conv, ms := f.only(t)
		if conv.Subject != "חשבונית" || ms[0].BodyText != "שלום, מצורפת החשבונית של הזמנה 55990." {
			t.Errorf("stored %q: %q", conv.Subject, ms[0].BodyText)
		}
		if len(ms[0].Attachments) != 1 {
			t.Fatalf("attachments %+v", ms[0].Attachments)
		}
		a := ms[0].Attachments[0]
		data, err := f.store.Blob(context.Background(), a.SHA256)
		if err != nil || !bytes.Equal(data, invoice) || a.Filename != "invoice-55990.pdf" || a.ContentType != "application/pdf" || a.Size != int64(len(invoice)) {
			t.Errorf("attachment %+v, blob %q (%v)", a, data, err)
		}
	})

	t.Run("oversize", func(t *testing.T) {
		f := newFixture(t, kesher.RelaySettings{}, true)
		addr := f.listen(t, 64<<10, nil)
		if r := swaks(t, addr, "--from", moshe.Email, "--to", supportAddress, "--data", "@"+big); !strings.HasPrefix(r, "552 5.3.4") {
			t.Errorf("DATA: %s, want 552 5.3.4", r)
		}
		if cs := f.conversations(t); len(cs) != 0 {
			t.Errorf("%d conversations stored", len(cs))
		}
	})

	for _, rcpt := range []string{"nobody@noga.example", archiveAddress, "support@elsewhere.example"} {
		t.Run("refused "+rcpt, func(t *testing.T) {
			f := newFixture(t, kesher.RelaySettings{}, true)
			addr := f.listen(t, 0, nil)
			if r := swaks(t, addr, "--from", moshe.Email, "--to", rcpt, "--data", "@"+corpus("webmail-iso-8859-8-8bit")); !strings.HasPrefix(r, "550 5.1.1") {
				t.Errorf("RCPT: %s, want 550 5.1.1", r)
			}
			if cs := f.conversations(t); len(cs) != 0 {
				t.Errorf("%d conversations stored", len(cs))
			}
		})
	}

	t.Run("repeat and reply", func(t *testing.T) {
		f := newFixture(t, kesher.RelaySettings{}, true)
		addr := f.listen(t, 0, nil)
		first := filepath.Join(dir, "first.eml")
		reply := filepath.Join(dir, "reply.eml")
		writeFile(t, first, build(t, mail.Outgoing{From: moshe, Subject: "המקרר לא מקרר", MessageID: "first@example.com",
			Text: "שלום, המקרר שקניתי לפני שבוע הפסיק לקרר."}))
		// Another subject, so only In-Reply-To can thread it.
		writeFile(t, reply, build(t, mail.Outgoing{From: moshe, Subject: "עוד פרט", MessageID: "second@example.com",
			InReplyTo: "first@example.com", References: []string{"first@example.com"}, Text: "שכחתי לציין: הדגם הוא 5500."}))
		for i, path := range []string{first, first, reply} {
			if r := swaks(t, addr, "--from", moshe.Email, "--to", "help@noga.example", "--data", "@"+path); !strings.HasPrefix(r, "250 ") {
				t.Fatalf("delivery %d: %s", i, r)
			}
		}
		_, ms := f.only(t)
		if len(ms) != 2 || ms[0].Email.MessageID != "first@example.com" || ms[1].Email.MessageID != "second@example.com" {
			t.Errorf("messages %v", ms)
		}
	})
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// deliver sends one message with go-smtp's client, declaring size when it
// is not 0, and returns the reply that refused it (nil for 250).
func deliver(addr string, rcpts []string, size int64, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example.com"); err != nil {
		return err
	}
	if err := c.Mail(moshe.Email, &smtp.MailOptions{Size: size}); err != nil {
		return err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// TestSMTPReplies drives the listener's refusals with go-smtp's client and
// checks the answer, what was stored and what the metrics counted.
func TestSMTPReplies(t *testing.T) {
	f := newFixture(t, kesher.RelaySettings{}, true)
	reg := prometheus.NewRegistry()
	addr := f.listen(t, 64<<10, reg)
	letter := func(id string) []byte {
		// A subject of its own, so that each letter starts a conversation.
		return build(t, mail.Outgoing{From: moshe, Cc: []mail.Address{rivka}, Subject: "משלוח " + id, MessageID: id, Text: "מתי יגיע המשלוח?"})
	}
	many := make([]string, 101)
	for i := range many {
		many[i] = supportAddress
	}
	for _, tc := range []struct {
		name  string
		rcpts []string
		size  int64
		raw   []byte
		down  bool // the database fails
		code  int  // 0 for 250
		ec    smtp.EnhancedCode
		want  int // conversations stored afterwards
	}{
		{name: "accepted", rcpts: []string{supportAddress}, raw: letter("a@example.com"), want: 1},
		{name: "address and alias of one mailbox", rcpts: []string{"help@noga.example", supportAddress}, raw: letter("b@example.com"), want: 2},
		{name: "duplicate", rcpts: []string{supportAddress}, raw: letter("b@example.com"), want: 2},
		{name: "declared too large", rcpts: []string{supportAddress}, size: 1 << 20, raw: letter("c@example.com"), code: 552, ec: smtp.EnhancedCode{5, 3, 4}, want: 2},
		{name: "too large", rcpts: []string{supportAddress}, raw: bigMessage(80 << 10), code: 552, ec: smtp.EnhancedCode{5, 3, 4}, want: 2},
		{name: "no sender", rcpts: []string{supportAddress}, raw: []byte("Subject: שלום\r\n\r\nאין שולח\r\n"), code: 554, ec: smtp.EnhancedCode{5, 6, 0}, want: 2},
		{name: "not a message", rcpts: []string{supportAddress}, raw: []byte("\r\n\r\n"), code: 554, ec: smtp.EnhancedCode{5, 6, 0}, want: 2},
		{name: "database down", rcpts: []string{supportAddress}, raw: letter("d@example.com"), down: true, code: 451, ec: smtp.EnhancedCode{4, 3, 0}, want: 2},
		{name: "database back", rcpts: []string{supportAddress}, raw: letter("d@example.com"), want: 3},
		{name: "too many recipients", rcpts: many, raw: letter("e@example.com"), code: 452, ec: smtp.EnhancedCode{4, 5, 3}, want: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.store.failing.Store(tc.down)
			defer f.store.failing.Store(false)
			err := deliver(addr, tc.rcpts, tc.size, tc.raw)
			var se *smtp.SMTPError
			switch {
			case tc.code == 0 && err != nil:
				t.Errorf("got %v, want 250", err)
			case tc.code != 0 && (!errors.As(err, &se) || se.Code != tc.code || se.EnhancedCode != tc.ec):
				t.Errorf("got %v, want %d %v", err, tc.code, tc.ec)
			}
			if n := len(f.conversations(t)); n != tc.want {
				t.Errorf("%d conversations, want %d", n, tc.want)
			}
		})
	}
	for _, c := range []struct {
		metric, label string
		want          float64
	}{
		{"kesher_smtp_messages_total", "accepted", 3},
		{"kesher_smtp_messages_total", "duplicate", 1},
		{"kesher_smtp_rejected_total", "too_large", 1},
		{"kesher_smtp_rejected_total", "unreadable", 2},
		{"kesher_smtp_rejected_total", "transient", 1},
	} {
		if got := counter(t, reg, c.metric, c.label); got != c.want {
			t.Errorf("%s{%s} = %v, want %v", c.metric, c.label, got, c.want)
		}
	}
	// Each DATA that was read to its end was timed: 3 taken in, 1 repeat,
	// 2 unreadable, 1 refused while the database was down.
	if n := histogramCount(t, reg, "kesher_smtp_ingest_duration_seconds"); n != 7 {
		t.Errorf("ingest histogram counted %d, want 7", n)
	}
}

func histogramCount(t *testing.T, reg *prometheus.Registry, name string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetHistogram().GetSampleCount()
		}
	}
	return 0
}

// counter reads one labelled counter of reg.
func counter(t *testing.T, reg *prometheus.Registry, name, label string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == label {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}
