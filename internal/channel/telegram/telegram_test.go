package telegram_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher"
	"kesher/internal/channel/messaging"
	"kesher/internal/channel/telegram"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

const (
	botToken    = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"
	secretToken = "kesher_secret-42"
)

var photo = []byte("\xff\xd8\xff\xe0 a photo of a parcel")

// botAPI is a fake Bot API that knows one bot by its token in the path,
// serves one file and takes messages; it records every request.
type botAPI struct {
	*httptest.Server
	mu        sync.Mutex
	requests  []recorded
	documents []document
	sent      int
}

type document struct {
	Chat, Name, Type string
	Data             []byte
}

type recorded struct {
	Method, Path string
	Body         map[string]any
}

func newBotAPI(t *testing.T) *botAPI {
	b := &botAPI{}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Path: r.URL.Path}
		_ = json.Unmarshal(body, &rec.Body)
		b.mu.Lock()
		b.requests = append(b.requests, rec)
		b.mu.Unlock()
		switch {
		case r.URL.Path == "/bot"+botToken+"/getFile" && r.URL.Query().Get("file_id") == "AgACAgQAAxkBAAM5-large":
			fmt.Fprint(w, `{"ok":true,"result":{"file_id":"AgACAgQAAxkBAAM5-large","file_unique_id":"AQADlarge","file_size":40210,"file_path":"photos/file_7.jpg"}}`)
		case r.URL.Path == "/file/bot"+botToken+"/photos/file_7.jpg":
			w.Header().Set("Content-Type", "image/jpeg")
			_, _ = w.Write(photo)
		case r.URL.Path == "/bot"+botToken+"/sendMessage" && r.Method == http.MethodPost:
			b.mu.Lock()
			b.sent++
			n := 100 + b.sent
			b.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":%v,"type":"private"},"date":1772355700,"text":"…"}}`, n, rec.Body["chat_id"])
		case r.URL.Path == "/bot"+botToken+"/sendDocument" && r.Method == http.MethodPost:
			// The body was read above; parse it again as the form it is.
			r.Body = io.NopCloser(bytes.NewReader(body))
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, `{"ok":false,"error_code":400,"description":"Bad Request: not a form"}`, http.StatusBadRequest)
				return
			}
			f, h, err := r.FormFile("document")
			if err != nil {
				http.Error(w, `{"ok":false,"error_code":400,"description":"Bad Request: no document"}`, http.StatusBadRequest)
				return
			}
			data, _ := io.ReadAll(f)
			b.mu.Lock()
			b.documents = append(b.documents, document{Chat: r.FormValue("chat_id"), Name: h.Filename, Type: h.Header.Get("Content-Type"), Data: data})
			b.sent++
			n := 100 + b.sent
			b.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"chat":{"id":%s,"type":"private"},"date":1772355700}}`, n, r.FormValue("chat_id"))
		case strings.HasPrefix(r.URL.Path, "/bot"+botToken+"/"):
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"ok":false,"error_code":400,"description":"Bad Request: wrong file_id"}`)
		default:
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		}
	}))
	t.Cleanup(b.Close)
	return b
}

func (b *botAPI) recorded() []recorded {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]recorded(nil), b.requests...)
}

type fixture struct {
	store   kesher.Store
	desk    *desk.Desk
	api     *botAPI
	channel *telegram.Channel
	hooks   *http.ServeMux
	account *kesher.ChannelAccount
	agent   context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: testkit.SQLite(t), api: newBotAPI(t)}
	f.desk = desk.New(desk.Config{Store: f.store, Clock: testkit.NewClock(time.Unix(1772355600, 0))})
	ctx := context.Background()
	var err error
	f.account, err = f.desk.SaveChannelAccount(ctx, "", desk.ChannelAccountInput{
		Kind: kesher.ChannelTelegram, Name: "בוט נגה", APIBase: f.api.URL, Token: botToken, VerifyToken: secretToken,
	})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := f.desk.CreateUser(ctx, desk.NewUser{Email: "agent@noga.example", Name: "רותם", Role: kesher.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	f.agent = kesher.WithActor(ctx, agent)
	f.channel = telegram.New(messaging.Config{Desk: f.desk, Blobs: f.store})
	f.hooks = http.NewServeMux()
	f.channel.Routes(f.hooks)
	return f
}

func (f *fixture) post(t *testing.T, account, name, token string) *httptest.ResponseRecorder {
	t.Helper()
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/hooks/telegram/"+account, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", token)
	}
	rec := httptest.NewRecorder()
	f.hooks.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) deliver(t *testing.T, name string) {
	t.Helper()
	if rec := f.post(t, f.account.ID, name, secretToken); rec.Code != http.StatusOK {
		t.Fatalf("POST %s = %d %s", name, rec.Code, rec.Body)
	}
}

