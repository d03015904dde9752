package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/store"
	"kesher/internal/testkit"
)

// testGroupCommitBatch builds one batch by holding the committer in a first
// unit while the others queue, then checks that each unit of the batch
// gets its own outcome: a failing unit and a panicking unit roll back only
// themselves, a unit whose caller gave up is skipped, the rest commit.
func testGroupCommitBatch(t *testing.T, db *store.DB) {
	reason := func(tx kesher.Tx, code string) error {
		return tx.CreateReason(ctx, &kesher.Reason{Code: code, Name: code, Source: kesher.SourceOther, CreatedAt: t0, UpdatedAt: t0})
	}
	running, release := make(chan struct{}), make(chan struct{})
	results := make(map[string]error)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := func(name string, wctx context.Context, fn func(kesher.Tx) error) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					mu.Lock()
					results[name] = fmt.Errorf("panic: %v", v)
					mu.Unlock()
				}
			}()
			err := db.Write(wctx, fn)
			mu.Lock()
			results[name] = err
			mu.Unlock()
		})
	}
	start("holder", ctx, func(tx kesher.Tx) error {
		close(running)
		<-release
		return reason(tx, "holder")
	})
	<-running
	gaveUp, cancel := context.WithCancel(ctx)
	skippedRan := false
	start("ok1", ctx, func(tx kesher.Tx) error { return reason(tx, "ok1") })
	start("fails", ctx, func(tx kesher.Tx) error {
		if err := reason(tx, "fails"); err != nil {
			return err
		}
		return kesher.Errorf(kesher.ECodeValidation, "no")
	})
	start("panics", ctx, func(tx kesher.Tx) error {
		if err := reason(tx, "panics"); err != nil {
			return err
		}
		panic("boom")
	})
	start("gave up", gaveUp, func(tx kesher.Tx) error { skippedRan = true; return reason(tx, "gave up") })
	start("ok2", ctx, func(tx kesher.Tx) error { return reason(tx, "ok2") })
	deadline := time.Now().Add(10 * time.Second)
	for db.QueuedWrites() < 5 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d Writes queued", db.QueuedWrites())
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	close(release)
	wg.Wait()

	for name, wantErr := range map[string]string{"holder": "", "ok1": "", "ok2": "", "fails": kesher.ECodeValidation, "panics": kesher.ECodeInternal, "gave up": kesher.ECodeInternal} {
		wantCode(t, name+" Write", results[name], wantErr)
		_, err := db.Reason(ctx, name)
		if wantErr == "" && err != nil || wantErr != "" && kesher.ErrorCode(err) != kesher.ECodeNotFound {
			t.Errorf("reason written by %s: %v", name, err)
		}
	}
	if results["gave up"] != context.Canceled || skippedRan {
		t.Errorf("a unit whose context ended: %v, ran %v; want context.Canceled, not run", results["gave up"], skippedRan)
	}
}

// TestSQLiteDurable makes many concurrent Writes, reopens the database file
// and finds every one of them.
func TestSQLiteDurable(t *testing.T) {
	for _, group := range []bool{true, false} {
		t.Run(fmt.Sprintf("group commit %v", group), func(t *testing.T) {
			cfg := store.Config{DataDir: t.TempDir(), GroupCommit: group}
			db, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			const writers, each = 16, 25
			var wg sync.WaitGroup
			errs := make(chan error, writers*each)
			for w := range writers {
				wg.Go(func() {
					for i := range each {
						errs <- db.Write(ctx, func(tx kesher.Tx) error {
							c := newCustomer(fmt.Sprintf("לקוח %d-%d", w, i), t0, email(fmt.Sprintf("c%d-%d@example.com", w, i)))
							return tx.CreateCustomer(ctx, c)
						})
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.Write(ctx, func(kesher.Tx) error { return nil }); err == nil {
				t.Error("Write after Close succeeded")
			}

			db, err = store.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			n := 0
			f := kesher.CustomerFilter{Page: kesher.Page{Limit: kesher.MaxPageLimit}}
			for {
				page, next, err := db.Customers(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				n += len(page)
				if next == "" {
					break
				}
				f.Page.Cursor = next
			}
			if n != writers*each {
				t.Errorf("%d customers after reopening, want %d", n, writers*each)
			}
		})
	}
}

// TestSQLiteWithoutGroupCommit runs the contract suite with one
// transaction per Write, the path taken when group commit is off.
func TestSQLiteWithoutGroupCommit(t *testing.T) {
	runSuite(t, groupCommitOff, func(t testing.TB) *store.DB {
		db, err := store.Open(ctx, store.Config{DataDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
		return db
	})
}

// TestSQLitePools checks the shape of an SQLite store: one writer
// connection, and readers that cannot write.
func TestSQLitePools(t *testing.T) {
	db, err := store.Open(ctx, store.Config{DSN: "sqlite:" + t.TempDir() + "/sub/desk.db"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Dialect() != "sqlite" {
		t.Errorf("Dialect() = %q", db.Dialect())
	}
	pools := db.Pools()
	if len(pools) != 2 || pools["writer"] == nil || pools["reader"] == nil {
		t.Fatalf("Pools() = %v, want writer and reader", pools)
	}
	if got := db.Stats()["writer"].MaxOpenConnections; got != 1 {
		t.Errorf("writer pool allows %d connections, want 1", got)
	}
	if _, err := pools["reader"].ExecContext(ctx, "DELETE FROM users"); err == nil {
		t.Error("the reader pool accepted a write")
	}
}

// TestGroupCommitIgnoresCancellationMidUnit: once a unit has started, its
// caller hanging up must not interrupt its statements, because an
// interrupted write rolls back the shared transaction of the whole batch.
func TestGroupCommitIgnoresCancellationMidUnit(t *testing.T) {
	db := testkit.SQLite(t)
	wctx, cancel := context.WithCancel(ctx)
	err := db.Write(wctx, func(tx kesher.Tx) error {
		for i, code := range []string{"before_cancel", "after_cancel"} {
			if i == 1 {
				cancel()
			}
			if err := tx.CreateReason(wctx, &kesher.Reason{Code: code, Name: code, Source: kesher.SourceOther, CreatedAt: t0, UpdatedAt: t0}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Write whose caller hung up midway = %v, want it to finish", err)
	}
	for _, code := range []string{"before_cancel", "after_cancel"} {
		if _, err := db.Reason(ctx, code); err != nil {
			t.Errorf("reason %s: %v", code, err)
		}
	}
}
