package chat

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"

	"kesher"
	"kesher/internal/desk"
)

// frame is one JSON frame of the widget's protocol, either way. From the
// widget: hello {token, after}, msg {cid, text}, typing, read {id},
// contact {name, email, replies}. To the widget: welcome {token, online,
// msgs}, ack {cid, msg}, msg {msg}, sync {msgs} (what it missed while the
// node lost events), typing, read {id}, contact {proof}, error {cid, code}.
type frame struct {
	T     string `json:"t"`
	Token string `json:"token,omitempty"`
	After string `json:"after,omitempty"`
	CID   string `json:"cid,omitempty"`
	Text  string `json:"text,omitempty"`
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
	// Replies asks for agents' replies by email (nobody was online).
	Replies bool       `json:"replies,omitempty"`
	Online  *bool      `json:"online,omitempty"`
	Proof   bool       `json:"proof,omitempty"`
	Code    string     `json:"code,omitempty"`
	Msg     *wireMsg   `json:"msg,omitempty"`
	Msgs    []*wireMsg `json:"msgs,omitempty"`
}

// wireMsg is a message as the widget shows it: nothing of the desk's
// inside (authors' ids, notes, email headers).
type wireMsg struct {
	ID    string     `json:"id"`
	Dir   string     `json:"dir"`
	Text  string     `json:"text"`
	At    time.Time  `json:"at"`
	Files []wireFile `json:"files,omitempty"`
}

type wireFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

func wire(m *kesher.Message) *wireMsg {
	w := &wireMsg{ID: m.ID, Dir: string(m.Direction), Text: m.BodyText, At: m.CreatedAt}
	for _, a := range m.Attachments {
		w.Files = append(w.Files, wireFile{Name: a.Filename, Size: a.Size})
	}
	return w
}

// conn is one widget's connection.
type conn struct {
	s    *Server
	ws   *websocket.Conn
	addr string
	lang string
	// done closes when the connection ends.
	done chan struct{}
	once sync.Once

	// queue holds the frames to write; a writer goroutine runs only while
	// it is not empty, so an idle connection costs no goroutine for it.
	wmu     sync.Mutex
	queue   []outgoing
	writing bool

	mu      sync.Mutex
	visitor string
	conv    string
	// last is the newest message the widget has been sent.
	last string

	// bucket limits the visitor's messages.
	tokens float64
	filled time.Time
}

func newConn(s *Server, ws *websocket.Conn, addr, lang string) *conn {
	return &conn{s: s, ws: ws, addr: addr, lang: lang, done: make(chan struct{}),
		tokens: s.cfg.Burst, filled: time.Now()}
}

// outgoing is a frame to write, or a ping.
type outgoing struct {
	f    *frame
	ping bool
}

// serve reads the widget's frames until it goes away. Writes go through
// a writer goroutine of their own, so a slow widget never holds up the
// hub.
func (c *conn) serve(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer c.close(websocket.StatusNormalClosure, "")
	for {
		var f frame
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			return
		}
		if json.Unmarshal(data, &f) != nil {
			c.close(websocket.StatusUnsupportedData, "not a frame")
			return
		}
		if c.visitorID() == "" && f.T != "hello" {
			c.close(websocket.StatusPolicyViolation, "hello first")
			return
		}
		// The desk's calls run on a goroutine of their own: the stack they
		// grow would otherwise stay with this one, which spends its life
		// waiting on Read, once for every idle connection.
		handled := make(chan error, 1)
		go func() { handled <- c.handle(ctx, f) }()
		if err := <-handled; err != nil {
			c.s.log.Warn("chat: a frame failed", "type", f.T, "err", err)
			c.send(frame{T: "error", CID: f.CID, Code: kesher.ErrorCode(err)})
		}
	}
}

