-- Email: mailboxes and their addresses, how far IMAP has read each one,
-- what each email conversation needs for replies, a receipt per inbound
-- email so that it is taken in once, compressed blobs (raw messages and
-- attachments, kept once per content hash), and the email metadata and
-- delivery state of messages. Times are unix microseconds in UTC, as in
-- 00001. Keep in step with ../sqlite/00004_email.sql.

-- +goose Up
-- Connection passwords are kept as given: the server must be able to use
-- them. They never leave it through the API, events or logs.
CREATE TABLE mailboxes (
    id                TEXT COLLATE "C" PRIMARY KEY,
    address           TEXT COLLATE "C" NOT NULL,
    name              TEXT NOT NULL,
    team_id           TEXT COLLATE "C" REFERENCES teams (id) ON DELETE SET NULL,
    signature         TEXT NOT NULL,
    acknowledge       INTEGER NOT NULL,
    response_time     BIGINT NOT NULL,  -- seconds
    smtp              INTEGER NOT NULL,
    imap_host         TEXT NOT NULL,    -- '' when the mailbox is not read over IMAP
    imap_port         INTEGER NOT NULL,
    imap_security     TEXT NOT NULL,
    imap_username     TEXT NOT NULL,
    imap_password     TEXT NOT NULL,
    imap_folder       TEXT NOT NULL,
    imap_after_import TEXT NOT NULL,
    imap_move_to      TEXT NOT NULL,
    relay_host        TEXT NOT NULL,
    relay_port        INTEGER NOT NULL,
    relay_security    TEXT NOT NULL,
    relay_username    TEXT NOT NULL,
    relay_password    TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

-- Every address a mailbox receives, its own (alias 0) and its aliases: the
-- primary key makes each belong to one mailbox.
CREATE TABLE mailbox_addresses (
    address    TEXT COLLATE "C" PRIMARY KEY,
    mailbox_id TEXT COLLATE "C" NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    alias      INTEGER NOT NULL
);
CREATE INDEX mailbox_addresses_mailbox ON mailbox_addresses (mailbox_id);

CREATE TABLE imap_state (
    mailbox_id  TEXT COLLATE "C" NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    folder      TEXT COLLATE "C" NOT NULL,
    uidvalidity BIGINT NOT NULL,
    last_uid    BIGINT NOT NULL,
    last_error  TEXT NOT NULL,
    last_ok_at  BIGINT NOT NULL,
    failures    INTEGER NOT NULL,
    PRIMARY KEY (mailbox_id, folder)
);

-- reply_to is a JSON {name, email}, participants an array of them.
CREATE TABLE email_threads (
    conversation_id TEXT COLLATE "C" PRIMARY KEY REFERENCES conversations (id),
    mailbox_id      TEXT COLLATE "C" REFERENCES mailboxes (id) ON DELETE SET NULL,
    reply_to        TEXT NOT NULL,
    participants    TEXT NOT NULL,
    ack_message_id  TEXT COLLATE "C" NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One row per inbound email taken in, stored or ignored. The unique keys
-- are what make two deliveries of one email, even at the same moment on
-- two nodes, end as one.
CREATE TABLE email_receipts (
    raw_sha256        TEXT COLLATE "C" PRIMARY KEY,
    message_id        TEXT COLLATE "C" NOT NULL,
    mailbox_id        TEXT COLLATE "C" NOT NULL,
    source            TEXT NOT NULL,
    conversation_id   TEXT COLLATE "C" NOT NULL,
    stored_message_id TEXT COLLATE "C" NOT NULL,
    ignored           TEXT NOT NULL,
    received_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX email_receipts_message_id ON email_receipts (message_id) WHERE message_id <> '';

-- size is the length before compression.
CREATE TABLE blobs (
    sha256     TEXT COLLATE "C" PRIMARY KEY,
    size       BIGINT NOT NULL,
    compressed BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);

-- email is the message's EmailMeta as JSON, '' for messages that are not
-- email.
ALTER TABLE messages ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN delivered_at BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE messages DROP COLUMN delivered_at;
ALTER TABLE messages DROP COLUMN delivery_error;
ALTER TABLE messages DROP COLUMN delivery;
ALTER TABLE messages DROP COLUMN email;
DROP TABLE blobs;
DROP TABLE email_receipts;
DROP TABLE email_threads;
DROP TABLE imap_state;
DROP TABLE mailbox_addresses;
DROP TABLE mailboxes;
