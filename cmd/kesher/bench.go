package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"kesher/internal/bench"
	"kesher/internal/store"
)

// benchDSN is the database a bench command opens: --db, or SQLite in
// --data with a page cache of cacheMB (the store's default is 2 MB per
// connection, which a bulk load outgrows).
func (c *common) benchDSN(cacheMB int) string {
	if c.db != "" || cacheMB <= 0 {
		return c.db
	}
	return fmt.Sprintf("sqlite:%s?_pragma=cache_size(-%d)", filepath.Join(c.data, "kesher.db"), cacheMB<<10)
}

func cmdBenchSeed(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench seed", stderr)
	customers := fs.Int("customers", 300000, "customers to create")
	conversations := fs.Int("conversations", 1000000, "conversations to create")
	messages := fs.Int("messages", 3000000, "messages to create in total")
	agents := fs.Int("agents", 50, "agents to create")
	batch := fs.Int("batch", 500, "conversations per transaction")
	seed := fs.Uint64("seed", 1, "random seed")
	cacheMB := fs.Int("cache-mb", 256, "SQLite page cache of the loading connection in MiB (0: the store's default)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	log, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Config{DSN: c.benchDSN(*cacheMB), DataDir: c.data, Logger: log})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer db.Close()
	fmt.Fprintf(stdout, "seeding %s: %d customers, %d conversations, %d messages\n", c.describeDB(), *customers, *conversations, *messages)
	res, err := bench.Seed(ctx, db, bench.SeedConfig{Customers: *customers, Conversations: *conversations, Messages: *messages,
		Agents: *agents, Batch: *batch, Seed: *seed, Progress: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "seeded", res)
	return nil
}

// openSeeded parses a benchmark's flags, opens the desk kesher bench seed
// filled, and finds what the benchmark draws its parameters from.
func (c *common) openSeeded(ctx context.Context, fs *flag.FlagSet, args []string, stderr io.Writer) (*store.DB, *bench.Sample, error) {
	_, db, _, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return nil, nil, err
	}
	s, err := bench.Discover(ctx, db)
	if err != nil {
		_ = db.Close()
		return nil, nil, err
	}
	return db, s, nil
}

func cmdBenchQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench query", stderr)
	iterations := fs.Int("iterations", 5000, "measured calls per query")
	warmup := fs.Int("warmup", 500, "unmeasured calls per query first")
	seed := fs.Uint64("seed", 1, "random seed")
	db, s, err := c.openSeeded(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s: %d agents, %d customers, %d long threads; %d iterations after %d warm-up, GOMAXPROCS %d\n\n",
		c.describeDB(), len(s.Agents), s.Customers, len(s.LongThreads), *iterations, *warmup, runtime.GOMAXPROCS(0))
	rs, err := bench.Query(ctx, db, s, bench.QueryConfig{Iterations: *iterations, Warmup: *warmup, Seed: *seed})
	fmt.Fprint(stdout, bench.Table(rs))
	return err
}

func cmdBenchUI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench ui", stderr)
	iterations := fs.Int("iterations", 1000, "measured renders per page")
	clients := fs.Int("clients", 200, "open live streams")
	updates := fs.Int("updates", 50, "live updates measured")
	seed := fs.Uint64("seed", 1, "random seed")
	db, s, err := c.openSeeded(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s: %d agents, %d customers, %d long threads; %d renders per page, %d live updates, GOMAXPROCS %d\n\n",
		c.describeDB(), len(s.Agents), s.Customers, len(s.LongThreads), *iterations, *updates, runtime.GOMAXPROCS(0))
	rs, err := bench.UI(ctx, db, s, bench.UIConfig{Iterations: *iterations, Clients: *clients, Updates: *updates, Seed: *seed})
	fmt.Fprint(stdout, bench.Table(rs))
	if len(rs) >= 5 && rs[0].P95 > 0 {
		fmt.Fprintln(stdout)
		for _, r := range rs[1:5] {
			fmt.Fprintf(stdout, "%s: p95 %.1f× the API baseline\n", r.Name, float64(r.P95)/float64(rs[0].P95))
		}
		for _, r := range rs[5:] {
			fmt.Fprintln(stdout, r.Note)
		}
	}
	return err
}

