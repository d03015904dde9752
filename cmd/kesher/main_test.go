package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"kesher/internal/auth"
)

// cli runs one command line in-process against dataDir.
func cli(t *testing.T, dataDir string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--data", dataDir, "--log-level", "warn")
	err = run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestCLIContract(t *testing.T) {
	dir := t.TempDir()
	if out, _, err := cli(t, dir, "migrate"); err != nil || !strings.Contains(out, "migrations applied") {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	if _, _, err := cli(t, dir, "user", "create", "--email", "Dana@Example.com", "--name", "דנה כהן", "--role", "admin", "--password", "a long passphrase"); err != nil {
		t.Fatalf("user create: %v", err)
	}
	// The token is alone on stdout so scripts can capture it; the email
	// matches whatever its case.
	out, _, err := cli(t, dir, "token", "create", "--email", "dana@example.com")
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	token := strings.TrimSuffix(out, "\n")
	if !strings.HasPrefix(token, auth.TokenPrefix) || strings.ContainsAny(token, " \n") {
		t.Errorf("token create printed %q, want the token alone", out)
	}
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"duplicate user", []string{"user", "create", "--email", "dana@example.com", "--name", "Dana", "--role", "agent"}, "--email taken"},
		{"bad role and short password", []string{"user", "create", "--email", "x@example.com", "--name", "X", "--role", "boss", "--password", "short"}, "--password too_short; --role invalid"},
		{"token for nobody", []string{"token", "create", "--email", "ghost@example.com"}, "not"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := cli(t, dir, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	// demo fills only an empty database.
	if _, _, err := cli(t, dir, "demo"); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("demo on a database with users: %v, want a refusal", err)
	}
}
