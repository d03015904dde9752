package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kesher"
)

var formTokenField = regexp.MustCompile(`name="token" value="([^"]+)"`)

func TestEmbeddableForm(t *testing.T) {
	f := newFixture(t)
	c := f.client(t)

	// The page: framable by any site, in the language asked, with its own
	// token and no cookie.
	res, page := c.get("/forms/contact?lang=he")
	if res.StatusCode != http.StatusOK || !strings.Contains(page, `<html lang="he" dir="rtl">`) {
		t.Fatalf("Hebrew form: %d", res.StatusCode)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || res.Header.Get("X-Frame-Options") != "" {
		t.Errorf("framing headers: CSP %q, X-Frame-Options %q", csp, res.Header.Get("X-Frame-Options"))
	}
	if len(res.Cookies()) != 0 {
		t.Errorf("the form set cookies %v; an iframe's cookies are third-party", res.Cookies())
	}
	if _, en := c.get("/forms/contact?lang=en"); !strings.Contains(en, `<html lang="en" dir="ltr">`) {
		t.Errorf("English form is not LTR")
	}
	m := formTokenField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no token in the form")
	}
	token := m[1]

	post := func(form url.Values, accept string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/forms/contact", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://shop.example.co.il")
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		return c.do(req)
	}
	form := func(email string) url.Values {
		return url.Values{"token": {token}, "lang": {"he"}, "name": {"מיכל אברהם"}, "email": {email},
			"subject": {"שאלה על הזמנה"}, "message": {"שלום, מתי תגיע ההזמנה שלי?"}}
	}
	countWeb := func() int {
		t.Helper()
		n, err := f.desk.CountConversations(f.system, kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelWeb}}, 100)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Sent from the page: a conversation on the web channel, in Hebrew.
	res, _ = post(form("michal@example.co.il"), "")
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "sent=1") {
		t.Fatalf("post: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	convs, _, err := f.desk.Conversations(f.system, kesher.ConversationFilter{Channels: []kesher.Channel{kesher.ChannelWeb}})
	if err != nil || len(convs) != 1 || convs[0].Subject != "שאלה על הזמנה" {
		t.Fatalf("web conversations %v, %v", convs, err)
	}
	cust, err := f.desk.Customer(f.system, convs[0].CustomerID)
	if err != nil || cust.Name != "מיכל אברהם" || cust.Language != "he" {
		t.Errorf("customer %+v, %v", cust, err)
	}

	// The trap field: the usual answer, nothing created.
	trapped := form("bot@example.com")
	trapped.Set("website", "https://spam.example")
	if res, body := post(trapped, "application/json"); res.StatusCode != http.StatusCreated || !strings.Contains(body, `"sent":true`) {
		t.Errorf("trap: %d %s", res.StatusCode, body)
	}
	if n := countWeb(); n != 1 {
		t.Errorf("%d web conversations after the trap, want 1", n)
	}

	// Bad fields and a bad token: validation_failed naming them.
	bad := form("לא-מייל")
	bad.Set("subject", "")
	wantFormError(t, post, bad, http.StatusUnprocessableEntity, kesher.ECodeValidation, "email", "subject")
	forged := form("someone@example.com")
	forged.Set("token", "1700000000.forged")
	wantFormError(t, post, forged, http.StatusUnprocessableEntity, kesher.ECodeValidation, "token")
	if res, body := post(forged, ""); res.StatusCode != http.StatusUnprocessableEntity || !formTokenField.MatchString(body) {
		t.Errorf("a stale token on the page: %d, want 422 with a fresh form", res.StatusCode)
	}

	// A site's own script takes a token from /forms/contact/token.
	res, body := c.get("/forms/contact/token")
	var fresh struct{ Token string }
	if err := json.Unmarshal([]byte(body), &fresh); err != nil || fresh.Token == "" || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("token endpoint: %d %s", res.StatusCode, body)
	}
	token = fresh.Token

	// The limit per client address: five posts an hour (the trap counted).
	for i, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		if res, body := post(form(email), "application/json"); res.StatusCode != http.StatusCreated {
			t.Fatalf("post %d: %d %s", i, res.StatusCode, body)
		}
	}
	wantFormError(t, post, form("d@example.com"), http.StatusTooManyRequests, kesher.ECodeRateLimited)
	if n := countWeb(); n != 4 {
		t.Errorf("%d web conversations, want 4", n)
	}
}

func wantFormError(t *testing.T, post func(url.Values, string) (*http.Response, string), form url.Values, status int, code string, fields ...string) {
	t.Helper()
	res, body := post(form, "application/json")
	var e struct {
		Error struct {
			Code    string
			Message string
			Fields  map[string]string
		}
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || res.StatusCode != status || e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("status %d body %s, want %d %s", res.StatusCode, body, status, code)
	}
	if res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("the error is not readable by the embedding site's script")
	}
	for _, f := range fields {
		if _, ok := e.Error.Fields[f]; !ok {
			t.Errorf("fields %v lack %s", e.Error.Fields, f)
		}
	}
}
