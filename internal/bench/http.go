package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/desk"
	"kesher/internal/server"
	"kesher/internal/store"
)

// HTTPConfig says what the HTTP benchmark runs against and for how long.
type HTTPConfig struct {
	// DSN and DataDir name the database as in store.Config; a fresh
	// SQLite data directory is the usual choice.
	DSN, DataDir string
	GroupCommit  bool
	Clients      int           // concurrent clients; 16 when zero
	Duration     time.Duration // 10 s when zero
	// Warmup runs the clients unmeasured first; a tenth of Duration when
	// zero, none when negative.
	Warmup time.Duration
}

// HTTP starts the real server in-process (store, desk, API and server on
// 127.0.0.1:0), makes an admin token through the desk and lets
// cfg.Clients clients POST /api/v1/conversations, each with a first
// message, as fast as they can. A third of the requests come from a
// customer seen before. It returns the latency of the creations and their
// rate.
func HTTP(ctx context.Context, cfg HTTPConfig) (Result, error) {
	if cfg.Clients == 0 {
		cfg.Clients = 16
	}
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = cfg.Duration / 10
	}
	name := fmt.Sprintf("POST /api/v1/conversations, %d clients, group commit %v", cfg.Clients, cfg.GroupCommit)
	// The server logs every request as in production, into a discard.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	db, err := store.Open(ctx, store.Config{DSN: cfg.DSN, DataDir: cfg.DataDir, GroupCommit: cfg.GroupCommit, Logger: log})
	if err != nil {
		return Result{}, err
	}
	defer db.Close()
	d := desk.New(desk.Config{Store: db, Logger: log})
	admin, err := d.CreateUser(ctx, desk.NewUser{Email: fmt.Sprintf("bench-%d@bench.kesher.example", time.Now().UnixNano()),
		Name: "Bench", Role: kesher.RoleAdmin})
	if err != nil {
		return Result{}, err
	}
	token, _, err := d.CreateToken(ctx, admin.ID, "bench http")
	if err != nil {
		return Result{}, err
	}
	srv := server.New(server.Config{API: api.New(api.Config{Desk: d, Logger: log}), Ready: db.Ping, Logger: log,
		Registry: prometheus.NewRegistry()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln, 10*time.Second) }()
	defer func() { stop(); <-served }()

	url := "http://" + ln.Addr().String() + "/api/v1/conversations"
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: cfg.Clients, MaxIdleConnsPerHost: cfg.Clients}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	run := uniqueRun()
	phase := func(d time.Duration, measure bool) (durs []time.Duration, errs int, elapsed time.Duration, firstErr error) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := time.Now()
		deadline := start.Add(d)
		for c := range cfg.Clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var mine []time.Duration
				var n, bad int
				var first error
				for time.Now().Before(deadline) && ctx.Err() == nil {
					body := requestBody(run, c, n, measure)
					n++
					t := time.Now()
					err := post(client, url, token, body)
					if err != nil {
						bad++
						if first == nil {
							first = err
						}
						continue
					}
					mine = append(mine, time.Since(t))
				}
				mu.Lock()
				durs = append(durs, mine...)
				errs += bad
				if firstErr == nil {
					firstErr = first
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		return durs, errs, time.Since(start), firstErr
	}
	if cfg.Warmup > 0 {
		if _, _, _, err := phase(cfg.Warmup, false); err != nil {
			return Result{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	durs, errs, elapsed, firstErr := phase(cfg.Duration, true)
	res := summarize(name, durs, elapsed)
	res.Errors = errs
	if firstErr != nil {
		return res, fmt.Errorf("%d of %d requests failed, the first with: %w", errs, errs+len(durs), firstErr)
	}
	return res, ctx.Err()
}

// uniqueRun keeps the customers of two runs on one database apart.
func uniqueRun() string { return fmt.Sprintf("%x", time.Now().UnixNano()&0xffffffff) }

// requestBody is client c's n-th conversation: a new customer two times in
// three, else one the client created before.
func requestBody(run string, c, n int, measured bool) []byte {
	phase := "w"
	if measured {
		phase = "m"
	}
	who := n
	if n%3 == 2 {
		who = n / 2
	}
	lang := n%3 != 1
	subject, body, name := fill(heSubjects[n%len(heSubjects)], 100000+n), fill(heCustomer[n%len(heCustomer)], 100000+n), heFirst[c%len(heFirst)]+" "+heLast[n%len(heLast)]
	if !lang {
		subject, body, name = fill(enSubjects[n%len(enSubjects)], 100000+n), fill(enCustomer[n%len(enCustomer)], 100000+n), enFirst[c%len(enFirst)]+" "+enLast[n%len(enLast)]
	}
	b, _ := json.Marshal(map[string]any{
		"customer": map[string]string{"name": name, "email": fmt.Sprintf("h%s.%s%d.%d@bench.example", run, phase, c, who)},
		"subject":  subject,
		"channel":  "email",
		"tags":     []string{tags[n%len(tags)]},
		"message":  map[string]string{"body_text": body},
	})
	return b
}

func post(client *http.Client, url, token string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("status %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	return nil
}
