package store

import (
	"context"
	"time"

	"kesher"
)

const mailboxColumns = "id, address, name, team_id, signature, acknowledge, response_time, smtp," +
	" imap_host, imap_port, imap_security, imap_username, imap_password, imap_folder, imap_after_import, imap_move_to," +
	" relay_host, relay_port, relay_security, relay_username, relay_password, created_at, updated_at"

func scanMailbox(s scanner) (*kesher.Mailbox, error) {
	var m kesher.Mailbox
	var team *string
	var ack, smtp int
	var responseTime, created, updated int64
	var imap kesher.IMAPSettings
	err := s.Scan(&m.ID, &m.Address, &m.Name, &team, &m.Signature, &ack, &responseTime, &smtp,
		&imap.Host, &imap.Port, &imap.Security, &imap.Username, &imap.Password, &imap.Folder, &imap.AfterImport, &imap.MoveTo,
		&m.Relay.Host, &m.Relay.Port, &m.Relay.Security, &m.Relay.Username, &m.Relay.Password, &created, &updated)
	if err != nil {
		return nil, err
	}
	m.TeamID, m.Acknowledge, m.SMTP = deref(team), ack != 0, smtp != 0
	m.ResponseTime = time.Duration(responseTime) * time.Second
	if imap.Host != "" {
		m.IMAP = &imap
	}
	m.Aliases = []string{}
	m.CreatedAt, m.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &m, nil
}

// mailboxArgs are the values of mailboxColumns for m.
func mailboxArgs(m *kesher.Mailbox) args {
	imap := m.IMAP
	if imap == nil {
		imap = &kesher.IMAPSettings{}
	}
	return args{m.ID, m.Address, m.Name, nullable(m.TeamID), m.Signature, boolInt(m.Acknowledge), int64(m.ResponseTime / time.Second), boolInt(m.SMTP),
		imap.Host, imap.Port, string(imap.Security), imap.Username, imap.Password, imap.Folder, string(imap.AfterImport), imap.MoveTo,
		m.Relay.Host, m.Relay.Port, string(m.Relay.Security), m.Relay.Username, m.Relay.Password, micros(m.CreatedAt), micros(m.UpdatedAt)}
}

// Mailbox returns a mailbox with its aliases.
func (q *queries) Mailbox(ctx context.Context, id string) (*kesher.Mailbox, error) {
	m, err := scanMailbox(q.q.QueryRowContext(ctx, "SELECT "+mailboxColumns+" FROM mailboxes WHERE id = $1", id))
	if err != nil {
		return nil, q.dbErr(err, "mailbox "+id)
	}
	return m, q.attachAliases(ctx, m)
}

// MailboxByAddress finds the mailbox that receives a normalised address.
func (q *queries) MailboxByAddress(ctx context.Context, address string) (*kesher.Mailbox, error) {
	m, err := scanMailbox(q.q.QueryRowContext(ctx, "SELECT "+prefixed("m.", mailboxColumns)+
		" FROM mailbox_addresses a JOIN mailboxes m ON m.id = a.mailbox_id WHERE a.address = $1", address))
	if err != nil {
		return nil, q.dbErr(err, "mailbox of "+address)
	}
	return m, q.attachAliases(ctx, m)
}

// Mailboxes lists mailboxes in the order they were created.
func (q *queries) Mailboxes(ctx context.Context, p kesher.Page) ([]*kesher.Mailbox, string, error) {
	ms, next, err := listByID(ctx, q, "mailboxes", mailboxColumns, p, scanMailbox, func(m *kesher.Mailbox) string { return m.ID })
	if err != nil {
		return nil, "", err
	}
	return ms, next, q.attachAliases(ctx, ms...)
}

// attachAliases loads the aliases of ms in one query.
func (q *queries) attachAliases(ctx context.Context, ms ...*kesher.Mailbox) error {
	byID := make(map[string]*kesher.Mailbox, len(ms))
	ids := make([]string, len(ms))
	for i, m := range ms {
		byID[m.ID], ids[i] = m, m.ID
	}
	if len(ids) == 0 {
		return nil
	}
	var a args
	rows, err := q.q.QueryContext(ctx, "SELECT mailbox_id, address FROM mailbox_addresses WHERE alias = 1 AND mailbox_id IN "+
		in(&a, ids)+" ORDER BY address", a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, address string
		if err := rows.Scan(&id, &address); err != nil {
			return err
		}
		byID[id].Aliases = append(byID[id].Aliases, address)
	}
	return rows.Err()
}

