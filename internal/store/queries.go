package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"kesher"
)

// querier is what a pool and a transaction have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries implements kesher.Queries over a pool (outside Write) or a
// transaction (inside Write).
type queries struct {
	q querier
	d *dialect
}

// tx implements kesher.Tx. It is valid only while the fn given to Write runs.
type tx struct{ queries }

var (
	_ kesher.Store = (*DB)(nil)
	_ kesher.Tx    = (*tx)(nil)
)

// args collects the arguments of a query and hands out their placeholders,
// so that queries built piece by piece number them correctly.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// in returns "($1, $2, …)" for vals.
func in[T any](a *args, vals []T) string {
	ps := make([]string, len(vals))
	for i, v := range vals {
		ps[i] = a.add(v)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

// micros stores a time as unix microseconds; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros is the inverse of micros.
func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// nullable stores an empty optional reference as NULL, so that foreign keys
// and "IS NULL" filters mean "none".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// dbErr turns driver errors into the desk's error codes; what names the
// thing read or written, for the message.
func (q *queries) dbErr(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return kesher.Errorf(kesher.ECodeNotFound, "%s not found", what)
	case q.d.uniqueViolation(err):
		return kesher.Errorf(kesher.ECodeConflict, "%s already exists", what)
	case q.d.foreignKeyViolation(err):
		return kesher.Errorf(kesher.ECodeNotFound, "%s refers to something that does not exist", what)
	}
	return err
}

// insert runs an INSERT … ON CONFLICT DO NOTHING and reports a row that was
// not inserted as a conflict. Avoiding the unique-violation error matters on
// PostgreSQL, where any failed statement aborts the whole transaction: a
// caller that handles the conflict can carry on in the same transaction.
func (q *queries) insert(ctx context.Context, what, query string, a args) error {
	res, err := q.q.ExecContext(ctx, query+" ON CONFLICT DO NOTHING", a...)
	if err != nil {
		return q.dbErr(err, what)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return kesher.Errorf(kesher.ECodeConflict, "%s already exists", what)
	}
	return nil
}

// exec runs an UPDATE or DELETE that must touch a row; touching none means
// the row does not exist.
func (q *queries) exec(ctx context.Context, what, query string, a ...any) error {
	res, err := q.q.ExecContext(ctx, query, a...)
	if err != nil {
		return q.dbErr(err, what)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return kesher.Errorf(kesher.ECodeNotFound, "%s not found", what)
	}
	return nil
}

// list runs a query built with LIMIT limit+1 and scans each row with scan,
// returning at most limit items and whether there was one more.
func list[T any](ctx context.Context, q *queries, what, query string, a args, limit int, scan func(scanner) (T, error)) ([]T, bool, error) {
	rows, err := q.q.QueryContext(ctx, query, a...)
	if err != nil {
		return nil, false, q.dbErr(err, what)
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		it, err := scan(rows)
		if err != nil {
			return nil, false, err
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := limit > 0 && len(items) > limit
	if more {
		items = items[:limit]
	}
	return items, more, nil
}

// countUpTo counts the rows query selects, up to max: the LIMIT ends its
// scans as soon as max rows have been seen, so a tab showing "1000+" costs
// as much as one showing 1000. max below 1 is ECodeValidation on "max".
func (q *queries) countUpTo(ctx context.Context, what, query string, a args, max int) (int, error) {
	if max < 1 {
		return 0, kesher.FieldError("max", "invalid", "a count needs a maximum of at least 1")
	}
	var n int
	err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM ("+query+" LIMIT "+a.add(max)+") AS n", a...).Scan(&n)
	return n, q.dbErr(err, what)
}

// pageLimit applies the default and the cap to a requested page size.
func pageLimit(p kesher.Page) int {
	switch {
	case p.Limit <= 0:
		return kesher.DefaultPageLimit
	case p.Limit > kesher.MaxPageLimit:
		return kesher.MaxPageLimit
	}
	return p.Limit
}
