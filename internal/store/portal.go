package store

import (
	"context"
	"time"

	"kesher"
)

const emailProofColumns = "id, purpose, email, customer_id, client, token_hash, created_at, expires_at, used_at"

func scanEmailProof(s scanner) (*kesher.EmailProof, error) {
	var p kesher.EmailProof
	var customer *string
	var created, expires, used int64
	if err := s.Scan(&p.ID, &p.Purpose, &p.Email, &customer, &p.Client, &p.TokenHash, &created, &expires, &used); err != nil {
		return nil, err
	}
	if customer != nil {
		p.CustomerID = *customer
	}
	if len(p.TokenHash) == 0 {
		p.TokenHash = nil
	}
	p.CreatedAt, p.ExpiresAt, p.UsedAt = fromMicros(created), fromMicros(expires), fromMicros(used)
	return &p, nil
}

// EmailProof returns a proof by id.
func (q *queries) EmailProof(ctx context.Context, id string) (*kesher.EmailProof, error) {
	p, err := scanEmailProof(q.q.QueryRowContext(ctx, "SELECT "+emailProofColumns+" FROM email_proofs WHERE id = $1", id))
	return p, q.dbErr(err, "email proof "+id)
}

// EmailProofByHash finds an issued proof by its link's hash. The hash stays
// out of the error message: it is as good as the secret for a lookup.
func (q *queries) EmailProofByHash(ctx context.Context, hash []byte) (*kesher.EmailProof, error) {
	if len(hash) == 0 {
		return nil, kesher.Errorf(kesher.ECodeNotFound, "email proof not found")
	}
	p, err := scanEmailProof(q.q.QueryRowContext(ctx, "SELECT "+emailProofColumns+" FROM email_proofs WHERE token_hash = $1", hash))
	return p, q.dbErr(err, "email proof")
}

// CountEmailProofs counts an email's or a client's recent proofs, a range
// scan of email_proofs_email or email_proofs_client.
func (q *queries) CountEmailProofs(ctx context.Context, f kesher.EmailProofFilter, max int) (int, error) {
	var a args
	var where string
	switch {
	case f.Email != "" && f.Client == "":
		where = "email = " + a.add(f.Email)
	case f.Client != "" && f.Email == "":
		where = "client = " + a.add(f.Client)
	default:
		return 0, kesher.FieldError("filter", "invalid", "count the proofs of an email or of a client, one of them")
	}
	return q.countUpTo(ctx, "email proofs", "SELECT 1 FROM email_proofs WHERE "+where+" AND created_at >= "+a.add(micros(f.Since)), a, max)
}

// CreateEmailProof inserts a proof.
func (t *tx) CreateEmailProof(ctx context.Context, p *kesher.EmailProof) error {
	var hash any
	if len(p.TokenHash) > 0 {
		hash = p.TokenHash
	}
	return t.insert(ctx, "email proof "+p.ID, "INSERT INTO email_proofs ("+emailProofColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		args{p.ID, p.Purpose, p.Email, nullable(p.CustomerID), p.Client, hash, micros(p.CreatedAt), micros(p.ExpiresAt), micros(p.UsedAt)})
}

// IssueEmailProof sets the hash of a proof's latest link.
func (t *tx) IssueEmailProof(ctx context.Context, id string, hash []byte) error {
	if len(hash) == 0 {
		return kesher.FieldError("token_hash", "required", "an issued link needs the hash of its secret")
	}
	// The UPDATE would fail on a taken hash, which on PostgreSQL aborts the
	// whole transaction; a lookup first keeps the conflict an answer.
	if _, err := t.EmailProofByHash(ctx, hash); err == nil {
		return kesher.Errorf(kesher.ECodeConflict, "email proof hash already exists")
	} else if kesher.ErrorCode(err) != kesher.ECodeNotFound {
		return err
	}
	return t.exec(ctx, "email proof "+id, "UPDATE email_proofs SET token_hash = $2 WHERE id = $1", id, hash)
}

