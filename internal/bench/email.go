package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/channel/email"
	"kesher/internal/desk"
	"kesher/internal/jobs"
	"kesher/internal/server"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

// EmailConfig says what the email benchmark runs and for how long.
type EmailConfig struct {
	// DataDir is an empty directory; each run gets a fresh SQLite
	// database in a folder of its own.
	DataDir string
	// Senders is how many SMTP clients deliver at once; 8 when zero. The
	// HTTP baseline runs as many clients.
	Senders      int
	Duration     time.Duration // measured time of each ingest run; 10 s when zero
	Warmup       time.Duration // unmeasured run first; a tenth of Duration when zero, none when negative
	MessageBytes int           // size of each email; 10 KiB when zero
	// SampleEvery makes every n-th message of a sender a probe whose
	// visibility in the inbox API is checked right after its 250; 10
	// when zero.
	SampleEvery int
	// Replies is how many queued replies the outbound run drains; 2000
	// when zero.
	Replies int
}

func (cfg *EmailConfig) defaults() {
	if cfg.Senders == 0 {
		cfg.Senders = 8
	}
	if cfg.Duration == 0 {
		cfg.Duration = 10 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = cfg.Duration / 10
	}
	if cfg.MessageBytes == 0 {
		cfg.MessageBytes = 10 << 10
	}
	if cfg.SampleEvery == 0 {
		cfg.SampleEvery = 10
	}
	if cfg.Replies == 0 {
		cfg.Replies = 2000
	}
}

// EmailReport is what the email benchmark measured.
type EmailReport struct {
	// Ingest is the time from the end of a message's DATA to its 250, over
	// every message of the measured run; its rate is the sustained rate.
	Ingest Result
	// Visible is, for the probes, the time from the end of DATA until the
	// message's conversation was read back through the inbox API.
	Visible Result
	// Baseline is POST /api/v1/conversations with the same text, as many
	// clients, on a fresh database: the desk's own intake over HTTP.
	Baseline Result
	// Outbound is the drain of the queued replies to an SMTP sink: N
	// replies in Elapsed.
	Outbound Result
	// Memory while ingesting: the Go heap in use and the process's
	// resident set, which includes the load generator.
	HeapStart, HeapPeak, RSSStart, RSSPeak uint64
}

// Email runs the email benchmark: SMTP ingest through the real listener,
// the HTTP baseline, and the outbound drain, each on a fresh SQLite
// database with group commit, as kesher serve runs it.
func Email(ctx context.Context, cfg EmailConfig) (*EmailReport, error) {
	cfg.defaults()
	rep := &EmailReport{}
	if err := emailIngest(ctx, cfg, rep); err != nil {
		return rep, fmt.Errorf("smtp ingest: %w", err)
	}
	if err := emailBaseline(ctx, cfg, rep); err != nil {
		return rep, fmt.Errorf("http baseline: %w", err)
	}
	if err := emailOutbound(ctx, cfg, rep); err != nil {
		return rep, fmt.Errorf("outbound: %w", err)
	}
	return rep, nil
}

// benchDesk is a desk on a fresh SQLite database, its API on a loopback
// port and an admin token, as the benchmarks' clients see it.
type benchDesk struct {
	db    *store.DB
	desk  *desk.Desk
	url   string
	token string
	log   *slog.Logger
	stop  func()
}

