package api

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/mail"
)

const newMailboxBody = `{"address": "Support@Noga.co.il", "aliases": ["help@noga.co.il"], "name": "נגה תמיכה", "signature": "צוות נגה",
	"acknowledge": true, "response_time": 14400, "smtp": true,
	"imap": {"host": "imap.noga.co.il", "port": 993, "security": "tls", "username": "support", "password": "סוד-imap", "after_import": "move", "move_to": "Kesher"},
	"relay": {"host": "smtp.noga.co.il", "port": 587, "security": "starttls", "username": "support", "password": "סוד-smtp"}}`

// TestMailboxes walks a mailbox through the API: passwords go in and
// never come out, a PATCH keeps what it leaves out, agents see no
// connection settings.
func TestMailboxes(t *testing.T) {
	f := newFixture(t)
	res := f.must(request{method: "POST", path: "/api/v1/mailboxes", as: "admin", body: newMailboxBody}, http.StatusCreated, nil)
	if strings.Contains(string(res.body), "סוד") || strings.Contains(string(res.body), `"password"`) {
		t.Errorf("a mailbox response shows a password: %s", res.body)
	}
	var mb struct {
		ID           string `json:"id"`
		Address      string `json:"address"`
		ResponseTime int    `json:"response_time"`
		IMAP         *struct {
			Host        string `json:"host"`
			Folder      string `json:"folder"`
			HasPassword bool   `json:"has_password"`
		} `json:"imap"`
		Relay struct {
			Host        string `json:"host"`
			HasPassword bool   `json:"has_password"`
		} `json:"relay"`
	}
	res.decode(t, &mb)
	if mb.Address != "support@noga.co.il" || mb.ResponseTime != 14400 || mb.IMAP == nil || !mb.IMAP.HasPassword || mb.IMAP.Folder != "INBOX" ||
		!mb.Relay.HasPassword || mb.Relay.Host != "smtp.noga.co.il" {
		t.Errorf("created %s", res.body)
	}
	checkSchema(t, "Mailbox", res.body)
	f.vars["mailbox"] = mb.ID

	// A PATCH that names the relay but not its password keeps the password.
	f.must(request{method: "PATCH", path: "/api/v1/mailboxes/{mailbox}", as: "admin",
		body: `{"name": "Noga Home Support", "relay": {"host": "smtp2.noga.co.il", "port": 465, "security": "tls", "username": "support"}}`}, http.StatusOK, nil)
	stored, err := f.desk.Mailbox(context.Background(), mb.ID)
	if err != nil || stored.Name != "Noga Home Support" || stored.Relay.Host != "smtp2.noga.co.il" || stored.Relay.Password != "סוד-smtp" ||
		stored.IMAP == nil || stored.IMAP.Password != "סוד-imap" || !slices.Equal(stored.Aliases, []string{"help@noga.co.il"}) {
		t.Errorf("after PATCH: %+v %+v, %v", stored, stored.IMAP, err)
	}
	f.must(request{method: "PATCH", path: "/api/v1/mailboxes/{mailbox}", as: "admin", body: `{"imap": null, "relay": {"host": ""}}`}, http.StatusOK, nil)
	if stored, err := f.desk.Mailbox(context.Background(), mb.ID); err != nil || stored.IMAP != nil || stored.Relay != (kesher.RelaySettings{}) {
		t.Errorf("after removing IMAP and the relay: %+v, %v", stored, err)
	}

	// Agents list mailboxes without their connection settings.
	f.must(request{method: "PATCH", path: "/api/v1/mailboxes/{mailbox}", as: "admin", body: newMailboxBody}, http.StatusOK, nil)
	items, _ := list[json.RawMessage](f, "agent", "/api/v1/mailboxes")
	if len(items) != 1 || strings.Contains(string(items[0]), "imap.noga.co.il") || !strings.Contains(string(items[0]), `"signature":"צוות נגה"`) {
		t.Errorf("an agent's list: %s", items)
	}
	for _, item := range items {
		checkSchema(t, "Mailbox", item)
	}
	if items, _ := list[json.RawMessage](f, "admin", "/api/v1/mailboxes"); len(items) != 1 || !strings.Contains(string(items[0]), "imap.noga.co.il") {
		t.Errorf("an admin's list: %s", items)
	}

	for _, tt := range []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"an alias of another mailbox", "POST", "/api/v1/mailboxes", `{"address": "sales@noga.co.il", "aliases": ["HELP@noga.co.il"]}`, http.StatusUnprocessableEntity, "aliases"},
		{"an address of another mailbox", "POST", "/api/v1/mailboxes", `{"address": "help@noga.co.il"}`, http.StatusUnprocessableEntity, "address"},
		{"IMAP without a host", "PATCH", "/api/v1/mailboxes/{mailbox}", `{"imap": {"port": 993, "security": "tls", "username": "x"}}`, http.StatusUnprocessableEntity, "imap.host"},
		{"an unknown IMAP field", "PATCH", "/api/v1/mailboxes/{mailbox}", `{"imap": {"hots": "imap.noga.co.il"}}`, http.StatusBadRequest, "hots"},
		{"a bad security", "PATCH", "/api/v1/mailboxes/{mailbox}", `{"relay": {"host": "smtp.noga.co.il", "port": 25, "security": "ssl"}}`, http.StatusUnprocessableEntity, "relay.security"},
		{"an unknown team", "PATCH", "/api/v1/mailboxes/{mailbox}", `{"team_id": "nope"}`, http.StatusUnprocessableEntity, "team_id"},
	} {
		res := f.do(request{method: tt.method, path: tt.path, as: "admin", body: tt.body})
		var e apiError
		if res.status != tt.status || json.Unmarshal(res.body, &e) != nil || e.Error.Fields[tt.field] == "" {
			t.Errorf("%s: status %d, body %s; want %d naming %s", tt.name, res.status, res.body, tt.status, tt.field)
		}
	}

	f.must(request{method: "DELETE", path: "/api/v1/mailboxes/{mailbox}", as: "admin"}, http.StatusNoContent, nil)
	f.must(request{method: "GET", path: "/api/v1/mailboxes/{mailbox}", as: "admin"}, http.StatusNotFound, nil)
}