func cmdBenchHTTP(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench http", stderr)
	duration := fs.Duration("duration", 10*time.Second, "measured time per run")
	clients := fs.Int("clients", 16, "concurrent clients")
	group := fs.Bool("group-commit", true, "share transactions and fsyncs between concurrent requests")
	baseline := fs.Bool("baseline", true, "also run with --group-commit=false, for the ratio")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the first run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	modes := []bool{*group}
	if *baseline && *group {
		modes = append(modes, false)
	}
	var rs []bench.Result
	for _, gc := range modes {
		cfg := bench.HTTPConfig{DSN: c.db, GroupCommit: gc, Clients: *clients, Duration: *duration}
		dir, cleanup, err := c.scratchDir("http") // a fresh SQLite database for each run
		if err != nil {
			return err
		}
		defer cleanup()
		cfg.DataDir = dir
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		*cpuprofile = ""
		r, err := bench.HTTP(ctx, cfg)
		stop()
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	fmt.Fprintf(stdout, "%s, %s per run, GOMAXPROCS %d\n\n%s", c.scratchDB(), *duration, runtime.GOMAXPROCS(0), bench.Table(rs))
	if len(rs) == 2 && rs[1].OpsPerSec > 0 {
		fmt.Fprintf(stdout, "\ngroup commit: %.1f× the creations/s of a transaction per request\n", rs[0].OpsPerSec/rs[1].OpsPerSec)
	}
	return nil
}

func cmdBenchEmail(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench email", stderr)
	senders := fs.Int("senders", 8, "concurrent SMTP senders (and HTTP clients of the baseline)")
	duration := fs.Duration("duration", 10*time.Second, "measured time of each ingest run")
	size := fs.Int("message-bytes", 10<<10, "size of each email")
	sample := fs.Int("sample-every", 10, "check every n-th email of a sender in the inbox API right after its 250")
	replies := fs.Int("replies", 2000, "queued replies the outbound run drains")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.db != "" {
		return fmt.Errorf("bench email runs on fresh SQLite databases; --db is not used")
	}
	dir, err := os.MkdirTemp("", "kesher-bench-email-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	rep, err := bench.Email(ctx, bench.EmailConfig{DataDir: dir, Senders: *senders, Duration: *duration, MessageBytes: *size,
		SampleEvery: *sample, Replies: *replies})
	stop()
	if err != nil {
		return err
	}
	mib := func(b uint64) float64 { return float64(b) / (1 << 20) }
	fmt.Fprintf(stdout, "SQLite (synchronous=FULL, group commit, fresh data directory per run), %s per run, GOMAXPROCS %d\n\n%s\n",
		*duration, runtime.GOMAXPROCS(0), bench.Table([]bench.Result{rep.Ingest, rep.Visible, rep.Baseline}))
	if rep.Baseline.OpsPerSec > 0 && rep.Baseline.P99 > 0 {
		fmt.Fprintf(stdout, "SMTP ingest: %.2f× the conversations/s of the HTTP API, p99 %.2f× its p99\n",
			rep.Ingest.OpsPerSec/rep.Baseline.OpsPerSec, float64(rep.Ingest.P99)/float64(rep.Baseline.P99))
	}
	fmt.Fprintf(stdout, "%s: %.0f replies/s (%s)\n", rep.Outbound.Name, rep.Outbound.OpsPerSec, rep.Outbound.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "memory while ingesting: Go heap in use %.0f → peak %.0f MiB; RSS %.0f → peak %.0f MiB (the load generator included)\n",
		mib(rep.HeapStart), mib(rep.HeapPeak), mib(rep.RSSStart), mib(rep.RSSPeak))
	return nil
}

// startCPUProfile writes a CPU profile to path until stop is called; an
// empty path profiles nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

func cmdBenchSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench search", stderr)
	messages := fs.Int("messages", 1_000_000, "messages to seed and index (conversations are a quarter, customers a tenth)")
	duration := fs.Duration("duration", 10*time.Second, "measured time of each query run")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	reuse := fs.Bool("reuse", false, "only measure the queries again, on the PostgreSQL database --db that an earlier run seeded and indexed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *reuse && c.db == "" {
		return errors.New("bench search: --reuse needs --db, a PostgreSQL database an earlier run left")
	}
	stop, err := startCPUProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stop()
	dir, cleanup, err := c.scratchDir("search")
	if err != nil {
		return err
	}
	defer cleanup()
	rep, err := bench.Search(ctx, bench.SearchConfig{DSN: c.db, DataDir: dir, Messages: *messages, Duration: *duration, Reuse: *reuse, Progress: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s, GOMAXPROCS %d\n%s\n", c.scratchDB(), runtime.GOMAXPROCS(0), rep)
	return nil
}

func cmdBenchTimers(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench timers", stderr)
	open := fs.Int("open", 100000, "open conversations with running clocks")
	burst := fs.Int("burst", 10000, "timers that come due within --window")
	window := fs.Duration("window", time.Minute, "how far apart the burst's due times spread (0: all at once)")
	idle := fs.Duration("idle", 10*time.Second, "how long the idle scheduler's CPU is measured")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := bench.TimersConfig{DSN: c.db, Open: *open, Burst: *burst, Window: *window, Idle: *idle, Progress: stdout}
	if *window == 0 {
		cfg.Window = -1
	}
	dir, cleanup, err := c.scratchDir("timers")
	if err != nil {
		return err
	}
	defer cleanup()
	cfg.DataDir = dir
	res, err := bench.Timers(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s, GOMAXPROCS %d\n%s\n", c.scratchDB(), runtime.GOMAXPROCS(0), res)
	return nil
}

func cmdBenchChat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, c := newFlags("bench chat", stderr)
	conns := fs.Int("conns", 10000, "visitors, each with a widget connection")
	rate := fs.Int("rate", 1000, "messages a second, from all visitors together")
	duration := fs.Duration("duration", 20*time.Second, "how long the visitors write before the node restarts")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.db != "" {
		return fmt.Errorf("bench chat runs one node on SQLite; it takes no --db")
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	dir, cleanup, err := c.scratchDir("chat")
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := bench.Chat(ctx, bench.ChatConfig{Bin: bin, DataDir: dir, Conns: *conns, Rate: *rate, Duration: *duration, Progress: stdout})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SQLite, GOMAXPROCS %d\n%s\n%s", runtime.GOMAXPROCS(0), res, bench.Table([]bench.Result{res.Delivery, res.Ack}))
	return nil
}

// scratchDir makes a temporary data directory for a benchmark's fresh
// SQLite database, removed by cleanup; with --db it makes none ("").
func (c *common) scratchDir(name string) (dir string, cleanup func(), err error) {
	if c.db != "" {
		return "", func() {}, nil
	}
	dir, err = os.MkdirTemp("", "kesher-bench-"+name+"-")
	return dir, func() { _ = os.RemoveAll(dir) }, err
}

// scratchDB names the database of a benchmark that uses scratchDir.
func (c *common) scratchDB() string {
	if c.db != "" {
		return c.describeDB()
	}
	return "SQLite (synchronous=FULL, fresh data directory)"
}
