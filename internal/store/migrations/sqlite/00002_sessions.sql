-- Browser sign-in sessions and each user's time zone. Times are unix
-- microseconds in UTC, as in 00001. Keep in step with
-- ../postgres/00002_sessions.sql.

-- +goose Up
-- Only the SHA-256 of a session's secret is kept; the secret is in the
-- browser's cookie alone.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    remember     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    user_agent   TEXT NOT NULL
) STRICT;
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
