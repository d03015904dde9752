// Package chat is the live chat channel: the widget script that a site
// embeds (/widget.js), the WebSocket it talks to (/chat/ws), its file
// uploads (/chat/upload) and the page that takes a visitor's email proof
// (/chat/verify). It translates frames to and from desk calls and pushes
// committed replies, typing indicators and read marks to the visitors
// watching; the rules are the desk's.
package chat

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"kesher"
	"kesher/internal/bus"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// Limits of the channel, in the README's limits table. A frame carries one
// message of at most kesher.MaxChatText bytes of text plus its envelope.
const (
	maxFrame = kesher.MaxChatText + 1024
	// MaxUpload is the largest file a visitor may send.
	MaxUpload = desk.MaxChatUpload
	// DefaultConnsPerIP bounds the widget connections of one network
	// address: a page or two in a few tabs of several people behind one
	// office's address.
	DefaultConnsPerIP = 20
	// DefaultRate and DefaultBurst bound a visitor's messages (and
	// uploads) per second; typing and read marks are not counted, only
	// dropped above rate+burst.
	DefaultRate  = 5
	DefaultBurst = 10
	// sendBuffer is how many frames a connection may fall behind before it
	// is closed; the widget reconnects and catches up from its last
	// message, so nothing is lost.
	sendBuffer = 64
	// pingEvery keeps idle connections open through proxies and finds the
	// dead ones.
	pingEvery = 30 * time.Second
)

// Subscriber is the live bus as the channel sees it.
type Subscriber interface {
	Subscribe(buffer int) *bus.Subscription
}

// Config holds what the channel needs.
type Config struct {
	Desk *desk.Desk
	Live Subscriber
	// ConnsPerIP, Rate and Burst override the defaults above (a load test
	// opens thousands of connections from one address).
	ConnsPerIP  int
	Rate, Burst float64
	Logger      *slog.Logger
	Registerer  prometheus.Registerer
}

// Server serves the widget and its connections.
type Server struct {
	desk   *desk.Desk
	live   Subscriber
	log    *slog.Logger
	script []byte
	hub    *hub
	cfg    Config

	mu    sync.Mutex
	perIP map[string]int

	conns    prometheus.Gauge
	messages *prometheus.CounterVec
}

// New returns the channel's server; Run must run for it to push anything.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.ConnsPerIP = orDefault(cfg.ConnsPerIP, DefaultConnsPerIP)
	cfg.Rate, cfg.Burst = orDefault(cfg.Rate, DefaultRate), orDefault(cfg.Burst, DefaultBurst)
	script, err := buildScript()
	if err != nil {
		return nil, err
	}
	s := &Server{desk: cfg.Desk, live: cfg.Live, log: cfg.Logger, script: script, hub: newHub(), cfg: cfg, perIP: map[string]int{},
		conns: prometheus.NewGauge(prometheus.GaugeOpts{Name: "kesher_chat_connections", Help: "Open chat widget connections."}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "kesher_chat_messages_total",
			Help: "Chat messages committed from visitors (in) and pushed to them (out)."}, []string{"direction"}),
	}
	if cfg.Registerer != nil {
		cfg.Registerer.MustRegister(s.conns, s.messages)
	}
	return s, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Handler serves /widget.js and /chat/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /widget.js", s.serveScript)
	mux.HandleFunc("GET /chat/ws", s.serveSocket)
	mux.HandleFunc("POST /chat/upload", s.serveUpload)
	mux.HandleFunc("OPTIONS /chat/upload", s.serveUpload)
	mux.HandleFunc("GET /chat/verify", s.serveVerify)
	return mux
}

// Run pushes committed events to the visitors they concern until ctx
// ends, then closes every connection: the widgets reconnect, to this node
// when it comes back or to another.
func (s *Server) Run(ctx context.Context) {
	sub := s.live.Subscribe(4096)
	defer sub.Close()
	defer s.hub.closeAll()
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			s.hub.each(func(c *conn) { c.ping() })
		case e := <-sub.C():
			s.dispatch(ctx, e)
			if sub.Lagged() {
				// Events were lost: every widget catches up from its last
				// message, as after a reconnect.
				s.hub.each(func(c *conn) { c.catchUp() })
			}
		}
	}
}

