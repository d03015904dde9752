package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// saveMailbox creates a mailbox (no id) or replaces one's settings from
// the form. Its inputs are named as the desk names the fields ("imap.host"),
// so refusals land beside them. A password left empty keeps the stored one:
// the page never shows passwords, so it cannot send them back.
func (w *Web) saveMailbox(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	in, err := mailboxInput(r)
	if err == nil && id != "" {
		var stored *kesher.Mailbox
		if stored, err = w.desk.Mailbox(r.Context(), id); err != nil {
			return err
		}
		if in.IMAP != nil && in.IMAP.Password == "" && stored.IMAP != nil {
			in.IMAP.Password = stored.IMAP.Password
		}
		if in.Relay.Password == "" {
			in.Relay.Password = stored.Relay.Password
		}
	}
	if err == nil {
		_, err = w.desk.SaveMailbox(r.Context(), id, in)
	}
	return w.afterAdminChange(rw, r, p, "mailboxes", id, err)
}

func (w *Web) deleteMailbox(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	return w.afterAdminChange(rw, r, p, "mailboxes", id, w.desk.DeleteMailbox(r.Context(), id))
}

// mailboxInput reads the mailbox form. IMAP is on when its host is given.
func mailboxInput(r *http.Request) (desk.MailboxInput, error) {
	var v kesher.Validation
	number := func(field string) int {
		s := strings.TrimSpace(r.PostFormValue(field))
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(s)
		v.Check(err == nil, field, "invalid")
		return n
	}
	in := desk.MailboxInput{
		Address: r.PostFormValue("address"), Name: r.PostFormValue("name"), TeamID: r.PostFormValue("team_id"),
		Signature: r.PostFormValue("signature"), Acknowledge: r.PostFormValue("acknowledge") != "",
		SMTP: r.PostFormValue("smtp") != "", ResponseTime: time.Duration(number("response_time")) * time.Hour,
		Relay: kesher.RelaySettings{Host: strings.TrimSpace(r.PostFormValue("relay.host")), Port: number("relay.port"),
			Security: kesher.Security(r.PostFormValue("relay.security")), Username: r.PostFormValue("relay.username"),
			Password: r.PostFormValue("relay.password")},
	}
	in.Aliases = splitTags(r.PostFormValue("aliases"))
	if host := strings.TrimSpace(r.PostFormValue("imap.host")); host != "" {
		in.IMAP = &kesher.IMAPSettings{Host: host, Port: number("imap.port"), Security: kesher.Security(r.PostFormValue("imap.security")),
			Username: r.PostFormValue("imap.username"), Password: r.PostFormValue("imap.password"),
			Folder: r.PostFormValue("imap.folder"), AfterImport: kesher.AfterImport(r.PostFormValue("imap.after_import")),
			MoveTo: r.PostFormValue("imap.move_to")}
	}
	return in, v.Err()
}

// mailboxForm is a mailbox as its form shows it: every field a string or a
// yes/no, so a mailbox without IMAP fills the same form as one with it.
type mailboxForm struct {
	ID, Address, Aliases, Name, TeamID, Signature, ResponseHours                      string
	Acknowledge, SMTP                                                                 bool
	IMAPHost, IMAPPort, IMAPSecurity, IMAPUsername, IMAPFolder, IMAPAfter, IMAPMoveTo string
	RelayHost, RelayPort, RelaySecurity, RelayUsername                                string
	IMAPHasPassword, RelayHasPassword                                                 bool
	// IMAP is how the poller last fared with the mailbox, when it has read it.
	IMAP *kesher.IMAPState
}

// newMailboxForm is the create form's starting point: an acknowledgement
// promising an answer within four hours, and a submission relay.
var newMailboxForm = mailboxForm{Acknowledge: true, SMTP: true, ResponseHours: "4", RelayPort: "587",
	RelaySecurity: string(kesher.SecurityStartTLS), IMAPPort: "993", IMAPSecurity: string(kesher.SecurityTLS),
	IMAPFolder: "INBOX", IMAPAfter: string(kesher.AfterImportMarkSeen)}

func formOfMailbox(m *kesher.Mailbox) mailboxForm {
	f := mailboxForm{ID: m.ID, Address: m.Address, Aliases: strings.Join(m.Aliases, ", "), Name: m.Name, TeamID: m.TeamID,
		Signature: m.Signature, Acknowledge: m.Acknowledge, SMTP: m.SMTP,
		ResponseHours: strconv.Itoa(int(m.ResponseTime / time.Hour)),
		RelayHost:     m.Relay.Host, RelayPort: port(m.Relay.Port), RelaySecurity: string(m.Relay.Security),
		RelayUsername: m.Relay.Username, RelayHasPassword: m.Relay.Password != "",
		IMAPPort: newMailboxForm.IMAPPort, IMAPSecurity: newMailboxForm.IMAPSecurity, IMAPFolder: newMailboxForm.IMAPFolder,
		IMAPAfter: newMailboxForm.IMAPAfter}
	if i := m.IMAP; i != nil {
		f.IMAPHost, f.IMAPPort, f.IMAPSecurity, f.IMAPUsername = i.Host, port(i.Port), string(i.Security), i.Username
		f.IMAPFolder, f.IMAPAfter, f.IMAPMoveTo, f.IMAPHasPassword = i.Folder, string(i.AfterImport), i.MoveTo, i.Password != ""
	}
	return f
}

func port(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// mailboxes reads every mailbox with its settings (admins only), as forms.
func (w *Web) mailboxes(ctx context.Context) ([]mailboxForm, error) {
	list, err := all(ctx, w.desk.Mailboxes)
	if err != nil {
		return nil, err
	}
	forms := make([]mailboxForm, 0, len(list))
	for _, m := range list {
		mb, err := w.desk.Mailbox(ctx, m.ID)
		if err != nil {
			return nil, err
		}
		f := formOfMailbox(mb)
		if mb.IMAP != nil {
			f.IMAP, err = w.desk.IMAPState(ctx, mb.ID, mb.IMAP.Folder)
			if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
				return nil, err
			}
		}
		forms = append(forms, f)
	}
	return forms, nil
}
