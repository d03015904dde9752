package web

import (
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// signInForm is the sign-in and setup pages' data: what was typed (never
// the password) and what went wrong.
type signInForm struct {
	Email, Name, Next string
	Remember          bool
	// Problem is a catalogue key shown above the form.
	Problem string
	Errors  map[string]string
}

func (w *Web) showSignIn(rw http.ResponseWriter, r *http.Request, p *page) error {
	if p.User != nil {
		redirect(rw, r, localPath(r.URL.Query().Get("next"), "/inbox"))
		return nil
	}
	if needed, err := w.desk.SetupNeeded(r.Context()); err != nil {
		return err
	} else if needed {
		redirect(rw, r, "/setup")
		return nil
	}
	p.Title = p.L.T("login.title")
	p.Data = signInForm{Next: localPath(r.URL.Query().Get("next"), "")}
	w.render(rw, http.StatusOK, "signin", p)
	return nil
}

// signIn checks the password, with failures limited per email and per
// client address so that guessing is slow whichever one an attacker varies.
func (w *Web) signIn(rw http.ResponseWriter, r *http.Request, p *page) error {
	f := signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Remember: r.PostFormValue("remember") != "",
		Next: localPath(r.PostFormValue("next"), "")}
	p.Title = p.L.T("login.title")
	p.Data = &f
	emailKey, addrKey := "email:"+strings.ToLower(f.Email), "addr:"+clientAddr(r)
	okEmail, _ := w.limiter.allowed(emailKey, loginAttempts)
	okAddr, _ := w.limiter.allowed(addrKey, 10*loginAttempts)
	if !okEmail || !okAddr {
		f.Problem = "login.rate_limited"
		w.render(rw, http.StatusTooManyRequests, "signin", p)
		return nil
	}
	secret, s, u, err := w.desk.SignIn(r.Context(), desk.SignIn{Email: f.Email, Password: r.PostFormValue("password"),
		Remember: f.Remember, UserAgent: r.UserAgent()})
	if kesher.ErrorCode(err) == kesher.ECodeUnauthorized || kesher.ErrorCode(err) == kesher.ECodeValidation {
		w.limiter.fail(emailKey)
		w.limiter.fail(addrKey)
		f.Problem = "login.failed"
		w.render(rw, http.StatusUnauthorized, "signin", p)
		return nil
	}
	if err != nil {
		return err
	}
	w.limiter.reset(emailKey)
	w.setSession(rw, r, secret, s.Remember)
	w.clearCookie(rw, r, formCookie)
	if i18n.Valid(u.Language) {
		w.setLanguageCookie(rw, r, u.Language)
	}
	redirect(rw, r, localPath(f.Next, "/inbox"))
	return nil
}

func (w *Web) signOut(rw http.ResponseWriter, r *http.Request, p *page) error {
	if p.secret != "" {
		if err := w.desk.SignOut(r.Context(), p.secret); err != nil {
			return err
		}
	}
	w.clearCookie(rw, r, sessionCookie)
	redirect(rw, r, "/login")
	return nil
}

func (w *Web) showSetup(rw http.ResponseWriter, r *http.Request, p *page) error {
	needed, err := w.desk.SetupNeeded(r.Context())
	if err != nil {
		return err
	}
	if !needed {
		redirect(rw, r, "/login")
		return nil
	}
	p.Title = p.L.T("setup.title")
	p.Data = &signInForm{}
	w.render(rw, http.StatusOK, "setup", p)
	return nil
}

// setup creates the first admin. It asks for the one-time code from the
// server's log, so that reaching the page first is not enough to own the
// desk.
func (w *Web) setup(rw http.ResponseWriter, r *http.Request, p *page) error {
	f := &signInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Name: strings.TrimSpace(r.PostFormValue("name")),
		Errors: map[string]string{}}
	p.Title = p.L.T("setup.title")
	p.Data = f
	addrKey := "setup:" + clientAddr(r)
	if ok, _ := w.limiter.allowed(addrKey, loginAttempts); !ok {
		f.Problem = "login.rate_limited"
		w.render(rw, http.StatusTooManyRequests, "setup", p)
		return nil
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	if w.setupCode == "" || subtle.ConstantTimeCompare([]byte(code), []byte(w.setupCode)) != 1 {
		w.limiter.fail(addrKey)
		f.Errors["code"] = "invalid"
		w.render(rw, http.StatusUnprocessableEntity, "setup", p)
		return nil
	}
	password := r.PostFormValue("password")
	_, err := w.desk.SetupFirstAdmin(r.Context(), desk.NewUser{Email: f.Email, Name: f.Name, Role: kesher.RoleAdmin,
		Password: password, Language: p.L.Lang()})
	if fields := validationFields(err); fields != nil {
		f.Errors = fields
		w.render(rw, http.StatusUnprocessableEntity, "setup", p)
		return nil
	}
	if kesher.ErrorCode(err) == kesher.ECodeConflict {
		redirect(rw, r, "/login")
		return nil
	}
	if err != nil {
		return err
	}
	secret, s, _, err := w.desk.SignIn(r.Context(), desk.SignIn{Email: f.Email, Password: password, UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	w.setSession(rw, r, secret, s.Remember)
	w.clearCookie(rw, r, formCookie)
	redirect(rw, r, "/inbox")
	return nil
}

// setLanguage switches the language: the user's preference when signed in,
// and a cookie either way, so the sign-in page keeps the choice too.
func (w *Web) setLanguage(rw http.ResponseWriter, r *http.Request, p *page) error {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		return kesher.FieldError("lang", "invalid", "unknown language %q", lang)
	}
	if p.User != nil {
		if _, err := w.desk.SetPreferences(r.Context(), lang, p.User.TimeZone); err != nil {
			return err
		}
	}
	w.setLanguageCookie(rw, r, lang)
	back := "/"
	if ref := r.Referer(); ref != "" {
		if i := strings.Index(ref, "://"); i >= 0 {
			if j := strings.IndexByte(ref[i+3:], '/'); j >= 0 && ref[:i+3+j] == requestOrigin(r) {
				back = ref[i+3+j:]
			}
		}
	}
	redirect(rw, r, localPath(back, "/"))
	return nil
}

func (w *Web) setLanguageCookie(rw http.ResponseWriter, r *http.Request, lang string) {
	http.SetCookie(rw, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: w.secureFor(r), SameSite: http.SameSiteLaxMode})
}

// requestOrigin is the scheme and host the request was made to.
func requestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// clientAddr is the client's IP address without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// validationFields returns the per-field reasons of a validation error, or
// nil for any other error.
func validationFields(err error) map[string]string {
	var e *kesher.Error
	if kesher.ErrorCode(err) != kesher.ECodeValidation || !errors.As(err, &e) {
		return nil
	}
	if e.Fields == nil {
		return map[string]string{}
	}
	return e.Fields
}
