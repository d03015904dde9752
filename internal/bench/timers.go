package bench

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"syscall"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/store"
)

// TimersConfig sizes the scheduler benchmark.
type TimersConfig struct {
	// DSN and DataDir name a fresh database, as in store.Config.
	DSN, DataDir string
	// Open conversations get running clocks due in the coming weeks: the
	// load the scheduler idles under (100,000 when zero).
	Open int
	// Burst timers come due within Window of each other (10,000 and one
	// minute when zero; a negative Window makes them all due at once).
	Burst  int
	Window time.Duration
	// Idle is how long the idle scheduler's CPU is measured (10 s when zero).
	Idle time.Duration
	// Lead is how long after it is written the burst's first timer is due
	// (5 s when zero), so that it is all written by then.
	Lead     time.Duration
	Progress io.Writer
}

// TimersResult is what the scheduler benchmark measured.
type TimersResult struct {
	Open, Burst int
	// IdleCPU is the share of one core the process used while the
	// scheduler waited with Open clocks running and none due; BaselineCPU
	// the same process over as long without the scheduler.
	IdleCPU, BaselineCPU float64
	// Delay is how long after its due time each burst timer fired.
	Delay Result
	// HeapMiB is the heap in use after the burst.
	HeapMiB float64
}

func (r TimersResult) String() string {
	return fmt.Sprintf("%d open clocks: idle scheduler %.3f %% of a core (baseline %.3f %%); %d timers due within the window: "+
		"%d fired, delay p50 %s ms, p95 %s ms, p99 %s ms, max %s ms; heap %.0f MiB",
		r.Open, 100*r.IdleCPU, 100*r.BaselineCPU, r.Burst, r.Delay.N, ms(r.Delay.P50), ms(r.Delay.P95), ms(r.Delay.P99), ms(r.Delay.Max), r.HeapMiB)
}

// Timers measures the durable timers: the scheduler's CPU while many
// clocks run and none is due, then how promptly a burst of timers fires.
func Timers(ctx context.Context, cfg TimersConfig) (TimersResult, error) {
	cfg.Open = orInt(cfg.Open, 100_000)
	cfg.Burst = orInt(cfg.Burst, 10_000)
	if cfg.Window == 0 {
		cfg.Window = time.Minute
	}
	cfg.Window = max(cfg.Window, 0)
	if cfg.Idle == 0 {
		cfg.Idle = 10 * time.Second
	}
	if cfg.Lead == 0 {
		cfg.Lead = 5 * time.Second
	}
	res := TimersResult{Open: cfg.Open, Burst: cfg.Burst}
	db, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir, GroupCommit: true})
	if err != nil {
		return res, err
	}
	defer db.Close()
	progress := func(format string, a ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", a...)
		}
	}
	now := time.Now().UTC()
	w := &clockWriter{st: db}
	// Running clocks due between one and thirty days from now.
	err = w.write(ctx, cfg.Open, func(i int) time.Time {
		return now.Add(24*time.Hour + time.Duration(i)*(29*24*time.Hour/time.Duration(cfg.Open)))
	})
	if err != nil {
		return res, err
	}
	progress("%d open conversations with running clocks written", cfg.Open)

	var mu sync.Mutex
	var delays []time.Duration
	d := desk.New(desk.Config{Store: db, TimerDelay: func(_ kesher.TimerKind, late time.Duration) {
		mu.Lock()
		delays = append(delays, late)
		mu.Unlock()
	}})
	res.BaselineCPU = cpuShare(ctx, cfg.Idle)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan struct{})
	go func() { defer close(ran); d.RunTimers(runCtx) }()
	res.IdleCPU = cpuShare(ctx, cfg.Idle)
	progress("idle: %.3f %% of a core (baseline %.3f %%)", 100*res.IdleCPU, 100*res.BaselineCPU)

	// The burst comes due a few seconds after it is written, while the
	// scheduler runs.
	first := time.Now().UTC().Add(cfg.Lead)
	err = w.write(ctx, cfg.Burst, func(i int) time.Time {
		return first.Add(time.Duration(i) * cfg.Window / time.Duration(cfg.Burst))
	})
	if err != nil {
		return res, err
	}
	progress("%d timers due from %s over %s", cfg.Burst, first.Format(time.TimeOnly), cfg.Window)
	deadline := first.Add(cfg.Window + 10*time.Second)
	for time.Now().Before(deadline) {
		mu.Lock()
		n := len(delays)
		mu.Unlock()
		if n >= cfg.Burst {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-ran
	mu.Lock()
	res.Delay = summarize("timer delay", delays, cfg.Window)
	mu.Unlock()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	res.HeapMiB = float64(m.HeapInuse) / (1 << 20)
	return res, ctx.Err()
}

func orInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// cpuShare returns the share of one core the process uses over d.
func cpuShare(ctx context.Context, d time.Duration) float64 {
	before, start := processCPU(), time.Now()
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
	return float64(processCPU()-before) / float64(time.Since(start))
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockWriter writes open conversations whose one running clock is due at
// a given time, through the store's own write path, so their timers are
// where the scheduler looks.
type clockWriter struct {
	st        kesher.Store
	customers []string
	written   int
}

const clockBatch = 1000

func (w *clockWriter) write(ctx context.Context, n int, due func(i int) time.Time) error {
	for lo := 0; lo < n; lo += clockBatch {
		err := w.st.Write(ctx, func(tx kesher.Tx) error {
			for i := lo; i < min(lo+clockBatch, n); i++ {
				if err := w.conversation(ctx, tx, due(i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *clockWriter) conversation(ctx context.Context, tx kesher.Tx, due time.Time) error {
	now := time.Now().UTC()
	// One customer per hundred conversations.
	if w.written%100 == 0 {
		c := &kesher.Customer{ID: kesher.NewID(now), Name: fmt.Sprintf("לקוח %d", w.written/100), Language: "he",
			Identities: []kesher.Identity{}, CreatedAt: now, UpdatedAt: now}
		if err := tx.CreateCustomer(ctx, c); err != nil {
			return err
		}
		w.customers = append(w.customers, c.ID)
	}
	number, err := tx.NextConversationNumber(ctx)
	if err != nil {
		return err
	}
	target := max(due.Sub(now), time.Second)
	clock := kesher.SLAClock{Metric: kesher.SLAResolution, Target: target, StartedAt: now, RunningSince: now,
		WarnAt: now, WarnedAt: now, DueAt: due}
	c := &kesher.Conversation{
		ID: kesher.NewID(now), Number: number, Subject: "מחכה לתשובה", Status: kesher.StatusOpen, Priority: kesher.PriorityNormal,
		Channel: kesher.ChannelEmail, CustomerID: w.customers[len(w.customers)-1], Tags: []string{}, MessageCount: 0,
		CreatedAt: now, UpdatedAt: now, SLA: &kesher.SLA{PolicyID: "bench", Clocks: []kesher.SLAClock{clock}},
	}
	w.written++
	return tx.CreateConversation(ctx, c)
}
