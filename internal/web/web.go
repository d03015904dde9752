// Package web is the agent desk in the browser: server-rendered pages
// (html/template, embedded assets, a small script for fragments, keyboard
// and live updates) on top of the desk. Like the API it holds no business
// rules: every permission is the desk's, checked again on each call; the
// role a route asks for only decides which page answers first.
package web

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// Config holds what the web UI needs.
type Config struct {
	Desk   *desk.Desk
	Live   Subscriber
	Logger *slog.Logger
	Clock  kesher.Clock
	// SetupCode is the one-time code printed in the server log on first run;
	// the setup page asks for it, so only whoever reads the log can create
	// the first admin.
	SetupCode string
	// SecureCookies marks cookies Secure; set it when the desk is served
	// over TLS (directly or behind a proxy that terminates it).
	SecureCookies bool
	// PublicURL is where customers reach the desk; the portal's sign-in
	// links are built on it, so without it the portal cannot sign anyone
	// in and says so. The help centre's absolute URLs (canonical links,
	// the sitemap) use it too, else the address each request came to.
	PublicURL string
	// FormKey signs the tokens of the embeddable contact form; nodes that
	// share a database share it, so a form shown by one is accepted by
	// the others. Empty makes a key for this process alone.
	FormKey []byte
}

// Web is the UI's handler.
type Web struct {
	desk      *desk.Desk
	live      Subscriber
	log       *slog.Logger
	clock     kesher.Clock
	setupCode string
	secure    bool
	assets    *assets
	pages     map[string]*template.Template
	limiter   *limiter
	presence  *presence
	mux       *http.ServeMux
	publicURL string
	// helpLimits limits the help centre's public forms per visitor,
	// address and email; helpViews makes a reload the same view.
	helpLimits, helpViews *limiter
	// helpSearches bounds the help centre's searches per client a minute.
	helpSearches *limiter
	// formKey signs the embeddable form's tokens.
	formKey []byte
	// closing ends the live streams (see CloseStreams).
	closing   chan struct{}
	closeOnce sync.Once
}

// CloseStreams ends every page's live stream, as shutdown begins: the
// HTTP server waits for open requests, and a stream would otherwise hold
// the shutdown up for its whole drain time. The pages' EventSources
// reconnect by themselves, to this node when it is back or to another.
func (w *Web) CloseStreams() { w.closeOnce.Do(func() { close(w.closing) }) }

// New builds the UI. It fails only if an embedded template or asset is
// broken, which the package's tests catch first.
func New(cfg Config) (*Web, error) {
	w := &Web{desk: cfg.Desk, live: cfg.Live, log: cfg.Logger, clock: cfg.Clock, setupCode: cfg.SetupCode,
		secure: cfg.SecureCookies, mux: http.NewServeMux(), publicURL: cfg.PublicURL, formKey: cfg.FormKey,
		closing: make(chan struct{})}
	if len(w.formKey) == 0 {
		w.formKey = newFormKey()
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.clock == nil {
		w.clock = kesher.SystemClock{}
	}
	var err error
	if w.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if w.pages, err = parsePages(w.assets); err != nil {
		return nil, err
	}
	w.limiter = newLimiter(loginWindow, w.clock)
	w.helpLimits, w.helpViews = newLimiter(helpLimitWindow, w.clock), newLimiter(viewWindow, w.clock)
	w.helpSearches = newLimiter(time.Minute, w.clock)
	w.presence = newPresence()
	w.mux.Handle("GET /static/", w.assets)
	for _, rt := range routes {
		w.mux.Handle(rt.pattern, w.handler(rt))
	}
	for _, rt := range portalRoutes {
		w.mux.Handle(rt.pattern, w.portalHandler(rt))
	}
	// The embeddable form stands apart from the route table: it has no
	// session and its own token instead of the CSRF cookie (forms.go).
	w.mux.HandleFunc("GET "+formPath, w.showForm)
	w.mux.HandleFunc("POST "+formPath, w.submitForm)
	w.mux.HandleFunc("GET "+formPath+"/token", w.serveFormToken)
	return w, nil
}

// ServeHTTP answers every UI request with the security headers pages need.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	h := rw.Header()
	// No inline script or style anywhere, so the policy can forbid both.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	w.mux.ServeHTTP(rw, r)
}

// access says who may reach a route.
type access int

const (
	public   access = iota // anyone, signed in or not
	signedIn               // any active user; agents and up
	leadOnly               // leads and admins
	admin                  // admins only
)

// route is one entry of the UI. The table in routes.go is the single list:
// New registers it and the authorisation test walks it.
type route struct {
	pattern string
	access  access
	// maxBody bounds the request body instead of maxFormBytes.
	maxBody int64
	handle  func(w *Web, rw http.ResponseWriter, r *http.Request, p *page) error
}

// handler wraps a route with what every UI request goes through: the
// session, the CSRF check on every state change, the role the route asks
// for, and the page the handler fills.
func (w *Web) handler(rt route) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		limit := int64(maxFormBytes)
		if rt.maxBody > 0 {
			limit = rt.maxBody
		}
		r.Body = http.MaxBytesReader(rw, r.Body, limit)
		p, err := w.newPage(rw, r)
		if err == nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err = tooLarge(r); err == nil {
				err = w.checkCSRF(r, p)
			}
		}
		if err == nil && rt.access != public {
			err = p.require(rt.access)
		}
		if err == nil {
			err = rt.handle(w, rw, r, p)
		}
		if err != nil {
			w.fail(rw, r, p, err)
		}
	})
}

// tooLarge parses a post's form and reports a body over the route's limit,
// which would otherwise read as a missing CSRF token. Other parse errors
// are left to the CSRF check and the handler.
func tooLarge(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxFormBytes)
	} else {
		err = r.ParseForm()
	}
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return err
	}
	return nil
}

// maxFormBytes bounds a form post; replies are text, files come by channels.
const maxFormBytes = 1 << 20

// loginAttempts failed sign-ins per loginWindow are allowed for one email
// and, separately, ten times as many for one client address.
const (
	loginAttempts = 5
	loginWindow   = 15 * time.Minute
)

func (w *Web) now() time.Time { return w.clock.Now() }

// locale builds the locale of a user, or of the request's Accept-Language
// before sign-in.
func localeFor(u *kesher.User, r *http.Request) *i18n.Locale {
	lang := i18n.Negotiate(r.Header.Get("Accept-Language"))
	if c, err := r.Cookie(langCookie); err == nil && i18n.Valid(c.Value) {
		lang = c.Value
	}
	var loc *time.Location
	if u != nil {
		if i18n.Valid(u.Language) {
			lang = u.Language
		}
		loc, _ = time.LoadLocation(u.TimeZone)
	}
	return i18n.New(lang, loc)
}
