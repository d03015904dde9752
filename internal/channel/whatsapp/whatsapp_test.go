package whatsapp_test

import (
	"bytes"
	"context"
	"crypto/hmac"
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
	"kesher/internal/channel/whatsapp"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

const (
	phoneNumberID = "106540352242922"
	accessToken   = "EAAG-test-token"
	appSecret     = "app-secret-שלנו"
	verifyToken   = "verify-me"
)

// The sample notifications' first message was sent at this time.
var sentAt = time.Unix(1772355600, 0).UTC()

// graph is a fake Graph API: it serves media and takes messages, and
// records every request it gets.
type graph struct {
	*httptest.Server
	mu       sync.Mutex
	requests []recorded
	// refuse, when set, answers sends with this status.
	refuse int
	sent   int
}

type recorded struct {
	Method, Path, Auth string
	Body               map[string]any
}

var mediaBytes = map[string][]byte{"1003383421387256": []byte("\xff\xd8\xff\xe0 a JPEG"), "1003383421387257": []byte("%PDF-1.7 invoice")}

func newGraph(t *testing.T) *graph {
	g := &graph{}
	g.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec := recorded{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization")}
		_ = json.Unmarshal(body, &rec.Body)
		g.mu.Lock()
		g.requests = append(g.requests, rec)
		refuse := g.refuse
		g.mu.Unlock()
		if rec.Auth != "Bearer "+accessToken {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"message":"Invalid OAuth access token","code":190}}`))
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/v21.0/")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/v21.0/"+phoneNumberID+"/messages":
			if refuse != 0 {
				w.WriteHeader(refuse)
				_, _ = w.Write([]byte(`{"error":{"message":"(#131030) Recipient phone number not in allowed list","code":131030}}`))
				return
			}
			g.mu.Lock()
			g.sent++
			n := g.sent
			g.mu.Unlock()
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":"%v","wa_id":"%v"}],"messages":[{"id":"wamid.OUT%d"}]}`, rec.Body["to"], rec.Body["to"], n)
		case r.Method == http.MethodGet && mediaBytes[id] != nil:
			fmt.Fprintf(w, `{"messaging_product":"whatsapp","url":"%s/files/%s","mime_type":"application/octet-stream","file_size":%d,"id":"%s"}`,
				g.URL, id, len(mediaBytes[id]), id)
		case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/files/"):
			_, _ = w.Write(mediaBytes[strings.TrimPrefix(r.URL.Path, "/files/")])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(g.Close)
	return g
}

func (g *graph) recorded() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]recorded(nil), g.requests...)
}

