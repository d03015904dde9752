-- Phone calls reported by a telephone system (CTI). Times are unix
-- microseconds in UTC (0 for "never"), as in 00001. Self-contained: it
-- needs only the tables of 00001. Keep in step with
-- ../postgres/00013_calls.sql.

-- +goose Up
-- A call's row holds what its events mean, derived again whenever one
-- arrives; external_id is the telephone system's call id. Seconds that
-- are not known yet are NULL.
CREATE TABLE calls (
    id                 TEXT PRIMARY KEY,
    external_id        TEXT NOT NULL UNIQUE,
    conversation_id    TEXT NOT NULL REFERENCES conversations (id),
    message_id         TEXT NOT NULL,
    direction          TEXT NOT NULL,
    from_number        TEXT NOT NULL,
    to_number          TEXT NOT NULL,
    agent_id           TEXT REFERENCES users (id),
    queue              TEXT NOT NULL,
    state              TEXT NOT NULL,
    started_at         INTEGER NOT NULL,
    answered_at        INTEGER NOT NULL,
    ended_at           INTEGER NOT NULL,
    queue_wait_seconds INTEGER,
    answer_seconds     INTEGER,
    answer_target      INTEGER NOT NULL,
    within_target      INTEGER,
    wait_seconds       INTEGER NOT NULL,
    duration_seconds   INTEGER NOT NULL,
    recording_url      TEXT NOT NULL,
    callback_id        TEXT NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) STRICT;
-- Lists: all calls and one agent's by start; a conversation's calls.
CREATE INDEX calls_started ON calls (started_at, id);
CREATE INDEX calls_agent ON calls (agent_id, started_at, id);
CREATE INDEX calls_conversation ON calls (conversation_id, started_at);

-- The events as they were reported, one per type and call: a retried
-- webhook finds its event here and changes nothing.
CREATE TABLE call_events (
    call_id     TEXT NOT NULL REFERENCES calls (id),
    type        TEXT NOT NULL,
    at          INTEGER NOT NULL,
    data        TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (call_id, type)
) STRICT;

-- +goose Down
DROP TABLE call_events;
DROP TABLE calls;
