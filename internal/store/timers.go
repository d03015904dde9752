package store

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"kesher"
)

// timerRow says where a kind of timer lives: a due column of its rows, 0
// when the row has no timer, with a partial index on (due column, id) that
// holds only the rows that have one.
type timerRow struct {
	kind          kesher.TimerKind
	table, column string
}

var timerRows = []timerRow{
	{kesher.TimerSLA, "conversations", "sla_due_at"},
	{kesher.TimerCommitment, "commitments", "next_timer_at"},
	{kesher.TimerEscalation, "escalations", "next_timer_at"},
}

// timersQuery selects up to $2 timers due at or before $1, earliest first.
// Each kind is one range of its partial index, cut at its own LIMIT, and
// the outer ORDER BY merges the few rows they return.
var timersQuery = func() string {
	parts := make([]string, len(timerRows))
	for i, r := range timerRows {
		parts[i] = "SELECT * FROM (SELECT '" + string(r.kind) + "' AS kind, id, " + r.column + " AS due_at FROM " + r.table +
			" WHERE " + r.column + " > 0 AND " + r.column + " <= $1 ORDER BY " + r.column + ", id LIMIT $2) AS " + string(r.kind) + "_timers"
	}
	return strings.Join(parts, " UNION ALL ") + " ORDER BY due_at, id LIMIT $2"
}()

func scanTimer(s scanner) (kesher.Timer, error) {
	var t kesher.Timer
	var due int64
	err := s.Scan(&t.Kind, &t.ID, &due)
	t.DueAt = fromMicros(due)
	return t, err
}

// DueTimers returns up to limit timers due at or before now, earliest
// first.
func (q *queries) DueTimers(ctx context.Context, now time.Time, limit int) ([]kesher.Timer, error) {
	if limit < 1 {
		return nil, kesher.FieldError("limit", "invalid", "a read of due timers takes at least one, not %d", limit)
	}
	ts, _, err := list(ctx, q, "timers", timersQuery, args{micros(now), limit}, 0, scanTimer)
	return ts, err
}

// NextTimer returns the earliest timer, due or not: the first of them all.
func (q *queries) NextTimer(ctx context.Context) (kesher.Timer, bool, error) {
	ts, _, err := list(ctx, q, "timers", timersQuery, args{int64(math.MaxInt64), 1}, 0, scanTimer)
	if err != nil || len(ts) == 0 {
		return kesher.Timer{}, false, err
	}
	return ts[0], true, nil
}

// ClaimTimer clears a timer's due time where it is still t.DueAt.
//
// Two nodes may read the same due timer and both try to claim it. On
// SQLite their transactions run one after the other, and the second finds
// the column changed. On PostgreSQL the claim locks the row with SKIP
// LOCKED: a claim that finds another node's claim holding the row does not
// wait for it but claims nothing, since that node is firing the timer (and
// should it roll back, the timer is still due at the next pass). So exactly
// one claim wins, the winner's row stays locked until its transaction
// ends, and a claim never waits, so it is never part of a deadlock.
func (t *tx) ClaimTimer(ctx context.Context, tm kesher.Timer) (bool, error) {
	i := slices.IndexFunc(timerRows, func(r timerRow) bool { return r.kind == tm.Kind })
	if i < 0 {
		return false, kesher.FieldError("kind", "invalid", "%q is not a timer kind", tm.Kind)
	}
	if tm.DueAt.IsZero() {
		// A row without a timer holds 0, which a zero time would match.
		return false, nil
	}
	r := timerRows[i]
	res, err := t.q.ExecContext(ctx, t.d.claimTimerQuery(r.table, r.column), tm.ID, micros(tm.DueAt))
	if err != nil {
		return false, t.dbErr(err, string(tm.Kind)+" timer of "+tm.ID)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// claimTimerQuery clears the due column of row $1 where it holds $2; on
// PostgreSQL only when no other transaction holds the row.
func (d *dialect) claimTimerQuery(table, column string) string {
	due := "id = $1 AND " + column + " = $2"
	if d == &postgresDialect {
		due = "id = (SELECT id FROM " + table + " WHERE " + due + " FOR UPDATE SKIP LOCKED)"
	}
	return "UPDATE " + table + " SET " + column + " = 0 WHERE " + due
}
