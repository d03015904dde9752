-- The customer portal: email proofs (one-time sign-in links) and customer
-- sessions. Times are unix microseconds in UTC (0 for "never"), as in
-- 00001. Self-contained: it needs only the tables of 00001. Keep in step
-- with ../sqlite/00009_portal.sql.

-- +goose Up
-- A proof is recorded for every accepted request, also for addresses of
-- nobody's (customer_id NULL, never mailed), so the rate limits count all
-- requests alike. token_hash is the SHA-256 of the link's secret, NULL
-- until the link is issued when its email is sent; the secret itself is
-- never stored.
CREATE TABLE email_proofs (
    id          TEXT COLLATE "C" PRIMARY KEY,
    purpose     TEXT NOT NULL,
    email       TEXT COLLATE "C" NOT NULL,
    customer_id TEXT COLLATE "C" REFERENCES customers (id),
    client      TEXT COLLATE "C" NOT NULL,
    token_hash  BYTEA UNIQUE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT NOT NULL
);
-- The rate limits count an email's and a client's recent requests.
CREATE INDEX email_proofs_email ON email_proofs (email, created_at);
CREATE INDEX email_proofs_client ON email_proofs (client, created_at);
CREATE INDEX email_proofs_expires ON email_proofs (expires_at);

-- Only the SHA-256 of a session's secret is kept; the secret is in the
-- browser's cookie alone. email is the address the customer proved.
CREATE TABLE customer_sessions (
    id           TEXT COLLATE "C" PRIMARY KEY,
    customer_id  TEXT COLLATE "C" NOT NULL REFERENCES customers (id),
    email        TEXT COLLATE "C" NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_agent   TEXT NOT NULL
);
CREATE INDEX customer_sessions_customer ON customer_sessions (customer_id);
CREATE INDEX customer_sessions_expires ON customer_sessions (expires_at);

-- A customer's last sign-in is their latest portal.signed_in event; the
-- events move with a merge, so the merged customer's sign-ins count too.
CREATE INDEX events_portal_sign_ins ON events (customer_id, created_at) WHERE type = 'portal.signed_in';

-- +goose Down
DROP INDEX events_portal_sign_ins;
DROP TABLE customer_sessions;
DROP TABLE email_proofs;