// openDesk opens a fresh desk in dir. Committed writes wake runner, when
// given, as kesher serve's do.
func openDesk(ctx context.Context, dir string, wake func()) (*benchDesk, error) {
	// The desk logs as in production, into a discard.
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	db, err := store.Open(ctx, store.Config{DataDir: dir, GroupCommit: true, Logger: log})
	if err != nil {
		return nil, err
	}
	var pub kesher.Publisher
	if wake != nil {
		pub = wakeOnPublish(wake)
	}
	d := desk.New(desk.Config{Store: db, Logger: log, Publisher: pub})
	admin, err := d.CreateUser(ctx, desk.NewUser{Email: "bench@bench.kesher.example", Name: "Bench", Role: kesher.RoleAdmin})
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	token, _, err := d.CreateToken(ctx, admin.ID, "bench email")
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	srv := server.New(server.Config{API: api.New(api.Config{Desk: d, Logger: log}), Ready: db.Ping, Logger: log,
		Registry: prometheus.NewRegistry()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln, 10*time.Second) }()
	return &benchDesk{db: db, desk: d, url: "http://" + ln.Addr().String(), token: token, log: log, stop: func() {
		stop()
		<-served
		_ = db.Close()
	}}, nil
}

type wakeOnPublish func()

func (w wakeOnPublish) Publish([]*kesher.Event) { w() }

// recorder gathers the latencies and failures of concurrent clients.
type recorder struct {
	mu    sync.Mutex
	durs  map[string][]time.Duration
	errs  int
	first error
}

func newRecorder() *recorder { return &recorder{durs: map[string][]time.Duration{}} }

func (r *recorder) add(name string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.durs[name] = append(r.durs[name], d)
}

func (r *recorder) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs++
	if r.first == nil {
		r.first = err
	}
}

// phase runs client(c, measured, deadline) for each of n clients at once
// and returns how long they took.
func phase(n int, d time.Duration, client func(c int, deadline time.Time)) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for c := range n {
		wg.Go(func() { client(c, start.Add(d)) })
	}
	wg.Wait()
	return time.Since(start)
}

// emailRun keeps the messages of two runs on one database apart.
var emailRun = uniqueRun()

// letters makes the benchmark's emails: Hebrew text in UTF-8, base64
// encoded as Gmail sends it, of about MessageBytes each. Sender c's n-th
// email comes from customer n/3 of that sender: every third is a reply
// (In-Reply-To the one before), the others start conversations.
type letters struct {
	bodies []string // base64 lines, CRLF-terminated
	texts  []string // the same bodies decoded, for the HTTP baseline
}

func newLetters(size int) letters {
	var l letters
	for k := range 8 {
		var text strings.Builder
		for i := k; text.Len()*4/3 < size-700; i++ {
			text.WriteString(fill(heCustomer[i%len(heCustomer)], 100000+i))
			text.WriteString("\r\n\r\n")
		}
		enc := base64.StdEncoding.EncodeToString([]byte(text.String()))
		var b strings.Builder
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
		l.bodies, l.texts = append(l.bodies, b.String()), append(l.texts, text.String())
	}
	return l
}

// letter is one email to deliver.
type letter struct {
	from, rcpt, subject string
	raw                 []byte
}

func (l letters) letter(phase string, c, n int, rcpt string, probe bool) letter {
	id := func(n int) string { return fmt.Sprintf("%s.%s.%d.%d@bench.example", emailRun, phase, c, n) }
	who := n / 3
	from := fmt.Sprintf("s%s.%s%d.%d@bench.example", emailRun, phase, c, who)
	name := heFirst[(c+who)%len(heFirst)] + " " + heLast[who%len(heLast)]
	subject := fill(heSubjects[n%len(heSubjects)], 100000+n) + fmt.Sprintf(" (%s-%d-%d)", phase, c, n)
	reply := n%3 == 1 && !probe
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: %s\r\n", mime.BEncoding.Encode("UTF-8", name), from, rcpt)
	if reply {
		subject = "Re: " + fill(heSubjects[(n-1)%len(heSubjects)], 100000+n-1) + fmt.Sprintf(" (%s-%d-%d)", phase, c, n-1)
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", id(n-1), id(n-1))
	}
	fmt.Fprintf(&b, "Subject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n", mime.BEncoding.Encode("UTF-8", subject), id(n),
		time.Now().Format(time.RFC1123Z))
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(l.bodies[(c+n)%len(l.bodies)])
	return letter{from: from, rcpt: rcpt, subject: subject, raw: b.Bytes()}
}

