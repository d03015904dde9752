package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// The customer portal lives under /portal, apart from the agent desk: its
// own session cookie and form cookie, both scoped to /portal, so a
// customer's cookie never reaches the desk or the API and an agent's
// session means nothing here. Every page reads the customer's data through
// the desk's portal methods, which see only that customer's requests.

// Cookie names of the portal. The session cookie holds the only copy of a
// customer session's secret; the form cookie protects the forms posted
// before sign-in.
const (
	portalCookie     = "kesher_portal"
	portalFormCookie = "kesher_portal_form"
	portalPath       = "/portal"
)

// portalAccess says who may reach a portal route.
type portalAccess int

const (
	portalPublic   portalAccess = iota // anyone
	portalCustomer                     // a signed-in customer
)

// portalRoute is one entry of the portal's table in routes.go.
type portalRoute struct {
	pattern string
	access  portalAccess
	handle  func(w *Web, rw http.ResponseWriter, r *http.Request, p *portalPage) error
}

// portalPage is what every portal template receives.
type portalPage struct {
	L        *i18n.Locale
	Customer *kesher.Customer
	CSRF     string
	Title    string
	// Nav names the active item of the portal's top bar.
	Nav  string
	Now  time.Time
	Data any

	r       *http.Request
	secret  string
	session *kesher.CustomerSession
}

// portalHandler wraps a portal route with what every portal request goes
// through: the customer session, the CSRF check on every state change and
// the route's access.
func (w *Web) portalHandler(rt portalRoute) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
		// The portal acts for a customer, never for an agent, whatever
		// cookies the browser also holds.
		*r = *r.WithContext(kesher.WithActor(r.Context(), nil))
		p, err := w.newPortalPage(rw, r)
		if err == nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			err = portalCSRF(r, p.CSRF)
		}
		if err == nil && rt.access == portalCustomer && p.Customer == nil {
			err = kesher.Errorf(kesher.ECodeUnauthorized, "sign in to the portal")
		}
		if err == nil {
			err = rt.handle(w, rw, r, p)
		}
		if err != nil {
			w.portalFail(rw, r, p, err)
		}
	})
}

// portalCSRF compares the token a state-changing request carries (form
// field or X-CSRF-Token header) with the session's, or before sign-in with
// the portal's form cookie's.
func portalCSRF(r *http.Request, want string) error {
	sent := r.Header.Get("X-CSRF-Token")
	if sent == "" {
		sent = r.PostFormValue("csrf")
	}
	if sent == "" || want == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(want)) != 1 {
		return errCSRF
	}
	return nil
}

// newPortalPage reads the request's customer session, if any. An unknown,
// expired or ended session's cookie is cleared: the page then asks to sign
// in.
func (w *Web) newPortalPage(rw http.ResponseWriter, r *http.Request) (*portalPage, error) {
	p := &portalPage{r: r, Now: w.now()}
	if c, err := r.Cookie(portalCookie); err == nil && c.Value != "" {
		cust, s, err := w.desk.PortalSession(r.Context(), c.Value)
		switch kesher.ErrorCode(err) {
		case "":
			p.Customer, p.session, p.secret, p.CSRF = cust, s, c.Value, s.CSRFToken
		case kesher.ECodeUnauthorized:
			w.clearPortalCookie(rw, r, portalCookie)
		default:
			p.L = portalLocale(nil, r)
			return p, err
		}
	}
	if p.session == nil {
		p.CSRF = w.portalFormToken(rw, r)
	}
	p.L = portalLocale(p.Customer, r)
	return p, nil
}

// portalLocale is the customer's language when they chose one, else the
// language switcher's cookie, else Accept-Language; times are the desk's
// (Asia/Jerusalem).
func portalLocale(c *kesher.Customer, r *http.Request) *i18n.Locale {
	lang := i18n.Negotiate(r.Header.Get("Accept-Language"))
	if ck, err := r.Cookie(langCookie); err == nil && i18n.Valid(ck.Value) {
		lang = ck.Value
	}
	if c != nil && i18n.Valid(c.Language) {
		lang = c.Language
	}
	return i18n.New(lang, nil)
}

