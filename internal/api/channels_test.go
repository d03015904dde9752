package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/desk"
)

// TestChannels walks a WhatsApp account through the API: secrets go in
// and never come out, a PATCH keeps what it leaves out, and a WhatsApp
// conversation tells the agent whether free text may be sent.
func TestChannels(t *testing.T) {
	f := newFixture(t)
	res := f.must(request{method: "POST", path: "/api/v1/channels", as: "admin", body: `{"kind": "whatsapp", "name": "נגה בוואטסאפ",
		"phone_number_id": "106540352242922", "token": "סוד-גישה", "app_secret": "סוד-אפליקציה", "verify_token": "סוד-אימות",
		"templates": [{"name": "order_update", "language": "he"}]}`}, http.StatusCreated, nil)
	if strings.Contains(string(res.body), "סוד") {
		t.Errorf("an account response shows a secret: %s", res.body)
	}
	var acct struct {
		ID           string `json:"id"`
		APIBase      string `json:"api_base"`
		HasToken     bool   `json:"has_token"`
		HasAppSecret bool   `json:"has_app_secret"`
	}
	res.decode(t, &acct)
	if acct.APIBase != desk.DefaultGraphAPI || !acct.HasToken || !acct.HasAppSecret {
		t.Errorf("created %s", res.body)
	}
	checkSchema(t, "ChannelAccount", res.body)
	f.vars["channel"] = acct.ID

	f.must(request{method: "PATCH", path: "/api/v1/channels/{channel}", as: "admin", body: `{"name": "Noga WhatsApp"}`}, http.StatusOK, nil)
	stored, err := f.desk.ChannelAccount(context.Background(), acct.ID)
	if err != nil || stored.Name != "Noga WhatsApp" || stored.Token != "סוד-גישה" || stored.AppSecret != "סוד-אפליקציה" || len(stored.Templates) != 1 {
		t.Errorf("after PATCH: %+v, %v", stored, err)
	}
	f.must(request{method: "PATCH", path: "/api/v1/channels/{channel}", as: "admin", body: `{"kind": "telegram"}`}, http.StatusUnprocessableEntity, nil)
	f.must(request{method: "POST", path: "/api/v1/channels", as: "admin", body: `{"kind": "sms", "name": "x"}`}, http.StatusUnprocessableEntity, nil)
	if list := f.must(request{method: "GET", path: "/api/v1/channels", as: "admin"}, http.StatusOK, nil); strings.Contains(string(list.body), "סוד") {
		t.Errorf("the list shows a secret: %s", list.body)
	}

	// A customer writes on WhatsApp; the agent asks how to answer.
	in, err := f.desk.IngestMessage(context.Background(), desk.InboundMessage{AccountID: acct.ID, ExternalID: "wamid.api1",
		Sender: kesher.Identity{Kind: kesher.IdentityWhatsApp, Value: "+972501234567"}, Recipient: "972501234567", Text: "שלום, ההזמנה שלי לא הגיעה"})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["conv"] = in.ConversationID
	var win struct {
		Open      bool   `json:"open"`
		Until     string `json:"until"`
		Templates []kesher.Template
	}
	res = f.must(request{method: "GET", path: "/api/v1/conversations/{conv}/whatsapp-window", as: "agent"}, http.StatusOK, nil)
	res.decode(t, &win)
	if !win.Open || win.Until == "" || len(win.Templates) != 1 || win.Templates[0].Name != "order_update" {
		t.Errorf("the window: %s", res.body)
	}
	checkSchema(t, "WhatsAppWindow", res.body)
	res = f.must(request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"template": "order_update"}`}, http.StatusCreated, nil)
	if !strings.Contains(string(res.body), `"body_text":"order_update"`) || !strings.Contains(string(res.body), `"delivery":"queued"`) {
		t.Errorf("a template reply: %s", res.body)
	}
	res = f.must(request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"channel": "email", "body_text": "במייל"}`}, http.StatusUnprocessableEntity, nil)
	if !strings.Contains(string(res.body), `"no_email"`) {
		t.Errorf("an email reply to a customer without an address: %s", res.body)
	}
	f.must(request{method: "DELETE", path: "/api/v1/channels/{channel}", as: "admin"}, http.StatusNoContent, nil)
	f.must(request{method: "GET", path: "/api/v1/channels/{channel}", as: "admin"}, http.StatusNotFound, nil)
}
