-- Surveys and their responses (P8). Times are unix microseconds in UTC
-- (0 for "never"), as in 00001. Self-contained: it needs only the tables
-- of 00001. Keep in step with ../postgres/00014_surveys.sql.

-- +goose Up
-- A survey applies to the conversations of team_id on channel; '' in
-- either means any. One survey per scope; the default survey ('', '') is
-- stored only once an admin edits it. Questions are JSON: they are read
-- and written whole.
CREATE TABLE surveys (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    channel    TEXT NOT NULL,
    questions  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX surveys_scope ON surveys (team_id, channel);

-- One invitation per row, with what the conversation was when it was
-- solved. survey_id has no foreign key: a deleted survey's answers stay.
-- token_hash is the SHA-256 of the link's secret (NULL until issued).
CREATE TABLE survey_responses (
    id              TEXT PRIMARY KEY,
    survey_id       TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    customer_id     TEXT NOT NULL,
    agent_id        TEXT NOT NULL,
    team_id         TEXT NOT NULL,
    channel         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    language        TEXT NOT NULL,
    token_hash      BLOB UNIQUE,
    sent_at         INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    answered_at     INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
-- The throttle reads a customer's latest invitation; lists read answered
-- responses by their first answer; a conversation's responses.
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, sent_at);
CREATE INDEX survey_responses_answered ON survey_responses (answered_at, id);
CREATE INDEX survey_responses_conversation ON survey_responses (conversation_id);

-- One answer per response and question: a second submission replaces it.
CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses (id),
    question    TEXT NOT NULL,
    score       INTEGER NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT NOT NULL,
    answered_at INTEGER NOT NULL,
    PRIMARY KEY (response_id, question)
) STRICT;

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE surveys;
