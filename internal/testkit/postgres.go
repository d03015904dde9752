package testkit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
)

// PostgresEnv names the variable that points the tests at a PostgreSQL
// server on which they may create and drop databases.
const PostgresEnv = "KESHER_TEST_POSTGRES"

// PostgresDSN creates a fresh, empty database kesher_test_<random> on the
// server named by KESHER_TEST_POSTGRES, drops it when the test ends, and
// returns its DSN. Without the variable the test skips, except in CI
// (CI set), where nothing may skip.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	server := os.Getenv(PostgresEnv)
	if server == "" {
		const msg = "PostgreSQL tests skipped: set " + PostgresEnv + "=postgres://root@127.0.0.1:5432/postgres?sslmode=disable to run them"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set, so PostgreSQL tests may not skip)")
		}
		t.Skip(msg)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() { _ = admin.Close() })

	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "kesher_test_" + hex.EncodeToString(b)
	// The name is made here of safe characters, so it may be spliced in:
	// CREATE DATABASE takes no parameters.
	if _, err := admin.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE ends connections the test left open (PostgreSQL 13+).
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
