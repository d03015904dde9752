package kesher

import (
	"encoding/json"
	"time"
)

// JobState is where a job of the outbox stands.
type JobState string

// Job states. A pending job waits for its turn or runs; a done job ran and
// is kept for a while so that its dedupe key still holds; a failed job was
// given up on and stays for the admin view and the audit.
const (
	JobPending JobState = "pending"
	JobDone    JobState = "done"
	JobFailed  JobState = "failed"
)

// JobStates lists every job state.
var JobStates = []JobState{JobPending, JobDone, JobFailed}

// Valid reports whether s is a known job state.
func (s JobState) Valid() bool { return oneOf(s, JobStates) }

// Job is work to do outside a transaction, recorded inside one (the
// transactional outbox): the state change and the job that tells the
// outside world about it commit together or not at all. A runner executes
// jobs after commit, at least once, so a job's work must be idempotent.
type Job struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // e.g. "email.send", "email.ack"
	// Key dedupes: enqueueing a job whose Kind and Key match an existing
	// job's is a no-op, so a retried request does not send twice. Done
	// jobs count until they are purged (after the runner's Retention,
	// a week by default). "" means no dedupe.
	Key     string          `json:"key"`
	Payload json.RawMessage `json:"payload"`
	// RunAt is when the job is due: first when it was enqueued, then after
	// each failed attempt when the next one may start.
	RunAt time.Time `json:"run_at"`
	// Attempts counts the times a runner took the job, including one that
	// is running now, ones whose runner died and ones a runner put back
	// unstarted when it shut down.
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error"`
	State     JobState  `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	// UpdatedAt is when the job was enqueued, finished or given up. Taking
	// and retrying it leave it alone: they are counted in Attempts, and
	// RunAt says when the next attempt is due.
	UpdatedAt time.Time `json:"updated_at"`
}
