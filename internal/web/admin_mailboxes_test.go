package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/mail"
)

func TestAdminMailboxes(t *testing.T) {
	f := newFixture(t)
	c := f.signedIn(t, f.admin)
	form := url.Values{"address": {"Support@Noga.example"}, "aliases": {"help@noga.example, sherut@noga.example"},
		"name": {"נגה בית — שירות"}, "response_time": {"4"}, "signature": {"צוות השירות של נגה"}, "acknowledge": {"1"}, "smtp": {"1"},
		"imap.host": {"imap.noga.example"}, "imap.port": {"993"}, "imap.security": {"tls"}, "imap.username": {"support"},
		"imap.password": {"imap-secret"}, "imap.folder": {"INBOX"}, "imap.after_import": {"mark_seen"},
		"relay.host": {"smtp.noga.example"}, "relay.port": {"587"}, "relay.security": {"starttls"}, "relay.username": {"support"},
		"relay.password": {"relay-secret"}}
	res, _ := c.post("/admin/mailboxes", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d", res.StatusCode)
	}
	list, _, err := f.desk.Mailboxes(f.system, kesher.Page{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("mailboxes after create: %d, %v", len(list), err)
	}
	mb, err := f.desk.Mailbox(f.system, list[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if mb.Address != "support@noga.example" || len(mb.Aliases) != 2 || mb.IMAP == nil || mb.IMAP.Password != "imap-secret" || mb.Relay.Password != "relay-secret" {
		t.Errorf("stored mailbox: %+v", mb)
	}
	// The poller's trouble shows on the page.
	if err := f.desk.SaveIMAPState(f.system, &kesher.IMAPState{MailboxID: mb.ID, Folder: "INBOX", LastError: "authentication failed",
		Failures: 3}); err != nil {
		t.Fatal(err)
	}
	_, body := c.get("/admin/mailboxes")
	if !strings.Contains(body, "data-imap-failing") || !strings.Contains(body, "authentication failed") {
		t.Error("the admin page does not show that fetching mail fails")
	}
	if strings.Contains(body, "imap-secret") || strings.Contains(body, "relay-secret") {
		t.Error("the admin page shows a password")
	}
	if !strings.Contains(body, "support@noga.example") {
		t.Error("the admin page does not list the mailbox")
	}

	// Saving without passwords keeps the stored ones; a bad alias is
	// refused beside its field and changes nothing.
	form.Del("imap.password")
	form.Del("relay.password")
	form.Set("name", "נגה — שירות לקוחות")
	if res, _ := c.post("/admin/mailboxes/"+mb.ID, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: status %d", res.StatusCode)
	}
	mb, _ = f.desk.Mailbox(f.system, mb.ID)
	if mb.Name != "נגה — שירות לקוחות" || mb.IMAP.Password != "imap-secret" || mb.Relay.Password != "relay-secret" {
		t.Errorf("after an edit without passwords: name %q, imap password kept %v, relay kept %v", mb.Name, mb.IMAP.Password == "imap-secret", mb.Relay.Password == "relay-secret")
	}
	form.Set("aliases", "not an address")
	res, body = c.post("/admin/mailboxes/"+mb.ID, form)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="aliases-error"`) {
		t.Errorf("bad alias: status %d; want 422 with the error beside the aliases", res.StatusCode)
	}
	if res, _ := c.post("/admin/mailboxes/"+mb.ID+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: status %d", res.StatusCode)
	}
	if list, _, _ := f.desk.Mailboxes(f.system, kesher.Page{Limit: 10}); len(list) != 0 {
		t.Errorf("%d mailboxes after delete", len(list))
	}
}

// TestEmailOriginal: an emailed message links to the email as it arrived,
// and the download is byte for byte what came in.
func TestEmailOriginal(t *testing.T) {
	f := newFixture(t)
	if _, err := f.desk.SaveMailbox(f.system, "", desk.MailboxInput{Address: "support@noga.example", SMTP: true}); err != nil {
		t.Fatal(err)
	}
	raw, err := mail.Build(mail.Outgoing{From: mail.Address{Name: "נועה ברק", Email: "noa@example.com"},
		To: []mail.Address{{Email: "support@noga.example"}}, Subject: "החבילה לא הגיעה", MessageID: "orig-1@example.com",
		Text: "שלום, ההזמנה לא הגיעה.\n\n> ציטוט ישן מהשבוע שעבר", Date: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.desk.IngestEmail(f.system, desk.InboundEmail{Recipients: []string{"support@noga.example"}, Raw: raw, Source: "smtp"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.signedIn(t, f.agent)
	_, page := c.get("/conversations/" + res.ConversationID)
	link := "/messages/" + res.MessageID + "/original"
	if !strings.Contains(page, `href="`+link+`"`) {
		t.Fatal("the conversation does not link to the original email")
	}
	got, body := c.get(link)
	if got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "message/rfc822" || body != string(raw) {
		t.Errorf("original: status %d, type %q, same bytes %v", got.StatusCode, got.Header.Get("Content-Type"), body == string(raw))
	}
	anon := f.client(t)
	if res, _ := anon.get(link); res.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out: status %d, want a redirect to sign in", res.StatusCode)
	}
}
