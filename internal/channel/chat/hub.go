package chat

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"

	"kesher"
)

// hub knows which connections of this node watch which chat. It holds
// nothing that a restart would lose: a widget that reconnects asks for
// everything after its last message, and the desk has it.
type hub struct {
	mu     sync.Mutex
	byConv map[string]map[*conn]struct{}
	// convOf remembers each connection's chat, so leaving finds it.
	convOf map[*conn]string
}

func newHub() *hub {
	return &hub{byConv: map[string]map[*conn]struct{}{}, convOf: map[*conn]string{}}
}

// join files c under conv ("" until the visitor's first message).
func (h *hub) join(c *conn, conv string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if old, ok := h.convOf[c]; ok {
		delete(h.byConv[old], c)
		if len(h.byConv[old]) == 0 {
			delete(h.byConv, old)
		}
	}
	h.convOf[c] = conv
	if h.byConv[conv] == nil {
		h.byConv[conv] = map[*conn]struct{}{}
	}
	h.byConv[conv][c] = struct{}{}
}

func (h *hub) leave(c *conn) {
	h.mu.Lock()
	defer h.mu.Unlock()
	conv, ok := h.convOf[c]
	if !ok {
		return
	}
	delete(h.convOf, c)
	delete(h.byConv[conv], c)
	if len(h.byConv[conv]) == 0 {
		delete(h.byConv, conv)
	}
}

// watching returns the connections of conv.
func (h *hub) watching(conv string) []*conn {
	if conv == "" {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*conn, 0, len(h.byConv[conv]))
	for c := range h.byConv[conv] {
		out = append(out, c)
	}
	return out
}

func (h *hub) each(fn func(*conn)) {
	h.mu.Lock()
	all := make([]*conn, 0, len(h.convOf))
	for c := range h.convOf {
		all = append(all, c)
	}
	h.mu.Unlock()
	for _, c := range all {
		fn(c)
	}
}

// closeAll tells every widget that this node is going away.
func (h *hub) closeAll() {
	h.each(func(c *conn) { c.close(websocket.StatusServiceRestart, "restarting") })
}

// dispatch passes one committed (or ephemeral) event to the widgets of its
// chat: agents' replies, the visitor's own messages from another tab, and
// the agents' typing and read marks. What the visitor signalled goes to
// the agents' pages only.
func (s *Server) dispatch(ctx context.Context, e *kesher.Event) {
	conns := s.hub.watching(e.ConversationID)
	if len(conns) == 0 {
		return
	}
	switch e.Type {
	case kesher.EventMessageAdded:
		var data struct {
			Direction kesher.Direction `json:"direction"`
		}
		_ = json.Unmarshal(e.Data, &data)
		// A visitor's message reached its own widget with the ack; other
		// tabs of the same visitor need it pushed.
		if data.Direction == kesher.Note || (data.Direction == kesher.Inbound && len(conns) < 2) {
			return
		}
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		m, err := s.desk.VisitorMessage(ctx, conns[0].visitorID(), e.MessageID)
		if err != nil {
			return
		}
		for _, c := range conns {
			c.push(m)
		}
	case kesher.EventChatTyping, kesher.EventChatRead:
		if e.ActorType == kesher.AuthorCustomer {
			return
		}
		f := frame{T: "typing"}
		if e.Type == kesher.EventChatRead {
			f = frame{T: "read", ID: e.MessageID}
		}
		for _, c := range conns {
			c.send(f)
		}
	}
}
