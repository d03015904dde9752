package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/jobs"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// finish is one call of Config.OnFinish.
type finish struct {
	job   kesher.Job
	err   error
	final bool
}

// harness runs runners on one store and hears their outcomes.
type harness struct {
	t        testing.TB
	store    kesher.Store
	clock    *testkit.Clock
	finished chan finish
}

func newHarness(t testing.TB, st kesher.Store) *harness {
	return &harness{t: t, store: st, clock: testkit.NewClock(t0), finished: make(chan finish, 1000)}
}

// config fills in what every test's runner shares: the store, the fake
// clock, a fast poll and the hook that reports outcomes to h.finished.
func (h *harness) config(handlers map[string]jobs.Handler) jobs.Config {
	return jobs.Config{
		Store:    h.store,
		Handlers: handlers,
		Clock:    h.clock,
		Poll:     5 * time.Millisecond,
		OnFinish: func(j *kesher.Job, err error, final bool) { h.finished <- finish{*j, err, final} },
	}
}

// start runs r until the returned stop is called or the test ends; stop
// waits for Run to return.
func (h *harness) start(r *jobs.Runner) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("Run: %v", err)
			}
		})
	}
	h.t.Cleanup(stop)
	return stop
}

func (h *harness) enqueue(js ...*kesher.Job) {
	h.t.Helper()
	err := h.store.Write(context.Background(), func(tx kesher.Tx) error {
		for _, j := range js {
			if err := tx.EnqueueJob(context.Background(), j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatalf("enqueue: %v", err)
	}
}

func (h *harness) job(id string) *kesher.Job {
	h.t.Helper()
	j, err := h.store.Job(context.Background(), id)
	if err != nil {
		h.t.Fatalf("Job %s: %v", id, err)
	}
	return j
}

// next waits for the next outcome.
func (h *harness) next() finish {
	h.t.Helper()
	select {
	case f := <-h.finished:
		return f
	case <-time.After(10 * time.Second):
		h.t.Fatal("no job finished within 10 s")
		return finish{}
	}
}

// quiet checks that no outcome arrives while the runner polls a few times.
func (h *harness) quiet(why string) {
	h.t.Helper()
	select {
	case f := <-h.finished:
		h.t.Errorf("%s, but job %s finished: %+v", why, f.job.ID, f)
	case <-time.After(50 * time.Millisecond):
	}
}

func newJob(kind string) *kesher.Job {
	return &kesher.Job{ID: kesher.NewID(t0), Kind: kind, Payload: json.RawMessage(`{"n":1}`), RunAt: t0, CreatedAt: t0, UpdatedAt: t0}
}

func ok(context.Context, *kesher.Job) error { return nil }

func TestRunsEachJobOnce(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		h := newHarness(t, open(t))
		var mu sync.Mutex
		runs := map[string]int{}
		cfg := h.config(map[string]jobs.Handler{"count": func(_ context.Context, j *kesher.Job) error {
			if string(j.Payload) != `{"n":1}` {
				t.Errorf("the handler got payload %s", j.Payload)
			}
			mu.Lock()
			runs[j.ID]++
			mu.Unlock()
			return nil
		}})
		const n = 30
		for range n {
			h.enqueue(newJob("count"))
		}
		h.start(jobs.New(cfg))
		for range n {
			if f := h.next(); f.err != nil || !f.final || f.job.State != kesher.JobDone {
				t.Errorf("outcome %+v; want done", f)
			}
		}
		h.quiet("every job ran")
		mu.Lock()
		defer mu.Unlock()
		for id, c := range runs {
			if c != 1 {
				t.Errorf("job %s ran %d times", id, c)
			}
			if j := h.job(id); j.State != kesher.JobDone || j.Attempts != 1 {
				t.Errorf("job %s is stored as %s after %d attempts; want done after 1", id, j.State, j.Attempts)
			}
		}
		if len(runs) != n {
			t.Errorf("%d jobs ran, want %d", len(runs), n)
		}
	})
}

// TestOutcomes follows one job through its attempts, with a fake clock
// that the test moves past each backoff.
func TestOutcomes(t *testing.T) {
	const backoff = time.Minute
	tests := []struct {
		name    string
		kind    string
		handler func(attempt int) error
		want    []string // the outcome of each attempt
		wantErr string   // in the job's last error
	}{
		{"done", "k", func(int) error { return nil }, []string{"done"}, ""},
		{"retried, then done", "k", func(a int) error {
			if a < 3 {
				return errors.New("451 try again later")
			}
			return nil
		}, []string{"retry", "retry", "done"}, "451 try again later"},
		{"fails after MaxAttempts", "k", func(int) error { return errors.New("connection refused") },
			[]string{"retry", "retry", "retry", "failed"}, "connection refused"},
		{"permanent fails at once", "k", func(int) error { return jobs.Permanent(errors.New("550 no such user")) },
			[]string{"failed"}, "550 no such user"},
		{"unknown kind fails at once", "nobody.handles.this", nil, []string{"failed"}, `no handler for jobs of kind "nobody.handles.this"`},
		{"a panic is retried", "k", func(a int) error {
			if a == 1 {
				panic("nil map")
			}
			return nil
		}, []string{"retry", "done"}, "handler panicked: nil map"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, testkit.SQLite(t))
			var attempts atomic.Int32
			cfg := h.config(map[string]jobs.Handler{"k": func(context.Context, *kesher.Job) error {
				return tt.handler(int(attempts.Add(1)))
			}})
			cfg.MaxAttempts = 4
			cfg.Backoff = func(attempt int) time.Duration { return time.Duration(attempt) * backoff }
			job := newJob(tt.kind)
			h.enqueue(job)
			h.start(jobs.New(cfg))
			var got []string
			for {
				f := h.next()
				result := map[kesher.JobState]string{kesher.JobDone: "done", kesher.JobFailed: "failed", kesher.JobPending: "retry"}[f.job.State]
				got = append(got, result)
				if f.final != (result != "retry") || (f.err == nil) != (result == "done") {
					t.Errorf("attempt %d: OnFinish(%+v, %v, %v)", len(got), f.job, f.err, f.final)
				}
				if f.final || len(got) > len(tt.want) {
					break
				}
				// The retry is due after the backoff of its attempt, not before.
				wait := time.Duration(f.job.Attempts) * backoff
				if want := h.clock.Now().Add(wait); !f.job.RunAt.Equal(want) {
					t.Errorf("attempt %d: retry due at %v, want %v", len(got), f.job.RunAt, want)
				}
				h.clock.Advance(wait - time.Second)
				h.quiet("the retry is not due yet")
				h.clock.Advance(time.Second)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("outcomes %v, want %v", got, tt.want)
			}
			stored := h.job(job.ID)
			if stored.Attempts != len(tt.want) || !strings.Contains(stored.LastError, tt.wantErr) {
				t.Errorf("stored job: %d attempts, last error %q; want %d and %q", stored.Attempts, stored.LastError, len(tt.want), tt.wantErr)
			}
		})
	}
}

