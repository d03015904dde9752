package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"kesher/internal/api"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/server"
	"kesher/internal/web"
)

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, c := newFlags("serve", stderr)
	addr := fs.String("addr", env("KESHER_ADDR", "127.0.0.1:8080"), "HTTP listen address [KESHER_ADDR]")
	maxBody := fs.Int64("max-body", envInt("KESHER_MAX_BODY", 1<<20), "largest JSON request body in bytes [KESHER_MAX_BODY]")
	drain := fs.Duration("shutdown-timeout", 30*time.Second, "how long shutdown waits for in-flight requests")
	secure := fs.Bool("secure-cookies", envBool("KESHER_SECURE_COOKIES", false), "mark cookies Secure: set it when users reach the desk over HTTPS [KESHER_SECURE_COOKIES]")
	live := bus.NewLocal()
	c.publisher = live
	log, db, d, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	setupCode, err := firstRunCode(ctx, d, log)
	if err != nil {
		return err
	}
	ui, err := web.New(web.Config{Desk: d, Live: live, Logger: log, SetupCode: setupCode, SecureCookies: *secure})
	if err != nil {
		return err
	}
	go cleanSessions(ctx, d, log)

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, pool := range db.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	srv := server.New(server.Config{
		API: api.New(api.Config{Desk: d, Logger: log, MaxBodyBytes: *maxBody,
			Authenticators: []api.Authenticator{api.BearerToken(d), ui.SessionAuthenticator}}),
		UI:       ui,
		Ready:    db.Ping,
		Logger:   log,
		Registry: reg,
	})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	log.Info("kesher is serving", "addr", ln.Addr().String(), "db", c.describeDB())
	return srv.Serve(ctx, ln, *drain)
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

// cleanSessions deletes expired sessions every hour until ctx ends.
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
		}
	}
}
