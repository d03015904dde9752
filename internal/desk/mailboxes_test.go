package desk_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestMailboxes(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		f, w := liveFixture(t, open(t))
		in := desk.MailboxInput{
			Address: " Support@Noga.co.il", Aliases: []string{"Help@Noga.co.il", "help@noga.co.il", "support@noga.co.il"}, Name: "נגה תמיכה",
			Acknowledge: true, ResponseTime: 4*time.Hour + 300*time.Millisecond,
			IMAP:  &kesher.IMAPSettings{Host: "imap.noga.co.il", Port: 993, Security: kesher.SecurityTLS, Username: "support", Password: "סוד-imap"},
			Relay: kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS, Username: "support", Password: "סוד-smtp"},
		}
		_, err := f.desk.SaveMailbox(f.asLead, "", in)
		wantCode(t, err, kesher.ECodeForbidden)
		mb, err := f.desk.SaveMailbox(f.asAdmin, "", in)
		if err != nil {
			t.Fatal(err)
		}
		if mb.Address != "support@noga.co.il" || !slices.Equal(mb.Aliases, []string{"help@noga.co.il"}) || mb.ResponseTime != 4*time.Hour ||
			mb.IMAP.Folder != "INBOX" || mb.IMAP.AfterImport != kesher.AfterImportMarkSeen {
			t.Errorf("saved %+v %+v", mb, mb.IMAP)
		}
		// The event that records it (and the admin log) holds no password.
		for _, b := range w.batches {
			for _, e := range b {
				if e.Type == "mailbox.created" && (strings.Contains(string(e.Data), "סוד") || !strings.Contains(string(e.Data), `"has_password":true`)) {
					t.Errorf("mailbox.created data %s", e.Data)
				}
			}
		}

		_, err = f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "sales@noga.co.il", Aliases: []string{"HELP@noga.co.il"}})
		if e, ok := err.(*kesher.Error); !ok || e.Fields["aliases"] != "taken" {
			t.Errorf("an alias of another mailbox: %v", err)
		}
		// Saving a mailbox with its own addresses is no conflict.
		in.Name = "Noga Home Support"
		if _, err := f.desk.SaveMailbox(f.asAdmin, mb.ID, in); err != nil {
			t.Errorf("saving a mailbox again: %v", err)
		}
		_, err = f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "x", ResponseTime: -time.Hour,
			IMAP: &kesher.IMAPSettings{Port: 70000, AfterImport: kesher.AfterImportMove}})
		if e, ok := err.(*kesher.Error); !ok || len(e.Fields) != 7 {
			t.Errorf("an invalid mailbox: %v, want address, response_time and five IMAP fields", err)
		}

		// Agents see what they need to answer mail, not how the desk
		// connects to mail servers.
		for _, tt := range []struct {
			as       *kesher.User
			settings bool
		}{{f.agent, false}, {f.admin, true}} {
			ms, _, err := f.desk.Mailboxes(kesher.WithActor(t.Context(), tt.as), kesher.Page{})
			if err != nil || len(ms) != 1 || (ms[0].IMAP != nil) != tt.settings || (ms[0].Relay.Host != "") != tt.settings || ms[0].Name != "Noga Home Support" {
				t.Errorf("Mailboxes as %s: %+v, %v", tt.as.Role, ms, err)
			}
		}
		_, err = f.desk.Mailbox(f.asAgent, mb.ID)
		wantCode(t, err, kesher.ECodeForbidden)
		err = f.desk.DeleteMailbox(f.asAgent, mb.ID)
		wantCode(t, err, kesher.ECodeForbidden)
		if err := f.desk.DeleteMailbox(f.asAdmin, mb.ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.desk.MailboxForAddress(f.asAdmin, "help@noga.co.il")
		wantCode(t, err, kesher.ECodeNotFound)
	})
}
