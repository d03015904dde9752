package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/store"
)

// ChatConfig sizes the chat benchmark.
type ChatConfig struct {
	// Bin is the kesher binary that runs the node (kesher serve).
	Bin string
	// DataDir is a fresh data directory; the node keeps SQLite in it.
	DataDir string
	// Conns visitors hold a widget connection each (10,000 when zero) and
	// send Rate messages a second between them (1,000 when zero) for
	// Duration (20 s when zero), then again across a restart.
	Conns    int
	Rate     int
	Duration time.Duration
	Progress io.Writer
}

// ChatResult is what the chat benchmark measured.
type ChatResult struct {
	Conns int
	// Delivery is from a visitor's send to the agent's live stream
	// announcing the committed message; Ack from the send to the
	// visitor's acknowledgement.
	Delivery, Ack Result
	// IdleRSS and IdleHeap are the node's resident memory and Go heap
	// (in use, with stacks) per open idle connection, in bytes.
	IdleRSS, IdleHeap float64
	// Reconnect is how long after the node was ready again every visitor
	// was welcomed back; Down how long it was away (SIGTERM to ready).
	Reconnect, Down time.Duration
	// Sent messages were sent (each once, or again after a lost
	// connection), Acked acknowledged, Stored stored once each in the
	// desk; Lost is Sent minus Stored.
	Sent, Acked, Stored, Lost int
}

func (r ChatResult) String() string {
	return fmt.Sprintf("%d connections; idle %.1f KB RSS and %.1f KB heap+stacks per connection; delivery p50 %s ms, p95 %s ms, p99 %s ms over %d messages (%.0f/s); "+
		"ack p99 %s ms; restart: down %v, every visitor back %v after ready; sent %d, acked %d, stored %d, lost %d",
		r.Conns, r.IdleRSS/1000, r.IdleHeap/1000, ms(r.Delivery.P50), ms(r.Delivery.P95), ms(r.Delivery.P99), r.Delivery.N, r.Delivery.OpsPerSec,
		ms(r.Ack.P99), r.Down.Round(time.Millisecond), r.Reconnect.Round(time.Millisecond), r.Sent, r.Acked, r.Stored, r.Lost)
}

