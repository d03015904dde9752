package messaging

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEqual(t *testing.T) {
	for _, tc := range []struct {
		presented, stored string
		want              bool
	}{
		{"סוד", "סוד", true},
		{"סוד", "סוז", false},
		{"", "", false}, // an account without a secret accepts nothing
		{"abc", "abcd", false},
	} {
		if got := Equal(tc.presented, tc.stored); got != tc.want {
			t.Errorf("Equal(%q, %q) = %v", tc.presented, tc.stored, got)
		}
	}
}

// TestFetchLimit: a file over the limit is refused whether or not the
// server announces its length.
func TestFetchLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/chunked" {
			w.(http.Flusher).Flush() // no Content-Length
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	for _, path := range []string{"/sized", "/chunked"} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		_, _, err := Fetch(srv.Client(), req, 99)
		if ae := (*APIError)(nil); !errors.As(err, &ae) || ae.Status != http.StatusRequestEntityTooLarge || ae.Retriable() {
			t.Errorf("%s over the limit: %v", path, err)
		}
		req, _ = http.NewRequest(http.MethodGet, srv.URL+path, nil)
		if b, _, err := Fetch(srv.Client(), req, 100); err != nil || len(b) != 100 {
			t.Errorf("%s at the limit: %d bytes, %v", path, len(b), err)
		}
	}
}
