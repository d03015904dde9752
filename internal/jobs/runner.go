// Package jobs runs the outbox. A state change that must be followed by
// work outside the database (send an email, call a webhook, fire a timer)
// enqueues a kesher.Job in its own transaction; a Runner takes the jobs
// after commit and hands each to the Handler of its kind, retrying
// failures with exponential backoff until the job is done or given up.
//
// Delivery is at least once. A runner leases the jobs it takes; when its
// process dies, the lease runs out and another runner, or the restarted
// one, runs the job again. So a handler must be idempotent, or make a
// repeat recognisable: the email sender gives each message a fixed
// Message-ID, so a resent email is known for what it is. On PostgreSQL
// several nodes run one outbox without taking the same job at once, as
// long as their clocks agree to well within the lease.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
)

// Handler does the work of one kind of job. It must return when ctx ends:
// at shutdown, or when the job's lease is about to run out. An error that
// Permanent wraps fails the job at once; any other error, and a panic, is
// retried.
type Handler func(ctx context.Context, job *kesher.Job) error

// Permanent wraps an error that retrying cannot fix (e.g. an SMTP 5xx
// reply): the job fails at once. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Config says what a Runner runs and how. Zero values take the defaults.
type Config struct {
	Store    kesher.Store
	Handlers map[string]Handler
	Clock    kesher.Clock
	Logger   *slog.Logger
	// Workers is how many jobs run at once; default 8.
	Workers int
	// Batch is how many jobs the runner holds at most, claimed but not yet
	// stored as done or retried; default 50. It must be small enough that
	// Workers finish a full batch well within the Lease.
	Batch int
	// Lease is how long a claimed job belongs to its runner; default 2 min.
	// A job whose runner died is run again after it. A handler still
	// running near its end is cancelled, so that no two runners run a job
	// at once.
	Lease time.Duration
	// Poll is how often an idle runner looks for due jobs; default 1 s.
	// Wake makes it look at once.
	Poll time.Duration
	// Backoff is the delay before the next attempt after attempt failed;
	// default DefaultBackoff.
	Backoff func(attempt int) time.Duration
	// MaxAttempts is how many attempts a job gets before it fails;
	// default 12.
	MaxAttempts int
	// Retention is how long done jobs are kept before they are purged, and
	// so how long a job's Key keeps a repeat from being enqueued after the
	// job has run; default 7 days. Failed jobs are kept.
	Retention time.Duration
	// OnFinish, when set, is told each attempt's outcome after it is
	// stored: err is the handler's error (nil when the job is done) and
	// final says whether the job is done or failed rather than to be
	// retried. The calls for the outcomes stored together run at once,
	// each on a goroutine of its own, and the runner waits for them before
	// it stores the next outcomes, so OnFinish must be quick and safe for
	// concurrent use. Jobs put back at shutdown, never started, are not
	// reported.
	OnFinish func(job *kesher.Job, err error, final bool)
	// Registerer, when set, receives the runner's metrics.
	Registerer prometheus.Registerer
}

// Defaults of Config.
const (
	DefaultWorkers     = 8
	DefaultBatch       = 50
	DefaultLease       = 2 * time.Minute
	DefaultPoll        = time.Second
	DefaultMaxAttempts = 12
	DefaultRetention   = 7 * 24 * time.Hour
)

// DefaultBackoff waits 30 s after the first attempt and twice as long
// after each further one, up to an hour, give or take 20 % so that jobs
// that failed together do not all come back together.
func DefaultBackoff(attempt int) time.Duration {
	d := Doubling(attempt, 30*time.Second, time.Hour)
	return d + time.Duration((rand.Float64()*0.4-0.2)*float64(d))
}

