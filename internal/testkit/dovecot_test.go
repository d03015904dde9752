package testkit

import (
	"bytes"
	"crypto/tls"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// TestDovecot starts the real server: mail appended to a Hebrew-named
// folder is there, unread, after a restart; the folder recreated has a new
// UIDVALIDITY and the same mail; implicit TLS and STARTTLS present the
// test's certificate; a changed password applies at the next login.
func TestDovecot(t *testing.T) {
	d := StartDovecot(t, DovecotOptions{})
	const folder = "תמיכה/נכנס"
	raw := []byte("From: =?UTF-8?B?15PXoNeU?= <dana@example.com>\r\nTo: desk@noga.example\r\nSubject: =?UTF-8?B?15TXlteg15TXlA==?=\r\n" +
		"Message-ID: <testkit-1@example.com>\r\n\r\nשלום\r\n")
	if uid := d.Append(folder, raw); uid != 1 {
		t.Errorf("first UID = %d, want 1", uid)
	}
	d.Append(folder, bytes.Replace(raw, []byte("testkit-1"), []byte("testkit-2"), 1), imap.FlagSeen)
	before := d.UIDValidity(folder)

	d.Restart()
	msgs := d.Messages(folder)
	if len(msgs) != 2 || !bytes.Equal(msgs[0].Raw, raw) || msgs[0].Seen() || !msgs[1].Seen() {
		t.Fatalf("after restart: %+v, want the two messages, the first unread", msgs)
	}
	if after := d.RecreateFolder(folder); after == before {
		t.Errorf("UIDVALIDITY after recreating = %d, want a new one", after)
	}
	if msgs := d.Messages(folder); len(msgs) != 2 || !bytes.Equal(msgs[0].Raw, raw) || !msgs[1].Seen() {
		t.Errorf("after recreating: %+v, want the same messages and flags", msgs)
	}
	if msgs := d.Messages("אין-כזו"); msgs != nil {
		t.Errorf("a missing folder has %v, want nothing", msgs)
	}

	for name, dial := range map[string]func() (*imapclient.Client, error){
		"tls": func() (*imapclient.Client, error) {
			return imapclient.DialTLS(d.TLSAddr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
		},
		"starttls": func() (*imapclient.Client, error) {
			return imapclient.DialStartTLS(d.Addr(), &imapclient.Options{TLSConfig: d.TLSConfig()})
		},
		"untrusted": func() (*imapclient.Client, error) {
			return imapclient.DialTLS(d.TLSAddr(), &imapclient.Options{TLSConfig: &tls.Config{}})
		},
	} {
		c, err := dial()
		if err == nil {
			err = c.Login(d.Username, d.Password).Wait()
			_ = c.Close()
		}
		if (err == nil) != (name != "untrusted") {
			t.Errorf("%s: login error %v", name, err)
		}
	}

	old := d.Password
	d.SetPassword("סיסמה-חדשה")
	if _, err := d.login(old); err == nil {
		t.Error("the old password still logs in")
	}
	d.Client() // logs in with the new one
}
