package api

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kesher"
)

// TestAuthenticators checks that authenticators are tried in order, that
// one without credentials of its kind passes the request on, and that an
// unexpected failure is a 500 whose details reach the log, not the client.
func TestAuthenticators(t *testing.T) {
	f := newFixture(t)
	var logs bytes.Buffer
	// session stands in for the UI's cookie authenticator.
	session := func(r *http.Request) (*kesher.User, error) {
		switch c, err := r.Cookie("session"); {
		case err != nil:
			return nil, ErrNoCredentials
		case c.Value == "lead":
			return f.users["lead"], nil
		case c.Value == "broken":
			return nil, errors.New("session store: connection refused at 10.0.0.7")
		}
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "the session expired")
	}
	srv := httptest.NewServer(New(Config{
		Desk: f.desk, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Authenticators: []Authenticator{session, BearerToken(f.desk)},
	}))
	t.Cleanup(srv.Close)

	cases := []struct {
		name, cookie, token string
		status              int
		wantInBody          string
	}{
		{"session", "lead", "", http.StatusOK, `"role":"lead"`},
		{"no session, bearer token", "", f.tokens["agent"], http.StatusOK, `"role":"agent"`},
		{"expired session", "old", f.tokens["agent"], http.StatusUnauthorized, "the session expired"},
		{"nothing", "", "", http.StatusUnauthorized, `"code":"unauthorized"`},
		{"failing session store", "broken", "", http.StatusInternalServerError, `"message":"internal error"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", srv.URL+"/api/v1/users/me", nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "session", Value: tc.cookie})
			}
			if tc.token != "" {
				r.Header.Set("Authorization", "Bearer "+tc.token)
			}
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tc.status || !strings.Contains(string(body), tc.wantInBody) {
				t.Errorf("status %d body %s; want %d with %s", res.StatusCode, body, tc.status, tc.wantInBody)
			}
			if strings.Contains(string(body), "10.0.0.7") {
				t.Errorf("internal details leaked: %s", body)
			}
		})
	}
	if !strings.Contains(logs.String(), "10.0.0.7") {
		t.Errorf("the internal error was not logged: %q", logs.String())
	}
}
