package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"kesher"
)

// TestHelpCentreSearch: a customer finds the return policy by typing
// "החזרות" or "להחזיר מוצר", the box suggests it while they type, nothing
// internal or unpublished is ever found, results pages stay out of search
// engines, finished searches count for deflection, and a client searching
// without pause is held back.
func TestHelpCentreSearch(t *testing.T) {
	f := newKBFixture(t)
	f.index(t)
	v := f.client(t)
	for _, q := range []string{"החזרות", "להחזיר מוצר"} {
		res, body := v.get("/help/he/search?q=" + url.QueryEscape(q))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `href="`+helpPathOf(f.public)+`"`) {
			t.Errorf("%q: status %d, the return policy is not found:\n%s", q, res.StatusCode, body)
		}
		if !strings.Contains(body, `<meta name="robots" content="noindex">`) || !strings.Contains(body, `value="`+q+`"`) {
			t.Errorf("%q: the results page is indexable or its box lost the query", q)
		}
	}
	_, body := v.get("/help/he/search?q=" + url.QueryEscape("זיכוי"))
	if strings.Contains(body, f.internal.Title) {
		t.Error("the help centre found an internal article")
	}
	_, body = v.get("/help/he/search?q=" + url.QueryEscape("משלוחים"))
	if strings.Contains(body, f.draft.Title) {
		t.Error("the help centre found a draft")
	}
	_, body = v.get("/help/en/search?q=" + url.QueryEscape("החזרות"))
	if strings.Contains(body, helpPathOf(f.public)) {
		t.Error("the English help centre found a Hebrew article")
	}

	// As you type: the fragment under the box.
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/help/he/search?q="+url.QueryEscape("להחז")+"&typing=1", nil)
	req.Header.Set("X-Fragment", "1")
	res, frag := v.do(req)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(frag), `<div id="help-suggest"`) || !strings.Contains(frag, helpPathOf(f.public)) {
		t.Errorf("suggestions: status %d\n%s", res.StatusCode, frag)
	}

	// Five finished searches were recorded; suggestions are not.
	lead := kesher.WithActor(context.Background(), f.lead)
	stats, err := f.desk.HelpStats(lead, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil || stats.Searches != 5 {
		t.Errorf("searches recorded: %+v, %v; want 5", stats, err)
	}

	for i := 0; i < searchesPerMinute; i++ {
		v.get("/help/he/search?q=x")
	}
	if res, body := v.get("/help/he/search?q=" + url.QueryEscape("החזרות")); res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `role="alert"`) {
		t.Errorf("search %d within a minute: status %d", searchesPerMinute+6, res.StatusCode)
	}
}

// TestSuggestedArticles: beside a conversation about returning a product,
// the agent is offered the return policy, with its help-centre address and
// an excerpt to insert, and the internal procedure, without an address.
func TestSuggestedArticles(t *testing.T) {
	f := newKBFixture(t)
	conv := f.conversation(t, "miri@example.com", "החזרה", "קיבלתי מוצר פגום, אפשר להחזיר אותו ולקבל זיכוי?")
	f.index(t)
	agent := f.signedIn(t, f.agent)
	_, page := agent.get("/conversations/" + conv.ID)
	if !strings.Contains(page, `data-src="/conversations/`+conv.ID+`/articles" data-load`) {
		t.Error("the conversation page does not load its suggestions")
	}
	res, body := agent.get("/conversations/" + conv.ID + "/articles")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	link := f.srv.URL + helpPathOf(f.public)
	for _, want := range []string{`href="/kb/articles/` + f.public.ID + `"`, `data-insert="` + link + `"`, `data-insert="אפשר להחזיר מוצר תוך 14 יום`,
		`href="/kb/articles/` + f.internal.ID + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("suggestions lack %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, f.draft.ID) {
		t.Error("a draft was suggested")
	}
	if res, _ := agent.get("/conversations/nope/articles"); res.StatusCode != http.StatusNotFound {
		t.Errorf("an unknown conversation: status %d", res.StatusCode)
	}
}
