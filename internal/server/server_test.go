package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func newTestServer(ready error, api http.Handler) *Server {
	return New(Config{
		API:      api,
		Ready:    func(context.Context) error { return ready },
		Logger:   slog.New(slog.DiscardHandler),
		Registry: prometheus.NewRegistry(),
	})
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	return rec.Code, rec.Body.String()
}

func TestOperationsEndpoints(t *testing.T) {
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	for _, tc := range []struct {
		name       string
		ready      error
		path       string
		wantStatus int
		wantBody   string
	}{
		{"alive", nil, "/healthz", 200, "ok"},
		{"ready", nil, "/readyz", 200, "ready"},
		{"database down", errors.New("connection refused"), "/readyz", 503, "database unavailable"},
		{"alive while the database is down", errors.New("connection refused"), "/healthz", 200, "ok"},
		{"api mounted", nil, "/api/v1/conversations/abc", http.StatusTeapot, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := get(t, newTestServer(tc.ready, api).Handler(), tc.path)
			if code != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Errorf("GET %s = %d %q, want %d containing %q", tc.path, code, body, tc.wantStatus, tc.wantBody)
			}
			if strings.Contains(body, "connection refused") {
				t.Errorf("GET %s leaks the database error: %q", tc.path, body)
			}
		})
	}
}

type actorKey struct{}

func TestMetricsLabelRoutesByPattern(t *testing.T) {
	api := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	api.HandleFunc("GET /api/v1/conversations/{id}", func(w http.ResponseWriter, r *http.Request) {
		// The API adds the signed-in user to the context, which copies the
		// request; the route label must survive that.
		ok.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, "agent")))
	})
	h := newTestServer(nil, api).Handler()
	for _, id := range []string{"a", "b", "c"} {
		get(t, h, "/api/v1/conversations/"+id)
	}
	get(t, h, "/nowhere")
	_, body := get(t, h, "/metrics")
	for _, want := range []string{
		`kesher_http_request_duration_seconds_count{code="200",method="GET",route="GET /api/v1/conversations/{id}"} 3`,
		`kesher_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestGracefulShutdownFinishesInFlightRequests(t *testing.T) {
	started := make(chan struct{})
	api := http.NewServeMux()
	api.HandleFunc("GET /api/v1/slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- newTestServer(nil, api).Serve(ctx, ln, 5*time.Second) }()

	type result struct {
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/api/v1/slow")
		if err != nil {
			got <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		got <- result{string(b), err}
	}()
	<-started
	stop() // as SIGTERM does, while the request is in flight
	if r := <-got; r.err != nil || r.body != "finished" {
		t.Fatalf("in-flight request = %q, %v; want it to finish", r.body, r.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve returned %v after a graceful shutdown", err)
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Error("the server still accepts connections after shutdown")
	}
}
