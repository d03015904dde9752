package store

import (
	"context"

	"kesher"
)

// Idempotency returns the record of an earlier request with this key.
func (q *queries) Idempotency(ctx context.Context, userID, key string) (*kesher.IdempotencyRecord, error) {
	r := kesher.IdempotencyRecord{UserID: userID, Key: key}
	var created int64
	err := q.q.QueryRowContext(ctx, "SELECT request_hash, status, body, created_at FROM idempotency WHERE user_id = $1 AND key = $2",
		userID, key).Scan(&r.RequestHash, &r.Status, &r.Body, &created)
	if err != nil {
		return nil, q.dbErr(err, "idempotency key "+key)
	}
	r.CreatedAt = fromMicros(created)
	return &r, nil
}

// ReserveIdempotency records that a request with this key has started; a
// recorded key is a conflict.
func (t *tx) ReserveIdempotency(ctx context.Context, r *kesher.IdempotencyRecord) error {
	return t.insert(ctx, "idempotency key "+r.Key, "INSERT INTO idempotency (user_id, key, request_hash, status, body, created_at)"+
		" VALUES ($1, $2, $3, $4, $5, $6)", args{r.UserID, r.Key, r.RequestHash, r.Status, nonNil(r.Body), micros(r.CreatedAt)})
}

// CompleteIdempotency stores the response of a reserved key.
func (t *tx) CompleteIdempotency(ctx context.Context, r *kesher.IdempotencyRecord) error {
	return t.exec(ctx, "idempotency key "+r.Key, "UPDATE idempotency SET request_hash = $3, status = $4, body = $5 WHERE user_id = $1 AND key = $2",
		r.UserID, r.Key, r.RequestHash, r.Status, nonNil(r.Body))
}

// ReleaseIdempotency forgets a key, so that a retry runs again.
func (t *tx) ReleaseIdempotency(ctx context.Context, userID, key string) error {
	return t.exec(ctx, "idempotency key "+key, "DELETE FROM idempotency WHERE user_id = $1 AND key = $2", userID, key)
}

// nonNil stores a missing body as an empty one, because the column is NOT
// NULL and a nil []byte binds as NULL.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