// emailIngest delivers email through the real SMTP listener from
// cfg.Senders connections at once, into a desk wired as kesher serve wires
// it (the job runner woken by every commit), and samples memory meanwhile.
func emailIngest(ctx context.Context, cfg EmailConfig, rep *EmailReport) error {
	// The runner needs the desk, which wakes it: it is set before any
	// email comes.
	var runner *jobs.Runner
	bd, err := openDesk(ctx, filepath.Join(cfg.DataDir, "smtp"), func() {
		if runner != nil {
			runner.Wake()
		}
	})
	if err != nil {
		return err
	}
	defer bd.stop()
	sender := email.NewSender(email.SenderConfig{Desk: bd.desk, Blobs: bd.db, Logger: bd.log})
	runner = jobs.New(jobs.Config{Store: bd.db, Handlers: sender.Handlers(), OnFinish: sender.OnFinish, Logger: bd.log})
	rctx, stopRunner := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- runner.Run(rctx) }()
	defer func() { stopRunner(); <-ran }()

	// The probes of sender c go to a mailbox of team c of their own, so
	// that the newest conversation of that team in the inbox is the probe.
	const inbox = "support@bench.example"
	if _, err := bd.desk.SaveMailbox(ctx, "", desk.MailboxInput{Address: inbox, Name: "תמיכה", SMTP: true}); err != nil {
		return err
	}
	teams := make([]string, cfg.Senders)
	for c := range cfg.Senders {
		team, err := bd.desk.SaveTeam(ctx, "", desk.TeamInput{Name: fmt.Sprintf("בדיקה %d", c)})
		if err != nil {
			return err
		}
		teams[c] = team.ID
		if _, err := bd.desk.SaveMailbox(ctx, "", desk.MailboxInput{Address: probeAddress(c), Name: "בדיקה", TeamID: team.ID, SMTP: true}); err != nil {
			return err
		}
	}
	listener, err := email.NewSMTPServer(email.SMTPConfig{Desk: bd.desk, Addr: "127.0.0.1:0", Domain: "mx.bench.example", Logger: bd.log})
	if err != nil {
		return err
	}
	lctx, stopListener := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- listener.Serve(lctx, 10*time.Second) }()
	defer func() { stopListener(); <-served }()

	ls := newLetters(cfg.MessageBytes)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Senders}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	run := func(name string, d time.Duration, measure bool) (*recorder, time.Duration) {
		rec := newRecorder()
		elapsed := phase(cfg.Senders, d, func(c int, deadline time.Time) {
			conn, err := smtp.Dial(listener.Addr().String())
			if err != nil {
				rec.fail(err)
				return
			}
			defer conn.Close()
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				probe := measure && n%cfg.SampleEvery == cfg.SampleEvery-1
				rcpt := inbox
				if probe {
					rcpt = probeAddress(c)
				}
				l := ls.letter(name, c, n, rcpt, probe)
				start, err := deliver(conn, l)
				if err != nil {
					rec.fail(err)
					return
				}
				rec.add("ingest", time.Since(start))
				if probe {
					if err := newestSubject(client, bd, teams[c], l.subject); err != nil {
						rec.fail(err)
						continue
					}
					rec.add("visible", time.Since(start))
				}
			}
			_ = conn.Quit()
		})
		return rec, elapsed
	}
	if cfg.Warmup > 0 {
		if rec, _ := run("w", cfg.Warmup, false); rec.first != nil {
			return fmt.Errorf("warm-up: %w", rec.first)
		}
	}
	mem := sampleMemory()
	rec, elapsed := run("m", cfg.Duration, true)
	rep.HeapStart, rep.HeapPeak, rep.RSSStart, rep.RSSPeak = mem()
	rep.Ingest = summarize(fmt.Sprintf("SMTP ingest, %d senders, %d KB: end of DATA → 250", cfg.Senders, cfg.MessageBytes>>10), rec.durs["ingest"], elapsed)
	rep.Ingest.Errors = rec.errs
	rep.Visible = summarize("SMTP ingest: end of DATA → visible in GET /api/v1/conversations (probes)", rec.durs["visible"], elapsed)
	if rec.first != nil {
		return fmt.Errorf("%d deliveries failed, the first with: %w", rec.errs, rec.first)
	}
	return ctx.Err()
}

