package store

import (
	"context"
	"encoding/json"

	"kesher"
)

const channelAccountColumns = "id, kind, name, team_id, api_base, phone_number_id, token, app_secret, verify_token, templates, created_at, updated_at"

func scanChannelAccount(s scanner) (*kesher.ChannelAccount, error) {
	var a kesher.ChannelAccount
	var team *string
	var templates string
	var created, updated int64
	err := s.Scan(&a.ID, &a.Kind, &a.Name, &team, &a.APIBase, &a.PhoneNumberID, &a.Token, &a.AppSecret, &a.VerifyToken,
		&templates, &created, &updated)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(templates), &a.Templates); err != nil {
		return nil, err
	}
	if a.Templates == nil {
		a.Templates = []kesher.Template{}
	}
	a.TeamID, a.CreatedAt, a.UpdatedAt = deref(team), fromMicros(created), fromMicros(updated)
	return &a, nil
}

// channelAccountArgs are the values of channelAccountColumns for a.
func channelAccountArgs(a *kesher.ChannelAccount) (args, error) {
	templates := a.Templates
	if templates == nil {
		templates = []kesher.Template{}
	}
	t, err := json.Marshal(templates)
	if err != nil {
		return nil, err
	}
	return args{a.ID, string(a.Kind), a.Name, nullable(a.TeamID), a.APIBase, a.PhoneNumberID, a.Token, a.AppSecret, a.VerifyToken,
		string(t), micros(a.CreatedAt), micros(a.UpdatedAt)}, nil
}

// ChannelAccount returns a messaging account with its secrets.
func (q *queries) ChannelAccount(ctx context.Context, id string) (*kesher.ChannelAccount, error) {
	a, err := scanChannelAccount(q.q.QueryRowContext(ctx, "SELECT "+channelAccountColumns+" FROM channel_accounts WHERE id = $1", id))
	return a, q.dbErr(err, "channel account "+id)
}

// ChannelAccounts lists messaging accounts in the order they were created.
func (q *queries) ChannelAccounts(ctx context.Context, p kesher.Page) ([]*kesher.ChannelAccount, string, error) {
	return listByID(ctx, q, "channel_accounts", channelAccountColumns, p, scanChannelAccount, func(a *kesher.ChannelAccount) string { return a.ID })
}

// CreateChannelAccount inserts a messaging account.
func (t *tx) CreateChannelAccount(ctx context.Context, a *kesher.ChannelAccount) error {
	v, err := channelAccountArgs(a)
	if err != nil {
		return err
	}
	return t.insert(ctx, "channel account "+a.ID, "INSERT INTO channel_accounts ("+channelAccountColumns+
		") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)", v)
}

// UpdateChannelAccount saves every field of a but its kind and creation.
func (t *tx) UpdateChannelAccount(ctx context.Context, a *kesher.ChannelAccount) error {
	v, err := channelAccountArgs(a)
	if err != nil {
		return err
	}
	return t.exec(ctx, "channel account "+a.ID, "UPDATE channel_accounts SET name = $3, team_id = $4, api_base = $5, phone_number_id = $6,"+
		" token = $7, app_secret = $8, verify_token = $9, templates = $10, updated_at = $11 WHERE id = $1 AND kind = $2",
		append(v[:10:10], v[11])...)
}

// DeleteChannelAccount deletes a messaging account; its threads' account
// becomes NULL (ON DELETE SET NULL).
func (t *tx) DeleteChannelAccount(ctx context.Context, id string) error {
	return t.exec(ctx, "channel account "+id, "DELETE FROM channel_accounts WHERE id = $1", id)
}

// MessagingThread returns the messaging state of a conversation.
func (q *queries) MessagingThread(ctx context.Context, conversationID string) (*kesher.MessagingThread, error) {
	var th kesher.MessagingThread
	var account *string
	var last, updated int64
	err := q.q.QueryRowContext(ctx, "SELECT conversation_id, account_id, recipient, last_inbound_at, updated_at FROM messaging_threads"+
		" WHERE conversation_id = $1", conversationID).Scan(&th.ConversationID, &account, &th.Recipient, &last, &updated)
	if err != nil {
		return nil, q.dbErr(err, "messaging thread of conversation "+conversationID)
	}
	th.AccountID, th.LastInboundAt, th.UpdatedAt = deref(account), fromMicros(last), fromMicros(updated)
	return &th, nil
}

// SaveMessagingThread inserts or replaces a conversation's messaging state.
func (t *tx) SaveMessagingThread(ctx context.Context, th *kesher.MessagingThread) error {
	_, err := t.q.ExecContext(ctx, "INSERT INTO messaging_threads (conversation_id, account_id, recipient, last_inbound_at, updated_at)"+
		" VALUES ($1, $2, $3, $4, $5) ON CONFLICT (conversation_id) DO UPDATE SET account_id = excluded.account_id,"+
		" recipient = excluded.recipient, last_inbound_at = excluded.last_inbound_at, updated_at = excluded.updated_at",
		th.ConversationID, nullable(th.AccountID), th.Recipient, micros(th.LastInboundAt), micros(th.UpdatedAt))
	return t.dbErr(err, "messaging thread of conversation "+th.ConversationID)
}
