-- The chat channel's visitors. Times are unix microseconds in UTC, as in
-- 00001. Self-contained: it needs only the tables of 00001. Keep in step
-- with ../sqlite/00011_chat.sql.

-- +goose Up
-- token_hash is the SHA-256 of the secret the widget keeps in the
-- browser's storage; the secret itself is never stored. customer_id is
-- NULL until the visitor writes or gives an email address; email joins the
-- visitor to its owner only once proof_id (an email proof) is followed;
-- email_replies (0 or 1) sends agents' replies to it by email too.
-- Messages need no table of their own: a visitor's message is a message
-- whose external_id is the visitor's id and the widget's id of it, so the
-- unique index messages_external deduplicates re-sent messages.
CREATE TABLE chat_visitors (
    id              TEXT COLLATE "C" PRIMARY KEY,
    customer_id     TEXT COLLATE "C" REFERENCES customers (id),
    token_hash      BYTEA NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    email           TEXT COLLATE "C" NOT NULL,
    email_replies   INTEGER NOT NULL,
    proof_id        TEXT COLLATE "C",
    conversation_id TEXT COLLATE "C" REFERENCES conversations (id),
    language        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL
);
CREATE INDEX chat_visitors_proof ON chat_visitors (proof_id) WHERE proof_id IS NOT NULL;
CREATE INDEX chat_visitors_conversation ON chat_visitors (conversation_id) WHERE conversation_id IS NOT NULL;

-- +goose Down
DROP TABLE chat_visitors;