func probeAddress(c int) string { return fmt.Sprintf("probe-%d@bench.example", c) }

// deliver sends one letter over conn and returns when the client's data
// ended, the start of the wait for the listener's answer.
func deliver(conn *smtp.Client, l letter) (time.Time, error) {
	if err := conn.Mail(l.from, nil); err != nil {
		return time.Time{}, err
	}
	if err := conn.Rcpt(l.rcpt, nil); err != nil {
		return time.Time{}, err
	}
	w, err := conn.Data()
	if err != nil {
		return time.Time{}, err
	}
	if _, err := w.Write(l.raw); err != nil {
		return time.Time{}, err
	}
	start := time.Now()
	return start, w.Close()
}

// newestSubject checks that the newest conversation of a team in the
// inbox API has the given subject.
func newestSubject(client *http.Client, bd *benchDesk, team, subject string) error {
	req, err := http.NewRequest(http.MethodGet, bd.url+"/api/v1/conversations?limit=1&team="+url.QueryEscape(team), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+bd.token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var list struct{ Items []struct{ Subject string } }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		return err
	}
	if len(list.Items) == 0 || list.Items[0].Subject != subject {
		return fmt.Errorf("the inbox does not show %q right after its 250: %+v", subject, list.Items)
	}
	return nil
}

// sampleMemory samples the Go heap in use and the resident set every
// 100 ms until the returned function is called, which returns the values
// at the start and the peaks.
func sampleMemory() func() (heapStart, heapPeak, rssStart, rssPeak uint64) {
	heap := func() uint64 {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	heapStart, rssStart := heap(), rss()
	heapPeak, rssPeak := heapStart, rssStart
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				heapPeak, rssPeak = max(heapPeak, heap()), max(rssPeak, rss())
			}
		}
	}()
	return func() (uint64, uint64, uint64, uint64) {
		close(done)
		<-stopped
		return heapStart, heapPeak, rssStart, rssPeak
	}
}

// rss reads the process's resident set size from /proc/self/status; 0
// where there is no /proc.
func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// emailBaseline creates the same conversations through the HTTP API: the
// same text, customers and clients, on a fresh database.
func emailBaseline(ctx context.Context, cfg EmailConfig, rep *EmailReport) error {
	bd, err := openDesk(ctx, filepath.Join(cfg.DataDir, "api"), nil)
	if err != nil {
		return err
	}
	defer bd.stop()
	ls := newLetters(cfg.MessageBytes)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Senders}, Timeout: 30 * time.Second}
	defer client.CloseIdleConnections()
	run := func(name string, d time.Duration) (*recorder, time.Duration) {
		rec := newRecorder()
		elapsed := phase(cfg.Senders, d, func(c int, deadline time.Time) {
			for n := 0; time.Now().Before(deadline) && ctx.Err() == nil; n++ {
				l := ls.letter(name, c, n, "", true)
				body, _ := json.Marshal(map[string]any{
					"customer": map[string]string{"email": l.from}, "subject": l.subject, "channel": "email",
					"message": map[string]string{"body_text": ls.texts[(c+n)%len(ls.texts)]},
				})
				start := time.Now()
				if err := post(client, bd.url+"/api/v1/conversations", bd.token, body); err != nil {
					rec.fail(err)
					continue
				}
				rec.add("create", time.Since(start))
			}
		})
		return rec, elapsed
	}
	if cfg.Warmup > 0 {
		if rec, _ := run("w", cfg.Warmup); rec.first != nil {
			return fmt.Errorf("warm-up: %w", rec.first)
		}
	}
	rec, elapsed := run("m", cfg.Duration)
	rep.Baseline = summarize(fmt.Sprintf("baseline: POST /api/v1/conversations, %d clients, same text", cfg.Senders), rec.durs["create"], elapsed)
	rep.Baseline.Errors = rec.errs
	if rec.first != nil {
		return fmt.Errorf("%d requests failed, the first with: %w", rec.errs, rec.first)
	}
	return ctx.Err()
}

