package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"kesher"
)

// notificationsData is the notifications page's data.
type notificationsData struct {
	Items   []notificationItem
	NextURL string
	Unread  int
}

// notificationItem is a notification with what its sentence names: the
// conversation, and from its data the promise, the count or the person.
type notificationItem struct {
	*kesher.Notification
	Conv *kesher.Conversation
	// Text is a commitment's text or an escalation's reason.
	Text         string
	DueAt        time.Time
	HandoffCount int
	OwnerName    string
}

// notificationData is what the desk puts in a notification's data.
type notificationData struct {
	Text         string    `json:"text"`
	Reason       string    `json:"reason"`
	DueAt        time.Time `json:"due_at"`
	HandoffCount int       `json:"handoff_count"`
	OwnerID      string    `json:"owner_id"`
}

func (w *Web) notifications(rw http.ResponseWriter, r *http.Request, p *page) error {
	ctx := r.Context()
	list, next, err := w.desk.Notifications(ctx, false, kesher.Page{Limit: kesher.DefaultPageLimit, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(ctx)
	if err != nil {
		return err
	}
	d := &notificationsData{}
	convs := map[string]*kesher.Conversation{}
	for _, n := range list {
		it := notificationItem{Notification: n}
		var data notificationData
		// Data the page does not understand leaves the sentence without
		// its details rather than failing the list.
		_ = json.Unmarshal(n.Data, &data)
		it.Text, it.DueAt, it.HandoffCount, it.OwnerName = data.Text, data.DueAt, data.HandoffCount, dir.UserName(data.OwnerID)
		if it.Text == "" {
			it.Text = data.Reason
		}
		if n.ConversationID != "" {
			conv, ok := convs[n.ConversationID]
			if !ok {
				conv, err = w.desk.Conversation(ctx, n.ConversationID)
				if err != nil && kesher.ErrorCode(err) != kesher.ECodeNotFound {
					return err
				}
				convs[n.ConversationID] = conv
			}
			it.Conv = conv
		}
		if n.ReadAt.IsZero() {
			d.Unread++
		}
		d.Items = append(d.Items, it)
	}
	if next != "" {
		d.NextURL = "/notifications?" + url.Values{"cursor": {next}}.Encode()
	}
	p.Title, p.Nav, p.Data = p.L.T("notifications.title"), "notifications", d
	w.render(rw, http.StatusOK, "notifications", p)
	return nil
}

// markAllRead marks every notification of the user read.
func (w *Web) markAllRead(rw http.ResponseWriter, r *http.Request, p *page) error {
	if err := w.desk.MarkRead(r.Context(), nil); err != nil {
		return err
	}
	redirect(rw, r, "/notifications")
	return nil
}