// Doubling is the wait after the n-th failure in a row, without jitter:
// lo after the first, twice as long after each further one, at most hi.
func Doubling(n int, lo, hi time.Duration) time.Duration {
	d := lo
	for i := 1; i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

const (
	// purgeBatch bounds one purge transaction, so that deleting a long
	// backlog of done jobs never holds SQLite's writer for long.
	purgeBatch = 1000
	// purgeEvery is how often a runner deletes done jobs past Retention.
	purgeEvery = 10 * time.Minute
	// maxErrorLen bounds the error stored with a job; handlers' errors may
	// quote whole replies.
	maxErrorLen = 2000
)

// Runner executes the outbox's jobs. Several runners, in one process or on
// several nodes of one PostgreSQL database, may run the same outbox.
type Runner struct {
	cfg     Config
	metrics metrics
	// wake asks the claim loop to claim now; freed tells it that outcomes
	// were stored, so there is room for more jobs.
	wake, freed chan struct{}
	// inflight counts the jobs claimed and not yet stored as done, retried
	// or failed; it never exceeds cfg.Batch.
	inflight  atomic.Int64
	running   atomic.Bool
	nextPurge time.Time
}

// New returns a runner for cfg, with the defaults filled in, and registers
// its metrics with cfg.Registerer.
func New(cfg Config) *Runner {
	cfg.Workers = orDefault(cfg.Workers, DefaultWorkers)
	cfg.Batch = orDefault(cfg.Batch, DefaultBatch)
	cfg.Lease = orDefault(cfg.Lease, DefaultLease)
	cfg.Poll = orDefault(cfg.Poll, DefaultPoll)
	cfg.MaxAttempts = orDefault(cfg.MaxAttempts, DefaultMaxAttempts)
	cfg.Retention = orDefault(cfg.Retention, DefaultRetention)
	if cfg.Backoff == nil {
		cfg.Backoff = DefaultBackoff
	}
	if cfg.Clock == nil {
		cfg.Clock = kesher.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	r := &Runner{cfg: cfg, metrics: newMetrics(), wake: make(chan struct{}, 1), freed: make(chan struct{}, 1)}
	if cfg.Registerer != nil {
		r.metrics.register(cfg.Registerer, r.countPending)
	}
	return r
}

func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Wake tells the runner that a commit has just enqueued jobs, so that it
// claims them now instead of at its next poll. It never blocks.
func (r *Runner) Wake() { signal(r.wake) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// claimed is a job this runner holds, and the time by which it must have
// finished it: the end of the lease less a margin for storing the outcome.
type claimed struct {
	job      *kesher.Job
	deadline time.Time
}

// outcome is what became of a claimed job.
type outcome struct {
	job    *kesher.Job
	action action
	err    error     // the handler's error
	runAt  time.Time // when a retry is due
}

type action int

const (
	actDone action = iota
	actRetry
	actFail
	// actRelease puts back a job that was never started, at shutdown.
	actRelease
	// actDrop leaves a job whose lease ran out before a worker was free:
	// another runner may have it by now.
	actDrop
)

// result names an outcome in metrics: "done", "retry" or "failed"; ""
// for the outcomes that are no attempt's end.
func (a action) result() string {
	switch a {
	case actDone:
		return "done"
	case actRetry:
		return "retry"
	case actFail:
		return "failed"
	}
	return ""
}

// Run claims and runs jobs until ctx ends. Then it cancels the running
// handlers, stores their outcomes, puts back the jobs it holds but has not
// started, and returns nil. It returns an error at once when cfg has no
// Store or the runner is already running.
func (r *Runner) Run(ctx context.Context) error {
	if r.cfg.Store == nil {
		return errors.New("jobs: the runner has no store")
	}
	if !r.running.CompareAndSwap(false, true) {
		return errors.New("jobs: the runner is already running")
	}
	defer r.running.Store(false)
	queue := make(chan claimed, r.cfg.Batch)
	outcomes := make(chan outcome, r.cfg.Batch)
	var workers sync.WaitGroup
	for range r.cfg.Workers {
		workers.Go(func() {
			for c := range queue {
				outcomes <- r.run(ctx, c)
			}
		})
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		// Outcomes are stored after shutdown too: that is the point of
		// draining.
		r.record(context.WithoutCancel(ctx), outcomes)
	}()
	r.claimLoop(ctx, queue)
	close(queue)
	workers.Wait()
	close(outcomes)
	<-recorded
	return nil
}

// claimLoop claims jobs whenever there may be some to take: at once, when
// woken, every Poll, and while a backlog lasts, as soon as outcomes make
// room.
func (r *Runner) claimLoop(ctx context.Context, queue chan<- claimed) {
	poll := time.NewTimer(r.cfg.Poll)
	defer poll.Stop()
	for ctx.Err() == nil {
		backlog := r.claim(ctx, queue)
		r.purge(ctx)
		var freed <-chan struct{}
		if backlog {
			freed = r.freed
		}
		poll.Reset(r.cfg.Poll)
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-freed:
		case <-poll.C:
		}
	}
}

// claim takes as many due jobs as there is room for and queues them for
// the workers. It reports whether due jobs may have been left behind for
// want of room. It waits until half the batch is free, so that a busy
// runner claims in batches rather than a job at a time.
func (r *Runner) claim(ctx context.Context, queue chan<- claimed) (backlog bool) {
	room := r.cfg.Batch - int(r.inflight.Load())
	if 2*room < r.cfg.Batch {
		return true
	}
	// The lease starts when the claim does; its end is measured on the
	// process's own clock, as context deadlines are.
	deadline := time.Now().Add(r.cfg.Lease - r.cfg.Lease/10)
	now := r.cfg.Clock.Now()
	var jobs []*kesher.Job
	err := r.cfg.Store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		jobs, err = tx.ClaimJobs(ctx, now, r.cfg.Lease, room)
		return err
	})
	if err != nil {
		if ctx.Err() == nil {
			r.cfg.Logger.Error("claiming jobs failed", "err", err)
		}
		return false
	}
	r.inflight.Add(int64(len(jobs)))
	for _, j := range jobs {
		queue <- claimed{job: j, deadline: deadline}
	}
	return len(jobs) == room
}