// Chat measures the chat channel on one node, run as its own process
// (kesher serve) so that its memory is its own: Conns visitors connect,
// their memory is read while they idle, then they send Rate messages a
// second while an agent's live stream (/live) watches; the node is
// restarted (SIGTERM, then serve again on the same data and port) while
// they keep writing, and they reconnect with backoff and re-send what was
// not acknowledged, as the widget does. Finally every message must be
// stored exactly once.
func Chat(ctx context.Context, cfg ChatConfig) (ChatResult, error) {
	cfg.Conns = orInt(cfg.Conns, 10_000)
	cfg.Rate = orInt(cfg.Rate, 1_000)
	if cfg.Duration == 0 {
		cfg.Duration = 20 * time.Second
	}
	res := ChatResult{Conns: cfg.Conns}
	progress := func(format string, a ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", a...)
		}
	}
	if err := raiseFileLimit(); err != nil {
		return res, err
	}
	session, err := chatAgent(ctx, cfg.DataDir)
	if err != nil {
		return res, err
	}
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	n := &chatNode{bin: cfg.Bin, dir: cfg.DataDir, addr: addr, conns: cfg.Conns}
	if err := n.start(ctx); err != nil {
		return res, err
	}
	defer n.stop()
	base := "http://" + addr

	rssBefore, heapBefore, err := n.memory(ctx)
	if err != nil {
		return res, err
	}
	l := &chatLoad{base: base, sent: map[string]time.Time{}, acked: map[string]string{}, seen: map[string]time.Time{}}
	visitors := make([]*visitor, cfg.Conns)
	for i := range visitors {
		visitors[i] = &visitor{l: l, id: i}
	}
	began := time.Now()
	if err := connectAll(ctx, visitors); err != nil {
		return res, err
	}
	progress("%d visitors connected in %v", cfg.Conns, time.Since(began).Round(time.Millisecond))
	time.Sleep(2 * time.Second) // idle
	rssAfter, heapAfter, err := n.memory(ctx)
	if err != nil {
		return res, err
	}
	res.IdleRSS = float64(rssAfter-rssBefore) / float64(cfg.Conns)
	res.IdleHeap = float64(heapAfter-heapBefore) / float64(cfg.Conns)
	progress("idle: %.1f KB RSS, %.1f KB heap per connection", res.IdleRSS/1000, res.IdleHeap/1000)

	liveCtx, stopLive := context.WithCancel(ctx)
	defer stopLive()
	go l.watch(liveCtx, session)
	time.Sleep(300 * time.Millisecond) // the stream is subscribed

	sendCtx, stopSending := context.WithCancel(ctx)
	sending := make(chan struct{})
	go func() { defer close(sending); l.send(sendCtx, visitors, cfg.Rate) }()
	time.Sleep(cfg.Duration)
	measured := time.Now()
	l.mu.Lock()
	res.Delivery, res.Ack = l.delivery(began), l.ackTimes()
	l.mu.Unlock()
	res.Delivery.Elapsed = cfg.Duration
	res.Delivery.OpsPerSec = float64(res.Delivery.N) / cfg.Duration.Seconds()
	progress("delivery: p50 %s ms, p99 %s ms over %d messages", ms(res.Delivery.P50), ms(res.Delivery.P99), res.Delivery.N)

	// The restart, while the visitors keep writing.
	for _, v := range visitors {
		v.welcomed.Store(false)
	}
	down := time.Now()
	n.stop()
	if err := n.start(ctx); err != nil {
		stopSending()
		return res, err
	}
	ready := time.Now()
	res.Down = ready.Sub(down)
	for deadline := ready.Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		back := 0
		for _, v := range visitors {
			if v.welcomed.Load() {
				back++
			}
		}
		if back == len(visitors) {
			res.Reconnect = time.Since(ready)
			break
		}
		if time.Now().After(deadline) {
			stopSending()
			return res, fmt.Errorf("%d of %d visitors were not back 60 s after the restart", len(visitors)-back, len(visitors))
		}
	}
	progress("restart: down %v, all visitors back %v after ready", res.Down.Round(time.Millisecond), res.Reconnect.Round(time.Millisecond))
	time.Sleep(time.Until(measured.Add(cfg.Duration / 2)))
	stopSending()
	<-sending
	// Everything unacknowledged is sent again until it is acknowledged.
	for deadline := time.Now().Add(30 * time.Second); l.unacked() > 0; time.Sleep(time.Second) {
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%d messages still unacknowledged 30 s after sending stopped", l.unacked())
		}
		for _, v := range visitors {
			v.resend()
		}
	}
	stopLive()
	for _, v := range visitors {
		v.close()
	}
	n.stop()
	l.mu.Lock()
	res.Sent, res.Acked = len(l.sent), len(l.acked)
	l.mu.Unlock()
	stored, err := storedChat(ctx, cfg.DataDir)
	if err != nil {
		return res, err
	}
	res.Stored, res.Lost = stored, res.Sent-stored
	return res, nil
}

// raiseFileLimit lifts the process's open-file limit to its hard limit:
// every connection is a descriptor here and one in the node, which
// inherits the limit.
func raiseFileLimit() error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return err
	}
	lim.Cur = lim.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// chatAgent makes the agent whose live stream watches, online (so the
// widget chats rather than offering email), and returns a session's
// secret.
func chatAgent(ctx context.Context, dir string) (string, error) {
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		return "", err
	}
	defer db.Close()
	d := desk.New(desk.Config{Store: db})
	u, err := d.CreateUser(ctx, desk.NewUser{Email: "bench-chat@example.com", Name: "נציגת צ'אט", Role: kesher.RoleAgent, Password: benchPassword})
	if err != nil {
		return "", err
	}
	online := kesher.Online
	if _, err := d.UpdateUser(ctx, u.ID, desk.UserUpdate{Availability: &online}); err != nil {
		return "", err
	}
	secret, _, _, err := d.SignIn(ctx, desk.SignIn{Email: u.Email, Password: benchPassword})
	return secret, err
}

// storedChat counts the messages of the chat conversations.
func storedChat(ctx context.Context, dir string) (int, error) {
	db, err := store.Open(ctx, store.Config{DataDir: dir})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	n := 0
	f := kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelChat}, Page: kesher.Page{Limit: kesher.MaxPageLimit}}
	for {
		cs, next, err := db.Conversations(ctx, f)
		if err != nil {
			return 0, err
		}
		for _, c := range cs {
			n += c.MessageCount
		}
		if next == "" {
			return n, nil
		}
		f.Page.Cursor = next
	}
}