func TestWakeClaimsAtOnce(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	cfg := h.config(map[string]jobs.Handler{"k": ok})
	cfg.Poll = time.Hour
	r := jobs.New(cfg)
	// The first job is claimed when Run starts; once it is done the runner
	// waits for the next poll, an hour away, unless it is woken.
	h.enqueue(newJob("k"))
	h.start(r)
	h.next()
	h.enqueue(newJob("k"))
	r.Wake()
	h.next()
}

// TestShutdownPutsJobsBack stops a runner while its one worker runs a job
// and another job waits: the running handler's ctx is cancelled, and both
// jobs are due again at once, for the next runner.
func TestShutdownPutsJobsBack(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	started := make(chan struct{}, 2)
	cfg := h.config(map[string]jobs.Handler{"block": func(ctx context.Context, j *kesher.Job) error {
		started <- struct{}{}
		<-ctx.Done()
		return ctx.Err()
	}})
	cfg.Workers = 1
	first, second := newJob("block"), newJob("block")
	h.enqueue(first, second)
	stop := h.start(jobs.New(cfg))
	<-started
	stop()
	if f := h.next(); f.job.ID != first.ID || f.final || !errors.Is(f.err, context.Canceled) || !f.job.RunAt.Equal(t0) {
		t.Errorf("the interrupted job: %+v; want a retry due now", f)
	}
	h.quiet("the job that never started is not reported")
	for _, id := range []string{first.ID, second.ID} {
		if j := h.job(id); j.State != kesher.JobPending || !j.RunAt.Equal(t0) {
			t.Errorf("job %s after shutdown: %s, due %v; want pending, due at t0", id, j.State, j.RunAt)
		}
	}
	cfg.Handlers = map[string]jobs.Handler{"block": ok}
	h.start(jobs.New(cfg))
	for range 2 {
		if f := h.next(); f.job.State != kesher.JobDone {
			t.Errorf("after a restart: %+v; want done", f)
		}
	}
}

// dying is a store whose process has died: from the moment dead is set,
// nothing it writes reaches the database.
type dying struct {
	kesher.Store
	dead atomic.Bool
}

func (d *dying) Write(ctx context.Context, fn func(kesher.Tx) error) error {
	if d.dead.Load() {
		return errors.New("the process is gone")
	}
	return d.Store.Write(ctx, fn)
}

