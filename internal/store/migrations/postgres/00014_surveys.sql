-- Surveys and their responses (P8). Times are unix microseconds in UTC
-- (0 for "never"), as in 00001. Self-contained: it needs only the tables
-- of 00001. Keep in step with ../sqlite/00014_surveys.sql.

-- +goose Up
-- A survey applies to the conversations of team_id on channel; '' in
-- either means any. One survey per scope; the default survey ('', '') is
-- stored only once an admin edits it. Questions are JSON: they are read
-- and written whole.
CREATE TABLE surveys (
    id         TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT NOT NULL,
    team_id    TEXT COLLATE "C" NOT NULL,
    channel    TEXT NOT NULL,
    questions  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX surveys_scope ON surveys (team_id, channel);

-- One invitation per row, with what the conversation was when it was
-- solved. survey_id has no foreign key: a deleted survey's answers stay.
-- token_hash is the SHA-256 of the link's secret (NULL until issued).
CREATE TABLE survey_responses (
    id              TEXT COLLATE "C" PRIMARY KEY,
    survey_id       TEXT COLLATE "C" NOT NULL,
    conversation_id TEXT COLLATE "C" NOT NULL REFERENCES conversations (id),
    customer_id     TEXT COLLATE "C" NOT NULL,
    agent_id        TEXT COLLATE "C" NOT NULL,
    team_id         TEXT COLLATE "C" NOT NULL,
    channel         TEXT NOT NULL,
    reason          TEXT NOT NULL,
    language        TEXT NOT NULL,
    token_hash      BYTEA UNIQUE,
    sent_at         BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    answered_at     BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
-- The throttle reads a customer's latest invitation; lists read answered
-- responses by their first answer; a conversation's responses.
CREATE INDEX survey_responses_customer ON survey_responses (customer_id, sent_at);
CREATE INDEX survey_responses_answered ON survey_responses (answered_at, id);
CREATE INDEX survey_responses_conversation ON survey_responses (conversation_id);

-- One answer per response and question: a second submission replaces it.
CREATE TABLE survey_answers (
    response_id TEXT COLLATE "C" NOT NULL REFERENCES survey_responses (id),
    question    TEXT NOT NULL,
    score       BIGINT NOT NULL,
    text        TEXT NOT NULL,
    source      TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (response_id, question)
);

-- +goose Down
DROP TABLE survey_answers;
DROP TABLE survey_responses;
DROP TABLE surveys;
