-- Phone calls reported by a telephone system (CTI). Times are unix
-- microseconds in UTC (0 for "never"), as in 00001. Self-contained: it
-- needs only the tables of 00001. Keep in step with
-- ../sqlite/00013_calls.sql.

-- +goose Up
-- A call's row holds what its events mean, derived again whenever one
-- arrives; external_id is the telephone system's call id. Seconds that
-- are not known yet are NULL.
CREATE TABLE calls (
    id                 TEXT COLLATE "C" PRIMARY KEY,
    external_id        TEXT COLLATE "C" NOT NULL UNIQUE,
    conversation_id    TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
    message_id         TEXT COLLATE "C" NOT NULL,
    direction          TEXT NOT NULL,
    from_number        TEXT NOT NULL,
    to_number          TEXT NOT NULL,
    agent_id           TEXT COLLATE "C" REFERENCES users (id),
    queue              TEXT NOT NULL,
    state              TEXT NOT NULL,
    started_at         BIGINT NOT NULL,
    answered_at        BIGINT NOT NULL,
    ended_at           BIGINT NOT NULL,
    queue_wait_seconds BIGINT,
    answer_seconds     BIGINT,
    answer_target      BIGINT NOT NULL,
    within_target      BIGINT,
    wait_seconds       BIGINT NOT NULL,
    duration_seconds   BIGINT NOT NULL,
    recording_url      TEXT NOT NULL,
    callback_id        TEXT COLLATE "C" NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
-- Lists: all calls and one agent's by start; a conversation's calls.
CREATE INDEX calls_started ON calls (started_at, id);
CREATE INDEX calls_agent ON calls (agent_id, started_at, id);
CREATE INDEX calls_conversation ON calls (conversation_id, started_at);

-- The events as they were reported, one per type and call: a retried
-- webhook finds its event here and changes nothing.
CREATE TABLE call_events (
    call_id     TEXT COLLATE "C" NOT NULL REFERENCES calls (id),
    type        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    data        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (call_id, type)
);

-- +goose Down
DROP TABLE call_events;
DROP TABLE calls;