// emailOutbound queues cfg.Replies agent replies, each to a conversation
// that a customer's email started, with the job runner stopped, then
// starts the runner as kesher serve configures it and measures how long
// it takes to send them all to an SMTP sink and record them sent.
func emailOutbound(ctx context.Context, cfg EmailConfig, rep *EmailReport) error {
	bd, err := openDesk(ctx, filepath.Join(cfg.DataDir, "outbound"), nil)
	if err != nil {
		return err
	}
	defer bd.stop()
	sink, err := testkit.StartSMTPSink()
	if err != nil {
		return err
	}
	defer sink.Close()
	relay := kesher.RelaySettings{Host: sink.Host, Port: sink.Port, Security: kesher.SecurityNone}
	const address = "support@bench.example"
	if _, err := bd.desk.SaveMailbox(ctx, "", desk.MailboxInput{Address: address, Name: "נוגה בית", Signature: "נוגה בית – שירות לקוחות",
		SMTP: true, Relay: relay}); err != nil {
		return err
	}
	agent, err := bd.desk.CreateUser(ctx, desk.NewUser{Email: "agent@bench.example", Name: "רונית לוי", Role: kesher.RoleAgent})
	if err != nil {
		return err
	}
	asAgent := kesher.WithActor(ctx, agent)
	ls := newLetters(2 << 10)
	rec := newRecorder()
	const setup = 16
	var wg sync.WaitGroup
	for w := range setup {
		wg.Go(func() {
			for n := w; n < cfg.Replies && ctx.Err() == nil; n += setup {
				l := ls.letter("o", w, n, address, true)
				res, err := bd.desk.IngestEmail(ctx, desk.InboundEmail{Recipients: []string{address}, Raw: l.raw, Source: "smtp"})
				if err == nil {
					_, err = bd.desk.AddMessage(asAgent, res.ConversationID, desk.NewMessage{BodyText: fill(heAgent[n%len(heAgent)], 100000+n)})
				}
				if err != nil {
					rec.fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if rec.first != nil {
		return fmt.Errorf("queueing replies: %w", rec.first)
	}
	sender := email.NewSender(email.SenderConfig{Desk: bd.desk, Blobs: bd.db, Logger: bd.log})
	runner := jobs.New(jobs.Config{Store: bd.db, Handlers: sender.Handlers(), OnFinish: sender.OnFinish, Logger: bd.log})
	start := time.Now()
	rctx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- runner.Run(rctx) }()
	defer func() { stop(); <-ran }()
	if _, err := sink.WaitFor(cfg.Replies, 5*time.Minute); err != nil {
		return err
	}
	for {
		n, err := bd.db.CountJobs(ctx, kesher.JobPending)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	failed, err := bd.db.CountJobs(ctx, kesher.JobFailed)
	if err != nil {
		return err
	}
	if got := len(sink.Messages()); failed > 0 || got != cfg.Replies {
		return fmt.Errorf("%d replies reached the sink and %d jobs failed, want %d sent", got, failed, cfg.Replies)
	}
	rep.Outbound = Result{Name: fmt.Sprintf("outbound: %d queued replies sent to an SMTP sink and recorded", cfg.Replies), N: cfg.Replies,
		Elapsed: elapsed, OpsPerSec: float64(cfg.Replies) / elapsed.Seconds()}
	return nil
}
