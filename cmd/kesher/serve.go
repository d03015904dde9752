package main

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"kesher/internal/api"
	"kesher/internal/server"
)

func cmdServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs, c := newFlags("serve", stderr)
	addr := fs.String("addr", env("KESHER_ADDR", "127.0.0.1:8080"), "HTTP listen address [KESHER_ADDR]")
	maxBody := fs.Int64("max-body", envInt("KESHER_MAX_BODY", 1<<20), "largest JSON request body in bytes [KESHER_MAX_BODY]")
	drain := fs.Duration("shutdown-timeout", 30*time.Second, "how long shutdown waits for in-flight requests")
	log, db, d, err := c.start(ctx, fs, args, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, pool := range db.Pools() {
		reg.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
	srv := server.New(server.Config{
		API:      api.New(api.Config{Desk: d, Logger: log, MaxBodyBytes: *maxBody}),
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
