// Package server is the process's HTTP front: it mounts the API (and later
// the web UI) beside the operations endpoints (/healthz, /readyz, /metrics),
// logs every request, measures latency by route, and shuts down gracefully.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Config holds what the server mounts and reports.
type Config struct {
	// API serves /api/.
	API http.Handler
	// Hooks serves /hooks/: the messaging providers' webhooks.
	Hooks http.Handler
	// UI serves every other path: the agent desk's pages and assets.
	UI http.Handler
	// Chat, when set, serves the chat widget (/widget.js) and its
	// connections (/chat/).
	Chat http.Handler
	// Ready reports whether the database answers (for /readyz).
	Ready    func(context.Context) error
	Logger   *slog.Logger
	Registry *prometheus.Registry
}

// Server is the HTTP front of one Kesher process.
type Server struct {
	handler http.Handler
	log     *slog.Logger
}

// New builds the server's handler and registers its metrics in cfg.Registry.
func New(cfg Config) *Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := cfg.Ready(ctx); err != nil {
			cfg.Logger.Warn("not ready", "err", err)
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}))
	mux.Handle("/api/", cfg.API)
	if cfg.Chat != nil {
		mux.Handle("GET /widget.js", cfg.Chat)
		mux.Handle("/chat/", cfg.Chat)
	}
	if cfg.Hooks != nil {
		mux.Handle("/hooks/", cfg.Hooks)
	}
	if cfg.UI != nil {
		mux.Handle("/", cfg.UI)
	}
	return &Server{handler: observe(mux, cfg.Logger, cfg.Registry), log: cfg.Logger}
}

// Handler returns the server's root handler (for tests).
func (s *Server) Handler() http.Handler { return s.handler }

// Serve answers on ln until ctx is done, then stops taking connections and
// waits up to drain for in-flight requests to finish.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "drain", drain)
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// observe logs each request and records its latency by route pattern, so
// /api/v1/conversations/{id} is one series however many ids there are.
func observe(next http.Handler, log *slog.Logger, reg *prometheus.Registry) http.Handler {
	latency := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kesher_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern, method and status code.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method", "code"})
	reg.MustRegister(latency)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				log.Error("panic serving request", "method", r.Method, "path", r.URL.Path, "panic", p)
				if !rec.wrote {
					http.Error(rec, "internal error", http.StatusInternalServerError)
				}
			}
			elapsed := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			latency.WithLabelValues(route, r.Method, strconv.Itoa(rec.status)).Observe(elapsed.Seconds())
			log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
				slog.Int("status", rec.status), slog.Int64("bytes", rec.bytes), slog.Duration("duration", elapsed),
				slog.String("remote", r.RemoteAddr))
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status and size of a response.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (flush,
// deadlines) for streaming responses.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
