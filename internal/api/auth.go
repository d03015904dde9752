package api

import (
	"errors"
	"net/http"
	"strings"

	"kesher"
	"kesher/internal/desk"
)

// Authenticator recognises the credentials of one kind (a bearer token, the
// UI's session cookie) and returns their active user. It returns
// ErrNoCredentials when the request carries none of its kind, so the next
// authenticator is tried; any other error ends the attempt.
type Authenticator func(r *http.Request) (*kesher.User, error)

// ErrNoCredentials tells that a request carries no credentials an
// Authenticator knows.
var ErrNoCredentials = errors.New("api: no credentials of this kind")

// BearerToken authenticates "Authorization: Bearer <token>" with the desk's
// API tokens.
func BearerToken(d *desk.Desk) Authenticator {
	return func(r *http.Request) (*kesher.User, error) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return nil, ErrNoCredentials
		}
		return d.Authenticate(r.Context(), strings.TrimSpace(token))
	}
}

// authenticate returns the user the first recognising authenticator names.
func (a *api) authenticate(r *http.Request) (*kesher.User, error) {
	for _, authn := range a.authn {
		u, err := authn(r)
		if errors.Is(err, ErrNoCredentials) {
			continue
		}
		if err == nil && u == nil {
			err = kesher.Errorf(kesher.ECodeInternal, "an authenticator returned no user and no error")
		}
		return u, err
	}
	return nil, kesher.Errorf(kesher.ECodeUnauthorized, "sign in: send Authorization: Bearer <token>")
}