func (f *fixture) conversations(t *testing.T) []*kesher.Conversation {
	t.Helper()
	cs, _, err := f.desk.Conversations(f.agent, kesher.ConversationFilter{Page: kesher.Page{Limit: 10}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func (f *fixture) messages(t *testing.T, convID string) []*kesher.Message {
	t.Helper()
	ms, _, err := f.desk.Messages(f.agent, convID, kesher.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestRejectedUpdatesChangeNothing(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, account, token string
		status               int
	}{
		{"no secret token", f.account.ID, "", 401},
		{"a wrong secret token", f.account.ID, "kesher_secret-43", 403},
		{"an unknown bot", "nope", secretToken, 404},
	} {
		if rec := f.post(t, tc.account, "text.json", tc.token); rec.Code != tc.status || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Errorf("%s: %d %s; want %d in the error format", tc.name, rec.Code, rec.Body, tc.status)
		}
	}
	if cs := f.conversations(t); len(cs) != 0 {
		t.Errorf("%d conversations after refused updates", len(cs))
	}
	if cs, _, _ := f.desk.Customers(f.agent, kesher.CustomerFilter{Page: kesher.Page{Limit: 10}}); len(cs) != 0 {
		t.Errorf("%d customers after refused updates", len(cs))
	}
}

func TestInboundAndReplies(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "text.json")
	f.deliver(t, "text.json") // a retried update
	f.deliver(t, "photo.json")
	f.deliver(t, "group.json") // not a private chat: ignored
	cs := f.conversations(t)
	if len(cs) != 1 || cs[0].Channel != kesher.ChannelTelegram {
		t.Fatalf("conversations: %+v", cs)
	}
	ms := f.messages(t, cs[0].ID)
	if len(ms) != 2 || ms[0].BodyText != "שלום, ההזמנה שלי לא הגיעה" || ms[1].BodyText != "ככה החבילה הגיעה" {
		t.Fatalf("thread: %+v", ms)
	}
	if a := ms[1].Attachments; len(a) != 1 || a[0].Filename != "file_7.jpg" || a[0].ContentType != "image/jpeg" || a[0].Size != int64(len(photo)) {
		t.Errorf("the photo's attachment: %+v", a)
	} else if data, err := f.store.Blob(context.Background(), a[0].SHA256); err != nil || !bytes.Equal(data, photo) {
		t.Errorf("the photo's blob: %q, %v", data, err)
	}
	cust, _ := f.desk.Customer(f.agent, cs[0].CustomerID)
	if cust.Name != "יוסי לוי" || len(cust.Identities) != 1 || cust.Identities[0] != (kesher.Identity{
		ID: cust.Identities[0].ID, CustomerID: cust.ID, Kind: kesher.IdentityTelegram, Value: "424242", CreatedAt: cust.Identities[0].CreatedAt}) {
		t.Errorf("the customer: %+v", cust)
	}

	reply, err := f.desk.AddMessage(f.agent, cs[0].ID, desk.NewMessage{BodyText: "תודה יוסי, בודקים"})
	if err != nil {
		t.Fatal(err)
	}
	pending, _, _ := f.store.JobsByState(context.Background(), kesher.JobPending, kesher.Page{Limit: 10})
	if len(pending) != 1 || pending[0].Kind != desk.JobSendTelegram {
		t.Fatalf("pending jobs: %+v", pending)
	}
	if err := f.channel.Sender().Handlers()[desk.JobSendTelegram](context.Background(), pending[0]); err != nil {
		t.Fatal(err)
	}
	var send *recorded
	for _, r := range f.api.recorded() {
		if strings.HasSuffix(r.Path, "/sendMessage") {
			send = &r
		}
	}
	if send == nil || send.Path != "/bot"+botToken+"/sendMessage" || send.Body["chat_id"] != float64(424242) || send.Body["text"] != "תודה יוסי, בודקים" {
		t.Fatalf("sendMessage: %+v", send)
	}
	m, _ := f.store.Message(context.Background(), reply.ID)
	if m.Delivery != kesher.DeliverySent || m.ExternalID != f.account.ID+":424242:101" {
		t.Errorf("the reply after sending: %s %q", m.Delivery, m.ExternalID)
	}
	// The runner may run a job again; a sent message is not sent twice.
	if err := f.channel.Sender().Handlers()[desk.JobSendTelegram](context.Background(), pending[0]); err != nil {
		t.Fatal(err)
	}
	if f.api.sent != 1 {
		t.Errorf("%d sendMessage calls, want 1", f.api.sent)
	}
}

// TestAFileThatCannotBeFetched: Telegram refusing the file (it is gone)
// takes the message in without it; an unreachable Bot API answers 500,
// so Telegram sends the update again.
func TestAFileThatCannotBeFetched(t *testing.T) {
	f := newFixture(t)
	body, _ := os.ReadFile("testdata/photo.json")
	body = bytes.ReplaceAll(body, []byte("AgACAgQAAxkBAAM5-large"), []byte("unknown-file"))
	req := httptest.NewRequest(http.MethodPost, "/hooks/telegram/"+f.account.ID, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretToken)
	rec := httptest.NewRecorder()
	f.hooks.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("an update whose file Telegram refuses: %d %s", rec.Code, rec.Body)
	}
	cs := f.conversations(t)
	if ms := f.messages(t, cs[0].ID); len(ms) != 1 || ms[0].BodyText != "ככה החבילה הגיעה" || len(ms[0].Attachments) != 0 {
		t.Errorf("the message without its file: %+v", ms)
	}

	f.api.Close()
	body, _ = os.ReadFile("testdata/photo.json")
	body = bytes.ReplaceAll(body, []byte(`"message_id": 57`), []byte(`"message_id": 58`))
	req = httptest.NewRequest(http.MethodPost, "/hooks/telegram/"+f.account.ID, bytes.NewReader(body))
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secretToken)
	rec = httptest.NewRecorder()
	f.hooks.ServeHTTP(rec, req)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), botToken) {
		t.Errorf("an update while the Bot API is down: %d %s; want 500, so Telegram retries", rec.Code, rec.Body)
	}
	if ms := f.messages(t, cs[0].ID); len(ms) != 1 {
		t.Errorf("%d messages after a failed update, want 1", len(ms))
	}
}