// TestDeadRunnersJobRunsAgain kills a runner in the middle of a job: it
// stores nothing more, so the job stays leased to it. Another runner takes
// the job once the lease has run out, not before: delivery is at least
// once.
func TestDeadRunnersJobRunsAgain(t *testing.T) {
	st := testkit.SQLite(t)
	doomed := &dying{Store: st}
	h := newHarness(t, doomed)
	running := make(chan struct{})
	cfg := h.config(map[string]jobs.Handler{"k": func(ctx context.Context, _ *kesher.Job) error {
		close(running)
		<-ctx.Done()
		return ctx.Err()
	}})
	cfg.Lease = time.Minute
	job := newJob("k")
	h.enqueue(job)
	stop := h.start(jobs.New(cfg))
	<-running
	doomed.dead.Store(true)
	stop()
	h.quiet("a dead runner stores no outcome")

	h.store = st
	cfg = h.config(map[string]jobs.Handler{"k": ok})
	cfg.Lease = time.Minute
	h.start(jobs.New(cfg))
	h.clock.Advance(59 * time.Second)
	h.quiet("the lease of the dead runner lasts")
	h.clock.Advance(time.Second)
	if f := h.next(); f.job.ID != job.ID || f.job.State != kesher.JobDone || f.job.Attempts != 2 {
		t.Errorf("after the lease: %+v; want the job done at attempt 2", f)
	}
}

// TestLeaseBoundsAnAttempt checks that a handler still running near the
// end of its lease is cancelled, so that no other runner can take the job
// while it runs.
func TestLeaseBoundsAnAttempt(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	cfg := h.config(map[string]jobs.Handler{"k": func(ctx context.Context, _ *kesher.Job) error {
		<-ctx.Done()
		return ctx.Err()
	}})
	cfg.Lease = 300 * time.Millisecond
	h.enqueue(newJob("k"))
	h.start(jobs.New(cfg))
	if f := h.next(); f.final || !errors.Is(f.err, context.DeadlineExceeded) || !strings.Contains(f.job.LastError, "lease") {
		t.Errorf("an attempt that outlived its lease: %+v; want a retry that names the lease", f)
	}
}

// TestRunnersShareAnOutbox runs two runners on one outbox, in one process
// on SQLite and as two nodes with a pool each on PostgreSQL: every job
// runs exactly once, never on both at the same time.
func TestRunnersShareAnOutbox(t *testing.T) {
	for _, backend := range []struct {
		name string
		open func(t *testing.T) (kesher.Store, kesher.Store)
	}{
		{"sqlite", func(t *testing.T) (kesher.Store, kesher.Store) { st := testkit.SQLite(t); return st, st }},
		{"postgres", func(t *testing.T) (kesher.Store, kesher.Store) {
			dsn := testkit.PostgresDSN(t)
			var nodes [2]kesher.Store
			for i := range nodes {
				db, err := store.Open(context.Background(), store.Config{DSN: dsn, GroupCommit: true})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				nodes[i] = db
			}
			return nodes[0], nodes[1]
		}},
	} {
		t.Run(backend.name, func(t *testing.T) {
			a, b := backend.open(t)
			const n = 500
			var mu sync.Mutex
			runs, running := map[string]int{}, map[string]bool{}
			var byRunner [2]int
			handler := func(runner int) jobs.Handler {
				return func(_ context.Context, j *kesher.Job) error {
					mu.Lock()
					if running[j.ID] {
						t.Errorf("job %s runs on both runners at once", j.ID)
					}
					running[j.ID] = true
					runs[j.ID]++
					byRunner[runner]++
					mu.Unlock()
					time.Sleep(time.Millisecond)
					mu.Lock()
					delete(running, j.ID)
					mu.Unlock()
					return nil
				}
			}
			ha, hb := newHarness(t, a), newHarness(t, b)
			hb.finished = ha.finished
			hb.clock = ha.clock
			var js []*kesher.Job
			for range n {
				js = append(js, newJob("k"))
			}
			ha.enqueue(js...)
			ra, rb := jobs.New(ha.config(map[string]jobs.Handler{"k": handler(0)})), jobs.New(hb.config(map[string]jobs.Handler{"k": handler(1)}))
			ha.start(ra)
			hb.start(rb)
			for range n {
				ha.next()
			}
			ha.quiet("every job ran")
			mu.Lock()
			defer mu.Unlock()
			if len(runs) != n || byRunner[0] == 0 || byRunner[1] == 0 {
				t.Errorf("%d of %d jobs ran, %v by each runner; want all, some by each", len(runs), n, byRunner)
			}
			for id, c := range runs {
				if c != 1 {
					t.Errorf("job %s ran %d times", id, c)
				}
			}
			if done, err := a.CountJobs(context.Background(), kesher.JobDone); done != n || err != nil {
				t.Errorf("%d jobs stored as done (%v), want %d", done, err, n)
			}
		})
	}
}

