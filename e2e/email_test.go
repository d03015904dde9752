package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"

	"kesher/internal/testkit"
)

// Sizes of the crash test: senders deliver burst messages in all, and
// the program is killed once killAfter of them got their 250.
const (
	burst     = 1000
	senders   = 8
	killAfter = 300
)

// TestSMTPCrash delivers a burst of email into the program's SMTP listener
// from several connections at once and kills the process (SIGKILL) in the
// middle, on each database. After a restart on the same data every message
// that got 250 is there exactly once; the senders then send again what was
// not confirmed, as mail servers do, and the desk holds each of the burst
// exactly once.
func TestSMTPCrash(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"--db", testkit.PostgresDSN(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) { crashDuringBurst(t, tc.args(t)) })
	}
}

func crashDuringBurst(t *testing.T, db []string) {
	addr := freeAddr(t)
	p := testkit.StartProgram(t, append([]string{"--smtp-addr", addr}, db...)...)
	p.Run(t, "user", "create", "--email", "admin@noga.example", "--name", "מנהלת", "--role", "admin")
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@noga.example"))
	apiCall(t, p.URL, token, "POST", "/api/v1/mailboxes", `{"address": "support@noga.example", "name": "נוגה בית", "smtp": true}`, nil)

	// Each sender is one customer writing on one subject, so their emails
	// thread into one conversation each, in the order they were sent.
	confirmed := make([]atomic.Bool, burst)
	var acked atomic.Int64
	killed := make(chan struct{})
	var kill sync.Once
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			var ids []int
			for i := s; i < burst; i += senders {
				ids = append(ids, i)
			}
			// The server dies under the sender: the message in flight and
			// those after it stay unconfirmed.
			_ = send(addr, ids, func(i int) {
				confirmed[i].Store(true)
				if acked.Add(1) == killAfter {
					kill.Do(func() { p.Kill(); close(killed) })
				}
			})
		})
	}
	wg.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("all %d messages went through before the kill", burst)
	}

	p = testkit.StartProgram(t, append([]string{"--data", p.DataDir, "--smtp-addr", addr}, db...)...)
	stored := storedMessageIDs(t, p.URL, token)
	var got int
	for i := range burst {
		n := stored[messageID(i)]
		if n > 1 {
			t.Errorf("%s is stored %d times", messageID(i), n)
		}
		if confirmed[i].Load() {
			got++
			if n == 0 {
				t.Errorf("%s got 250 but was lost", messageID(i))
			}
		}
	}
	// Besides the confirmed ones, at most the messages in flight at the
	// kill, one per sender, may have been committed without their 250.
	if extra := len(stored) - got; extra < 0 || extra > senders {
		t.Errorf("%d messages stored, %d confirmed", len(stored), got)
	}
	t.Logf("killed after %d confirmed; %d stored", got, len(stored))

	var again []int
	for i := range burst {
		if !confirmed[i].Load() {
			again = append(again, i)
		}
	}
	if err := send(addr, again, func(int) {}); err != nil {
		t.Fatalf("sending the unconfirmed messages again: %v", err)
	}
	stored = storedMessageIDs(t, p.URL, token)
	for i := range burst {
		if n := stored[messageID(i)]; n != 1 {
			t.Errorf("%s is stored %d times after the retry", messageID(i), n)
		}
	}
	if len(stored) != burst {
		t.Errorf("%d messages stored, want %d", len(stored), burst)
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago, since the program is started twice on the same SMTP address.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func messageID(i int) string { return fmt.Sprintf("burst-%04d@mail.example.com", i) }

// burstMessage is message i of the burst, from customer i % senders.
func burstMessage(i int) []byte {
	c := i % senders
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: =?UTF-8?B?15zXp9eV15c=?= %d <customer%d@example.com>\r\n", c, c)
	fmt.Fprintf(&b, "To: support@noga.example\r\nSubject: =?UTF-8?B?15TXltee16DXlCDXntei15XXm9eR16o=?= %d\r\n", c)
	fmt.Fprintf(&b, "Message-ID: <%s>\r\nDate: Sun, 01 Mar 2026 09:00:00 +0200\r\nMIME-Version: 1.0\r\n", messageID(i))
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	fmt.Fprintf(&b, "שלום,\r\nזו הודעה מספר %d. ההזמנה שלי עדיין לא הגיעה ואשמח לדעת מתי היא תגיע.\r\nתודה\r\n", i)
	return b.Bytes()
}

// send delivers messages ids over one connection, calling ok after each
// 250, and stops at the first failure.
func send(addr string, ids []int, ok func(int)) error {
	if len(ids) == 0 {
		return nil
	}
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example.com"); err != nil {
		return err
	}
	for _, i := range ids {
		if err := c.SendMail(fmt.Sprintf("customer%d@example.com", i%senders), []string{"support@noga.example"}, bytes.NewReader(burstMessage(i))); err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		ok(i)
	}
	return c.Quit()
}

// storedMessageIDs counts the desk's messages by their email Message-ID,
// read through the API.
func storedMessageIDs(t *testing.T, base, token string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	var convs struct {
		Items      []struct{ ID string }
		NextCursor string `json:"next_cursor"`
	}
	for cursor := ""; ; cursor = convs.NextCursor {
		apiCall(t, base, token, "GET", "/api/v1/conversations?limit=200&cursor="+url.QueryEscape(cursor), "", &convs)
		for _, c := range convs.Items {
			var msgs struct {
				Items []struct {
					Email *struct {
						MessageID string `json:"message_id"`
					}
				}
				NextCursor string `json:"next_cursor"`
			}
			for mc := ""; ; mc = msgs.NextCursor {
				msgs.Items, msgs.NextCursor = nil, ""
				apiCall(t, base, token, "GET", "/api/v1/conversations/"+c.ID+"/messages?limit=200&cursor="+url.QueryEscape(mc), "", &msgs)
				for _, m := range msgs.Items {
					if m.Email != nil {
						counts[m.Email.MessageID]++
					}
				}
				if msgs.NextCursor == "" {
					break
				}
			}
		}
		if convs.NextCursor == "" {
			return counts
		}
		convs.Items, convs.NextCursor = nil, ""
	}
}

// apiCall makes one API request and decodes its JSON answer into out.
func apiCall(t *testing.T, base, token, method, path, body string, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
