package desk

import (
	"context"
	"encoding/json"
	"slices"

	"kesher"
)

// notify tells each of the users (blank ones and repeats skipped) that
// something on conv needs them, in the same transaction as the change.
func (d *Desk) notify(ctx context.Context, tx kesher.Tx, kind string, conv *kesher.Conversation, data map[string]any, userIDs ...string) error {
	raw, err := json.Marshal(data)
	if err != nil {
		panic("desk: notification data does not marshal: " + err.Error())
	}
	now := d.clock.Now()
	var done []string
	for _, u := range userIDs {
		if u == "" || slices.Contains(done, u) {
			continue
		}
		done = append(done, u)
		n := &kesher.Notification{ID: kesher.NewID(now), UserID: u, Kind: kind, ConversationID: conv.ID, Data: raw, CreatedAt: now}
		if err := tx.CreateNotification(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// Notifications lists the signed-in user's notifications, newest first.
func (d *Desk) Notifications(ctx context.Context, unread bool, p kesher.Page) ([]*kesher.Notification, string, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return nil, "", err
	}
	return d.store.Notifications(ctx, u.ID, unread, p)
}

// CountUnread counts the signed-in user's unread notifications, up to max.
func (d *Desk) CountUnread(ctx context.Context, max int) (int, error) {
	u, err := signedIn(ctx)
	if err != nil {
		return 0, err
	}
	return d.store.CountUnread(ctx, u.ID, max)
}

// MarkRead marks the signed-in user's notifications read: the ones listed,
// or all when ids is empty.
func (d *Desk) MarkRead(ctx context.Context, ids []string) error {
	u, err := signedIn(ctx)
	if err != nil {
		return err
	}
	if len(ids) > kesher.MaxPageLimit {
		return kesher.FieldError("ids", "too_many", "mark at most %d notifications at once", kesher.MaxPageLimit)
	}
	return d.store.Write(ctx, func(tx kesher.Tx) error {
		return tx.MarkRead(ctx, u.ID, ids, d.clock.Now())
	})
}

// signedIn returns the signed-in user; the system has no notifications.
func signedIn(ctx context.Context) (*kesher.User, error) {
	u, err := require(ctx, kesher.RoleAgent)
	if err == nil && u == nil {
		err = kesher.Errorf(kesher.ECodeUnauthorized, "notifications belong to a signed-in user")
	}
	return u, err
}
