package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// mailboxIn is a mailbox as clients send it, whole (POST) or in part
// (PATCH): absent fields keep the current value. Passwords are write-only:
// the API never shows them, so a client that leaves one out keeps it.
type mailboxIn struct {
	Address     *string   `json:"address"`
	Aliases     *[]string `json:"aliases"`
	Name        *string   `json:"name"`
	TeamID      clearable `json:"team_id"`
	Signature   *string   `json:"signature"`
	Acknowledge *bool     `json:"acknowledge"`
	// ResponseTime is in seconds.
	ResponseTime *int64 `json:"response_time"`
	SMTP         *bool  `json:"smtp"`
	// IMAP is raw so that null (stop reading over IMAP) differs from
	// absent (keep the settings).
	IMAP  json.RawMessage `json:"imap"`
	Relay *relayIn        `json:"relay"`
}

type imapIn struct {
	Host        string             `json:"host"`
	Port        int                `json:"port"`
	Security    kesher.Security    `json:"security"`
	Username    string             `json:"username"`
	Password    *string            `json:"password"`
	Folder      string             `json:"folder"`
	AfterImport kesher.AfterImport `json:"after_import"`
	MoveTo      string             `json:"move_to"`
}

type relayIn struct {
	Host     string          `json:"host"`
	Port     int             `json:"port"`
	Security kesher.Security `json:"security"`
	Username string          `json:"username"`
	Password *string         `json:"password"`
}

// input applies the request to the current mailbox (nil for a new one).
func (in mailboxIn) input(cur *kesher.Mailbox) (desk.MailboxInput, error) {
	var out desk.MailboxInput
	if cur != nil {
		out = desk.MailboxInput{
			Address: cur.Address, Aliases: cur.Aliases, Name: cur.Name, TeamID: cur.TeamID, Signature: cur.Signature,
			Acknowledge: cur.Acknowledge, ResponseTime: cur.ResponseTime, SMTP: cur.SMTP, IMAP: cur.IMAP, Relay: cur.Relay,
		}
	}
	set(&out.Address, in.Address)
	set(&out.Aliases, in.Aliases)
	set(&out.Name, in.Name)
	set(&out.TeamID, in.TeamID.ptr())
	set(&out.Signature, in.Signature)
	set(&out.Acknowledge, in.Acknowledge)
	set(&out.SMTP, in.SMTP)
	if in.ResponseTime != nil {
		out.ResponseTime = time.Duration(*in.ResponseTime) * time.Second
	}
	switch {
	case len(in.IMAP) == 0:
	case string(in.IMAP) == "null":
		out.IMAP = nil
	default:
		var imap imapIn
		dec := json.NewDecoder(bytes.NewReader(in.IMAP))
		dec.DisallowUnknownFields()
		if err := decodeError(dec.Decode(&imap)); err != nil {
			return out, err
		}
		password := ""
		if out.IMAP != nil {
			password = out.IMAP.Password
		}
		set(&password, imap.Password)
		out.IMAP = &kesher.IMAPSettings{
			Host: imap.Host, Port: imap.Port, Security: imap.Security, Username: imap.Username, Password: password,
			Folder: imap.Folder, AfterImport: imap.AfterImport, MoveTo: imap.MoveTo,
		}
	}
	if r := in.Relay; r != nil {
		password := out.Relay.Password
		set(&password, r.Password)
		out.Relay = kesher.RelaySettings{Host: r.Host, Port: r.Port, Security: r.Security, Username: r.Username, Password: password}
	}
	return out, nil
}

// set copies *src to *dst when src is given.
func set[T any](dst *T, src *T) {
	if src != nil {
		*dst = *src
	}
}

func (a *api) createMailbox(w http.ResponseWriter, r *http.Request) error {
	var in mailboxIn
	if err := decode(r, &in); err != nil {
		return err
	}
	next, err := in.input(nil)
	if err != nil {
		return err
	}
	m, err := a.desk.SaveMailbox(r.Context(), "", next)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, m)
}

// listMailboxes lists mailboxes; agents see them without their connection
// settings.
func (a *api) listMailboxes(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := a.desk.Mailboxes(r.Context(), p)
	return writeList(w, items, next, err)
}

func (a *api) getMailbox(w http.ResponseWriter, r *http.Request) error {
	m, err := a.desk.Mailbox(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

// updateMailbox changes the fields given. The desk saves a mailbox whole,
// so the current mailbox, passwords included, fills in the rest.
func (a *api) updateMailbox(w http.ResponseWriter, r *http.Request) error {
	var in mailboxIn
	if err := decode(r, &in); err != nil {
		return err
	}
	id := r.PathValue("id")
	cur, err := a.desk.Mailbox(r.Context(), id)
	if err != nil {
		return err
	}
	next, err := in.input(cur)
	if err != nil {
		return err
	}
	m, err := a.desk.SaveMailbox(r.Context(), id, next)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (a *api) deleteMailbox(w http.ResponseWriter, r *http.Request) error {
	if err := a.desk.DeleteMailbox(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