// clientAddr is the network address of a request, for the per-address
// connection limit and the proof rate limit.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// admit counts a connection of addr, false when addr has its fill.
func (s *Server) admit(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[addr] >= s.cfg.ConnsPerIP {
		return false
	}
	s.perIP[addr]++
	return true
}

func (s *Server) release(addr string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perIP[addr]--; s.perIP[addr] <= 0 {
		delete(s.perIP, addr)
	}
}

// serveSocket upgrades a widget's request. Any site may embed the widget,
// so any origin may connect: the visitor's secret, not a cookie, is the
// credential, which a foreign page cannot borrow.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	addr := clientAddr(r)
	if !s.admit(addr) {
		http.Error(w, "too many chat connections from your address", http.StatusTooManyRequests)
		return
	}
	defer s.release(addr)
	// The HTTP server's read timeout would end a long-lived connection;
	// the ping below finds dead ones instead.
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	ws.SetReadLimit(maxFrame)
	s.conns.Inc()
	defer s.conns.Dec()
	c := newConn(s, ws, addr, i18nLang(r.URL.Query().Get("lang")))
	c.serve(r.Context())
}

func i18nLang(l string) string {
	if i18n.Valid(l) {
		return l
	}
	return i18n.Hebrew
}

// visitorOf returns the visitor whose secret the request carries in its
// Authorization header (Bearer).
func (s *Server) visitorOf(r *http.Request) (*kesher.ChatVisitor, error) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !strings.HasPrefix(token, desk.ChatTokenPrefix) {
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "a chat visitor's secret is needed")
	}
	fresh, v, err := s.desk.Visit(r.Context(), desk.ChatVisit{Token: token})
	if err != nil {
		return nil, err
	}
	if fresh != "" {
		return nil, kesher.Errorf(kesher.ECodeUnauthorized, "unknown chat visitor")
	}
	return v, nil
}

// serveUpload takes a file as a message of its own: the body is the file,
// ?name= its name and ?cid= the widget's id of the message, so an upload
// sent again is stored once. It answers the message as an "ack" frame
// would.
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Allow-Methods", "POST")
	if r.Method == http.MethodOptions {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	v, err := s.visitorOf(r)
	if err != nil {
		writeError(w, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxUpload))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		writeError(w, kesher.Errorf(kesher.ECodeTooLarge, "a file is at most %d bytes", MaxUpload))
		return
	} else if err != nil {
		return
	}
	q := r.URL.Query()
	m, err := s.desk.ChatUpload(r.Context(), v.ID, q.Get("cid"), q.Get("name"), data)
	if err != nil {
		writeError(w, err)
		return
	}
	s.messages.WithLabelValues("in").Inc()
	writeJSON(w, http.StatusOK, frame{T: "ack", CID: q.Get("cid"), Msg: wire(m)})
}

// serveVerify takes the link of a visitor's email proof and says, in the
// visitor's language, whether it joined them to their history.
func (s *Server) serveVerify(w http.ResponseWriter, r *http.Request) {
	l := i18n.New(i18n.Negotiate(r.Header.Get("Accept-Language")), nil)
	if lang := r.URL.Query().Get("lang"); i18n.Valid(lang) {
		l = i18n.New(lang, nil)
	}
	key, status := "chat.verify.done", http.StatusOK
	if _, err := s.desk.ChatVerify(r.Context(), r.URL.Query().Get("token")); kesher.ErrorCode(err) == kesher.ECodeUnauthorized {
		key, status = "chat.verify.invalid", http.StatusUnauthorized
	} else if err != nil {
		s.log.Error("chat: following a proof failed", "err", err)
		key, status = "chat.verify.failed", http.StatusInternalServerError
	}
	renderVerify(w, status, l, key)
}