// portalFormToken returns the portal's pre-session CSRF token, setting its
// cookie on the first visit.
func (w *Web) portalFormToken(rw http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(portalFormCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(rw, &http.Cookie{Name: portalFormCookie, Value: tok, Path: portalPath, HttpOnly: true, Secure: w.secureFor(r),
		SameSite: http.SameSiteStrictMode})
	return tok
}

// setPortalSession gives the browser its session cookie: for this browser
// session, HttpOnly, SameSite=Lax, Secure over TLS, and sent to the portal
// only. The session itself ends on the server a while after its last use.
func (w *Web) setPortalSession(rw http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(rw, &http.Cookie{Name: portalCookie, Value: secret, Path: portalPath, HttpOnly: true, Secure: w.secureFor(r),
		SameSite: http.SameSiteLaxMode})
}

func (w *Web) clearPortalCookie(rw http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: "", Path: portalPath, MaxAge: -1, HttpOnly: true, Secure: w.secureFor(r),
		SameSite: http.SameSiteLaxMode})
}

// renderPortal writes a whole portal page in the portal's layout.
func (w *Web) renderPortal(rw http.ResponseWriter, status int, name string, p *portalPage) {
	w.execute(rw, status, name, "portal_layout", p)
}

// portalFail answers a portal request whose handler failed: the sign-in
// page for a customer who is not signed in, or an error page in the
// customer's language. Internal errors are logged and never shown; what is
// logged never holds a link's or a session's secret.
func (w *Web) portalFail(rw http.ResponseWriter, r *http.Request, p *portalPage, err error) {
	code := kesher.ErrorCode(err)
	if code == kesher.ECodeUnauthorized && p.Customer == nil && r.Method == http.MethodGet {
		redirect(rw, r, "/portal/login")
		return
	}
	code, status := w.errorStatus(r, "portal", r.URL.Path, err)
	p.Title = p.L.T("error." + code)
	p.Data = errorPage{Code: code, Status: status}
	w.renderPortal(rw, status, "portal_error", p)
}

// portalHome sends /portal/ to /portal; anything else under /portal that no
// route takes is the portal's own "not found".
func (w *Web) portalHome(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	if r.URL.Path == portalPath+"/" {
		redirect(rw, r, portalPath)
		return nil
	}
	return kesher.Errorf(kesher.ECodeNotFound, "no such page")
}

// portalSignInForm is the sign-in page's data.
type portalSignInForm struct {
	Email string
	// Problem is a catalogue key shown above the form.
	Problem string
	Errors  map[string]string
}

func (w *Web) portalShowSignIn(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	if p.Customer != nil {
		redirect(rw, r, portalPath)
		return nil
	}
	f := &portalSignInForm{Errors: map[string]string{}}
	status := http.StatusOK
	if w.publicURL == "" {
		f.Problem, status = "portal.signin.unavailable", http.StatusServiceUnavailable
	}
	p.Title, p.Data = p.L.T("portal.signin.title"), f
	w.renderPortal(rw, status, "portal_signin", p)
	return nil
}

// portalSentPage is the answer to a request for a link, the same whether
// or not the address belongs to a customer.
type portalSentPage struct {
	Email    string
	Lifetime time.Duration
}

// portalAskLink asks the desk for a sign-in link. The answer does not tell
// whether the address is a customer's: the page, its status and the rate
// limits are the same for every address.
func (w *Web) portalAskLink(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	f := &portalSignInForm{Email: strings.TrimSpace(r.PostFormValue("email")), Errors: map[string]string{}}
	p.Title, p.Data = p.L.T("portal.signin.title"), f
	if w.publicURL == "" {
		f.Problem = "portal.signin.unavailable"
		w.renderPortal(rw, http.StatusServiceUnavailable, "portal_signin", p)
		return nil
	}
	err := w.desk.RequestEmailProof(r.Context(), desk.EmailProofRequest{Email: f.Email, Purpose: desk.ProofPortal, Client: clientAddr(r)})
	if fields := validationFields(err); fields != nil {
		f.Errors = fields
		w.renderPortal(rw, http.StatusUnprocessableEntity, "portal_signin", p)
		return nil
	}
	if kesher.ErrorCode(err) == kesher.ECodeRateLimited {
		f.Problem = "portal.signin.rate_limited"
		w.renderPortal(rw, http.StatusTooManyRequests, "portal_signin", p)
		return nil
	}
	if err != nil {
		return err
	}
	p.Title, p.Data = p.L.T("portal.sent.title"), portalSentPage{Email: f.Email, Lifetime: w.desk.LinkLifetime()}
	w.renderPortal(rw, http.StatusOK, "portal_sent", p)
	return nil
}

