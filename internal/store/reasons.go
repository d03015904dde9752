package store

import (
	"context"

	"kesher"
)

const reasonColumns = "code, name, source, active, created_at, updated_at"

func scanReason(s scanner) (*kesher.Reason, error) {
	var r kesher.Reason
	var active int
	var created, updated int64
	if err := s.Scan(&r.Code, &r.Name, &r.Source, &active, &created, &updated); err != nil {
		return nil, err
	}
	r.Active = active != 0
	r.CreatedAt, r.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &r, nil
}

// Reason returns a reason by its code.
func (q *queries) Reason(ctx context.Context, code string) (*kesher.Reason, error) {
	r, err := scanReason(q.q.QueryRowContext(ctx, "SELECT "+reasonColumns+" FROM reasons WHERE code = $1", code))
	return r, q.dbErr(err, "reason "+code)
}

// Reasons lists reasons by code.
func (q *queries) Reasons(ctx context.Context, p kesher.Page) ([]*kesher.Reason, string, error) {
	return listByID(ctx, q, "reasons", reasonColumns, p, scanReason, func(r *kesher.Reason) string { return r.Code })
}

// CreateReason inserts a reason; a taken code is a conflict.
func (t *tx) CreateReason(ctx context.Context, r *kesher.Reason) error {
	return t.insert(ctx, "reason "+r.Code, "INSERT INTO reasons ("+reasonColumns+") VALUES ($1, $2, $3, $4, $5, $6)",
		args{r.Code, r.Name, string(r.Source), boolInt(r.Active), micros(r.CreatedAt), micros(r.UpdatedAt)})
}

// UpdateReason saves name, source, active and updated_at.
func (t *tx) UpdateReason(ctx context.Context, r *kesher.Reason) error {
	return t.exec(ctx, "reason "+r.Code, "UPDATE reasons SET name = $2, source = $3, active = $4, updated_at = $5 WHERE code = $1",
		r.Code, r.Name, string(r.Source), boolInt(r.Active), micros(r.UpdatedAt))
}
