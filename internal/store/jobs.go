package store

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"kesher"
)

// The outbox. Each query names the state 'pending' (or 'done') as a
// literal rather than a parameter: only then may the planners use the
// partial index jobs_due, whose predicate they must prove from the query
// text.

const jobColumns = "id, kind, key, payload, state, run_at, attempts, last_error, created_at, updated_at"

func scanJob(s scanner) (*kesher.Job, error) {
	var j kesher.Job
	var payload string
	var runAt, created, updated int64
	err := s.Scan(&j.ID, &j.Kind, &j.Key, &payload, &j.State, &runAt, &j.Attempts, &j.LastError, &created, &updated)
	if err != nil {
		return nil, err
	}
	if payload != "" {
		j.Payload = json.RawMessage(payload)
	}
	j.RunAt, j.CreatedAt, j.UpdatedAt = fromMicros(runAt), fromMicros(created), fromMicros(updated)
	return &j, nil
}

// Job returns a job of the outbox.
func (q *queries) Job(ctx context.Context, id string) (*kesher.Job, error) {
	j, err := scanJob(q.q.QueryRowContext(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = $1", id))
	if err != nil {
		return nil, q.dbErr(err, "job "+id)
	}
	return j, nil
}

// JobsByState lists the jobs in a state, latest change first: jobs_state
// is read backwards from the cursor.
func (q *queries) JobsByState(ctx context.Context, state kesher.JobState, p kesher.Page) ([]*kesher.Job, string, error) {
	if !state.Valid() {
		return nil, "", kesher.FieldError("state", "invalid", "%q is not a job state", state)
	}
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{string(state)}
	query := "SELECT " + jobColumns + " FROM jobs WHERE state = $1"
	if after {
		query += " AND (updated_at, id) < (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY updated_at DESC, id DESC LIMIT " + a.add(limit+1)
	jobs, more, err := list(ctx, q, "jobs", query, a, limit, scanJob)
	if err != nil || !more {
		return jobs, "", err
	}
	last := jobs[len(jobs)-1]
	return jobs, encodeCursor(micros(last.UpdatedAt), last.ID), nil
}

// CountJobs counts the jobs in a state.
func (q *queries) CountJobs(ctx context.Context, state kesher.JobState) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM jobs WHERE state = $1", string(state)).Scan(&n)
	return n, q.dbErr(err, "jobs")
}

// EnqueueJob inserts j as a pending job unless its key is taken. The
// conflict target names the partial unique index on (kind, key), so that
// only a taken key is skipped silently; a taken ID is still a conflict.
func (t *tx) EnqueueJob(ctx context.Context, j *kesher.Job) error {
	j.State, j.Attempts, j.LastError = kesher.JobPending, 0, ""
	_, err := t.q.ExecContext(ctx, "INSERT INTO jobs ("+jobColumns+", locked_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0)"+
		" ON CONFLICT (kind, key) WHERE key <> '' DO NOTHING",
		j.ID, j.Kind, j.Key, string(j.Payload), string(j.State), micros(j.RunAt), j.Attempts, j.LastError, micros(j.CreatedAt), micros(j.UpdatedAt))
	return t.dbErr(err, "job "+j.ID)
}

// ClaimJobs leases up to limit due jobs; see claimJobsQuery for how each
// database keeps two claims apart.
func (t *tx) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*kesher.Job, error) {
	if limit < 1 {
		return nil, kesher.FieldError("limit", "invalid", "a claim takes at least one job, not %d", limit)
	}
	jobs, _, err := list(ctx, &t.queries, "jobs", t.d.claimJobsQuery(), args{micros(now), micros(now.Add(lease)), limit}, 0, scanJob)
	// RETURNING gives the rows in no particular order.
	slices.SortFunc(jobs, func(a, b *kesher.Job) int {
		return cmp.Or(a.RunAt.Compare(b.RunAt), strings.Compare(a.ID, b.ID))
	})
	return jobs, err
}

// claimJobsQuery returns the claim, with $1 now, $2 the end of the lease
// and $3 the limit. It is the one statement of the outbox that differs
// between the databases.
//
// On PostgreSQL several nodes claim at once. FOR UPDATE SKIP LOCKED makes
// each pass over the rows another claim has locked instead of waiting for
// them, and a row that another claim leased and committed meanwhile is
// re-checked against locked_until once locked, so it drops out. The CTE is
// MATERIALIZED so that the locking SELECT runs exactly once, whatever plan
// the UPDATE gets.
//
// SQLite has one writer, which holds the database lock for the whole
// transaction, so a plain subquery is enough. Its planner would rather
// take the pending jobs from jobs_state and sort them all than read
// jobs_due in order and stop at the limit; INDEXED BY tells it better.
func (d *dialect) claimJobsQuery() string {
	const due = " WHERE state = 'pending' AND run_at <= $1 AND locked_until <= $1 ORDER BY run_at, id LIMIT $3"
	const set = "UPDATE jobs SET locked_until = $2, attempts = attempts + 1"
	if d == &postgresDialect {
		return "WITH due AS MATERIALIZED (SELECT id FROM jobs" + due + " FOR UPDATE SKIP LOCKED) " + set +
			" FROM due WHERE jobs.id = due.id RETURNING jobs." + strings.ReplaceAll(jobColumns, ", ", ", jobs.")
	}
	return set + " WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_due" + due + ") RETURNING " + jobColumns
}

// FinishJob marks a pending job done. Its row stays until PurgeJobs, so
// that its key keeps a retried request from enqueueing the work again
// after the job has run.
func (t *tx) FinishJob(ctx context.Context, id string, now time.Time) error {
	return t.exec(ctx, "pending job "+id, "UPDATE jobs SET state = 'done', locked_until = 0, updated_at = $2 WHERE id = $1 AND state = 'pending'",
		id, micros(now))
}

// RetryJob releases a pending job and makes it due at runAt.
func (t *tx) RetryJob(ctx context.Context, id string, runAt time.Time, lastErr string) error {
	return t.exec(ctx, "pending job "+id, "UPDATE jobs SET run_at = $2, last_error = $3, locked_until = 0 WHERE id = $1 AND state = 'pending'",
		id, micros(runAt), lastErr)
}

// FailJob gives a pending job up.
func (t *tx) FailJob(ctx context.Context, id, lastErr string, now time.Time) error {
	return t.exec(ctx, "pending job "+id, "UPDATE jobs SET state = 'failed', last_error = $2, locked_until = 0, updated_at = $3 WHERE id = $1 AND state = 'pending'",
		id, lastErr, micros(now))
}

// PurgeJobs deletes done jobs that finished before the given time, oldest
// first, in one range of jobs_state.
func (t *tx) PurgeJobs(ctx context.Context, before time.Time, limit int) (int, error) {
	if limit < 1 {
		return 0, kesher.FieldError("limit", "invalid", "a purge deletes at least one job, not %d", limit)
	}
	res, err := t.q.ExecContext(ctx, "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'done' AND updated_at < $1 ORDER BY updated_at, id LIMIT $2)",
		micros(before), limit)
	if err != nil {
		return 0, t.dbErr(err, "done jobs")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
