package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"kesher"
	"kesher/internal/api"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// The embeddable contact form: a page at /forms/contact?lang=he|en that any
// site shows in an iframe, posting to /forms/contact, which opens a
// conversation on the web channel through the same desk logic as the help
// centre's form (submitContact). Its limits are the help centre's: five
// posts an hour per client address and three per email address.
//
// CSRF: inside another site's iframe the desk's cookies are third-party
// cookies, which browsers withhold, so the form cannot use the help
// centre's SameSite=Strict cookie. The page carries its own token instead:
// the time it was made, signed with HMAC-SHA256 under the form key, good
// for formTokenLifetime. A post without a valid token is refused, so a
// post must come from a form the desk rendered recently. The form acts for
// nobody (no session, no cookie), so a forged post could do no more than a
// visitor typing into the form: the token and the limits keep scripted
// floods out. A site's own script may get a token from
// /forms/contact/token and post with Accept: application/json, which
// answers in the API's format, CORS-readable from any origin.

// formTokenLifetime is how long after the page was shown its form may be
// sent.
const formTokenLifetime = 4 * time.Hour

// formPath is the embeddable form's page and endpoint.
const formPath = "/forms/contact"

// newFormKey makes a key for the form tokens of one process.
func newFormKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

// formTokenAt signs the time t.
func (w *Web) formTokenAt(t time.Time) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return ts + "." + w.formMAC(ts)
}

func (w *Web) formMAC(ts string) string {
	m := hmac.New(sha256.New, w.formKey)
	m.Write([]byte("kesher-contact-form:" + ts))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// formTokenValid reports whether tok was signed with the form key within
// formTokenLifetime before now.
func (w *Web) formTokenValid(tok string, now time.Time) bool {
	ts, mac, ok := strings.Cut(tok, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(w.formMAC(ts))) {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	made := time.Unix(sec, 0)
	return !made.After(now.Add(time.Minute)) && now.Sub(made) <= formTokenLifetime
}

// formData is the embeddable form's page.
type formData struct {
	contactForm
	Lang, Token string
}

// embeddable lets any site frame the page: the desk's own pages forbid it.
func embeddable(rw http.ResponseWriter) {
	h := rw.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
		"frame-ancestors *; base-uri 'none'; form-action 'self'; object-src 'none'")
	h.Del("X-Frame-Options")
	h.Set("Referrer-Policy", "no-referrer")
}

// formLanguage is the language the form is asked in (lang=), else the
// browser's.
func formLanguage(r *http.Request, lang string) string {
	if i18n.Valid(lang) {
		return lang
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

func (w *Web) showForm(rw http.ResponseWriter, r *http.Request) {
	lang := formLanguage(r, r.URL.Query().Get("lang"))
	d := &formData{contactForm: contactForm{Sent: r.URL.Query().Get("sent") == "1", Errors: map[string]string{}}, Lang: lang}
	w.renderForm(rw, http.StatusOK, d)
}

func (w *Web) renderForm(rw http.ResponseWriter, status int, d *formData) {
	d.MaxLength = desk.MaxContactMessage
	d.Token = w.formTokenAt(w.now())
	L := i18n.New(d.Lang, nil)
	embeddable(rw)
	w.execute(rw, status, "form_contact", "form_layout", &page{L: L, Title: L.T("form.contact.title"), Data: d})
}

// serveFormToken answers a fresh token for a site's own script.
func (w *Web) serveFormToken(rw http.ResponseWriter, r *http.Request) {
	now := w.now()
	rw.Header().Set("Access-Control-Allow-Origin", "*")
	rw.Header().Set("Cache-Control", "no-store")
	writeFormJSON(rw, http.StatusOK, map[string]any{"token": w.formTokenAt(now), "expires_at": now.Add(formTokenLifetime).UTC()})
}

// submitForm opens a conversation from the embeddable form. The page's
// form gets the page again (303 to it once sent, else with what went
// wrong); a client that accepts JSON gets 201 or the API's error format.
func (w *Web) submitForm(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, maxContactBytes)
	wantJSON := strings.Contains(r.Header.Get("Accept"), "application/json")
	if err := r.ParseForm(); err != nil {
		w.formError(rw, wantJSON, kesher.Errorf(kesher.ECodeTooLarge, "the form is larger than %d bytes", maxContactBytes), nil)
		return
	}
	d := &formData{contactForm: contactFormOf(r), Lang: formLanguage(r, r.PostFormValue("lang"))}
	L := i18n.New(d.Lang, nil)
	status := http.StatusUnprocessableEntity
	if !w.formTokenValid(r.PostFormValue("token"), w.now()) {
		d.Errors = map[string]string{"token": "expired"}
		d.Problem = "form.contact.expired"
	} else {
		var err error
		if status, err = w.submitContact(r, "form", &d.contactForm, 0, d.Lang); err != nil {
			w.log.Error("web: embeddable contact form: internal error", "err", err)
			w.formError(rw, wantJSON, err, d)
			return
		}
	}
	switch {
	case wantJSON && status == http.StatusSeeOther:
		rw.Header().Set("Access-Control-Allow-Origin", "*")
		writeFormJSON(rw, http.StatusCreated, map[string]bool{"sent": true})
	case wantJSON:
		code, msg := kesher.ECodeValidation, L.T("error.validation_failed")
		if status == http.StatusTooManyRequests {
			code, msg, d.Errors = kesher.ECodeRateLimited, L.T(d.Problem), nil
		}
		w.formError(rw, true, &kesher.Error{Code: code, Message: msg, Fields: d.Errors}, d)
	case status == http.StatusSeeOther:
		embeddable(rw)
		redirect(rw, r, formPath+"?"+url.Values{"lang": {d.Lang}, "sent": {"1"}}.Encode())
	default:
		w.renderForm(rw, status, d)
	}
}

// formError answers a failed post: in the API's error format for a JSON
// client, else the page with a general problem.
func (w *Web) formError(rw http.ResponseWriter, wantJSON bool, err error, d *formData) {
	code := kesher.ErrorCode(err)
	status := api.StatusOf(code)
	if status == http.StatusInternalServerError {
		code = kesher.ECodeInternal
	}
	if !wantJSON {
		if d == nil {
			d = &formData{contactForm: contactForm{Errors: map[string]string{}}, Lang: i18n.Hebrew}
		}
		d.Problem = "error." + code
		w.renderForm(rw, status, d)
		return
	}
	rw.Header().Set("Access-Control-Allow-Origin", "*")
	writeFormJSON(rw, status, errorJSON(err, code, status))
}

// errorJSON is err in the API's error format, for the public pages that
// answer scripts: its message only when it is no internal error.
func errorJSON(err error, code string, status int) map[string]any {
	detail := map[string]any{"code": code, "message": "internal error"}
	var e *kesher.Error
	if errors.As(err, &e) && status != http.StatusInternalServerError {
		detail["message"] = e.Message
		if len(e.Fields) > 0 {
			detail["fields"] = e.Fields
		}
	}
	return map[string]any{"error": detail}
}

func writeFormJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.WriteHeader(status)
	_ = json.NewEncoder(rw).Encode(v)
}
