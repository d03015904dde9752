package desk

import (
	"context"
	"time"

	"kesher"
)

// idempotencyStale is how long a reserved key whose request never finished
// (the process died mid-request) blocks retries before a retry may run.
const idempotencyStale = time.Minute

// BeginIdempotent reserves an Idempotency-Key for the signed-in user. It
// returns the earlier record when the key was used before: a completed one
// (Status > 0) to replay, or an in-flight one, reported as ECodeConflict. A
// key reused with a different request is a validation error.
func (d *Desk) BeginIdempotent(ctx context.Context, key, requestHash string) (*kesher.IdempotencyRecord, error) {
	u := kesher.ActorFrom(ctx)
	if u == nil {
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "idempotency keys belong to a signed-in user")
	}
	var earlier *kesher.IdempotencyRecord
	err := d.store.Write(ctx, func(tx kesher.Tx) error {
		rec, err := tx.Idempotency(ctx, u.ID, key)
		now := d.clock.Now()
		switch {
		case kesher.ErrorCode(err) == kesher.ECodeNotFound:
		case err != nil:
			return err
		case rec.RequestHash != requestHash:
			return kesher.FieldError("Idempotency-Key", "reused", "this Idempotency-Key was used for a different request")
		case rec.Status == 0 && now.Sub(rec.CreatedAt) > idempotencyStale:
			if err := tx.ReleaseIdempotency(ctx, u.ID, key); err != nil {
				return err
			}
		case rec.Status == 0:
			return kesher.Errorf(kesher.ECodeConflict, "a request with this Idempotency-Key is still in progress")
		default:
			earlier = rec
			return nil
		}
		return tx.ReserveIdempotency(ctx, &kesher.IdempotencyRecord{UserID: u.ID, Key: key, RequestHash: requestHash, CreatedAt: now})
	})
	return earlier, err
}

// FinishIdempotent stores the response of a reserved key (status < 500),
// or releases the key so that a retry runs again.
func (d *Desk) FinishIdempotent(ctx context.Context, key, requestHash string, status int, body []byte) error {
	u := kesher.ActorFrom(ctx)
	if u == nil {
		return nil
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		if status >= 500 {
			return tx.ReleaseIdempotency(ctx, u.ID, key)
		}
		return tx.CompleteIdempotency(ctx, &kesher.IdempotencyRecord{UserID: u.ID, Key: key, RequestHash: requestHash, Status: status, Body: body, CreatedAt: d.clock.Now()})
	})
}
