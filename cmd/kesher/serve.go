package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/bus"
	"kesher/internal/channel/chat"
	"kesher/internal/channel/email"
	"kesher/internal/channel/messaging"
	"kesher/internal/channel/telegram"
	"kesher/internal/channel/whatsapp"
	"kesher/internal/desk"
	"kesher/internal/jobs"
	"kesher/internal/server"
	"kesher/internal/web"
)

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, c := newFlags("serve", stderr)
	addr := fs.String("addr", env("KESHER_ADDR", "127.0.0.1:8080"), "HTTP listen address [KESHER_ADDR]")
	maxBody := fs.Int64("max-body", envInt("KESHER_MAX_BODY", 1<<20), "largest JSON request body in bytes [KESHER_MAX_BODY]")
	drain := fs.Duration("shutdown-timeout", 30*time.Second, "how long shutdown waits for in-flight requests and SMTP sessions")
	secure := fs.Bool("secure-cookies", envBool("KESHER_SECURE_COOKIES", false), "mark cookies Secure: set it when users reach the desk over HTTPS [KESHER_SECURE_COOKIES]")
	smtpAddr := fs.String("smtp-addr", env("KESHER_SMTP_ADDR", ""), "SMTP listen address for inbound mail, such as 127.0.0.1:2525; empty: no listener [KESHER_SMTP_ADDR]")
	smtpMax := fs.Int64("smtp-max-bytes", envInt("KESHER_SMTP_MAX_BYTES", email.DefaultMaxBytes), "largest inbound email in bytes [KESHER_SMTP_MAX_BYTES]")
	smtpDomain := fs.String("smtp-domain", env("KESHER_SMTP_DOMAIN", ""), "the name the SMTP listener greets with; empty: the host name [KESHER_SMTP_DOMAIN]")
	publicURL := fs.String("public-url", env("KESHER_PUBLIC_URL", ""), "where customers reach the desk, such as https://help.example.com; acknowledgements link to its /help [KESHER_PUBLIC_URL]")
	own := &c.ownership
	fs.DurationVar(&own.ReminderBefore, "reminder-before", envDuration("KESHER_REMINDER_BEFORE", time.Hour),
		"how long before its due time a commitment is reminded to its owner [KESHER_REMINDER_BEFORE]")
	fs.DurationVar(&own.EscalationTarget, "escalation-target", envDuration("KESHER_ESCALATION_TARGET", time.Hour),
		"how soon an escalation's owner must respond [KESHER_ESCALATION_TARGET]")
	fs.IntVar(&own.HandoffAlert, "handoff-alert", int(envInt("KESHER_HANDOFF_ALERT", 4)),
		"hand-offs of one conversation at which its team lead is alerted (the UI warns one earlier) [KESHER_HANDOFF_ALERT]")
	fs.DurationVar(&own.AutoAway, "auto-away", envDuration("KESHER_AUTO_AWAY", 15*time.Minute),
		"idle time after which an online agent counts as away for assignment [KESHER_AUTO_AWAY]")
	fs.DurationVar(&c.portal.LinkLifetime, "portal-link-lifetime", envDuration("KESHER_PORTAL_LINK_LIFETIME", 15*time.Minute),
		"how long a customer portal sign-in link works [KESHER_PORTAL_LINK_LIFETIME]")
	fs.DurationVar(&c.portal.SessionLifetime, "portal-session-lifetime", envDuration("KESHER_PORTAL_SESSION_LIFETIME", 24*time.Hour),
		"how long a customer stays signed in to the portal after their last use of it [KESHER_PORTAL_SESSION_LIFETIME]")
	fs.DurationVar(&c.help.DeflectionWindow, "deflection-window", envDuration("KESHER_DEFLECTION_WINDOW", 24*time.Hour),
		"how long after a help-centre visit a contact-form conversation still counts against it [KESHER_DEFLECTION_WINDOW]")
	fs.DurationVar(&c.calls.AnswerTarget, "call-answer-target", envDuration("KESHER_CALL_ANSWER_TARGET", kesher.DefaultAnswerTarget),
		"how soon a phone call is to be answered [KESHER_CALL_ANSWER_TARGET]")
	fs.DurationVar(&c.calls.CallbackWithin, "callback-within", envDuration("KESHER_CALLBACK_WITHIN", time.Hour),
		"how long after a missed call its callback is due [KESHER_CALLBACK_WITHIN]")
	fs.DurationVar(&c.surveys.Every, "survey-every", envDuration("KESHER_SURVEY_EVERY", 30*24*time.Hour),
		"the least time between two survey invitations of one customer [KESHER_SURVEY_EVERY]")
	fs.DurationVar(&c.surveys.LinkLifetime, "survey-link-lifetime", envDuration("KESHER_SURVEY_LINK_LIFETIME", 14*24*time.Hour),
		"how long a survey invitation's link works [KESHER_SURVEY_LINK_LIFETIME]")
	formKey := fs.String("form-key", env("KESHER_FORM_KEY", ""), "a secret that signs the embeddable contact form's tokens; nodes of one desk share it; empty: one per process [KESHER_FORM_KEY]")
	fs.IntVar(&c.chat.Limit, "chat-limit", int(envInt("KESHER_CHAT_LIMIT", 5)),
		"unsolved chats assignment gives one agent at a time [KESHER_CHAT_LIMIT]")
	chatPerIP := fs.Int("chat-conns-per-ip", int(envInt("KESHER_CHAT_CONNS_PER_IP", chat.DefaultConnsPerIP)),
		"chat widget connections one network address may hold [KESHER_CHAT_CONNS_PER_IP]")
	live := bus.NewLocal()
	// Every committed write wakes the job runner, so that the jobs it
	// enqueued (an email to send) start at once rather than at the next
	// poll. The runner is set below, before anything writes.
	waking := &wakingPublisher{Publisher: live}
	c.publisher = waking
	timerDelay := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kesher_timer_delay_seconds",
		Help:    "How long after its due time each SLA, commitment or escalation timer fired.",
		Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300},
	}, []string{"kind"})
	c.timerDelay = func(kind kesher.TimerKind, late time.Duration) {
		timerDelay.WithLabelValues(string(kind)).Observe(late.Seconds())
	}
	log, db, d, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkPublicURL(*publicURL); err != nil {
		return err
	}
	if *publicURL == "" {
		log.Warn("the customer portal cannot sign anyone in without --public-url: its sign-in links are built on it")
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), timerDelay)
	for name, pool := range db.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "kesher_search_queue",
		Help: "Documents whose sources changed and that the search index has not caught up with.",
	}, func() float64 {
		n, err := db.CountIndexQueue(context.Background())
		if err != nil {
			return -1
		}
		return float64(n)
	}))
	sender := email.NewSender(email.SenderConfig{Desk: d, Blobs: db, PublicURL: *publicURL, Logger: log})
	chats := messaging.NewMetrics(reg)
	wa := whatsapp.New(messaging.Config{Desk: d, Blobs: db, Metrics: chats, Logger: log})
	tg := telegram.New(messaging.Config{Desk: d, Blobs: db, Metrics: chats, Logger: log})
	hooks := http.NewServeMux()
	wa.Routes(hooks)
	tg.Routes(hooks)
	handlers := sender.Handlers()
	onFinish := []func(*kesher.Job, error, bool){sender.OnFinish}
	for _, s := range []*messaging.Sender{wa.Sender(), tg.Sender()} {
		maps.Copy(handlers, s.Handlers())
		onFinish = append(onFinish, s.OnFinish)
	}
	runner := jobs.New(jobs.Config{Store: db, Handlers: handlers, Logger: log, Registerer: reg,
		OnFinish: func(job *kesher.Job, err error, final bool) {
			// Each channel's hook looks only at its own kinds of job.
			for _, f := range onFinish {
				f(job, err, final)
			}
		}})
	waking.runner = runner

	setupCode, err := firstRunCode(ctx, d, log)
	if err != nil {
		return err
	}
	ui, err := web.New(web.Config{Desk: d, Live: live, Logger: log, SetupCode: setupCode, SecureCookies: *secure, PublicURL: *publicURL,
		FormKey: []byte(*formKey)})
	if err != nil {
		return err
	}
	chatSrv, err := chat.New(chat.Config{Desk: d, Live: live, ConnsPerIP: *chatPerIP, Logger: log, Registerer: reg})
	if err != nil {
		return err
	}
	srv := server.New(server.Config{
		API: api.New(api.Config{Desk: d, Logger: log, MaxBodyBytes: *maxBody,
			Authenticators: []api.Authenticator{api.BearerToken(d), ui.SessionAuthenticator}}),
		Hooks:    hooks,
		UI:       ui,
		Chat:     chatSrv.Handler(),
		Ready:    db.Ping,
		Logger:   log,
		Registry: reg,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	var mailIn *email.SMTPServer
	if *smtpAddr != "" {
		mailIn, err = email.NewSMTPServer(email.SMTPConfig{Desk: d, Addr: *smtpAddr, Domain: *smtpDomain, MaxBytes: *smtpMax,
			Logger: log, Registerer: reg})
		if err != nil {
			_ = ln.Close()
			return err
		}
	}

	// ctx ends on a signal or when any part fails, and shutdown runs in
	// order: the SMTP listener stops taking mail and finishes committing
	// what it took and the IMAP pollers stop, then the HTTP server drains,
	// then the runner stops.
	// The runner goes last so that a reply sent while the others drain
	// still goes out now; what it has not started stays in the outbox for
	// the next start.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	httpCtx, stopHTTP := context.WithCancel(context.WithoutCancel(ctx))
	defer stopHTTP()
	runCtx, stopRunner := context.WithCancel(context.WithoutCancel(ctx))
	defer stopRunner()
	ran := make(chan error, 1)
	go func() { ran <- runner.Run(runCtx) }()
	go cleanSessions(ctx, d, log)
	// The timers (SLA, commitments, escalations) fire on every node; each
	// fires once, whichever node claims it.
	timersDone := make(chan struct{})
	go func() { defer close(timersDone); d.RunTimers(ctx) }()
	// Every node indexes; a document indexed twice is stored once.
	indexDone := make(chan struct{})
	go func() { defer close(indexDone); d.RunIndexer(ctx) }()
	// The chat's connections close as shutdown starts: the HTTP server
	// does not wait for them, and the widgets reconnect on their own.
	chatDone := make(chan struct{})
	go func() { defer close(chatDone); chatSrv.Run(ctx) }()
	// So do the agents' pages' live streams, which would hold the drain.
	go func() { <-ctx.Done(); ui.CloseStreams() }()
	// The IMAP pollers read the mailboxes that fetch their mail over IMAP;
	// like the SMTP listener, they stop before HTTP drains.
	pollers, err := email.StartIMAP(ctx, email.IMAPConfig{Desk: d, Logger: log, Registerer: reg})
	if err != nil {
		return err
	}
	mailDone := make(chan error, 1)
	go func() {
		defer stopHTTP()
		defer pollers.Stop()
		if mailIn == nil {
			<-ctx.Done()
			mailDone <- nil
			return
		}
		log.Info("kesher takes mail over SMTP", "smtp_addr", mailIn.Addr().String(), "max_bytes", *smtpMax)
		err := mailIn.Serve(ctx, *drain)
		cancel()
		mailDone <- err
	}()

	log.Info("kesher is serving", "addr", ln.Addr().String(), "db", c.describeDB())
	err = srv.Serve(httpCtx, ln, *drain)
	cancel()
	err = errors.Join(err, <-mailDone)
	<-timersDone
	<-indexDone
	<-chatDone
	stopRunner()
	return errors.Join(err, <-ran)
}

// wakingPublisher publishes committed events to the live bus and wakes the
// job runner, since a commit may have enqueued jobs.
type wakingPublisher struct {
	kesher.Publisher
	runner *jobs.Runner
}

func (p *wakingPublisher) Publish(events []*kesher.Event) {
	p.Publisher.Publish(events)
	if p.runner != nil {
		p.runner.Wake()
	}
}

// checkPublicURL accepts an empty URL (no links to the desk) or an
// absolute http or https one.
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--public-url: want an absolute http(s) URL, got %q", s)
	}
	return nil
}