// CreateMailbox inserts a mailbox and its addresses.
func (t *tx) CreateMailbox(ctx context.Context, m *kesher.Mailbox) error {
	err := t.insert(ctx, "mailbox "+m.ID, "INSERT INTO mailboxes ("+mailboxColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"+
		" $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)", mailboxArgs(m))
	if err != nil {
		return err
	}
	return t.insertAddresses(ctx, m)
}

// UpdateMailbox saves every field of m and replaces its addresses.
func (t *tx) UpdateMailbox(ctx context.Context, m *kesher.Mailbox) error {
	a := mailboxArgs(m)
	a = append(a[:21:21], a[22]) // all but created_at
	err := t.exec(ctx, "mailbox "+m.ID, "UPDATE mailboxes SET address = $2, name = $3, team_id = $4, signature = $5, acknowledge = $6,"+
		" response_time = $7, smtp = $8, imap_host = $9, imap_port = $10, imap_security = $11, imap_username = $12, imap_password = $13,"+
		" imap_folder = $14, imap_after_import = $15, imap_move_to = $16, relay_host = $17, relay_port = $18, relay_security = $19,"+
		" relay_username = $20, relay_password = $21, updated_at = $22 WHERE id = $1", a...)
	if err != nil {
		return err
	}
	if _, err := t.q.ExecContext(ctx, "DELETE FROM mailbox_addresses WHERE mailbox_id = $1", m.ID); err != nil {
		return err
	}
	return t.insertAddresses(ctx, m)
}

// insertAddresses records the mailbox's address and aliases; one that
// another mailbox receives is a conflict.
func (t *tx) insertAddresses(ctx context.Context, m *kesher.Mailbox) error {
	for i, address := range m.Addresses() {
		if err := t.insert(ctx, "address "+address, "INSERT INTO mailbox_addresses (address, mailbox_id, alias) VALUES ($1, $2, $3)",
			args{address, m.ID, boolInt(i > 0)}); err != nil {
			return err
		}
	}
	return nil
}

// DeleteMailbox deletes a mailbox; its addresses and IMAP state go with it
// and its threads keep no mailbox (ON DELETE in the schema).
func (t *tx) DeleteMailbox(ctx context.Context, id string) error {
	return t.exec(ctx, "mailbox "+id, "DELETE FROM mailboxes WHERE id = $1", id)
}

const imapStateColumns = "mailbox_id, folder, uidvalidity, last_uid, last_error, last_ok_at, failures"

// IMAPState returns how far the poller has read a mailbox's folder.
func (q *queries) IMAPState(ctx context.Context, mailboxID, folder string) (*kesher.IMAPState, error) {
	var s kesher.IMAPState
	var lastOK int64
	err := q.q.QueryRowContext(ctx, "SELECT "+imapStateColumns+" FROM imap_state WHERE mailbox_id = $1 AND folder = $2", mailboxID, folder).
		Scan(&s.MailboxID, &s.Folder, &s.UIDValidity, &s.LastUID, &s.LastError, &lastOK, &s.Failures)
	if err != nil {
		return nil, q.dbErr(err, "IMAP state of "+mailboxID+" "+folder)
	}
	s.LastOKAt = fromMicros(lastOK)
	return &s, nil
}

// SaveIMAPState inserts or replaces the state of a mailbox's folder. Both
// databases read this upsert alike.
func (t *tx) SaveIMAPState(ctx context.Context, s *kesher.IMAPState) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO imap_state ("+imapStateColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)"+
		" ON CONFLICT (mailbox_id, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity, last_uid = excluded.last_uid,"+
		" last_error = excluded.last_error, last_ok_at = excluded.last_ok_at, failures = excluded.failures",
		s.MailboxID, s.Folder, int64(s.UIDValidity), int64(s.LastUID), s.LastError, micros(s.LastOKAt), s.Failures)
	return t.dbErr(err, "IMAP state of mailbox "+s.MailboxID)
}
