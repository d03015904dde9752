-- The core of the desk. Timestamps are unix microseconds in UTC (0 for
-- "never"), booleans are 0/1 and optional references are NULL, so that the
-- same SQL reads and writes both databases. Keep in step with
-- ../sqlite/00001_core.sql. Keys, tags and identity values use the "C"
-- collation so that ordering and prefix ranges compare bytes, as SQLite does.

-- +goose Up
CREATE TABLE customers (
    id          TEXT COLLATE "C" PRIMARY KEY,
    name        TEXT NOT NULL,
    name_lower  TEXT NOT NULL,
    language    TEXT NOT NULL,
    note        TEXT NOT NULL,
    merged_into TEXT COLLATE "C" REFERENCES customers (id),
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX customers_live ON customers (created_at, id) WHERE merged_into IS NULL;

CREATE TABLE identities (
    id          TEXT COLLATE "C" PRIMARY KEY,
    customer_id TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL,
    value       TEXT COLLATE "C" NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX identities_customer ON identities (customer_id);
CREATE INDEX identities_value ON identities (value);

CREATE TABLE users (
    id            TEXT COLLATE "C" PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    active        INTEGER NOT NULL,
    availability  TEXT NOT NULL,
    language      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE teams (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE team_members (
    team_id TEXT COLLATE "C" NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE tokens (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         BYTEA NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE reasons (
    code       TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    active     INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('conversation', 0);

CREATE TABLE conversations (
    id              TEXT COLLATE "C" PRIMARY KEY,
    number          BIGINT NOT NULL UNIQUE,
    subject         TEXT NOT NULL,
    status          TEXT NOT NULL,
    priority        TEXT NOT NULL,
    channel         TEXT NOT NULL,
    customer_id     TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
    owner_id        TEXT COLLATE "C" REFERENCES users (id),
    team_id         TEXT COLLATE "C" REFERENCES teams (id) ON DELETE SET NULL,
    reason          TEXT COLLATE "C" REFERENCES reasons (code),
    tags            TEXT NOT NULL,
    handoff_count   INTEGER NOT NULL,
    message_count   INTEGER NOT NULL,
    last_message_at BIGINT NOT NULL,
    excerpt         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    solved_at       BIGINT NOT NULL
);
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
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
    tag             TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (conversation_id, tag)
);
CREATE INDEX conversation_tags_tag ON conversation_tags (tag, conversation_id);

CREATE TABLE messages (
    id              TEXT COLLATE "C" PRIMARY KEY,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
    direction       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    author_type     TEXT NOT NULL,
    author_id       TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT NOT NULL,
    attachments     TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at, id);
CREATE UNIQUE INDEX messages_external ON messages (channel, external_id) WHERE external_id <> '';

CREATE TABLE events (
    id              TEXT COLLATE "C" PRIMARY KEY,
    type            TEXT NOT NULL,
    conversation_id TEXT COLLATE "C",
    customer_id     TEXT COLLATE "C",
    message_id      TEXT COLLATE "C",
    actor_type      TEXT NOT NULL,
    actor_id        TEXT,
    data            TEXT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX events_conversation ON events (conversation_id, created_at, id);
CREATE INDEX events_customer ON events (customer_id, created_at, id);

CREATE TABLE idempotency (
    user_id      TEXT COLLATE "C" NOT NULL,
    key          TEXT COLLATE "C" NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, key)
);

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
