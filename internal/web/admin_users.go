package web

import (
	"net/http"
	"strconv"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

// createUser adds a member of the team with a first password, which the
// admin passes on and the user changes in their settings.
func (w *Web) createUser(rw http.ResponseWriter, r *http.Request, p *page) error {
	_, err := w.desk.CreateUser(r.Context(), desk.NewUser{Name: r.PostFormValue("name"), Email: r.PostFormValue("email"),
		Role: kesher.Role(r.PostFormValue("role")), Password: r.PostFormValue("password"), Language: r.PostFormValue("language")})
	return w.afterAdminChange(rw, r, p, "users", "", err)
}

// updateUser changes what the row's form carries: the role, the capacity,
// or whether the user is active. The desk ends a deactivated user's sessions and refuses
// to deactivate the admin who asks.
func (w *Web) updateUser(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	var up desk.UserUpdate
	if role := posted(r, "role"); role != nil {
		up.Role = (*kesher.Role)(role)
	}
	active, err := postedBool(r, "active")
	if c := posted(r, "capacity"); c != nil && err == nil {
		up.Capacity, err = capacity(*c)
	}
	if err == nil {
		up.Active = active
		_, err = w.desk.UpdateUser(r.Context(), id, up)
	}
	return w.afterAdminChange(rw, r, p, "users", id, err)
}

// resetPassword sets another user's password without the current one and
// signs that user out everywhere. The page offers admins their own
// password change in the settings instead, where the desk asks for the
// current password.
func (w *Web) resetPassword(rw http.ResponseWriter, r *http.Request, p *page) error {
	id := r.PathValue("id")
	err := w.desk.SetPassword(r.Context(), desk.PasswordChange{UserID: id, New: r.PostFormValue("password")})
	return w.afterAdminChange(rw, r, p, "users", id, err)
}

// capacity reads the capacity field: empty is no bound (0).
func capacity(s string) (*int, error) {
	s = strings.TrimSpace(s)
	n := 0
	if s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			return nil, kesher.FieldError("capacity", "invalid", "capacity must be a whole number, not %q", s)
		}
	}
	return &n, nil
}