// purge deletes done jobs past Retention, a batch at a time, every
// purgeEvery and, while a backlog of them lasts, on each turn of the claim
// loop.
func (r *Runner) purge(ctx context.Context) {
	now := r.cfg.Clock.Now()
	if now.Before(r.nextPurge) || ctx.Err() != nil {
		return
	}
	var n int
	err := r.cfg.Store.Write(ctx, func(tx kesher.Tx) error {
		var err error
		n, err = tx.PurgeJobs(ctx, now.Add(-r.cfg.Retention), purgeBatch)
		return err
	})
	switch {
	case err != nil:
		if ctx.Err() == nil {
			r.cfg.Logger.Error("purging done jobs failed", "err", err)
		}
		r.nextPurge = now.Add(purgeEvery)
	case n < purgeBatch:
		r.nextPurge = now.Add(purgeEvery)
	}
}

// run runs one claimed job and says what became of it.
func (r *Runner) run(ctx context.Context, c claimed) outcome {
	job := c.job
	switch {
	case ctx.Err() != nil:
		return outcome{job: job, action: actRelease}
	case time.Now().After(c.deadline):
		r.cfg.Logger.Warn("a job's lease ran out before a worker was free; it will run again", "job", job.ID, "kind", job.Kind)
		return outcome{job: job, action: actDrop}
	case job.Attempts > r.cfg.MaxAttempts:
		// Attempts are counted when a job is claimed, so these are
		// attempts whose runner died: the job itself may be what kills it.
		err := fmt.Errorf("gave up: %d attempts never finished", job.Attempts-1)
		return outcome{job: job, action: actFail, err: err}
	}
	h, ok := r.cfg.Handlers[job.Kind]
	if !ok {
		return outcome{job: job, action: actFail, err: fmt.Errorf("no handler for jobs of kind %q", job.Kind)}
	}
	hctx, cancel := context.WithDeadline(ctx, c.deadline)
	start := time.Now()
	err := call(hctx, h, job, r.cfg.Logger)
	r.metrics.duration.WithLabelValues(job.Kind).Observe(time.Since(start).Seconds())
	if err != nil && ctx.Err() == nil && errors.Is(hctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("the attempt ran to the end of its lease: %w", err)
	}
	cancel()
	var permanent *permanentError
	switch {
	case err == nil:
		return outcome{job: job, action: actDone}
	case errors.As(err, &permanent):
		return outcome{job: job, action: actFail, err: err}
	case ctx.Err() != nil:
		// Shutdown interrupted the attempt; the next runner may start
		// another at once.
		return outcome{job: job, action: actRetry, err: err, runAt: r.cfg.Clock.Now()}
	case job.Attempts >= r.cfg.MaxAttempts:
		return outcome{job: job, action: actFail, err: err}
	}
	return outcome{job: job, action: actRetry, err: err, runAt: r.cfg.Clock.Now().Add(r.cfg.Backoff(job.Attempts))}
}

