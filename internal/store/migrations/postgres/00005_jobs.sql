-- The outbox: work to do outside a transaction (send an email, call a
-- webhook, fire a timer), written in the same transaction as the state
-- change it belongs to and run by internal/jobs after commit. Times are
-- unix microseconds in UTC, as in 00001. Keep in step with
-- ../sqlite/00005_jobs.sql.

-- +goose Up
-- payload is JSON kept as the bytes it was given. locked_until is when
-- the lease of the runner that took the job ends (0 when none has it): a
-- job whose runner died is taken again after it.
CREATE TABLE jobs (
    id           TEXT COLLATE "C" PRIMARY KEY,
    kind         TEXT NOT NULL,
    key          TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    attempts     INTEGER NOT NULL,
    last_error   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
-- A job with a key is enqueued once (see EnqueueJob).
CREATE UNIQUE INDEX jobs_key ON jobs (kind, key) WHERE key <> '';
-- The claim reads the due pending jobs in order; done and failed jobs stay
-- out of this index, so it holds only the work still to do.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE state = 'pending';
-- The admin lists (latest change first), the counts and the purge of done
-- jobs (oldest first). A claim leaves updated_at alone, so that on
-- PostgreSQL it changes no indexed column and can update the row in place
-- (a HOT update).
CREATE INDEX jobs_state ON jobs (state, updated_at, id);

-- +goose Down
DROP TABLE jobs;
