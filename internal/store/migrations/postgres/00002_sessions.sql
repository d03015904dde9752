-- Browser sign-in sessions and each user's time zone. Times are unix
-- microseconds in UTC, as in 00001. Keep in step with
-- ../sqlite/00002_sessions.sql.

-- +goose Up
-- Only the SHA-256 of a session's secret is kept; the secret is in the
-- browser's cookie alone.
CREATE TABLE sessions (
    id           TEXT COLLATE "C" PRIMARY KEY,
    user_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BYTEA NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    remember     INTEGER NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Asia/Jerusalem';

-- The first-run setup locks this row before it counts the users, so that
-- two nodes cannot each create a first admin (see CreateFirstUser).
INSERT INTO counters (name, value) VALUES ('first_user', 0);

-- +goose Down
DELETE FROM counters WHERE name = 'first_user';
ALTER TABLE users DROP COLUMN time_zone;
DROP TABLE sessions;