// call runs h on a copy of job, so that the handler cannot change what the
// runner stores, and turns a panic into an error of that attempt.
func call(ctx context.Context, h Handler, job *kesher.Job, log *slog.Logger) (err error) {
	defer func() {
		if v := recover(); v != nil {
			log.Error("job handler panicked", "job", job.ID, "kind", job.Kind, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panicked: %v", v)
		}
	}()
	copied := *job
	return h(ctx, &copied)
}

// record stores outcomes, all that are waiting in one Write, so that the
// rate of jobs is not bound by the rate of commits.
func (r *Runner) record(ctx context.Context, outcomes <-chan outcome) {
	batch := make([]outcome, 0, r.cfg.Batch)
	for o := range outcomes {
		batch = append(batch[:0], o)
	more:
		for len(batch) < cap(batch) {
			select {
			case o, ok := <-outcomes:
				if !ok {
					break more
				}
				batch = append(batch, o)
			default:
				break more
			}
		}
		stored := r.store(ctx, batch)
		r.inflight.Add(-int64(len(batch)))
		signal(r.freed)
		r.report(stored)
	}
}

// store writes the outcomes of batch and returns those it stored. A job
// that is no longer pending (another runner took it after its lease ran
// out and finished it) is skipped; when the Write fails, nothing is
// stored and the jobs run again once their leases end.
func (r *Runner) store(ctx context.Context, batch []outcome) []outcome {
	now := r.cfg.Clock.Now()
	var stored []outcome
	err := r.cfg.Store.Write(ctx, func(tx kesher.Tx) error {
		for _, o := range batch {
			j := o.job
			var err error
			switch o.action {
			case actDone:
				err = tx.FinishJob(ctx, j.ID, now)
			case actRetry:
				err = tx.RetryJob(ctx, j.ID, o.runAt, errorText(o.err))
			case actFail:
				err = tx.FailJob(ctx, j.ID, errorText(o.err), now)
			case actRelease:
				err = tx.RetryJob(ctx, j.ID, j.RunAt, j.LastError)
			case actDrop:
				continue
			}
			if kesher.ErrorCode(err) == kesher.ECodeNotFound {
				r.cfg.Logger.Warn("a job was no longer pending when its outcome was stored", "job", j.ID, "kind", j.Kind)
				continue
			}
			if err != nil {
				return err
			}
			stored = append(stored, o)
		}
		return nil
	})
	if err != nil {
		r.cfg.Logger.Error("storing the outcomes of jobs failed; they will run again when their leases end", "jobs", len(batch), "err", err)
		return nil
	}
	for _, o := range stored {
		j := o.job
		switch o.action {
		case actDone:
			j.State, j.UpdatedAt = kesher.JobDone, now
		case actRetry:
			j.RunAt, j.LastError = o.runAt, errorText(o.err)
		case actFail:
			j.State, j.LastError, j.UpdatedAt = kesher.JobFailed, errorText(o.err), now
		}
	}
	return stored
}

// report counts and logs the stored outcomes and tells OnFinish.
func (r *Runner) report(stored []outcome) {
	var hooks sync.WaitGroup
	for _, o := range stored {
		result := o.action.result()
		if result == "" {
			continue
		}
		j := o.job
		r.metrics.total.WithLabelValues(j.Kind, result).Inc()
		switch o.action {
		case actRetry:
			r.cfg.Logger.Info("job failed; it will be retried", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "run_at", j.RunAt, "err", o.err)
		case actFail:
			r.cfg.Logger.Error("job failed for good", "job", j.ID, "kind", j.Kind, "attempts", j.Attempts, "err", o.err)
		}
		if r.cfg.OnFinish != nil {
			hooks.Go(func() { r.cfg.OnFinish(j, o.err, o.action != actRetry) })
		}
	}
	hooks.Wait()
}

// errorText is err's message, cut to maxErrorLen bytes of valid UTF-8.
func errorText(err error) string {
	s := err.Error()
	if len(s) > maxErrorLen {
		s = strings.ToValidUTF8(s[:maxErrorLen], "")
	}
	return s
}

// countPending samples the number of pending jobs for the gauge; NaN when
// the database does not answer.
func (r *Runner) countPending() float64 {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := r.cfg.Store.CountJobs(ctx, kesher.JobPending)
	if err != nil {
		r.cfg.Logger.Error("counting pending jobs failed", "err", err)
		return math.NaN()
	}
	return float64(n)
}

type metrics struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics() metrics {
	return metrics{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kesher_jobs_total",
			Help: "Attempts of jobs by kind and result: done, retry (failed, to be retried) or failed (given up).",
		}, []string{"kind", "result"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "kesher_job_duration_seconds",
			Help:    "How long job handlers ran, by kind.",
			Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 120},
		}, []string{"kind"}),
	}
}

func (m metrics) register(reg prometheus.Registerer, pending func() float64) {
	reg.MustRegister(m.total, m.duration, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kesher_jobs_pending",
		Help: "Jobs waiting to run or running, counted in the database at scrape time.",
	}, pending))
}