// TestErrorsHideTheToken: the bot token is in every Bot API URL, and a
// failed call's error reaches logs and the agent's view of the message.
func TestErrorsHideTheToken(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "text.json")
	cs := f.conversations(t)
	reply, err := f.desk.AddMessage(f.agent, cs[0].ID, desk.NewMessage{BodyText: "תשובה"})
	if err != nil {
		t.Fatal(err)
	}
	f.api.Close() // the Bot API cannot be reached
	pending, _, _ := f.store.JobsByState(context.Background(), kesher.JobPending, kesher.Page{Limit: 10})
	err = f.channel.Sender().Handlers()[desk.JobSendTelegram](context.Background(), pending[0])
	if err == nil || strings.Contains(err.Error(), botToken) {
		t.Fatalf("a failed call: %v", err)
	}
	f.channel.Sender().OnFinish(pending[0], err, true)
	if m, _ := f.store.Message(context.Background(), reply.ID); m.Delivery != kesher.DeliveryFailed || strings.Contains(m.DeliveryError, botToken) || m.DeliveryError == "" {
		t.Errorf("the failed message: %s %q", m.Delivery, m.DeliveryError)
	}
}

// TestReplyWithAFile: a reply's attached file goes out with sendDocument,
// after its text.
func TestReplyWithAFile(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "text.json")
	cs := f.conversations(t)
	invoice := []byte("%PDF-1.7 חשבונית")
	sum := sha256.Sum256(invoice)
	hash := hex.EncodeToString(sum[:])
	if err := f.store.Write(context.Background(), func(tx kesher.Tx) error { return tx.PutBlob(context.Background(), hash, invoice) }); err != nil {
		t.Fatal(err)
	}
	reply, err := f.desk.AddMessage(f.agent, cs[0].ID, desk.NewMessage{BodyText: "מצורפת החשבונית",
		Attachments: []kesher.Attachment{{Filename: "חשבונית.pdf", ContentType: "application/pdf", Size: int64(len(invoice)), SHA256: hash}}})
	if err != nil {
		t.Fatal(err)
	}
	pending, _, _ := f.store.JobsByState(context.Background(), kesher.JobPending, kesher.Page{Limit: 10})
	if err := f.channel.Sender().Handlers()[desk.JobSendTelegram](context.Background(), pending[0]); err != nil {
		t.Fatal(err)
	}
	f.api.mu.Lock()
	docs := f.api.documents
	f.api.mu.Unlock()
	if len(docs) != 1 || docs[0].Chat != "424242" || docs[0].Name != "חשבונית.pdf" || docs[0].Type != "application/pdf" || !bytes.Equal(docs[0].Data, invoice) {
		t.Fatalf("documents sent: %+v", docs)
	}
	if m, _ := f.store.Message(context.Background(), reply.ID); m.Delivery != kesher.DeliverySent || m.ExternalID != f.account.ID+":424242:101" {
		t.Errorf("the reply: %s %q; want sent with its text's id", m.Delivery, m.ExternalID)
	}
}
