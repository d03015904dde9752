package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"kesher"
)

// QueuedWrites reports how many Writes wait for the group committer, so
// that a test can tell when a batch has formed. It is -1 without group
// commit.
func (db *DB) QueuedWrites() int {
	if db.units == nil {
		return -1
	}
	return len(db.units)
}

// Plan is the database's plan of one statement, a line per step.
type Plan struct {
	Query string
	Steps []string
}

func (p Plan) String() string { return p.Query + "\n\t" + strings.Join(p.Steps, "\n\t") }

// Explain runs fn with reads that first ask the database how it will run
// each of their statements, and returns the plans. On PostgreSQL
// sequential scans are disabled for them, so that a plan tells whether an
// index can serve a statement at all, not whether the planner would rather
// read a test's few rows in full.
func (db *DB) Explain(ctx context.Context, fn func(kesher.Queries) error) ([]Plan, error) {
	sqlTx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer func() { _ = sqlTx.Rollback() }()
	explain := "EXPLAIN QUERY PLAN "
	if db.d == &postgresDialect {
		explain = "EXPLAIN "
		if _, err := sqlTx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
			return nil, err
		}
	}
	e := &explaining{querier: sqlTx, explain: explain}
	if err := fn(&queries{q: e, d: db.d}); err != nil {
		return nil, err
	}
	return e.plans, e.err
}

// explaining is a querier that records the plan of each query it runs.
type explaining struct {
	querier
	explain string
	plans   []Plan
	err     error
}

func (e *explaining) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	e.record(ctx, query, args)
	return e.querier.QueryContext(ctx, query, args...)
}

func (e *explaining) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	e.record(ctx, query, args)
	return e.querier.QueryRowContext(ctx, query, args...)
}

// record keeps the plan of query, a line per step. PostgreSQL's lines are
// indented already; SQLite's rows (id, parent, notused, detail) are
// indented here by their depth in the tree.
func (e *explaining) record(ctx context.Context, query string, args []any) {
	rows, err := e.querier.QueryContext(ctx, e.explain+query, args...)
	if err != nil {
		e.err = fmt.Errorf("explain %s: %w", query, err)
		return
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		e.err = err
		return
	}
	plan := Plan{Query: query}
	depth := map[int64]int{}
	for rows.Next() {
		if len(cols) == 1 {
			var line string
			err = rows.Scan(&line)
			plan.Steps = append(plan.Steps, line)
		} else {
			var id, parent, notused int64
			var detail string
			err = rows.Scan(&id, &parent, &notused, &detail)
			depth[id] = depth[parent] + 1
			plan.Steps = append(plan.Steps, strings.Repeat("  ", depth[id]-1)+detail)
		}
		if err != nil {
			e.err = err
			return
		}
	}
	if e.err = rows.Err(); e.err == nil {
		e.plans = append(e.plans, plan)
	}
}