type fixture struct {
	store   kesher.Store
	desk    *desk.Desk
	clock   *testkit.Clock
	graph   *graph
	channel *whatsapp.Channel
	hooks   *http.ServeMux
	account *kesher.ChannelAccount
	agent   context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{store: testkit.SQLite(t), clock: testkit.NewClock(sentAt), graph: newGraph(t)}
	f.desk = desk.New(desk.Config{Store: f.store, Clock: f.clock})
	ctx := context.Background()
	var err error
	f.account, err = f.desk.SaveChannelAccount(ctx, "", desk.ChannelAccountInput{
		Kind: kesher.ChannelWhatsApp, Name: "נגה בוואטסאפ", APIBase: f.graph.URL + "/v21.0", PhoneNumberID: phoneNumberID,
		Token: accessToken, AppSecret: appSecret, VerifyToken: verifyToken, Templates: []kesher.Template{{Name: "order_update", Language: "he"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	agent, err := f.desk.CreateUser(ctx, desk.NewUser{Email: "agent@noga.example", Name: "רותם", Role: kesher.RoleAgent})
	if err != nil {
		t.Fatal(err)
	}
	f.agent = kesher.WithActor(ctx, agent)
	f.channel = whatsapp.New(messaging.Config{Desk: f.desk})
	f.hooks = http.NewServeMux()
	f.channel.Routes(f.hooks)
	return f
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(body []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// post delivers a notification as Meta does, signed with signature ("" for
// none).
func (f *fixture) post(t *testing.T, account string, body []byte, signature string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/hooks/whatsapp/"+account, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-Hub-Signature-256", signature)
	}
	rec := httptest.NewRecorder()
	f.hooks.ServeHTTP(rec, req)
	return rec
}

func (f *fixture) deliver(t *testing.T, name string) {
	t.Helper()
	body := sample(t, name)
	if rec := f.post(t, f.account.ID, body, sign(body, appSecret)); rec.Code != http.StatusOK {
		t.Fatalf("POST %s = %d %s", name, rec.Code, rec.Body)
	}
}

// counts is how much the desk holds: conversations, and messages of them.
func (f *fixture) counts(t *testing.T) (convs, msgs int) {
	t.Helper()
	cs, _, err := f.desk.Conversations(f.agent, kesher.ConversationFilter{Page: kesher.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		ms, _, err := f.desk.Messages(f.agent, c.ID, kesher.Page{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		msgs += len(ms)
	}
	return len(cs), msgs
}

func (f *fixture) thread(t *testing.T) (*kesher.Conversation, []*kesher.Message) {
	t.Helper()
	cs, _, err := f.desk.Conversations(f.agent, kesher.ConversationFilter{Page: kesher.Page{Limit: 2}})
	if err != nil || len(cs) != 1 {
		t.Fatalf("conversations: %d, %v; want 1", len(cs), err)
	}
	ms, _, err := f.desk.Messages(f.agent, cs[0].ID, kesher.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return cs[0], ms
}

// runJobs runs the pending send jobs through the channel's sender, as the
// runner would, and returns their errors.
func (f *fixture) runJobs(t *testing.T) []error {
	t.Helper()
	ctx := context.Background()
	pending, _, err := f.store.JobsByState(ctx, kesher.JobPending, kesher.Page{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	var errs []error
	for _, j := range pending {
		h := f.channel.Sender().Handlers()[j.Kind]
		if h == nil {
			continue
		}
		err := h(ctx, j)
		f.channel.Sender().OnFinish(j, err, err != nil)
		if err == nil {
			err = f.store.Write(ctx, func(tx kesher.Tx) error { return tx.FinishJob(ctx, j.ID, f.clock.Now()) })
		} else {
			_ = f.store.Write(ctx, func(tx kesher.Tx) error { return tx.FailJob(ctx, j.ID, err.Error(), f.clock.Now()) })
		}
		errs = append(errs, err)
	}
	return errs
}

func TestVerification(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name, query string
		status      int
		body        string
	}{
		{"the account's token", "hub.mode=subscribe&hub.verify_token=" + verifyToken + "&hub.challenge=1158201444", 200, "1158201444"},
		{"another token", "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444", 403, `"forbidden"`},
		{"no mode", "hub.verify_token=" + verifyToken + "&hub.challenge=1", 403, `"forbidden"`},
	} {
		rec := httptest.NewRecorder()
		f.hooks.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hooks/whatsapp/"+f.account.ID+"?"+tc.query, nil))
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.body) {
			t.Errorf("%s: %d %s; want %d with %s", tc.name, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}

func TestRejectedNotificationsChangeNothing(t *testing.T) {
	f := newFixture(t)
	body := sample(t, "text.json")
	for _, tc := range []struct {
		name, account, signature string
		status                   int
		code                     string
	}{
		{"no signature", f.account.ID, "", 401, "unauthorized"},
		{"signed with another secret", f.account.ID, sign(body, "not-the-secret"), 403, "forbidden"},
		{"a signature of another body", f.account.ID, sign([]byte("{}"), appSecret), 403, "forbidden"},
		{"not hex", f.account.ID, "sha256=zz", 403, "forbidden"},
		{"an unknown account", "nope", sign(body, appSecret), 404, "not_found"},
	} {
		rec := f.post(t, tc.account, body, tc.signature)
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || rec.Code != tc.status || e.Error.Code != tc.code {
			t.Errorf("%s: %d %s; want %d %s", tc.name, rec.Code, rec.Body, tc.status, tc.code)
		}
	}
	big := bytes.Repeat([]byte(" "), 2<<20)
	if rec := f.post(t, f.account.ID, big, sign(big, appSecret)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: %d", rec.Code)
	}
	if convs, msgs := f.counts(t); convs != 0 || msgs != 0 {
		t.Errorf("after refused notifications the desk holds %d conversations, %d messages; want none", convs, msgs)
	}
	if cs, _, _ := f.desk.Customers(f.agent, kesher.CustomerFilter{Page: kesher.Page{Limit: 10}}); len(cs) != 0 {
		t.Errorf("customers made: %d", len(cs))
	}
}

func TestInboundText(t *testing.T) {
	f := newFixture(t)
	// Dana phoned before: her phone number is her WhatsApp number.
	phoned, _, err := f.desk.CreateConversation(f.agent, desk.NewConversation{
		Customer: desk.CustomerRef{Name: "דנה כהן", Phone: "050-1234567"}, Channel: kesher.ChannelPhone,
		Message: desk.NewMessage{BodyText: "שיחה: שאלה על משלוח"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.deliver(t, "text.json")
	f.deliver(t, "text.json") // Meta delivers at least once
	cs, _, _ := f.desk.Conversations(f.agent, kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelWhatsApp}, Page: kesher.Page{Limit: 5}})
	if len(cs) != 1 || cs[0].CustomerID != phoned.CustomerID {
		t.Fatalf("WhatsApp conversations: %+v; want one of the customer who phoned", cs)
	}
	ms, _, _ := f.desk.Messages(f.agent, cs[0].ID, kesher.Page{Limit: 10})
	if len(ms) != 1 || ms[0].BodyText != "שלום, ההזמנה שלי לא הגיעה" || ms[0].Direction != kesher.Inbound ||
		ms[0].ExternalID != "wamid.HBgMOTcyNTAxMjM0NTY3FQIAEhgUM0VCMEQ1RkM2QjlBNDM3QTAwMDEA" {
		t.Errorf("thread after two deliveries of one message: %+v", ms)
	}
	// One timeline: the phone call and the WhatsApp message.
	entries, _, err := f.desk.Timeline(f.agent, phoned.CustomerID, kesher.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	channels := map[kesher.Channel]bool{}
	for _, e := range entries {
		if e.Message != nil {
			channels[e.Message.Channel] = true
		}
	}
	if !channels[kesher.ChannelPhone] || !channels[kesher.ChannelWhatsApp] {
		t.Errorf("the customer's timeline holds messages of %v; want phone and WhatsApp", channels)
	}
}

func TestInboundMedia(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "image.json")
	_, ms := f.thread(t)
	if len(ms) != 2 {
		t.Fatalf("%d messages, want 2", len(ms))
	}
	want := []kesher.Attachment{
		{Filename: "1003383421387256.jpg", ContentType: "image/jpeg", Size: int64(len(mediaBytes["1003383421387256"]))},
		{Filename: "חשבונית-4471.pdf", ContentType: "application/pdf", Size: int64(len(mediaBytes["1003383421387257"]))},
	}
	if ms[0].BodyText != "ככה החבילה נראתה" {
		t.Errorf("caption = %q", ms[0].BodyText)
	}
	ids := []string{"1003383421387256", "1003383421387257"}
	for i, m := range ms {
		if len(m.Attachments) != 1 {
			t.Fatalf("message %d attachments: %+v", i, m.Attachments)
		}
		a := m.Attachments[0]
		if a.Filename != want[i].Filename || a.ContentType != want[i].ContentType || a.Size != want[i].Size {
			t.Errorf("attachment %d = %+v, want %+v", i, a, want[i])
		}
		data, err := f.store.Blob(context.Background(), a.SHA256)
		if err != nil || !bytes.Equal(data, mediaBytes[ids[i]]) {
			t.Errorf("blob of %s: %q, %v", a.Filename, data, err)
		}
	}
	var lookups int
	for _, r := range f.graph.recorded() {
		if r.Auth != "Bearer "+accessToken {
			t.Errorf("%s %s without the access token", r.Method, r.Path)
		}
		if r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/v21.0/") {
			lookups++
		}
	}
	if lookups != 2 {
		t.Errorf("%d media lookups, want 2", lookups)
	}
}

func TestRepliesAndStatuses(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "text.json")
	conv, _ := f.thread(t)
	reply, err := f.desk.AddMessage(f.agent, conv.ID, desk.NewMessage{BodyText: "מצטערים! בודקים מול חברת השליחויות"})
	if err != nil {
		t.Fatal(err)
	}
	if errs := f.runJobs(t); len(errs) != 1 || errs[0] != nil {
		t.Fatalf("send jobs: %v", errs)
	}
	var send *recorded
	for _, r := range f.graph.recorded() {
		if r.Method == http.MethodPost {
			send = &r
		}
	}
	if send == nil || send.Auth != "Bearer "+accessToken || send.Body["to"] != "972501234567" || send.Body["type"] != "text" ||
		send.Body["text"].(map[string]any)["body"] != "מצטערים! בודקים מול חברת השליחויות" || send.Body["messaging_product"] != "whatsapp" {
		t.Fatalf("the send request: %+v", send)
	}
	m, _ := f.store.Message(context.Background(), reply.ID)
	if m.Delivery != kesher.DeliverySent || m.ExternalID != "wamid.OUT1" {
		t.Fatalf("after sending: %s %q", m.Delivery, m.ExternalID)
	}

	// A refused send fails the message with the provider's reason.
	f.graph.mu.Lock()
	f.graph.refuse = http.StatusBadRequest
	f.graph.mu.Unlock()
	second, err := f.desk.AddMessage(f.agent, conv.ID, desk.NewMessage{BodyText: "עוד עדכון"})
	if err != nil {
		t.Fatal(err)
	}
	if errs := f.runJobs(t); len(errs) != 1 || errs[0] == nil {
		t.Fatalf("a refused send: %v", errs)
	}
	if m, _ := f.store.Message(context.Background(), second.ID); m.Delivery != kesher.DeliveryFailed || !strings.Contains(m.DeliveryError, "131030") {
		t.Errorf("a refused message: %s %q", m.Delivery, m.DeliveryError)
	}

	// Meta reports delivered, then read.
	f.deliver(t, "statuses.json")
	if m, _ := f.store.Message(context.Background(), reply.ID); m.Delivery != kesher.DeliveryRead {
		t.Errorf("after delivered and read reports: %s", m.Delivery)
	}
}

func TestWindowAndTemplates(t *testing.T) {
	f := newFixture(t)
	f.deliver(t, "text.json")
	conv, _ := f.thread(t)
	f.clock.Advance(24*time.Hour + time.Minute)
	_, err := f.desk.AddMessage(f.agent, conv.ID, desk.NewMessage{BodyText: "עדיין רלוונטי?"})
	if kesher.ErrorCode(err) != kesher.ECodeValidation {
		t.Fatalf("free text after the window: %v", err)
	}
	if _, err := f.desk.AddMessage(f.agent, conv.ID, desk.NewMessage{Template: "order_update"}); err != nil {
		t.Fatal(err)
	}
	if errs := f.runJobs(t); len(errs) != 1 || errs[0] != nil {
		t.Fatalf("template job: %v", errs)
	}
	var tmpl map[string]any
	for _, r := range f.graph.recorded() {
		if r.Method == http.MethodPost && r.Body["type"] == "template" {
			tmpl, _ = r.Body["template"].(map[string]any)
		}
	}
	if tmpl["name"] != "order_update" || tmpl["language"].(map[string]any)["code"] != "he" {
		t.Errorf("the template sent: %+v", tmpl)
	}
}
