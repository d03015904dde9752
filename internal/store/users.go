package store

import (
	"context"
	"strings"
	"time"

	"kesher"
)

const userColumns = "id, email, name, role, active, availability, language, time_zone, password_hash, capacity, last_seen_at," +
	" created_at, updated_at"

func scanUser(s scanner) (*kesher.User, error) {
	var u kesher.User
	var active int
	var lastSeen, created, updated int64
	err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &active, &u.Availability, &u.Language, &u.TimeZone, &u.PasswordHash,
		&u.Capacity, &lastSeen, &created, &updated)
	if err != nil {
		return nil, err
	}
	u.Active = active != 0
	u.LastSeenAt, u.CreatedAt, u.UpdatedAt = fromMicros(lastSeen), fromMicros(created), fromMicros(updated)
	u.TeamIDs = []string{}
	return &u, nil
}

// User returns a user with its teams.
func (q *queries) User(ctx context.Context, id string) (*kesher.User, error) {
	return q.user(ctx, "user "+id, "id = $1", id)
}

// UserByEmail matches the normalised (lower-case) email.
func (q *queries) UserByEmail(ctx context.Context, email string) (*kesher.User, error) {
	return q.user(ctx, "user "+email, "email = $1", email)
}

func (q *queries) user(ctx context.Context, what, where string, arg any) (*kesher.User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE "+where, arg))
	if err != nil {
		return nil, q.dbErr(err, what)
	}
	return u, q.attachTeams(ctx, u)
}

// Users lists users in the order they were created.
func (q *queries) Users(ctx context.Context, p kesher.Page) ([]*kesher.User, string, error) {
	us, next, err := listByID(ctx, q, "users", userColumns, p, scanUser, func(u *kesher.User) string { return u.ID })
	if err != nil {
		return nil, "", err
	}
	return us, next, q.attachTeams(ctx, us...)
}

// CountUsers counts every user, active or not.
func (q *queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM users").Scan(&n)
	return n, err
}

// listByID lists a table in the order of its key column, which for IDs
// (made in Go, sorting by time) is the order of creation.
func listByID[T any](ctx context.Context, q *queries, table, columns string, p kesher.Page, scan func(scanner) (T, error), key func(T) string) ([]T, string, error) {
	limit := pageLimit(p)
	keyColumn, _, _ := strings.Cut(columns, ",")
	afterKey, after, err := decodeIDCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	var a args
	query := "SELECT " + columns + " FROM " + table
	if after {
		query += " WHERE " + keyColumn + " > " + a.add(afterKey)
	}
	query += " ORDER BY " + keyColumn + " LIMIT " + a.add(limit+1)
	items, more, err := list(ctx, q, table, query, a, limit, scan)
	if err != nil || !more {
		return items, "", err
	}
	return items, encodeIDCursor(key(items[len(items)-1])), nil
}

// attachTeams loads the team memberships of us in one query.
func (q *queries) attachTeams(ctx context.Context, us ...*kesher.User) error {
	byID := make(map[string]*kesher.User, len(us))
	ids := make([]string, len(us))
	for i, u := range us {
		byID[u.ID], ids[i] = u, u.ID
	}
	return q.members(ctx, "user_id", "team_id", ids, func(userID, teamID string) {
		byID[userID].TeamIDs = append(byID[userID].TeamIDs, teamID)
	})
}

// members reads team_members rows whose column by is one of ids, in the
// order of the other column, and calls add for each.
func (q *queries) members(ctx context.Context, by, other string, ids []string, add func(byID, otherID string)) error {
	if len(ids) == 0 {
		return nil
	}
	var a args
	rows, err := q.q.QueryContext(ctx, "SELECT "+by+", "+other+" FROM team_members WHERE "+by+" IN "+in(&a, ids)+" ORDER BY "+other, a...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b, o string
		if err := rows.Scan(&b, &o); err != nil {
			return err
		}
		add(b, o)
	}
	return rows.Err()
}

// CreateUser inserts u and its team memberships.
func (t *tx) CreateUser(ctx context.Context, u *kesher.User) error {
	err := t.insert(ctx, "user "+u.Email, "INSERT INTO users ("+userColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
		args{u.ID, u.Email, u.Name, string(u.Role), boolInt(u.Active), string(u.Availability), u.Language, u.TimeZone, u.PasswordHash,
			u.Capacity, micros(u.LastSeenAt), micros(u.CreatedAt), micros(u.UpdatedAt)})
	if err != nil {
		return err
	}
	for _, teamID := range u.TeamIDs {
		if err := t.insert(ctx, "member "+u.ID+" of team "+teamID, "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
			args{teamID, u.ID}); err != nil {
			return err
		}
	}
	return nil
}

// UpdateUser saves everything but the ID, the creation time, the last
// activity (which TouchUser saves, far more often) and the teams (which
// UpdateTeam changes). A taken email is a conflict.
func (t *tx) UpdateUser(ctx context.Context, u *kesher.User) error {
	return t.exec(ctx, "user "+u.ID, "UPDATE users SET email = $2, name = $3, role = $4, active = $5, availability = $6,"+
		" language = $7, time_zone = $8, password_hash = $9, capacity = $10, updated_at = $11 WHERE id = $1",
		u.ID, u.Email, u.Name, string(u.Role), boolInt(u.Active), string(u.Availability), u.Language, u.TimeZone, u.PasswordHash,
		u.Capacity, micros(u.UpdatedAt))
}

// TouchUser saves when a user was last active.
func (t *tx) TouchUser(ctx context.Context, userID string, at time.Time) error {
	return t.exec(ctx, "user "+userID, "UPDATE users SET last_seen_at = $2 WHERE id = $1", userID, micros(at))
}

const tokenColumns = "id, user_id, name, hash, created_at, last_used_at"

// TokenByHash finds an API token by the SHA-256 of its secret.
func (q *queries) TokenByHash(ctx context.Context, hash []byte) (*kesher.Token, error) {
	var tok kesher.Token
	var created, lastUsed int64
	err := q.q.QueryRowContext(ctx, "SELECT "+tokenColumns+" FROM tokens WHERE hash = $1", hash).
		Scan(&tok.ID, &tok.UserID, &tok.Name, &tok.Hash, &created, &lastUsed)
	if err != nil {
		return nil, q.dbErr(err, "token")
	}
	tok.CreatedAt, tok.LastUsedAt = fromMicros(created), fromMicros(lastUsed)
	return &tok, nil
}

// CreateToken inserts an API token.
func (t *tx) CreateToken(ctx context.Context, tok *kesher.Token) error {
	return t.insert(ctx, "token "+tok.ID, "INSERT INTO tokens ("+tokenColumns+") VALUES ($1, $2, $3, $4, $5, $6)",
		args{tok.ID, tok.UserID, tok.Name, tok.Hash, micros(tok.CreatedAt), micros(tok.LastUsedAt)})
}
