// Package store keeps the desk's data in SQLite (the zero-setup default) or
// PostgreSQL (several nodes), behind the kesher.Store interface. Both run
// the same SQL; the differences live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers "sqlite"

	"kesher"
)

//go:embed migrations
var migrations embed.FS

// Config says which database to open and how.
type Config struct {
	// DSN is "postgres://…" or "postgresql://…" for PostgreSQL; anything
	// else ("", "sqlite:PATH", a file path) is SQLite, in DataDir/kesher.db
	// when empty.
	DSN     string
	DataDir string
	// GroupCommit lets concurrent Writes share one transaction and one
	// fsync, each in a savepoint of its own.
	GroupCommit bool
	Logger      *slog.Logger
}

// Pool sizes. SQLite has one writer connection by nature; its readers never
// block the writer in WAL mode.
const (
	sqliteReaders = 8
	postgresConns = 20
	// maxBatch bounds a group commit, so one batch's latency stays short
	// when the queue is long.
	maxBatch = 256
)

// DB is the desk's database. It implements kesher.Store.
type DB struct {
	queries // reads outside Write, through the reader pool
	d       *dialect
	writer  *sql.DB
	reader  *sql.DB // the same pool as writer on PostgreSQL
	log     *slog.Logger
	// Statement caches of the writer and the reader pool, nil when the
	// driver caches statements itself (see dialect.cacheStatements).
	writeStmts, readStmts *stmtCache

	// units feeds the group committer; mu guards closed so that no Write
	// sends on units after Close has closed it.
	units     chan *unit
	mu        sync.RWMutex
	closed    bool
	committed chan struct{} // closed when the committer has drained units
}

// unit is one Write waiting for the group committer.
type unit struct {
	ctx  context.Context
	fn   func(kesher.Tx) error
	done chan error
}