// firstRunCode returns, when the desk has no user yet, a one-time code for
// the setup page and writes it to the log: whoever runs the server creates
// the first admin, not whoever finds the page first. It returns "" once
// users exist.
func firstRunCode(ctx context.Context, d *desk.Desk, log *slog.Logger) (string, error) {
	needed, err := d.SetupNeeded(ctx)
	if err != nil || !needed {
		return "", err
	}
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	code := strings.ToUpper(hex.EncodeToString(b))
	log.Warn("first run: open /setup in a browser and enter this code to create the first admin", "setup_code", code)
	return code, nil
}

// sessionSweep is how often expired sessions are deleted.
const sessionSweep = time.Hour

// cleanSessions deletes expired sessions, agents' and customers', and
// spent sign-in links every hour until ctx ends.
func cleanSessions(ctx context.Context, d *desk.Desk, log *slog.Logger) {
	t := time.NewTicker(sessionSweep)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := d.CleanupSessions(ctx); err != nil {
				log.Warn("deleting expired sessions failed", "err", err)
			} else if n > 0 {
				log.Info("expired sessions deleted", "count", n)
			}
			if n, err := d.CleanupPortal(ctx); err != nil {
				log.Warn("deleting expired portal sessions and links failed", "err", err)
			} else if n > 0 {
				log.Info("expired portal sessions and links deleted", "count", n)
			}
		}
	}
}