func (c *conn) handle(ctx context.Context, f frame) error {
	d := c.s.desk
	switch f.T {
	case "hello":
		if c.visitorID() != "" {
			return nil
		}
		token, v, err := d.Visit(ctx, desk.ChatVisit{Token: f.Token, Language: c.lang})
		if err != nil {
			return err
		}
		online, err := d.AgentsOnline(ctx)
		if err != nil {
			return err
		}
		c.mu.Lock()
		c.visitor, c.conv, c.last = v.ID, v.ConversationID, f.After
		c.mu.Unlock()
		c.s.hub.join(c, v.ConversationID)
		msgs, err := c.missed(ctx)
		if err != nil {
			return err
		}
		c.send(frame{T: "welcome", Token: token, Online: &online, Msgs: msgs})
	case "msg":
		if !c.allow() {
			return kesher.Errorf(kesher.ECodeRateLimited, "too many messages; slow down")
		}
		m, err := d.ChatSend(ctx, c.visitorID(), desk.ChatMessage{ClientID: f.CID, Text: f.Text})
		if err != nil {
			return err
		}
		c.s.messages.WithLabelValues("in").Inc()
		c.joined(m.ConversationID)
		c.send(frame{T: "ack", CID: f.CID, Msg: wire(m)})
	case "typing", "read":
		conv := c.conversation()
		if conv == "" || !c.allow() {
			return nil
		}
		typ := map[string]string{"typing": kesher.EventChatTyping, "read": kesher.EventChatRead}[f.T]
		return d.SignalChat(ctx, c.visitorID(), desk.ChatSignal{Type: typ, ConversationID: conv, MessageID: f.ID})
	case "contact":
		proof, err := d.ChatIdentify(ctx, c.visitorID(), desk.ChatContact{Name: f.Name, Email: f.Email, EmailReplies: f.Replies, Client: c.addr})
		if err != nil {
			return err
		}
		c.send(frame{T: "contact", Proof: proof})
	}
	return nil
}

// joined records that the visitor's messages now go to conv (their first
// message opened it).
func (c *conn) joined(conv string) {
	c.mu.Lock()
	changed := c.conv != conv
	c.conv = conv
	c.mu.Unlock()
	if changed {
		c.s.hub.join(c, conv)
	}
}

// missed returns the messages after the last one the widget has, and
// makes the newest of them the last.
func (c *conn) missed(ctx context.Context) ([]*wireMsg, error) {
	c.mu.Lock()
	visitor, after := c.visitor, c.last
	c.mu.Unlock()
	ms, err := c.s.desk.ChatHistory(ctx, visitor, after)
	if err != nil || len(ms) == 0 {
		return nil, err
	}
	out := make([]*wireMsg, len(ms))
	for i, m := range ms {
		out[i] = wire(m)
	}
	c.mu.Lock()
	c.last = ms[len(ms)-1].ID
	c.mu.Unlock()
	return out, nil
}

// catchUp sends what the widget missed while events were lost.
func (c *conn) catchUp() {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if msgs, err := c.missed(ctx); err == nil && len(msgs) > 0 {
			c.send(frame{T: "sync", Msgs: msgs})
		}
	}()
}

// push sends a committed message of the visitor's chat.
func (c *conn) push(m *kesher.Message) {
	c.mu.Lock()
	if m.ID > c.last {
		c.last = m.ID
	}
	c.mu.Unlock()
	c.s.messages.WithLabelValues("out").Inc()
	c.send(frame{T: "msg", Msg: wire(m)})
}

// allow takes a token from the visitor's bucket.
func (c *conn) allow() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	c.tokens = min(c.s.cfg.Burst, c.tokens+now.Sub(c.filled).Seconds()*c.s.cfg.Rate)
	c.filled = now
	if c.tokens < 1 {
		return false
	}
	c.tokens--
	return true
}

func (c *conn) visitorID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.visitor
}

func (c *conn) conversation() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.conv
}

// send queues a frame; a widget that fell sendBuffer frames behind is
// disconnected, and catches up when it reconnects.
func (c *conn) send(f frame) { c.enqueue(outgoing{f: &f}) }

// ping checks that the widget is still there (and keeps proxies from
// closing an idle connection).
func (c *conn) ping() { c.enqueue(outgoing{ping: true}) }

func (c *conn) enqueue(o outgoing) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	select {
	case <-c.done:
		return
	default:
	}
	if len(c.queue) >= sendBuffer {
		go c.close(websocket.StatusTryAgainLater, "too far behind")
		return
	}
	c.queue = append(c.queue, o)
	if !c.writing {
		c.writing = true
		go c.drain()
	}
}

// drain writes the queue until it is empty.
func (c *conn) drain() {
	for {
		c.wmu.Lock()
		if len(c.queue) == 0 {
			c.writing, c.queue = false, nil
			c.wmu.Unlock()
			return
		}
		o := c.queue[0]
		c.queue = c.queue[1:]
		c.wmu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var err error
		if o.ping {
			err = c.ws.Ping(ctx)
		} else if data, merr := json.Marshal(o.f); merr == nil {
			err = c.ws.Write(ctx, websocket.MessageText, data)
		}
		cancel()
		if err != nil {
			c.close(websocket.StatusGoingAway, "")
			return
		}
	}
}

// close ends the connection once and leaves the hub.
func (c *conn) close(code websocket.StatusCode, reason string) {
	c.once.Do(func() {
		close(c.done)
		c.s.hub.leave(c)
		go func() { _ = c.ws.Close(code, reason) }()
	})
}
