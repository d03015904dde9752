package web

import (
	"net/http"

	"kesher/internal/desk"
)

// timeZones offered on the settings page: Israel first, then the zones a
// desk's staff most often work from. Any IANA name is accepted.
var timeZones = []string{"Asia/Jerusalem", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Kyiv", "Europe/Moscow",
	"America/New_York", "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Dubai", "Asia/Kolkata",
	"Asia/Tokyo", "Australia/Sydney", "UTC"}

type settingsData struct {
	TimeZones []string
	Errors    map[string]string
	Saved     string
}

func (w *Web) settings(rw http.ResponseWriter, r *http.Request, p *page) error {
	w.showSettings(rw, p, &settingsData{Saved: r.URL.Query().Get("saved")}, http.StatusOK)
	return nil
}

func (w *Web) showSettings(rw http.ResponseWriter, p *page, d *settingsData, status int) {
	d.TimeZones = timeZones
	if d.Errors == nil {
		d.Errors = map[string]string{}
	}
	p.Title, p.Nav, p.Data = p.L.T("nav.settings"), "settings", d
	w.render(rw, status, "settings", p)
}

func (w *Web) saveSettings(rw http.ResponseWriter, r *http.Request, p *page) error {
	_, err := w.desk.SetPreferences(r.Context(), r.PostFormValue("language"), r.PostFormValue("time_zone"))
	if fields := validationFields(err); fields != nil {
		w.showSettings(rw, p, &settingsData{Errors: fields}, http.StatusUnprocessableEntity)
		return nil
	}
	if err != nil {
		return err
	}
	w.setLanguageCookie(rw, r, r.PostFormValue("language"))
	redirect(rw, r, "/settings?saved=preferences")
	return nil
}

// changePassword sets the user's own password; the current session stays
// signed in and every other one ends.
func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request, p *page) error {
	err := w.desk.SetPassword(r.Context(), desk.PasswordChange{UserID: p.User.ID, Current: r.PostFormValue("current_password"),
		New: r.PostFormValue("password"), KeepSessionID: p.session.ID})
	if fields := validationFields(err); fields != nil {
		w.showSettings(rw, p, &settingsData{Errors: fields}, http.StatusUnprocessableEntity)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/settings?saved=password")
	return nil
}
