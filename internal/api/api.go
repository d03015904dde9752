// Package api is Kesher's REST interface under /api/v1: JSON handlers that
// translate HTTP into calls on the desk and the desk's answers and errors
// back into HTTP. It holds no business rules and never reads the store:
// every permission check is the desk's, so the API cannot skip one.
package api

import (
	"log/slog"
	"net/http"

	"kesher/internal/desk"
)

// prefix is where the API is mounted; route paths are relative to it.
const prefix = "/api/v1"

// defaultMaxBodyBytes bounds a request body when Config names no limit.
const defaultMaxBodyBytes = 1 << 20

// Config holds what the API needs.
type Config struct {
	Desk   *desk.Desk
	Logger *slog.Logger
	// MaxBodyBytes bounds request bodies; larger ones are too_large (413).
	// Zero means 1 MiB.
	MaxBodyBytes int64
	// Authenticators are tried in order until one recognises the request's
	// credentials. Nil means bearer tokens only; the web UI adds its session
	// cookie (with its CSRF check) here.
	Authenticators []Authenticator
}

// api is the state every handler shares.
type api struct {
	desk    *desk.Desk
	log     *slog.Logger
	maxBody int64
	authn   []Authenticator
	mux     *http.ServeMux
}

// New returns the handler of everything under /api/v1/. Routes are
// registered as method patterns, so r.Pattern names the matched route for
// the server's metrics.
func New(cfg Config) http.Handler {
	a := &api{desk: cfg.Desk, log: cfg.Logger, maxBody: cfg.MaxBodyBytes, authn: cfg.Authenticators, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.maxBody <= 0 {
		a.maxBody = defaultMaxBodyBytes
	}
	if a.authn == nil {
		a.authn = []Authenticator{BearerToken(cfg.Desk)}
	}
	for _, rt := range routes {
		a.mux.Handle(rt.pattern(), a.handler(rt))
	}
	return a
}

// ServeHTTP routes a request, answering unknown routes and wrong methods in
// the API's own error format instead of the mux's plain text.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := a.mux.Handler(r); pattern == "" {
		a.unrouted(w, r)
		return
	}
	a.mux.ServeHTTP(w, r)
}
