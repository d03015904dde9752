package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"kesher"
	"kesher/internal/bus"
	"kesher/internal/i18n"
)

// Subscriber is the live event bus as the UI sees it: committed events,
// fanned out to every open page.
type Subscriber interface {
	Subscribe(buffer int) *bus.Subscription
}

// liveBuffer is how many events a page's stream may fall behind before it
// is told to re-read everything instead.
const liveBuffer = 256

// keepAlive is how often an idle stream sends a comment, so proxies and
// browsers keep the connection open.
const keepAlive = 25 * time.Second

// change is what a page learns of an event: enough to decide which of its
// fragments to re-read, nothing of the content (the re-read is authorised
// like any page request).
type change struct {
	Type           string `json:"type"`
	ConversationID string `json:"conversation_id,omitempty"`
	CustomerID     string `json:"customer_id,omitempty"`
	MessageID      string `json:"message_id,omitempty"`
	// Actor tells a chat's typing and read marks of the customer from the
	// agents' own.
	Actor string `json:"actor,omitempty"`
}

// live streams server-sent events to one page: "change" for each committed
// event, "presence" for who else has the page's conversation open, and
// "resync" when the stream fell behind.
func (w *Web) liveStream(rw http.ResponseWriter, r *http.Request, p *page) error {
	rc := http.NewResponseController(rw)
	convID := r.URL.Query().Get("c")
	if convID != "" {
		// Presence is announced only for a conversation the user may open.
		if _, err := w.desk.Conversation(r.Context(), convID); err != nil {
			return err
		}
	}
	sub := w.live.Subscribe(liveBuffer)
	defer sub.Close()
	h := rw.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	rw.WriteHeader(http.StatusOK)

	var seen chan struct{}
	if convID != "" {
		v := &viewer{user: p.User, changed: make(chan struct{}, 1)}
		w.presence.join(convID, v)
		defer w.presence.leave(convID, v)
		seen = v.changed
	}
	send := func(event string, data any) error {
		b, err := json.Marshal(data)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(rw, "event: %s\ndata: %s\n\n", event, b); err != nil {
			return err
		}
		return rc.Flush()
	}
	if err := rc.Flush(); err != nil {
		return nil
	}
	ping := time.NewTicker(keepAlive)
	defer ping.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return nil
		case <-w.closing:
			return nil
		case e, ok := <-sub.C():
			if !ok {
				return nil
			}
			err = send("change", change{Type: e.Type, ConversationID: e.ConversationID, CustomerID: e.CustomerID, MessageID: e.MessageID, Actor: string(e.ActorType)})
			if err == nil && sub.Lagged() {
				err = send("resync", struct{}{})
			}
		case <-seen:
			err = send("presence", map[string]string{"conversation_id": convID, "text": w.presence.text(convID, p.User.ID, p.L)})
		case <-ping.C:
			if _, err = fmt.Fprint(rw, ": ping\n\n"); err == nil {
				err = rc.Flush()
			}
		}
		if err != nil {
			// The browser went away; its EventSource reconnects by itself.
			return nil
		}
	}
}

// presence knows who has which conversation open on this node, so two
// agents see each other before they both answer.
type presence struct {
	mu      sync.Mutex
	viewers map[string][]*viewer
}

type viewer struct {
	user    *kesher.User
	changed chan struct{}
}

func newPresence() *presence { return &presence{viewers: map[string][]*viewer{}} }

func (pr *presence) join(convID string, v *viewer) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.viewers[convID] = append(pr.viewers[convID], v)
	pr.notify(convID)
}

func (pr *presence) leave(convID string, v *viewer) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	pr.viewers[convID] = slices.DeleteFunc(pr.viewers[convID], func(o *viewer) bool { return o == v })
	if len(pr.viewers[convID]) == 0 {
		delete(pr.viewers, convID)
	}
	pr.notify(convID)
}

// notify wakes every viewer of convID; pr.mu is held.
func (pr *presence) notify(convID string) {
	for _, v := range pr.viewers[convID] {
		select {
		case v.changed <- struct{}{}:
		default:
		}
	}
}

// text says who else is viewing convID, in l's language; empty when nobody.
func (pr *presence) text(convID, self string, l *i18n.Locale) string {
	pr.mu.Lock()
	var names []string
	for _, v := range pr.viewers[convID] {
		if v.user.ID != self && !slices.Contains(names, v.user.Name) {
			names = append(names, v.user.Name)
		}
	}
	pr.mu.Unlock()
	if len(names) == 0 {
		return ""
	}
	return l.N("conv.viewing", len(names), "names", joinNames(names, l))
}

// joinNames lists names with the language's "and".
func joinNames(names []string, l *i18n.Locale) string {
	if len(names) == 1 {
		return names[0]
	}
	return l.T("common.and_list", "list", strings.Join(names[:len(names)-1], ", "), "last", names[len(names)-1])
}