// Open connects to the database named by cfg, applies the migrations and,
// with cfg.GroupCommit, starts the committer.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	db := &DB{log: log}
	if isPostgresDSN(cfg.DSN) {
		db.d = &postgresDialect
		pool, err := sql.Open("pgx", cfg.DSN)
		if err != nil {
			return nil, err
		}
		configurePool(pool, postgresConns)
		db.writer, db.reader = pool, pool
	} else {
		db.d = &sqliteDialect
		wdsn, rdsn, err := sqliteDSNs(cfg.DSN, cfg.DataDir)
		if err != nil {
			return nil, err
		}
		if db.writer, err = sql.Open("sqlite", wdsn); err != nil {
			return nil, err
		}
		configurePool(db.writer, 1)
		if db.reader, err = sql.Open("sqlite", rdsn); err != nil {
			_ = db.writer.Close()
			return nil, err
		}
		configurePool(db.reader, sqliteReaders)
	}
	db.queries = queries{q: db.reader, d: db.d}
	if db.d.cacheStatements {
		db.writeStmts, db.readStmts = newStmtCache(db.writer), newStmtCache(db.reader)
		db.queries.q = preparing{db.reader, db.readStmts}
	}
	if err := db.migrate(ctx); err != nil {
		_ = db.closePools()
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	if cfg.GroupCommit {
		db.units = make(chan *unit, maxBatch)
		db.committed = make(chan struct{})
		go db.commitLoop()
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations/"+db.d.name)
	if err != nil {
		return err
	}
	// Migrations are additive and independent of each other, so one that
	// lands with a lower number than a migration already applied (work
	// merged in a different order than it was numbered) is applied late
	// rather than refused.
	opts := []goose.ProviderOption{goose.WithSlog(db.log), goose.WithAllowOutofOrder(true)}
	if db.d == &postgresDialect {
		// Several nodes may start at once; an advisory lock lets one migrate.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(db.d.goose, db.writer, fsys, opts...)
	if err != nil {
		return err
	}
	results, err := p.Up(ctx)
	for _, r := range results {
		db.log.Info("migration applied", "dialect", db.d.name, "version", r.Source.Version, "duration", r.Duration)
	}
	return err
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Pools returns the connection pools by name, "writer" and "reader" on
// SQLite and "main" on PostgreSQL, for metrics (Prometheus'
// DBStatsCollector takes a *sql.DB). Writing through them would bypass
// Write and its committer.
func (db *DB) Pools() map[string]*sql.DB {
	if db.reader == db.writer {
		return map[string]*sql.DB{"main": db.writer}
	}
	return map[string]*sql.DB{"writer": db.writer, "reader": db.reader}
}

// Stats returns the statistics of each pool, named as by Pools.
func (db *DB) Stats() map[string]sql.DBStats {
	stats := make(map[string]sql.DBStats, 2)
	for name, pool := range db.Pools() {
		stats[name] = pool.Stats()
	}
	return stats
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.reader.PingContext(ctx)
}

// Close lets the committer finish every queued Write, then closes the pools.
func (db *DB) Close() error {
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return nil
	}
	db.closed = true
	if db.units != nil {
		close(db.units)
	}
	db.mu.Unlock()
	if db.committed != nil {
		<-db.committed
	}
	return db.closePools()
}

func (db *DB) closePools() error {
	if db.writeStmts != nil {
		db.writeStmts.close()
		db.readStmts.close()
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		err = errors.Join(err, db.reader.Close())
	}
	return err
}

var errClosed = errors.New("store: the database is closed")

// deadlockAttempts bounds how often Write runs a unit that the database
// chose as a deadlock's victim. Its statements were rolled back (to the
// unit's savepoint in a group commit), so running it again is safe, and
// the next time it runs in a later transaction, after the other side's
// locks are gone.
const deadlockAttempts = 3

// Write runs fn as one atomic unit; see kesher.Store.
func (db *DB) Write(ctx context.Context, fn func(kesher.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.write(ctx, fn)
		if attempt == deadlockAttempts || !db.d.deadlock(err) {
			return err
		}
		db.log.Warn("write was a deadlock's victim; running it again", "attempt", attempt)
	}
}

func (db *DB) write(ctx context.Context, fn func(kesher.Tx) error) error {
	if db.units == nil {
		return db.writeAlone(ctx, fn)
	}
	u := &unit{ctx: ctx, fn: fn, done: make(chan error, 1)}
	db.mu.RLock()
	if db.closed {
		db.mu.RUnlock()
		return errClosed
	}
	select {
	case db.units <- u:
	case <-ctx.Done():
		db.mu.RUnlock()
		return ctx.Err()
	}
	db.mu.RUnlock()
	// Once queued, the unit must be waited for even if ctx ends: fn may be
	// running in the committer.
	err := <-u.done
	if p, ok := err.(panicked); ok {
		panic(p.value)
	}
	return err
}

// writeAlone runs fn in a transaction of its own: one commit, one fsync.
func (db *DB) writeAlone(ctx context.Context, fn func(kesher.Tx) error) error {
	db.mu.RLock()
	closed := db.closed
	db.mu.RUnlock()
	if closed {
		return errClosed
	}
	sqlTx, err := db.writer.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	// Rolling back releases the writer connection if fn panics; after
	// Commit it does nothing.
	defer func() { _ = sqlTx.Rollback() }()
	if err := fn(db.tx(sqlTx)); err != nil {
		return err
	}
	err = sqlTx.Commit()
	db.afterTx()
	return err
}

// tx wraps a transaction of the writer pool as a kesher.Tx.
func (db *DB) tx(sqlTx *sql.Tx) *tx {
	if db.writeStmts == nil {
		return &tx{queries{q: sqlTx, d: db.d}}
	}
	return &tx{queries{q: preparing{sqlTx, db.writeStmts}, d: db.d}}
}

// batchTx wraps the shared transaction of a group commit. Its statements
// ignore their caller's cancellation: SQLite rolls back the whole
// transaction when a write statement is interrupted, which would undo the
// other units of the batch. A caller that gives up is skipped before its
// unit starts (commitBatch), never midway.
func (db *DB) batchTx(sqlTx *sql.Tx) *tx {
	t := db.tx(sqlTx)
	t.q = uncancelled{t.q}
	return t
}

// uncancelled runs statements with their context's values but without its
// cancellation or deadline.
type uncancelled struct{ q querier }

func (u uncancelled) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return u.q.ExecContext(context.WithoutCancel(ctx), query, args...)
}

func (u uncancelled) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return u.q.QueryContext(context.WithoutCancel(ctx), query, args...)
}

