package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxStatements bounds a statement cache. Most statements are fixed text;
// the lists build theirs from filters, and once the cache is full new texts
// simply run unprepared.
const maxStatements = 256

// stmtCache keeps statements prepared on one pool. modernc's SQLite driver
// parses every statement it runs afresh, which measured as a third of the
// cost of a write, and the writer's single connection spends its time on
// nothing else. (pgx caches prepared statements per connection itself.)
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	// stmts are ready to use; pending were wanted inside a transaction,
	// where preparing on the pool would wait for the very connection the
	// transaction holds, so they are prepared after it (preparePending).
	stmts   map[string]*sql.Stmt
	pending map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns the prepared form of query for use through via (the pool or
// one of its transactions), or nil when there is none yet.
func (c *stmtCache) stmt(ctx context.Context, via querier, query string) *sql.Stmt {
	tx, inTx := via.(*sql.Tx)
	c.mu.Lock()
	s, ok := c.stmts[query]
	room := len(c.stmts)+len(c.pending) < maxStatements
	if !ok && inTx && room {
		c.pending[query] = true
	}
	c.mu.Unlock()
	switch {
	case ok && inTx:
		// Reuses the statement already prepared on the transaction's
		// connection.
		return tx.StmtContext(ctx, s)
	case ok:
		return s
	case inTx || !room:
		return nil
	}
	return c.prepare(ctx, query)
}

// prepare prepares query on the pool and keeps it; nil when that fails, so
// that the caller runs the query unprepared and reports its error.
func (c *stmtCache) prepare(ctx context.Context, query string) *sql.Stmt {
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if kept, ok := c.stmts[query]; ok { // another goroutine was quicker
		_ = s.Close()
		return kept
	}
	c.stmts[query] = s
	return s
}

// preparePending prepares the statements that transactions wanted; call it
// when no transaction holds the pool's connection.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	c.mu.Unlock()
	for _, q := range queries {
		if c.prepare(ctx, q) == nil {
			c.mu.Lock()
			delete(c.pending, q) // it will fail again; don't retry forever
			c.mu.Unlock()
		}
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.stmts {
		_ = s.Close()
	}
}

// preparing is a querier that runs statements in their prepared form when
// its cache has one.
type preparing struct {
	querier
	cache *stmtCache
}

func (p preparing) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := p.cache.stmt(ctx, p.querier, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return p.querier.ExecContext(ctx, query, args...)
}

func (p preparing) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := p.cache.stmt(ctx, p.querier, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return p.querier.QueryContext(ctx, query, args...)
}

func (p preparing) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := p.cache.stmt(ctx, p.querier, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return p.querier.QueryRowContext(ctx, query, args...)
}
