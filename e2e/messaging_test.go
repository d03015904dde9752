package e2e

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kesher/internal/testkit"
)

// TestWhatsAppThroughTheProgram runs the whole program with a WhatsApp
// number whose Graph API is a fake in the test: a signed notification
// becomes a conversation, an unsigned one is refused, the agent's reply
// leaves through the outbox to the fake with the access token, and
// Meta's delivery report reaches the reply.
func TestWhatsAppThroughTheProgram(t *testing.T) {
	var mu sync.Mutex
	var sends []map[string]any
	graph := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer e2e-token" || r.URL.Path != "/v21.0/106540352242922/messages" {
			http.Error(w, `{"error":{"message":"unexpected"}}`, http.StatusBadRequest)
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		sends = append(sends, body)
		mu.Unlock()
		fmt.Fprint(w, `{"messaging_product":"whatsapp","messages":[{"id":"wamid.E2E1"}]}`)
	}))
	defer graph.Close()

	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "admin@noga.example", "--name", "מנהלת", "--role", "admin")
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@noga.example"))
	var acct struct{ ID string }
	apiCall(t, p.URL, token, "POST", "/api/v1/channels", `{"kind": "whatsapp", "name": "נגה", "api_base": "`+graph.URL+`/v21.0",
		"phone_number_id": "106540352242922", "token": "e2e-token", "app_secret": "e2e-secret", "verify_token": "e2e-verify"}`, &acct)

	hook := p.URL + "/hooks/whatsapp/" + acct.ID
	resp, err := http.Get(hook + "?hub.mode=subscribe&hub.verify_token=e2e-verify&hub.challenge=8812")
	if err != nil {
		t.Fatal(err)
	}
	challenge, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(challenge) != "8812" {
		t.Fatalf("verification: %d %q", resp.StatusCode, challenge)
	}

	notify := func(body, secret string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, hook, strings.NewReader(body))
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write([]byte(body))
		req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	text := fmt.Sprintf(`{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"דנה"},"wa_id":"972501234567"}],
		"messages":[{"from":"972501234567","id":"wamid.IN1","timestamp":"%d","type":"text","text":{"body":"שלום, ההזמנה שלי לא הגיעה"}}]}}]}]}`, time.Now().Unix())
	if code := notify(text, "not-the-secret"); code != http.StatusForbidden {
		t.Errorf("a notification signed with another secret: %d", code)
	}
	if code := notify(text, "e2e-secret"); code != http.StatusOK {
		t.Fatalf("a signed notification: %d", code)
	}
	var list struct {
		Items []struct{ ID, Channel string }
	}
	apiCall(t, p.URL, token, "GET", "/api/v1/conversations?channel=whatsapp", "", &list)
	if len(list.Items) != 1 || list.Items[0].Channel != "whatsapp" {
		t.Fatalf("WhatsApp conversations: %+v", list.Items)
	}
	conv := list.Items[0].ID

	var reply struct{ ID string }
	apiCall(t, p.URL, token, "POST", "/api/v1/conversations/"+conv+"/messages", `{"body_text": "שלום דנה, אנחנו בודקים"}`, &reply)
	delivery := func() string {
		var m struct {
			Items []struct{ ID, Delivery string }
		}
		apiCall(t, p.URL, token, "GET", "/api/v1/conversations/"+conv+"/messages", "", &m)
		for _, it := range m.Items {
			if it.ID == reply.ID {
				return it.Delivery
			}
		}
		return ""
	}
	deadline := time.Now().Add(10 * time.Second)
	for delivery() != "sent" && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	mu.Lock()
	got := sends
	mu.Unlock()
	if len(got) != 1 || got[0]["to"] != "972501234567" {
		t.Fatalf("sends to the Graph API: %+v; delivery %s", got, delivery())
	}
	status := `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",
		"metadata":{"phone_number_id":"106540352242922"},"statuses":[{"id":"wamid.E2E1","status":"delivered","timestamp":"1","recipient_id":"972501234567"}]}}]}]}`
	if code := notify(status, "e2e-secret"); code != http.StatusOK {
		t.Fatalf("a status report: %d", code)
	}
	if d := delivery(); d != "delivered" {
		t.Errorf("after the delivery report: %s", d)
	}
	metrics, err := http.Get(p.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer metrics.Body.Close()
	m, _ := io.ReadAll(metrics.Body)
	for _, want := range []string{`kesher_messaging_messages_total{channel="whatsapp",direction="inbound"} 1`,
		`kesher_messaging_messages_total{channel="whatsapp",direction="outbound"} 1`} {
		if !bytes.Contains(m, []byte(want)) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
