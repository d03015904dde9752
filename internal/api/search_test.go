package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kesher/internal/desk"
)

// indexed opens Hebrew and English conversations as the agent and indexes
// them; {conv} is the one about "ההזמנה שלי".
func indexed(t *testing.T, f *fixture) {
	c := f.open("agent", `{"customer": {"email": "dana@example.com", "name": "דנה כהן"}, "subject": "`+hebrewSubject+`", "channel": "email", "message": {"body_text": "שלום, איפה ההזמנה שלי? מספר #4471"}}`)
	f.vars["conv"] = c.ID
	f.open("agent", `{"customer": {"email": "noah@example.org"}, "subject": "Refunds", "channel": "chat", "message": {"body_text": "I was promised a refund for the damaged kettle"}}`)
	f.open("agent", `{"customer": {"phone": "050-7654321"}, "subject": "ברק", "channel": "phone", "message": {"body_text": "ברק התקשר לגבי המשלוח"}}`)
	indexAll(t, f.desk)
}

func indexAll(t *testing.T, d *desk.Desk) {
	t.Helper()
	for {
		n, err := d.IndexPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

func searchFor(q string, extra ...string) string {
	return "/api/v1/search?q=" + url.QueryEscape(q) + strings.Join(extra, "")
}

func TestSearchScenarios(t *testing.T) {
	hitsOf := func(t *testing.T, res response) []desk.SearchHit {
		var body struct {
			Items []desk.SearchHit `json:"items"`
		}
		res.decode(t, &body)
		return body.Items
	}
	runScenarios(t, []scenario{
		{
			name:   "a prefixed word finds its base form: הזמנה finds ההזמנה שלי",
			setup:  indexed,
			req:    request{method: "GET", path: searchFor("הזמנה", "&type=message"), as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				hits := hitsOf(t, res)
				if len(hits) != 1 || hits[0].ConversationID != f.vars["conv"] || !strings.Contains(hits[0].Snippet, "<mark>ההזמנה</mark>") {
					t.Errorf("hits %+v", hits)
				}
			},
		},
		{
			name:   "every kind by default, an English stem and an order number",
			setup:  indexed,
			req:    request{method: "GET", path: searchFor("refunded"), as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				hits := hitsOf(t, res)
				if len(hits) != 2 || hits[0].Kind != "conversation" || hits[1].Kind != "message" {
					t.Errorf("hits %+v", hits) // the subject's title weight puts the conversation first
				}
				var order struct{ Items []desk.SearchHit }
				f.must(request{method: "GET", path: searchFor("4471"), as: "agent"}, http.StatusOK, &order)
				if len(order.Items) != 1 || order.Items[0].ConversationID != f.vars["conv"] {
					t.Errorf("order number: %+v", order.Items)
				}
			},
		},
		{
			name:   "a root that starts like a prefix is not stripped: רק does not find ברק",
			setup:  indexed,
			req:    request{method: "GET", path: searchFor("רק"), as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if hits := hitsOf(t, res); len(hits) != 0 {
					t.Errorf("hits %+v", hits)
				}
			},
		},
		{
			name:   "filters by status and channel",
			setup:  indexed,
			req:    request{method: "GET", path: searchFor("משלוח", "&channel=phone&status=open,pending"), as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if hits := hitsOf(t, res); len(hits) != 1 || hits[0].Kind != "message" {
					t.Errorf("hits %+v", hits)
				}
			},
		},
		{
			name:   "pages through results",
			setup:  indexed,
			req:    request{method: "GET", path: searchFor("refund", "&limit=1"), as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct {
					Items      []desk.SearchHit `json:"items"`
					NextCursor string           `json:"next_cursor"`
				}
				res.decode(t, &page)
				if len(page.Items) != 1 || page.NextCursor == "" {
					t.Fatalf("first page %+v", page)
				}
				var second struct {
					Items      []desk.SearchHit `json:"items"`
					NextCursor string           `json:"next_cursor"`
				}
				f.must(request{method: "GET", path: searchFor("refund", "&limit=1&cursor="+page.NextCursor), as: "agent"}, http.StatusOK, &second)
				if len(second.Items) != 1 || second.Items[0].ID == page.Items[0].ID || second.NextCursor != "" {
					t.Errorf("second page %+v", second)
				}
			},
		},
		{
			name:   "unknown type, status, bad dates and limits name their fields",
			req:    request{method: "GET", path: searchFor("x", "&type=ticket&status=lost&from=yesterday&limit=0&typing=maybe"), as: "agent"},
			status: http.StatusUnprocessableEntity,
			code:   "validation_failed",
			fields: []string{"type", "status", "from", "limit", "typing"},
		},
		{
			name:   "an over-long query",
			req:    request{method: "GET", path: searchFor(strings.Repeat("הזמנה ", 100)), as: "agent"},
			status: http.StatusUnprocessableEntity,
			code:   "validation_failed",
			fields: []string{"q"},
		},
		{
			name:   "an empty query finds nothing",
			req:    request{method: "GET", path: searchFor(""), as: "agent"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				if !strings.Contains(string(res.body), `"items":[]`) {
					t.Errorf("body %s", res.body)
				}
			},
		},
	})
}