// UseEmailProof marks a proof used, and the other unused proofs of its
// email and purpose with it.
func (t *tx) UseEmailProof(ctx context.Context, id string, at time.Time) error {
	p, err := t.EmailProof(ctx, id)
	if err != nil {
		return err
	}
	res, err := t.q.ExecContext(ctx, "UPDATE email_proofs SET used_at = $2 WHERE id = $1 AND used_at = 0", id, micros(at))
	if err != nil {
		return t.dbErr(err, "email proof "+id)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return kesher.Errorf(kesher.ECodeConflict, "email proof %s was used already", id)
	}
	_, err = t.q.ExecContext(ctx, "UPDATE email_proofs SET used_at = $3 WHERE email = $1 AND purpose = $2 AND used_at = 0",
		p.Email, p.Purpose, micros(at))
	return t.dbErr(err, "email proofs of "+p.Email)
}

// DeleteEmailProofs deletes the proofs that expired before the given time,
// a range scan of email_proofs_expires.
func (t *tx) DeleteEmailProofs(ctx context.Context, before time.Time) (int, error) {
	res, err := t.q.ExecContext(ctx, "DELETE FROM email_proofs WHERE expires_at < $1", micros(before))
	if err != nil {
		return 0, t.dbErr(err, "expired email proofs")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const customerSessionColumns = "id, customer_id, email, token_hash, csrf_token, created_at, last_seen_at, expires_at, user_agent"

// CustomerSessionByHash finds a customer session by the hash of its secret.
func (q *queries) CustomerSessionByHash(ctx context.Context, hash []byte) (*kesher.CustomerSession, error) {
	var s kesher.CustomerSession
	var created, lastSeen, expires int64
	err := q.q.QueryRowContext(ctx, "SELECT "+customerSessionColumns+" FROM customer_sessions WHERE token_hash = $1", hash).
		Scan(&s.ID, &s.CustomerID, &s.Email, &s.TokenHash, &s.CSRFToken, &created, &lastSeen, &expires, &s.UserAgent)
	if err != nil {
		return nil, q.dbErr(err, "customer session")
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(lastSeen), fromMicros(expires)
	return &s, nil
}

// LastPortalSignIn reads the newest sign-in event of a customer through
// the partial index events_portal_sign_ins. The query names the index's
// predicate word for word (no parameter): SQLite uses a partial index only
// for a WHERE that holds its terms.
func (q *queries) LastPortalSignIn(ctx context.Context, customerID string) (time.Time, error) {
	var at *int64
	err := q.q.QueryRowContext(ctx, "SELECT MAX(created_at) FROM events WHERE customer_id = $1 AND type = '"+kesher.EventPortalSignedIn+"'",
		customerID).Scan(&at)
	if err != nil || at == nil {
		return time.Time{}, q.dbErr(err, "portal sign-ins of customer "+customerID)
	}
	return fromMicros(*at), nil
}

// CreateCustomerSession inserts a customer session.
func (t *tx) CreateCustomerSession(ctx context.Context, s *kesher.CustomerSession) error {
	return t.insert(ctx, "customer session "+s.ID, "INSERT INTO customer_sessions ("+customerSessionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		args{s.ID, s.CustomerID, s.Email, s.TokenHash, s.CSRFToken, micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), s.UserAgent})
}

// TouchCustomerSession saves a session's last use and new expiry.
func (t *tx) TouchCustomerSession(ctx context.Context, id string, lastSeen, expires time.Time) error {
	return t.exec(ctx, "customer session "+id, "UPDATE customer_sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1",
		id, micros(lastSeen), micros(expires))
}

// DeleteCustomerSession ends one customer session.
func (t *tx) DeleteCustomerSession(ctx context.Context, id string) error {
	return t.exec(ctx, "customer session "+id, "DELETE FROM customer_sessions WHERE id = $1", id)
}

// DeleteExpiredCustomerSessions deletes the customer sessions that expired
// before the given time, a range scan of customer_sessions_expires.
func (t *tx) DeleteExpiredCustomerSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := t.q.ExecContext(ctx, "DELETE FROM customer_sessions WHERE expires_at < $1", micros(before))
	if err != nil {
		return 0, t.dbErr(err, "expired customer sessions")
	}
	n, err := res.RowsAffected()
	return int(n), err
}
