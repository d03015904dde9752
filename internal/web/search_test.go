package web

import (
	"net/url"
	"strings"
	"testing"
)

func (f *fixture) index(t *testing.T) {
	t.Helper()
	for {
		n, err := f.desk.IndexPending(f.system)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func TestSearchPage(t *testing.T) {
	f := newFixture(t)
	order := f.conversation(t, "miri@example.com", "איפה החבילה", "שלום, ההזמנה שלי לא הגיעה עד היום <b>דחוף</b>")
	f.conversation(t, "noah@example.org", "Kettle", "The kettle I ordered arrived broken")
	f.index(t)
	agent := f.signedIn(t, f.agent)

	res, body := agent.get("/search?q=" + url.QueryEscape("הזמנה"))
	if res.StatusCode != 200 || !strings.Contains(body, `href="/conversations/`+order.ID+`"`) {
		t.Fatalf("status %d; the conversation about ההזמנה שלי is not found:\n%s", res.StatusCode, body)
	}
	if !strings.Contains(body, "<mark>ההזמנה</mark>") || !strings.Contains(body, "&lt;b&gt;דחוף&lt;/b&gt;") {
		t.Errorf("the snippet does not mark the match or does not escape the message")
	}
	if !strings.Contains(body, `<html lang="he" dir="rtl">`) {
		t.Error("the search page is not Hebrew RTL for a Hebrew user")
	}
	// One conversation, its subject and its message both match: one row.
	if n := strings.Count(body, `href="/conversations/`+order.ID+`"`); n != 1 {
		t.Errorf("the conversation is listed %d times", n)
	}

	agent.lang = "en"
	_, body = agent.get("/search?q=" + url.QueryEscape("ordering") + "&type=conversations")
	if !strings.Contains(body, "Kettle") || strings.Contains(body, order.Subject) {
		t.Errorf("an English stem in conversations only: %s", body)
	}
	_, body = agent.get("/search?q=" + url.QueryEscape("miri@example.com") + "&type=customers")
	if !strings.Contains(body, `href="/customers/`+order.CustomerID+`"`) {
		t.Errorf("a customer by email is not found")
	}
	_, body = agent.get("/search?q=" + url.QueryEscape("הזמנה") + "&status=solved")
	if strings.Contains(body, `href="/conversations/`+order.ID+`"`) {
		t.Errorf("the status filter let an open conversation through")
	}
	res, body = agent.get("/search?q=x&type=tickets")
	if res.StatusCode != 200 || !strings.Contains(body, `role="alert"`) {
		t.Errorf("an unknown type: status %d without the page's error", res.StatusCode)
	}
	res, body = agent.get("/search?q=x&from=yesterday")
	if res.StatusCode != 200 || !strings.Contains(body, `role="alert"`) {
		t.Errorf("a bad date: status %d without the page's error", res.StatusCode)
	}

	// The customers page finds names as they are typed.
	_, body = agent.get("/customers?q=" + url.QueryEscape("לקוחה mir"))
	if !strings.Contains(body, `href="/customers/`+order.CustomerID+`"`) {
		t.Errorf("customers page: the beginning of an address did not find its customer")
	}
}
