package store

import (
	"context"
	"encoding/json"
	"time"

	"kesher"
)

// Notifications are read through notifications_user or, unread only, the
// partial notifications_unread; both are ordered by (user_id, created_at,
// id) and read backwards. "read_at = 0" is written literally, so that the
// planners can prove the partial index's predicate from the query text.

const notificationColumns = "id, user_id, kind, conversation_id, data, created_at, read_at"

func scanNotification(s scanner) (*kesher.Notification, error) {
	var n kesher.Notification
	var data string
	var created, read int64
	if err := s.Scan(&n.ID, &n.UserID, &n.Kind, &n.ConversationID, &data, &created, &read); err != nil {
		return nil, err
	}
	if data != "" {
		n.Data = json.RawMessage(data)
	}
	n.CreatedAt, n.ReadAt = fromMicros(created), fromMicros(read)
	return &n, nil
}

// Notifications lists a user's notifications, newest first.
func (q *queries) Notifications(ctx context.Context, userID string, unread bool, p kesher.Page) ([]*kesher.Notification, string, error) {
	limit := pageLimit(p)
	key, id, after, err := decodeCursor(p.Cursor)
	if err != nil {
		return nil, "", err
	}
	a := args{userID}
	query := "SELECT " + notificationColumns + " FROM notifications WHERE user_id = $1"
	if unread {
		query += " AND read_at = 0"
	}
	if after {
		query += " AND (created_at, id) < (" + a.add(key) + ", " + a.add(id) + ")"
	}
	query += " ORDER BY created_at DESC, id DESC LIMIT " + a.add(limit+1)
	ns, more, err := list(ctx, q, "notifications", query, a, limit, scanNotification)
	if err != nil || !more {
		return ns, "", err
	}
	last := ns[len(ns)-1]
	return ns, encodeCursor(micros(last.CreatedAt), last.ID), nil
}

// CountUnread counts a user's unread notifications, up to max.
func (q *queries) CountUnread(ctx context.Context, userID string, max int) (int, error) {
	return q.countUpTo(ctx, "notifications", "SELECT 1 FROM notifications WHERE user_id = $1 AND read_at = 0", args{userID}, max)
}

// CreateNotification inserts a notification; an unknown user is
// ECodeNotFound.
func (t *tx) CreateNotification(ctx context.Context, n *kesher.Notification) error {
	return t.insert(ctx, "notification "+n.ID, "INSERT INTO notifications ("+notificationColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7)",
		args{n.ID, n.UserID, n.Kind, n.ConversationID, string(n.Data), micros(n.CreatedAt), micros(n.ReadAt)})
}

// MarkRead marks the user's unread notifications among ids, or all of
// them when ids is empty, read at now. Only the user's own are touched,
// whatever ids holds, and one read before keeps its first read time; ids
// that match none are no error, as another tab may have read them already.
func (t *tx) MarkRead(ctx context.Context, userID string, ids []string, now time.Time) error {
	a := args{userID, micros(now)}
	query := "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at = 0"
	if len(ids) > 0 {
		query += " AND id IN " + in(&a, ids)
	}
	_, err := t.q.ExecContext(ctx, query, a...)
	return t.dbErr(err, "notifications of user "+userID)
}
