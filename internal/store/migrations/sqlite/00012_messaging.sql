-- Messaging channels (WhatsApp, Telegram): the connected accounts and, per
-- conversation, where its replies go and when the customer last wrote.
-- Times are unix microseconds in UTC, as in 00001. Keep in step with
-- ../postgres/00012_messaging.sql.

-- +goose Up
-- Tokens and secrets are kept as given: the server must be able to use
-- them. They never leave it through the API, events or logs. templates is
-- a JSON array of {name, language}.
CREATE TABLE channel_accounts (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL,
    team_id         TEXT REFERENCES teams (id) ON DELETE SET NULL,
    api_base        TEXT NOT NULL,
    phone_number_id TEXT NOT NULL, -- '' for Telegram
    token           TEXT NOT NULL,
    app_secret      TEXT NOT NULL,
    verify_token    TEXT NOT NULL,
    templates       TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
-- One account per WhatsApp number, so an inbound message has one home.
CREATE UNIQUE INDEX channel_accounts_phone ON channel_accounts (phone_number_id) WHERE phone_number_id <> '';

CREATE TABLE messaging_threads (
    conversation_id TEXT PRIMARY KEY REFERENCES conversations (id),
    account_id      TEXT REFERENCES channel_accounts (id) ON DELETE SET NULL,
    recipient       TEXT NOT NULL,
    last_inbound_at INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE messaging_threads;
DROP TABLE channel_accounts;