// chatNode is the node under test: kesher serve in a process of its own.
type chatNode struct {
	bin, dir, addr string
	conns          int
	cmd            *exec.Cmd
}

func (n *chatNode) start(ctx context.Context) error {
	n.cmd = exec.Command(n.bin, "serve", "--data", n.dir, "--addr", n.addr, "--log-level", "error",
		"--chat-conns-per-ip", strconv.Itoa(n.conns+100))
	n.cmd.Stderr = os.Stderr
	if err := n.cmd.Start(); err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://" + n.addr + "/readyz")
		if err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("the node did not start: %v", err)
		}
	}
}

func (n *chatNode) stop() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
	n.cmd = nil
}

// memory reads the node's resident set (from /proc) and its Go heap in
// use plus stacks (from /metrics).
func (n *chatNode) memory(ctx context.Context) (rss, heap int64, err error) {
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(n.cmd.Process.Pid), "status"))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			rss = kb << 10
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.addr+"/metrics", nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		for _, name := range []string{"go_memstats_heap_inuse_bytes ", "go_memstats_stack_inuse_bytes "} {
			if v, ok := strings.CutPrefix(sc.Text(), name); ok {
				f, _ := strconv.ParseFloat(v, 64)
				heap += int64(f)
			}
		}
	}
	return rss, heap, sc.Err()
}

// chatLoad is what the visitors and the agent's stream share.
type chatLoad struct {
	base string
	mu   sync.Mutex
	// sent is when each message (by its widget id) was first sent; acked
	// maps it to its message id, with ackAt the time; seen is when the
	// agent's stream announced each message id.
	sent  map[string]time.Time
	acked map[string]string
	ackAt []time.Duration
	seen  map[string]time.Time
}

// watch reads the agent's live stream, as an agent's open page does.
func (l *chatLoad) watch(ctx context.Context, session string) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, l.base+"/live", nil)
	req.AddCookie(&http.Cookie{Name: "kesher_session", Value: session})
	for ctx.Err() == nil {
		res, err := http.DefaultClient.Do(req.Clone(ctx))
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		sc := bufio.NewScanner(res.Body)
		for sc.Scan() {
			data, ok := strings.CutPrefix(sc.Text(), "data: ")
			if !ok {
				continue
			}
			at := time.Now()
			var c struct {
				Type      string `json:"type"`
				MessageID string `json:"message_id"`
			}
			if json.Unmarshal([]byte(data), &c) == nil && c.Type == kesher.EventMessageAdded {
				l.mu.Lock()
				if _, ok := l.seen[c.MessageID]; !ok {
					l.seen[c.MessageID] = at
				}
				l.mu.Unlock()
			}
		}
		_ = res.Body.Close()
	}
}

// delivery computes send → announcement for the messages sent after
// since; l.mu is held.
func (l *chatLoad) delivery(since time.Time) Result {
	var durs []time.Duration
	for cid, id := range l.acked {
		sent := l.sent[cid]
		if at, ok := l.seen[id]; ok && sent.After(since) {
			durs = append(durs, at.Sub(sent))
		}
	}
	return summarize("chat: visitor send → agent's live stream", durs, 0)
}

func (l *chatLoad) ackTimes() Result {
	return summarize("chat: visitor send → acknowledgement", append([]time.Duration(nil), l.ackAt...), 0)
}

func (l *chatLoad) unacked() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.sent) - len(l.acked)
}

// send spreads rate messages a second over the visitors, in turn, on a
// schedule of its own: a message is due at its time whether or not the
// ones before it were written yet, so a slow node meets the load it was
// offered (up to 512 writes under way).
func (l *chatLoad) send(ctx context.Context, visitors []*visitor, rate int) {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	sem := make(chan struct{}, 512)
	start := time.Now()
	for i := 0; ; {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			for due := int(now.Sub(start).Seconds() * float64(rate)); i < due; i++ {
				sem <- struct{}{}
				go func(v *visitor, n int) {
					defer func() { <-sem }()
					v.say(fmt.Sprintf("הודעה %d מהמבקר", n))
				}(visitors[i%len(visitors)], i)
			}
		}
	}
}

