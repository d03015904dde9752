package api

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestPatternReachesOuterMiddleware checks what the server's metrics rely
// on: after the API served a request mounted the way the server mounts it,
// r.Pattern names the API's route, not the mount point.
func TestPatternReachesOuterMiddleware(t *testing.T) {
	f := newFixture(t)
	outer := http.NewServeMux()
	outer.Handle("/api/", New(Config{Desk: f.desk}))
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/api/v1/conversations/abc", "GET /api/v1/conversations/{id}"},
		{"GET", "/api/v1/users/me", "GET /api/v1/users/me"},
		{"GET", "/api/v1/openapi.json", "GET /api/v1/openapi.json"},
		{"GET", "/api/v1/nowhere", "/api/"},
	} {
		r := httptest.NewRequest(tc.method, tc.path, nil)
		outer.ServeHTTP(httptest.NewRecorder(), r)
		if r.Pattern != tc.want {
			t.Errorf("%s %s: r.Pattern = %q, want %q", tc.method, tc.path, r.Pattern, tc.want)
		}
	}
}