// portalLinkPage is the page a link opens: a button that signs in with it,
// or the news that it no longer works.
type portalLinkPage struct {
	Token   string
	Invalid bool
}

// portalShowLink shows what the emailed link opens. Following it does not
// sign in by itself: mail scanners and link previews fetch links too, and
// would use the link up. The customer's press of the button does.
func (w *Web) portalShowLink(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	token := r.URL.Query().Get("token")
	err := w.desk.CheckEmailProof(r.Context(), token, desk.ProofPortal)
	if err != nil && kesher.ErrorCode(err) != kesher.ECodeUnauthorized {
		return err
	}
	w.showLink(rw, p, portalLinkPage{Token: token, Invalid: err != nil})
	return nil
}

func (w *Web) showLink(rw http.ResponseWriter, p *portalPage, d portalLinkPage) {
	p.Title, p.Data = p.L.T("portal.link.title"), d
	status := http.StatusOK
	if d.Invalid {
		p.Title, status = p.L.T("portal.link.invalid_title"), http.StatusGone
	}
	w.renderPortal(rw, status, "portal_link", p)
}

// portalFollowLink signs in with a link and starts the customer's session,
// ending the one the browser had, if any.
func (w *Web) portalFollowLink(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	token := r.PostFormValue("token")
	secret, _, cust, err := w.desk.PortalSignIn(r.Context(), desk.PortalSignIn{Token: token, UserAgent: r.UserAgent()})
	if kesher.ErrorCode(err) == kesher.ECodeUnauthorized {
		w.showLink(rw, p, portalLinkPage{Invalid: true})
		return nil
	}
	if err != nil {
		return err
	}
	if p.secret != "" {
		if err := w.desk.PortalSignOut(r.Context(), p.secret); err != nil {
			return err
		}
	}
	w.setPortalSession(rw, r, secret)
	w.clearPortalCookie(rw, r, portalFormCookie)
	if i18n.Valid(cust.Language) {
		w.setLanguageCookie(rw, r, cust.Language)
	}
	redirect(rw, r, portalPath)
	return nil
}

func (w *Web) portalSignOut(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	if p.secret != "" {
		if err := w.desk.PortalSignOut(r.Context(), p.secret); err != nil {
			return err
		}
	}
	w.clearPortalCookie(rw, r, portalCookie)
	redirect(rw, r, "/portal/login")
	return nil
}

// portalSetLanguage switches the portal's language: the customer's own
// preference when signed in, and the language cookie either way.
func (w *Web) portalSetLanguage(rw http.ResponseWriter, r *http.Request, p *portalPage) error {
	lang := r.PostFormValue("lang")
	if !i18n.Valid(lang) {
		return kesher.FieldError("lang", "invalid", "unknown language %q", lang)
	}
	if p.Customer != nil {
		if _, err := w.desk.PortalSetLanguage(r.Context(), p.Customer.ID, lang); err != nil {
			return err
		}
	}
	w.setLanguageCookie(rw, r, lang)
	back := portalPath
	if ref := r.Referer(); strings.HasPrefix(ref, requestOrigin(r)+portalPath) {
		if path := strings.TrimPrefix(ref, requestOrigin(r)); path == portalPath || strings.HasPrefix(path, portalPath+"/") || strings.HasPrefix(path, portalPath+"?") {
			back = path
		}
	}
	redirect(rw, r, localPath(back, portalPath))
	return nil
}