// visitor is one widget: it keeps its secret, its last message and what
// it has not seen acknowledged, and reconnects with backoff.
type visitor struct {
	l        *chatLoad
	id       int
	mu       sync.Mutex
	ws       *websocket.Conn
	token    string
	pending  map[string]string // widget id → text
	seq      int
	welcomed atomic.Bool
	closed   atomic.Bool
	up       chan struct{}
}

// connectAll connects every visitor, 200 at a time (the kernel's accept
// queue is finite), and waits until each is welcomed.
func connectAll(ctx context.Context, vs []*visitor) error {
	sem := make(chan struct{}, 200)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for _, v := range vs {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			v.pending, v.up = map[string]string{}, make(chan struct{})
			go v.run(ctx)
			select {
			case <-v.up:
			case <-time.After(30 * time.Second):
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		return fmt.Errorf("%d visitors could not connect", n)
	}
	return nil
}

// run keeps the visitor connected until closed.
func (v *visitor) run(ctx context.Context) {
	first := true
	for attempt := 0; !v.closed.Load() && ctx.Err() == nil; {
		err := v.session(ctx, &first)
		if v.closed.Load() {
			return
		}
		if err == nil {
			attempt = 0
		}
		wait := min(8*time.Second, 250*time.Millisecond<<min(attempt, 6))
		attempt++
		time.Sleep(time.Duration(float64(wait) * (0.5 + rand.Float64()/2)))
	}
}

// session is one connection: hello, then acknowledgements until it breaks.
func (v *visitor) session(ctx context.Context, first *bool) error {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	ws, _, err := websocket.Dial(dctx, strings.Replace(v.l.base, "http", "ws", 1)+"/chat/ws?lang=he", nil)
	cancel()
	if err != nil {
		return err
	}
	defer ws.CloseNow()
	v.mu.Lock()
	v.ws = ws
	hello, _ := json.Marshal(map[string]string{"t": "hello", "token": v.token})
	v.mu.Unlock()
	if err := ws.Write(ctx, websocket.MessageText, hello); err != nil {
		return err
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			v.mu.Lock()
			v.ws = nil
			v.mu.Unlock()
			return err
		}
		var f struct {
			T, Token, CID string
			Msg           struct{ ID string }
		}
		if json.Unmarshal(data, &f) != nil {
			return errors.New("not a frame")
		}
		switch f.T {
		case "welcome":
			if f.Token != "" {
				v.mu.Lock()
				v.token = f.Token
				v.mu.Unlock()
			}
			v.welcomed.Store(true)
			if *first {
				*first = false
				close(v.up)
			}
			v.resend()
		case "ack":
			now := time.Now()
			v.mu.Lock()
			delete(v.pending, f.CID)
			v.mu.Unlock()
			v.l.mu.Lock()
			if _, ok := v.l.acked[f.CID]; !ok {
				v.l.acked[f.CID] = f.Msg.ID
				v.l.ackAt = append(v.l.ackAt, now.Sub(v.l.sent[f.CID]))
			}
			v.l.mu.Unlock()
		}
	}
}

// say sends a new message, or keeps it for the next connection.
func (v *visitor) say(text string) {
	v.mu.Lock()
	v.seq++
	cid := fmt.Sprintf("%d-%d", v.id, v.seq)
	v.pending[cid] = text
	v.mu.Unlock()
	v.l.mu.Lock()
	v.l.sent[cid] = time.Now()
	v.l.mu.Unlock()
	v.write(cid, text)
}

// resend sends again what was not acknowledged.
func (v *visitor) resend() {
	v.mu.Lock()
	pending := make(map[string]string, len(v.pending))
	for cid, text := range v.pending {
		pending[cid] = text
	}
	v.mu.Unlock()
	for cid, text := range pending {
		v.write(cid, text)
	}
}

func (v *visitor) write(cid, text string) {
	v.mu.Lock()
	ws := v.ws
	v.mu.Unlock()
	if ws == nil || !v.welcomed.Load() {
		return
	}
	b, _ := json.Marshal(map[string]string{"t": "msg", "cid": cid, "text": text})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = ws.Write(ctx, websocket.MessageText, b)
}

func (v *visitor) close() {
	v.closed.Store(true)
	v.mu.Lock()
	ws := v.ws
	v.mu.Unlock()
	if ws != nil {
		_ = ws.CloseNow()
	}
}
