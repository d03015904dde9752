package chat_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"kesher"
	"kesher/internal/bus"
	"kesher/internal/channel/chat"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// node is one process of the desk as the widget meets it: a desk on a
// database, its live bus and the chat channel over HTTP.
type node struct {
	desk   *desk.Desk
	srv    *httptest.Server
	cancel context.CancelFunc
}

func startNode(t *testing.T, st kesher.Store) *node {
	t.Helper()
	live := bus.NewLocal()
	d := desk.New(desk.Config{Store: st, Publisher: live})
	c, err := chat.New(chat.Config{Desk: d, Live: live})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	n := &node{desk: d, srv: httptest.NewServer(c.Handler()), cancel: func() { cancel(); <-done }}
	t.Cleanup(n.stop)
	return n
}

func (n *node) stop() {
	n.cancel()
	n.srv.CloseClientConnections()
	n.srv.Close()
}

// widget is a visitor's connection, speaking the widget's protocol.
type widget struct {
	t  *testing.T
	ws *websocket.Conn
}

type frame struct {
	T     string `json:"t"`
	Token string `json:"token"`
	CID   string `json:"cid"`
	ID    string `json:"id"`
	Code  string `json:"code"`
	Proof bool   `json:"proof"`
	Msg   *msg   `json:"msg"`
	Msgs  []*msg `json:"msgs"`
}

type msg struct {
	ID   string `json:"id"`
	Dir  string `json:"dir"`
	Text string `json:"text"`
}

func dial(t *testing.T, n *node, hello map[string]any) (*widget, frame) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, strings.Replace(n.srv.URL, "http", "ws", 1)+"/chat/ws?lang=he", nil)
	if err != nil {
		t.Fatal(err)
	}
	w := &widget{t: t, ws: ws}
	t.Cleanup(func() { _ = ws.CloseNow() })
	hello["t"] = "hello"
	w.send(hello)
	return w, w.expect("welcome")
}

func (w *widget) send(f map[string]any) {
	w.t.Helper()
	b, _ := json.Marshal(f)
	if err := w.ws.Write(context.Background(), websocket.MessageText, b); err != nil {
		w.t.Fatal(err)
	}
}

// expect reads frames until one of type typ, skipping others.
func (w *widget) expect(typ string) frame {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, data, err := w.ws.Read(ctx)
		if err != nil {
			w.t.Fatalf("waiting for %q: %v", typ, err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			w.t.Fatal(err)
		}
		if f.T == typ {
			return f
		}
	}
}

func texts(ms []*msg) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Dir+":"+m.Text)
	}
	return out
}

func TestChatRoundTrip(t *testing.T) {
	st := testkit.SQLite(t)
	n := startNode(t, st)
	w, welcome := dial(t, n, map[string]any{})
	if welcome.Token == "" {
		t.Fatal("a new visitor got no secret")
	}
	w.send(map[string]any{"t": "msg", "cid": "a1", "text": "שלום, ההזמנה שלי מתעכבת"})
	ack := w.expect("ack")
	// The widget lost the ack and sends again: the same message comes back.
	w.send(map[string]any{"t": "msg", "cid": "a1", "text": "שלום, ההזמנה שלי מתעכבת"})
	if again := w.expect("ack"); again.Msg.ID != ack.Msg.ID {
		t.Fatalf("resent message acknowledged as %s, want %s", again.Msg.ID, ack.Msg.ID)
	}
	m, err := st.Message(context.Background(), ack.Msg.ID)
	if err != nil {
		t.Fatal(err)
	}
	// An agent's reply and typing reach the widget live.
	agent, err := n.desk.CreateUser(context.Background(), desk.NewUser{Email: "agent@example.com", Name: "נציגה", Role: kesher.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	asAgent := kesher.WithActor(context.Background(), agent)
	if err := n.desk.SignalChat(asAgent, "", desk.ChatSignal{Type: kesher.EventChatTyping, ConversationID: m.ConversationID}); err != nil {
		t.Fatal(err)
	}
	w.expect("typing")
	if _, err := n.desk.AddMessage(asAgent, m.ConversationID, desk.NewMessage{BodyText: "אני בודקת עכשיו"}); err != nil {
		t.Fatal(err)
	}
	if f := w.expect("msg"); f.Msg.Text != "אני בודקת עכשיו" || f.Msg.Dir != "outbound" {
		t.Fatalf("pushed %+v", f.Msg)
	}
	if _, err := n.desk.AddMessage(asAgent, m.ConversationID, desk.NewMessage{Direction: kesher.Note, BodyText: "פנימי"}); err != nil {
		t.Fatal(err)
	}

	// The node restarts; a reply is written while the widget is away.
	n.stop()
	n2 := startNode(t, st)
	if _, err := n2.desk.AddMessage(asAgent, m.ConversationID, desk.NewMessage{BodyText: "נשלח היום"}); err != nil {
		t.Fatal(err)
	}
	// The widget comes back with its secret and its last message.
	w2, back := dial(t, n2, map[string]any{"token": welcome.Token, "after": ack.Msg.ID})
	if back.Token != "" {
		t.Fatal("a returning visitor got a new secret")
	}
	if got := texts(back.Msgs); strings.Join(got, "|") != "outbound:אני בודקת עכשיו|outbound:נשלח היום" {
		t.Fatalf("caught up with %q", got)
	}
	// A stranger sees nothing of it.
	_, stranger := dial(t, n2, map[string]any{})
	if len(stranger.Msgs) != 0 {
		t.Fatalf("a new visitor saw %q", texts(stranger.Msgs))
	}
	w2.send(map[string]any{"t": "typing"})
	w2.send(map[string]any{"t": "msg", "cid": "", "text": "x"})
	if f := w2.expect("error"); f.Code != kesher.ECodeValidation {
		t.Fatalf("a message without an id: %+v", f)
	}
}

func TestChatUpload(t *testing.T) {
	n := startNode(t, testkit.SQLite(t))
	_, welcome := dial(t, n, map[string]any{})
	post := func(name string, body []byte, token string) (int, frame) {
		req, _ := http.NewRequest("POST", n.srv.URL+"/chat/upload?cid=f1&name="+name, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var f frame
		_ = json.NewDecoder(res.Body).Decode(&f)
		return res.StatusCode, f
	}
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...)
	if code, f := post("צילום.png", png, welcome.Token); code != 200 || f.T != "ack" {
		t.Fatalf("upload = %d %+v", code, f)
	}
	if code, _ := post("x.png", png, "kcv_forged"); code != http.StatusUnauthorized {
		t.Fatalf("forged secret: %d", code)
	}
	if code, _ := post("big.png", append(png, make([]byte, chat.MaxUpload)...), welcome.Token); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", code)
	}
	if code, _ := post("run.exe", []byte("MZ\x90\x00\x03\x00\x00\x00"), welcome.Token); code != http.StatusUnprocessableEntity {
		t.Fatalf("a program: %d", code)
	}
}

// TestWidgetSize holds the widget to its budget: it loads on every page of
// the business's site.
func TestWidgetSize(t *testing.T) {
	n := startNode(t, testkit.SQLite(t))
	res, err := http.Get(n.srv.URL + "/widget.js")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	_, _ = zw.Write(body)
	_ = zw.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("GET /widget.js = %s %s", res.Status, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"צ'אט איתנו", "Chat with us", `"maxFile":5242880`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the widget lacks %q", want)
		}
	}
	if gz.Len() > 30<<10 {
		t.Fatalf("widget.js is %d bytes gzipped, over 30 KB", gz.Len())
	}
	t.Logf("widget.js: %d bytes, %d gzipped", len(body), gz.Len())
}
