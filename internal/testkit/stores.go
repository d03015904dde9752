package testkit

import (
	"context"
	"testing"

	"kesher"
	"kesher/internal/store"
)

// SQLite opens a fresh SQLite store in a temporary directory, closed when
// the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return openStore(t, store.Config{DataDir: t.TempDir(), GroupCommit: true})
}

// Postgres opens a store on a fresh PostgreSQL database (see PostgresDSN),
// closed and dropped when the test ends.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return openStore(t, store.Config{DSN: PostgresDSN(t), GroupCommit: true})
}

func openStore(t testing.TB, cfg store.Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// ForEachStore runs fn once per database backend as a subtest; open gives
// a fresh, empty store of that backend each time it is called.
func ForEachStore(t *testing.T, fn func(t *testing.T, open func(testing.TB) kesher.Store)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, func(t testing.TB) kesher.Store { return SQLite(t) }) })
	t.Run("postgres", func(t *testing.T) { fn(t, func(t testing.TB) kesher.Store { return Postgres(t) }) })
}

// PendingJobs counts the pending jobs of a kind in the outbox (up to a
// page of them, more than any test makes).
func PendingJobs(t testing.TB, q kesher.Queries, kind string) int {
	t.Helper()
	jobs, _, err := q.JobsByState(context.Background(), kesher.JobPending, kesher.Page{Limit: kesher.MaxPageLimit})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, j := range jobs {
		if j.Kind == kind {
			n++
		}
	}
	return n
}
