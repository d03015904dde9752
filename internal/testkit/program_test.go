package testkit

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestProgram runs the real binary on each database, with a CLI command
// writing beside the running server, and checks that SIGTERM ends it
// cleanly.
func TestProgram(t *testing.T) {
	for _, tc := range []struct {
		name string
		args func(t *testing.T) []string
	}{
		{"sqlite", func(t *testing.T) []string { return nil }},
		{"postgres", func(t *testing.T) []string { return []string{"--db", PostgresDSN(t)} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := StartProgram(t, tc.args(t)...)
			out := p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", "correct horse battery")
			if !strings.Contains(out, "דנה כהן (dana@example.com)") {
				t.Errorf("user create printed %q", out)
			}
			// The server sees what the command wrote: the token made by a
			// second command authenticates at the server's API.
			token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "dana@example.com"))
			req, err := http.NewRequest("GET", p.URL+"/api/v1/users/me", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+token)
			if status, body := get(t, req); status != http.StatusOK || !strings.Contains(body, "dana@example.com") {
				t.Errorf("GET /api/v1/users/me = %d %s, want 200 with dana@example.com", status, body)
			}
			req, err = http.NewRequest("GET", p.URL+"/readyz", nil)
			if err != nil {
				t.Fatal(err)
			}
			if status, body := get(t, req); status != http.StatusOK {
				t.Errorf("GET /readyz = %d %s, want 200", status, body)
			}

			if err := p.Stop(); err != nil {
				t.Fatalf("after SIGTERM: %v, want exit status 0", err)
			}
			if !strings.Contains(p.Log(), "shutting down") {
				t.Errorf("the log does not tell of the shutdown:\n%s", p.Log())
			}
		})
	}
}

func get(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

func TestFlagValue(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--db", "postgres://a"}, "postgres://a"},
		{[]string{"-db", "postgres://a"}, "postgres://a"},
		{[]string{"--db=postgres://a"}, "postgres://a"},
		{[]string{"--max-body", "10", "-db=x", "--db", "y"}, "y"},
		{[]string{"--dbx", "y"}, ""},
		{[]string{"--db"}, ""},
	} {
		if got := flagValue(tc.args, "db"); got != tc.want {
			t.Errorf("flagValue(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