func (u uncancelled) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return u.q.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// afterTx prepares the statements the last transaction ran unprepared,
// now that the writer connection is free again.
func (db *DB) afterTx() {
	if db.writeStmts != nil {
		db.writeStmts.preparePending(context.Background())
	}
}

// commitLoop is the group committer: it waits for a first unit and
// commits a batch that starts with it.
func (db *DB) commitLoop() {
	defer close(db.committed)
	batch := make([]*unit, 0, maxBatch)
	for first := range db.units {
		db.commitBatch(append(batch[:0], first))
	}
}

// drain appends to batch the units already queued, without waiting.
func (db *DB) drain(batch []*unit) []*unit {
	for len(batch) < maxBatch {
		select {
		case u, ok := <-db.units:
			if !ok {
				return batch
			}
			batch = append(batch, u)
		default:
			return batch
		}
	}
	return batch
}

// commitBatch runs each unit in a savepoint of one transaction, so a unit
// that fails rolls back only its own writes, and commits once. Each unit
// learns its own error, or the commit's error if the commit fails.
//
// The batch takes in the units that arrive while it runs, not only those
// waiting when it began: writers woken by the previous commit are still on
// their way back when the next batch starts, and waiting for them would
// mean guessing a delay. So batches grow with concurrency, and a lone Write
// pays no extra latency.
func (db *DB) commitBatch(batch []*unit) {
	// The transaction belongs to the whole batch, so no single unit's
	// context may cancel it; each unit's statements use that unit's ctx.
	sqlTx, err := db.writer.BeginTx(context.Background(), nil)
	if err != nil {
		db.finish(batch, nil, err)
		return
	}
	t := db.batchTx(sqlTx)
	errs := make([]error, 0, maxBatch)
	committed := 0
	for i := 0; ; i++ {
		if i == len(batch) {
			if batch = db.drain(batch); i == len(batch) {
				break
			}
		}
		u := batch[i]
		errs = append(errs, u.ctx.Err())
		if errs[i] != nil {
			continue
		}
		if _, err := t.q.ExecContext(context.Background(), "SAVEPOINT unit"); err != nil {
			_ = sqlTx.Rollback()
			db.finish(batch, errs, err)
			return
		}
		errs[i] = runUnit(u, t)
		end := []string{"RELEASE SAVEPOINT unit"}
		if errs[i] != nil {
			end = []string{"ROLLBACK TO SAVEPOINT unit", "RELEASE SAVEPOINT unit"}
		} else {
			committed++
		}
		for _, stmt := range end {
			if _, err := t.q.ExecContext(context.Background(), stmt); err != nil {
				_ = sqlTx.Rollback()
				db.finish(batch, errs, err)
				return
			}
		}
	}
	if committed == 0 {
		err = sqlTx.Rollback()
	} else if err = sqlTx.Commit(); err != nil {
		db.log.Error("group commit failed", "units", len(batch), "err", err)
	}
	db.finish(batch, errs, err)
	db.afterTx()
}

// finish reports to each unit its own error, or batchErr (a failure of the
// shared transaction) to the units that had succeeded or not yet run.
func (db *DB) finish(batch []*unit, errs []error, batchErr error) {
	for i, u := range batch {
		var err error
		if i < len(errs) {
			err = errs[i]
		}
		if err == nil {
			err = batchErr
		}
		u.done <- err
	}
}

// panicked carries a panic of fn back to the goroutine that called Write.
type panicked struct{ value any }

func (p panicked) Error() string { return fmt.Sprint("store: write panicked: ", p.value) }

func runUnit(u *unit, t *tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicked{v}
		}
	}()
	return u.fn(t)
}
