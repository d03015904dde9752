package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// Cookie names. The session cookie holds the only copy of the session's
// secret; the form cookie protects the sign-in and setup forms, which are
// posted before any session exists.
const (
	sessionCookie = "kesher_session"
	formCookie    = "kesher_form"
	langCookie    = "kesher_lang"
)

// page is what every template receives: who is signed in, in which
// language, the CSRF token for its forms, and the handler's own data.
type page struct {
	L     *i18n.Locale
	User  *kesher.User
	CSRF  string
	Title string
	// Nav names the active section of the top bar.
	Nav string
	Now time.Time
	// Live opens the page's stream of live updates; Conversation names the
	// conversation it shows, for presence and its own updates.
	Live         bool
	Conversation string
	Data         any
	// Counts are the top bar's numbers, read when a whole page renders.
	Counts *navCounts

	r        *http.Request
	secret   string
	session  *kesher.Session
	fragment bool
}

// newPage reads the request's session, if any. An unknown or expired
// session cookie is cleared, not an error: the page then asks to sign in.
func (w *Web) newPage(rw http.ResponseWriter, r *http.Request) (*page, error) {
	p := &page{r: r, Now: w.now(), fragment: r.Header.Get("X-Fragment") != ""}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		u, s, err := w.desk.SessionUser(r.Context(), c.Value)
		switch kesher.ErrorCode(err) {
		case "":
			p.User, p.session, p.secret, p.CSRF = u, s, c.Value, s.CSRFToken
			*r = *r.WithContext(kesher.WithActor(r.Context(), u))
		case kesher.ECodeUnauthorized:
			w.clearCookie(rw, r, sessionCookie)
		default:
			p.L = localeFor(nil, r)
			return p, err
		}
	}
	if p.session == nil {
		p.CSRF = w.formToken(rw, r)
	}
	p.L = localeFor(p.User, r)
	return p, nil
}

// require checks the route's access level against the signed-in user.
func (p *page) require(a access) error {
	if p.User == nil {
		return kesher.Errorf(kesher.ECodeUnauthorized, "sign in")
	}
	min := map[access]kesher.Role{signedIn: kesher.RoleAgent, leadOnly: kesher.RoleLead, admin: kesher.RoleAdmin}[a]
	if !p.User.Role.AtLeast(min) {
		return kesher.Errorf(kesher.ECodeForbidden, "this page needs the %s role", min)
	}
	return nil
}

// checkCSRF compares the token a state-changing request carries (form field
// or X-CSRF-Token header) with the session's, or before sign-in with the
// form cookie's.
func (w *Web) checkCSRF(r *http.Request, p *page) error {
	sent := r.Header.Get("X-CSRF-Token")
	if sent == "" {
		sent = r.PostFormValue("csrf")
	}
	if sent == "" || p.CSRF == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(p.CSRF)) != 1 {
		return errCSRF
	}
	return nil
}

var errCSRF = kesher.Errorf(kesher.ECodeForbidden, "the form's security token is missing or stale; reload the page")

// formToken returns the pre-session CSRF token, setting its cookie on the
// first visit.
func (w *Web) formToken(rw http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(rw, &http.Cookie{Name: formCookie, Value: tok, Path: "/", HttpOnly: true, Secure: w.secureFor(r), SameSite: http.SameSiteStrictMode})
	// The request itself may be the post that needs it (a first visit that
	// posts at once fails the check, as it should).
	return tok
}

func (w *Web) setSession(rw http.ResponseWriter, r *http.Request, secret string, remember bool) {
	c := &http.Cookie{Name: sessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: w.secureFor(r), SameSite: http.SameSiteLaxMode}
	if remember {
		c.MaxAge = int(desk.RememberedSessionLifetime / time.Second)
	}
	http.SetCookie(rw, c)
}

func (w *Web) clearCookie(rw http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: w.secureFor(r), SameSite: http.SameSiteLaxMode})
}

// secureFor reports whether cookies must be Secure: always over TLS, and
// behind a proxy that terminates TLS when the server is told so.
func (w *Web) secureFor(r *http.Request) bool { return w.secure || r.TLS != nil }

// SessionAuthenticator lets the REST API accept the UI's session cookie.
// Reads need only the cookie; anything else must also carry the session's
// CSRF token in X-CSRF-Token, since a browser sends cookies on any site's
// behalf.
func (w *Web) SessionAuthenticator(r *http.Request) (*kesher.User, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil, api.ErrNoCredentials
	}
	u, s, err := w.desk.SessionUser(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		sent := r.Header.Get("X-CSRF-Token")
		if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(s.CSRFToken)) != 1 {
			return nil, errCSRF
		}
	}
	return u, nil
}

// fail answers a request whose handler failed: a sign-in prompt, or an
// error page in the user's language. Internal errors are logged and never
// shown.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, p *page, err error) {
	if strings.HasPrefix(r.URL.Path, "/help/") {
		w.failHelp(rw, r, p, err)
		return
	}
	code := kesher.ErrorCode(err)
	if code == kesher.ECodeUnauthorized && p.session == nil {
		if p.fragment || r.Method != http.MethodGet {
			http.Error(rw, "sign in", http.StatusUnauthorized)
			return
		}
		http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	code, status := w.errorStatus(r, "web", r.URL.Path, err)
	p.Title = p.L.T("error." + code)
	p.Data = errorPage{Code: code, Status: status}
	w.render(rw, status, "error", p)
}

// errorStatus is the code and HTTP status a failed page answers with: a
// body over its limit is too_large, and an internal error is logged, as
// what's, with path (which must hold no secret) and shown only as
// internal.
func (w *Web) errorStatus(r *http.Request, what, path string, err error) (code string, status int) {
	code = kesher.ErrorCode(err)
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		code = kesher.ECodeTooLarge
	}
	status = api.StatusOf(code)
	if status == http.StatusInternalServerError {
		w.log.Error(what+": internal error", "method", r.Method, "path", path, "err", err)
		code = kesher.ECodeInternal
	}
	return code, status
}

type errorPage struct {
	Code   string
	Status int
}

// localPath returns next when it is a path on this site, else fallback, so
// a crafted ?next= cannot send a signed-in user elsewhere.
func localPath(next, fallback string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return fallback
	}
	return next
}
