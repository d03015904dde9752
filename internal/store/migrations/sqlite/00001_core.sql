-- The core of the desk. Timestamps are unix microseconds in UTC (0 for
-- "never"), booleans are 0/1 and optional references are NULL, so that the
-- same SQL reads and writes both databases. Keep in step with
-- ../postgres/00001_core.sql.

-- +goose Up
CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    language    TEXT NOT NULL,
    note        TEXT NOT NULL,
    merged_into TEXT REFERENCES customers (id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX customers_live ON customers (created_at, id) WHERE merged_into IS NULL;

CREATE TABLE identities (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, value)
) STRICT;
CREATE INDEX identities_customer ON identities (customer_id);
CREATE INDEX identities_value ON identities (value);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    active        INTEGER NOT NULL,
    availability  TEXT NOT NULL,
    language      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE team_members (
    team_id TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
) STRICT;
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE reasons (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    active     INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT;
INSERT INTO counters (name, value) VALUES ('conversation', 0);

CREATE TABLE conversations (
    id              TEXT PRIMARY KEY,
    number          INTEGER NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL,
    priority        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    customer_id     TEXT NOT NULL REFERENCES customers (id),
    owner_id        TEXT REFERENCES users (id),
    team_id         TEXT REFERENCES teams (id) ON DELETE SET NULL,
    reason          TEXT REFERENCES reasons (code),
    tags            TEXT NOT NULL,
    handoff_count   INTEGER NOT NULL,
    message_count   INTEGER NOT NULL,
    last_message_at INTEGER NOT NULL,
    excerpt         TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    solved_at       INTEGER NOT NULL
) STRICT;
-- Every list is ordered by (updated_at, id) and read backwards. A list is
-- run as one range scan per status (all five when it names none) and per
-- owner it names (see Conversations), so each index has its equality
-- columns first, then status, then the sort key.
CREATE INDEX conversations_status_owner ON conversations (status, owner_id, updated_at, id);
CREATE INDEX conversations_status ON conversations (status, updated_at, id);
CREATE INDEX conversations_team ON conversations (team_id, status, updated_at, id);
CREATE INDEX conversations_customer ON conversations (customer_id, status, updated_at, id);
CREATE INDEX conversations_channel ON conversations (channel, status, updated_at, id);

CREATE TABLE conversation_tags (
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    tag             TEXT NOT NULL,
    PRIMARY KEY (conversation_id, tag)
) STRICT;
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    direction       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    author_type     TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX messages_conversation ON messages (conversation_id, created_at, id);
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id <> '';

CREATE TABLE events (
    id              TEXT PRIMARY KEY,
    type            TEXT NOT NULL,
    conversation_id TEXT,
    customer_id     TEXT,
    message_id      TEXT,
    actor_type      TEXT NOT NULL,
    actor_id        TEXT,
    data            TEXT NOT NULL,
    created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX events_conversation ON events (conversation_id, created_at, id);
CREATE INDEX events_customer ON events (customer_id, created_at, id);

CREATE TABLE idempotency (
    user_id      TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT;

-- +goose Down
DROP TABLE idempotency;
DROP TABLE events;
DROP TABLE messages;
DROP TABLE conversation_tags;
DROP TABLE conversations;
DROP TABLE counters;
DROP TABLE reasons;
DROP TABLE tokens;
DROP TABLE team_members;
DROP TABLE teams;
DROP TABLE users;
DROP TABLE identities;
DROP TABLE customers;