func TestPurgesDoneJobs(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	cfg := h.config(map[string]jobs.Handler{"k": ok, "bad": func(context.Context, *kesher.Job) error { return jobs.Permanent(errors.New("no")) }})
	cfg.Retention = time.Hour
	done, failed := newJob("k"), newJob("bad")
	done.Key = "once"
	h.enqueue(done, failed)
	r := jobs.New(cfg)
	h.start(r)
	h.next()
	h.next()
	// Within Retention the key holds: the same job is not enqueued again.
	h.enqueue(&kesher.Job{ID: kesher.NewID(t0), Kind: "k", Key: "once", RunAt: t0, CreatedAt: t0, UpdatedAt: t0})
	h.quiet("a job with the key of a done job is not enqueued")
	h.clock.Advance(2 * time.Hour)
	r.Wake()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := h.store.Job(context.Background(), done.ID)
		if kesher.ErrorCode(err) == kesher.ECodeNotFound {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the done job was not purged: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if j := h.job(failed.ID); j.State != kesher.JobFailed {
		t.Errorf("the failed job: %+v", j)
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	reg := prometheus.NewRegistry()
	cfg := h.config(map[string]jobs.Handler{"k": ok, "bad": func(context.Context, *kesher.Job) error { return jobs.Permanent(errors.New("no")) }})
	cfg.Registerer = reg
	h.enqueue(newJob("k"), newJob("k"), newJob("bad"))
	later := newJob("k")
	later.RunAt = t0.Add(time.Hour)
	h.enqueue(later)
	h.start(jobs.New(cfg))
	for range 3 {
		h.next()
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range families {
		for _, m := range mf.GetMetric() {
			name := mf.GetName()
			for _, l := range m.GetLabel() {
				name += fmt.Sprintf(",%s=%s", l.GetName(), l.GetValue())
			}
			got[name] = m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	for name, want := range map[string]float64{
		"kesher_jobs_total,kind=k,result=done":     2,
		"kesher_jobs_total,kind=bad,result=failed": 1,
		"kesher_jobs_pending":                      1,
		"kesher_job_duration_seconds,kind=k":       2,
		"kesher_job_duration_seconds,kind=bad":     1,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v (all: %v)", name, got[name], want, got)
		}
	}
}

func TestDefaultBackoff(t *testing.T) {
	tests := []struct {
		attempt int
		base    time.Duration
	}{
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{7, 32 * time.Minute},
		{8, time.Hour},
		{12, time.Hour},
		{1000, time.Hour},
	}
	for _, tt := range tests {
		for range 100 {
			d := jobs.DefaultBackoff(tt.attempt)
			if lo, hi := tt.base*8/10, tt.base*12/10; d < lo || d > hi {
				t.Errorf("DefaultBackoff(%d) = %v, want %v ± 20 %%", tt.attempt, d, tt.base)
				break
			}
		}
	}
}

func TestRunTwice(t *testing.T) {
	h := newHarness(t, testkit.SQLite(t))
	running := make(chan struct{})
	r := jobs.New(h.config(map[string]jobs.Handler{"k": func(ctx context.Context, _ *kesher.Job) error {
		close(running)
		<-ctx.Done()
		return nil
	}}))
	h.enqueue(newJob("k"))
	h.start(r)
	<-running
	if err := r.Run(context.Background()); err == nil {
		t.Error("a second Run of a running runner: no error")
	}
	if err := jobs.New(jobs.Config{}).Run(context.Background()); err == nil {
		t.Error("Run without a store: no error")
	}
}

// BenchmarkDrain measures the runner itself: 5,000 no-op jobs drained from
// SQLite by a runner with the default workers and batch.
func BenchmarkDrain(b *testing.B) {
	const n = 5000
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		st := testkit.SQLite(b)
		h := newHarness(b, st)
		js := make([]*kesher.Job, n)
		for i := range js {
			js[i] = newJob("noop")
		}
		h.enqueue(js...)
		var left atomic.Int32
		left.Store(n)
		drained := make(chan struct{})
		cfg := jobs.Config{Store: st, Handlers: map[string]jobs.Handler{"noop": ok}, OnFinish: func(*kesher.Job, error, bool) {
			if left.Add(-1) == 0 {
				close(drained)
			}
		}}
		ctx, cancel := context.WithCancel(context.Background())
		r := jobs.New(cfg)
		done := make(chan error)
		b.StartTimer()
		start := time.Now()
		go func() { done <- r.Run(ctx) }()
		<-drained
		total += time.Since(start)
		b.StopTimer()
		cancel()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "jobs/s")
}