// TestMessageEmailFields checks that messages carry their email and
// delivery as the document describes them.
func TestMessageEmailFields(t *testing.T) {
	f := newFixture(t)
	f.must(request{method: "POST", path: "/api/v1/mailboxes", as: "admin", body: newMailboxBody}, http.StatusCreated, nil)
	raw, err := mail.Build(mail.Outgoing{From: mail.Address{Name: "דנה", Email: "dana@example.com"}, To: []mail.Address{{Email: "support@noga.co.il"}},
		Cc: []mail.Address{{Email: "yossi@example.com"}}, Subject: "ההזמנה שלי לא הגיעה", Text: "שלום", Date: f.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.desk.IngestEmail(context.Background(), desk.InboundEmail{Recipients: []string{"support@noga.co.il"}, Raw: raw, Source: "smtp"})
	if err != nil {
		t.Fatal(err)
	}
	f.vars["conv"] = in.ConversationID
	res := f.must(request{method: "POST", path: "/api/v1/conversations/{conv}/messages", as: "agent", body: `{"body_text": "בודקים"}`}, http.StatusCreated, nil)
	var out kesher.Message
	if res.decode(t, &out); out.Delivery != kesher.DeliveryQueued || out.Email == nil || len(out.Email.Cc) != 1 {
		t.Errorf("the reply %s", res.body)
	}
	checkSchema(t, "Message", res.body)
	items, _ := list[json.RawMessage](f, "agent", "/api/v1/conversations/{conv}/messages")
	if len(items) != 2 || !strings.Contains(string(items[0]), `"delivery":""`) || !strings.Contains(string(items[0]), `"raw_sha256"`) {
		t.Errorf("the thread %s", items)
	}
	for _, item := range items {
		checkSchema(t, "Message", item)
	}
}

// checkSchema fails when a JSON object has a field the named schema of
// openapi.json does not list, or when a nested object (one level) does.
func checkSchema(t *testing.T, name string, body []byte) {
	t.Helper()
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Ref   string `json:"$ref"`
					OneOf []struct {
						Ref string `json:"$ref"`
					} `json:"oneOf"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	for key, value := range obj {
		prop, ok := schemas[name].Properties[key]
		if !ok {
			t.Errorf("%s has field %q, which schema %s does not list", body, key, name)
			continue
		}
		ref := prop.Ref
		if len(prop.OneOf) > 0 {
			ref = prop.OneOf[0].Ref
		}
		var nested map[string]json.RawMessage
		if ref == "" || json.Unmarshal(value, &nested) != nil {
			continue
		}
		inner := strings.TrimPrefix(ref, "#/components/schemas/")
		for k := range nested {
			if _, ok := schemas[inner].Properties[k]; !ok {
				t.Errorf("%s.%s has field %q, which schema %s does not list", name, key, k, inner)
			}
		}
	}
}
