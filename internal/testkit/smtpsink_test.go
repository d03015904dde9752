package testkit

import (
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// sendToSink sends one message in plain text: go-smtp's SendMail insists
// on STARTTLS, which the sink does not offer.
func sendToSink(s *SMTPSink, from string, to []string, body string) error {
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(body)); err != nil {
		return err
	}
	return c.Quit()
}

// TestSMTPSink delivers to the sink with go-smtp's client, from several
// goroutines at once, and checks what it recorded and how it refuses.
func TestSMTPSink(t *testing.T) {
	s := NewSMTPSink(t)
	const n = 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := "Subject: שלום\r\n\r\nהודעה " + strings.Repeat("א", i) + "\r\n"
			if err := sendToSink(s, "desk@noga.example", []string{"dana@example.com", "yossi@example.com"}, body); err != nil {
				t.Errorf("send %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	ms := s.Wait(t, n, 5*time.Second)
	if len(ms) != n || s.Attempts() != n {
		t.Fatalf("%d messages, %d attempts; want %d", len(ms), s.Attempts(), n)
	}
	m := ms[0]
	if m.From != "desk@noga.example" || strings.Join(m.To, ",") != "dana@example.com,yossi@example.com" ||
		!strings.HasPrefix(string(m.Raw), "Subject: שלום\r\n") {
		t.Errorf("recorded %q → %q: %q", m.From, m.To, m.Raw)
	}

	for _, tc := range []struct {
		name    string
		code    int
		times   int
		sends   int
		refused int
	}{
		{"temporary once", 451, 1, 2, 1},
		{"permanent always", 550, -1, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSMTPSink(t)
			s.Refuse(tc.code, "refused on purpose", tc.times)
			var refused int
			for range tc.sends {
				err := sendToSink(s, "desk@noga.example", []string{"dana@example.com"}, "Subject: x\r\n\r\nx\r\n")
				var se *smtp.SMTPError
				switch {
				case errors.As(err, &se) && se.Code == tc.code:
					refused++
				case err != nil:
					t.Fatalf("send: %v", err)
				}
			}
			if refused != tc.refused || len(s.Messages()) != tc.sends-tc.refused || s.Attempts() != tc.sends {
				t.Errorf("refused %d, kept %d, attempts %d", refused, len(s.Messages()), s.Attempts())
			}
			s.Refuse(0, "", 0)
			if err := sendToSink(s, "desk@noga.example", []string{"dana@example.com"}, "Subject: x\r\n\r\nx\r\n"); err != nil {
				t.Errorf("after Refuse(0): %v", err)
			}
		})
	}
}
