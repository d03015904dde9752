package bench

import (
	"bufio"
	"context"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"time"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/web"
)

// UIConfig says how much the UI benchmark measures.
type UIConfig struct {
	Iterations int // renders per page; 1000 when zero
	Clients    int // open live streams; 200 when zero
	Updates    int // live updates measured; 50 when zero
	Seed       uint64
}

// benchPassword is given to the seeded agent the UI benchmark signs in as.
const benchPassword = "bench-password-1"

// UI measures the agent desk's pages on a seeded desk and the delay of its
// live updates:
//
//   - server time of the inbox, a conversation of 20 messages and a
//     customer page, signed in as a seeded agent, with the JSON API's list
//     of the same inbox as the baseline (ratio: what rendering a page
//     costs on top of reading its data);
//   - the time from the start of a write (a note added to a recent
//     conversation that is not one of the long threads)
//     until each of cfg.Clients open live streams has been told, against a
//     single stream as the baseline.
//
// It writes to the database: the agent's password, a session, a token and
// one note per update.
func UI(ctx context.Context, st kesher.Store, s *Sample, cfg UIConfig) ([]Result, error) {
	if cfg.Iterations == 0 {
		cfg.Iterations = 1000
	}
	if cfg.Clients == 0 {
		cfg.Clients = 200
	}
	if cfg.Updates == 0 {
		cfg.Updates = 50
	}
	live := bus.NewLocal()
	d := desk.New(desk.Config{Store: st, Publisher: live})
	ui, err := web.New(web.Config{Desk: d, Live: live})
	if err != nil {
		return nil, err
	}
	agent, err := d.User(ctx, s.Agents[0])
	if err != nil {
		return nil, err
	}
	if err := d.SetPassword(ctx, desk.PasswordChange{UserID: agent.ID, New: benchPassword}); err != nil {
		return nil, err
	}
	secret, _, _, err := d.SignIn(ctx, desk.SignIn{Email: agent.Email, Password: benchPassword})
	if err != nil {
		return nil, err
	}
	token, _, err := d.CreateToken(ctx, agent.ID, "bench ui")
	if err != nil {
		return nil, err
	}
	rest := api.New(api.Config{Desk: d})
	r := mrand.New(mrand.NewPCG(cfg.Seed, 2))

	customer := func() string {
		kind, v := customerIdentity(r.IntN(s.Customers))
		c, err := st.CustomerByIdentity(ctx, kind, v)
		if err != nil {
			return "/customers/missing"
		}
		return "/customers/" + c.ID
	}
	pages := []struct {
		name    string
		handler http.Handler
		path    func() string
		auth    func(*http.Request)
	}{
		{"baseline: API list of the agent's open conversations (JSON)", rest,
			func() string { return "/api/v1/conversations?status=open&owner=me" },
			func(q *http.Request) { q.Header.Set("Authorization", "Bearer "+token) }},
		{"inbox page: mine (default view, 6 counts)", ui, func() string { return "/inbox" }, nil},
		{"inbox page: all open", ui, func() string { return "/inbox?view=all_open" }, nil},
		{"conversation page: 20 messages", ui, func() string { return "/conversations/" + pick(r, s.LongThreads) }, nil},
		{"customer page: profile and timeline", ui, customer, nil},
	}
	var out []Result
	for _, pg := range pages {
		render := func() error {
			req := httptest.NewRequestWithContext(ctx, http.MethodGet, pg.path(), nil)
			if pg.auth != nil {
				pg.auth(req)
			} else {
				req.AddCookie(&http.Cookie{Name: "kesher_session", Value: secret})
			}
			rec := httptest.NewRecorder()
			pg.handler.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				return fmt.Errorf("%s: status %d", req.URL, rec.Code)
			}
			return nil
		}
		for range cfg.Iterations / 10 {
			if err := render(); err != nil {
				return out, err
			}
		}
		durs := make([]time.Duration, 0, cfg.Iterations)
		start := time.Now()
		for range cfg.Iterations {
			t := time.Now()
			if err := render(); err != nil {
				return out, err
			}
			durs = append(durs, time.Since(t))
		}
		out = append(out, summarize(pg.name, durs, time.Since(start)))
	}

	// The notes go to the newest conversations other than the long threads,
	// whose 20 messages the query benchmark counts on.
	long := make(map[string]bool, len(s.LongThreads))
	for _, id := range s.LongThreads {
		long[id] = true
	}
	recent, _, err := st.Conversations(ctx, kesher.ConversationFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}})
	if err != nil {
		return out, err
	}
	var targets []string
	for _, c := range recent {
		if !long[c.ID] {
			targets = append(targets, c.ID)
		}
	}
	if len(targets) == 0 {
		return out, fmt.Errorf("bench: no conversation to add notes to")
	}
	srv := httptest.NewServer(ui)
	defer srv.Close()
	actor := kesher.WithActor(ctx, agent)
	for _, clients := range []int{1, cfg.Clients} {
		res, err := liveDelay(ctx, srv.URL, secret, clients, cfg.Updates, func(i int) string {
			return targets[i%len(targets)]
		}, func(conv string, i int) error {
			_, err := d.AddMessage(actor, conv, desk.NewMessage{Direction: kesher.Note, BodyText: fmt.Sprintf("הערת מדידה %d", i)})
			return err
		})
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	return out, nil
}

// liveDelay opens clients live streams, makes updates writes one after
// another (the i-th to conversation conv(i)), and measures for each stream
// and write the time from the start of the write to the stream's
// announcement of it.
func liveDelay(ctx context.Context, base, secret string, clients, updates int, conv func(i int) string, write func(conv string, i int) error) (Result, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	started := map[string]time.Time{}
	var durs []time.Duration
	got := make(chan struct{}, clients*updates)
	var ready, done sync.WaitGroup
	for range clients {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/live", nil)
			req.AddCookie(&http.Cookie{Name: "kesher_session", Value: secret})
			res, err := http.DefaultClient.Do(req)
			ready.Done()
			if err != nil {
				return
			}
			defer res.Body.Close()
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				line := sc.Text()
				if !strings.HasPrefix(line, "data: ") {
					continue
				}
				at := time.Now()
				mu.Lock()
				for conv, t := range started {
					if strings.Contains(line, conv) {
						durs = append(durs, at.Sub(t))
					}
				}
				mu.Unlock()
				got <- struct{}{}
			}
		}()
	}
	ready.Wait()
	time.Sleep(200 * time.Millisecond) // every stream subscribed
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	begin := time.Now()
	for i := range updates {
		// One write at a time, so an announcement names one write.
		c := conv(i)
		mu.Lock()
		clear(started)
		started[c] = time.Now()
		mu.Unlock()
		if err := write(c, i); err != nil {
			return Result{}, err
		}
		// Wait for every stream to hear of it before the next write.
		deadline := time.After(5 * time.Second)
		for range clients {
			select {
			case <-got:
			case <-deadline:
				return Result{}, fmt.Errorf("live update %d did not reach every stream within 5 s", i)
			}
		}
	}
	res := summarize(fmt.Sprintf("live update, write start → %d open streams told", clients), durs, time.Since(begin))
	res.Note = fmt.Sprintf("Go heap in use with %d streams open (server and clients): %.1f MiB", clients, float64(mem.HeapInuse)/(1<<20))
	cancel()
	done.Wait()
	return res, nil
}
