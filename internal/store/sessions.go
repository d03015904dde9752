package store

import (
	"context"
	"time"

	"kesher"
)

const sessionColumns = "id, user_id, token_hash, csrf_token, remember, created_at, last_seen_at, expires_at, user_agent"

// SessionByHash finds a browser session by the SHA-256 of its secret. The
// hash stays out of the error message: it is as good as the secret for a
// lookup.
func (q *queries) SessionByHash(ctx context.Context, hash []byte) (*kesher.Session, error) {
	var s kesher.Session
	var remember int
	var created, lastSeen, expires int64
	err := q.q.QueryRowContext(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE token_hash = $1", hash).
		Scan(&s.ID, &s.UserID, &s.TokenHash, &s.CSRFToken, &remember, &created, &lastSeen, &expires, &s.UserAgent)
	if err != nil {
		return nil, q.dbErr(err, "session")
	}
	s.Remember = remember != 0
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMicros(created), fromMicros(lastSeen), fromMicros(expires)
	return &s, nil
}

// CreateSession inserts a session.
func (t *tx) CreateSession(ctx context.Context, s *kesher.Session) error {
	return t.insert(ctx, "session "+s.ID, "INSERT INTO sessions ("+sessionColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		args{s.ID, s.UserID, s.TokenHash, s.CSRFToken, boolInt(s.Remember), micros(s.CreatedAt), micros(s.LastSeenAt), micros(s.ExpiresAt), s.UserAgent})
}

// TouchSession saves when a session was last used and its new expiry.
func (t *tx) TouchSession(ctx context.Context, id string, lastSeen, expires time.Time) error {
	return t.exec(ctx, "session "+id, "UPDATE sessions SET last_seen_at = $2, expires_at = $3 WHERE id = $1", id, micros(lastSeen), micros(expires))
}

// DeleteSession ends one session.
func (t *tx) DeleteSession(ctx context.Context, id string) error {
	return t.exec(ctx, "session "+id, "DELETE FROM sessions WHERE id = $1", id)
}

// DeleteUserSessions ends every session of a user but keepID. A user with
// no sessions is no error: ending them all is then already done.
func (t *tx) DeleteUserSessions(ctx context.Context, userID, keepID string) error {
	_, err := t.q.ExecContext(ctx, "DELETE FROM sessions WHERE user_id = $1 AND id <> $2", userID, keepID)
	return t.dbErr(err, "sessions of user "+userID)
}

// DeleteExpiredSessions deletes the sessions that expired before the given
// time; the index on expires_at keeps this a range scan.
func (t *tx) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := t.q.ExecContext(ctx, "DELETE FROM sessions WHERE expires_at < $1", micros(before))
	if err != nil {
		return 0, t.dbErr(err, "expired sessions")
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// CreateFirstUser inserts u only while the users table is empty. Counting
// alone would not do on PostgreSQL: two transactions could both count
// none, then both insert. Each first locks the first_user counter row
// instead (a no-op update takes the row lock), so the second waits for the
// first to commit and then, its next statement seeing the committed user,
// counts one. On SQLite the writer already holds the database lock.
func (t *tx) CreateFirstUser(ctx context.Context, u *kesher.User) error {
	if err := t.exec(ctx, "first_user counter", "UPDATE counters SET value = value WHERE name = 'first_user'"); err != nil {
		return err
	}
	n, err := t.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return kesher.Errorf(kesher.ECodeConflict, "the desk has users already")
	}
	return t.CreateUser(ctx, u)
}
