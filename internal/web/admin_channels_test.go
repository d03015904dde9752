package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

func TestAdminChannels(t *testing.T) {
	f := newFixture(t)
	c := f.signedIn(t, f.admin)
	form := url.Values{"kind": {"whatsapp"}, "name": {"נגה בוואטסאפ"}, "phone_number_id": {"106540352242922"}, "token": {"wa-secret-token"},
		"app_secret": {"wa-app-secret"}, "verify_token": {"wa-verify"}, "templates": {"order_update:he\nshipping_update:en_US"}}
	if res, _ := c.post("/admin/channels", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: status %d", res.StatusCode)
	}
	list, _, err := f.desk.ChannelAccounts(f.system, kesher.Page{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("accounts after create: %d, %v", len(list), err)
	}
	a := list[0]
	if a.Token != "wa-secret-token" || len(a.Templates) != 2 || a.Templates[1] != (kesher.Template{Name: "shipping_update", Language: "en_US"}) {
		t.Errorf("stored account: %+v", a)
	}
	_, body := c.get("/admin/channels")
	if !strings.Contains(body, "/hooks/whatsapp/"+a.ID) || !strings.Contains(body, "נגה בוואטסאפ") {
		t.Error("the admin page does not list the account with its webhook URL")
	}
	for _, secret := range []string{"wa-secret-token", "wa-app-secret", "wa-verify"} {
		if strings.Contains(body, secret) {
			t.Errorf("the admin page shows a secret: %s", secret)
		}
	}

	// Saving without secrets keeps them; a missing name is refused beside
	// its field.
	edit := url.Values{"name": {"Noga WhatsApp"}, "phone_number_id": {"106540352242922"}, "templates": {"order_update:he"}}
	if res, _ := c.post("/admin/channels/"+a.ID, edit); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("edit: status %d", res.StatusCode)
	}
	if a, _ = f.desk.ChannelAccount(f.system, a.ID); a.Name != "Noga WhatsApp" || a.Token != "wa-secret-token" || a.AppSecret != "wa-app-secret" || len(a.Templates) != 1 {
		t.Errorf("after an edit without secrets: %+v", a)
	}
	edit.Set("name", "")
	if res, body := c.post("/admin/channels/"+a.ID, edit); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="name-error"`) {
		t.Errorf("no name: status %d; want 422 with the error beside the name", res.StatusCode)
	}
	if res, _ := c.post("/admin/channels/"+a.ID+"/delete", nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("delete: status %d", res.StatusCode)
	}
	if list, _, _ := f.desk.ChannelAccounts(f.system, kesher.Page{Limit: 10}); len(list) != 0 {
		t.Errorf("%d accounts after delete", len(list))
	}
	if res, _ := f.signedIn(t, f.agent).get("/admin/channels"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent on the admin page: %d", res.StatusCode)
	}
}

// TestWhatsAppComposer: the composer of a WhatsApp conversation offers
// email and the number's templates, says until when free text may be
// sent, and after the window refuses free text beside the text.
func TestWhatsAppComposer(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := newFixtureAt(t, clock)
	acct, err := f.desk.SaveChannelAccount(f.system, "", desk.ChannelAccountInput{Kind: kesher.ChannelWhatsApp, Name: "נגה",
		PhoneNumberID: "106540352242922", Token: "t", AppSecret: "s", VerifyToken: "v", Templates: []kesher.Template{{Name: "order_update"}}})
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.desk.IngestMessage(f.system, desk.InboundMessage{AccountID: acct.ID, ExternalID: "wamid.web1",
		Sender: kesher.Identity{Kind: kesher.IdentityWhatsApp, Value: "+972501234567"}, Name: "מיכל", Recipient: "972501234567",
		Text: "שלום, ההזמנה שלי לא הגיעה"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.signedIn(t, f.agent)
	page := "/conversations/" + in.ConversationID
	_, body := c.get(page)
	for _, want := range []string{`name="channel"`, `value="email"`, `name="template"`, `value="order_update"`, `data-window="open"`, "שלום, ההזמנה שלי לא הגיעה"} {
		if !strings.Contains(body, want) {
			t.Errorf("the composer lacks %s", want)
		}
	}
	// By email, to a customer without an address: refused beside the
	// channel.
	res, body := c.post(page+"/messages", url.Values{"direction": {"outbound"}, "channel": {"email"}, "body": {"אשלח במייל"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="channel-error"`) {
		t.Errorf("an email reply without an address: %d", res.StatusCode)
	}
	clock.Advance(25 * time.Hour)
	c = f.signedIn(t, f.agent) // the session has expired meanwhile
	_, body = c.get(page)
	if !strings.Contains(body, `data-window="closed"`) {
		t.Error("after 24 hours the composer does not say the window closed")
	}
	res, body = c.post(page+"/messages", url.Values{"direction": {"outbound"}, "body": {"עדיין כאן?"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="body-error"`) {
		t.Errorf("free text after the window: %d", res.StatusCode)
	}
	if res, _ := c.post(page+"/messages", url.Values{"direction": {"outbound"}, "template": {"order_update"}}); res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Errorf("a template after the window: %d", res.StatusCode)
	}
	ms, _, _ := f.desk.Messages(f.system, in.ConversationID, kesher.Page{Limit: 10})
	if len(ms) != 2 || ms[1].BodyText != "order_update" || ms[1].Delivery != kesher.DeliveryQueued {
		t.Errorf("the thread: %+v", ms)
	}
}
