package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kesher/internal/testkit"
)

// TestAgentSearch: last month a customer wrote about "ההזמנה שלי"; an
// agent types "הזמנה" into the inbox's search box and finds that
// conversation, the word marked in its snippet, in Hebrew (RTL) and then
// in English.
func TestAgentSearch(t *testing.T) {
	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "admin@example.com", "--name", "מנהלת", "--role", "admin", "--password", password)
	p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", password)
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@example.com"))
	lastMonth := time.Now().AddDate(0, -1, 0).UTC().Format(time.RFC3339)
	var conv struct{ ID string }
	apiCall(t, p.URL, token, "POST", "/api/v1/conversations", `{"customer": {"email": "miri@example.com", "name": "מירי אלון"},
		"subject": "עדיין מחכה", "channel": "email", "created_at": "`+lastMonth+`",
		"message": {"body_text": "שלום, ההזמנה שלי עוד לא הגיעה ואף אחד לא עונה לי", "created_at": "`+lastMonth+`"}}`, &conv)
	apiCall(t, p.URL, token, "POST", "/api/v1/conversations", `{"customer": {"email": "barak@example.com", "name": "ברק"},
		"subject": "שאלה", "channel": "chat", "message": {"body_text": "רק רציתי לשאול על שעות הפתיחה"}}`, nil)

	b := testkit.NewBrowser(t)
	ctx := b.Context(t)
	signIn(t, ctx, p.URL, "dana@example.com")
	// The indexer follows new documents within a moment; search until it has.
	found := false
	for deadline := time.Now().Add(15 * time.Second); !found && time.Now().Before(deadline); {
		testkit.Do(t, ctx,
			chromedp.Navigate(p.URL+"/inbox"),
			chromedp.WaitVisible(chromedp.CSS(`#q`)),
			chromedp.SendKeys(chromedp.CSS(`#q`), "הזמנה"),
			chromedp.Submit(chromedp.CSS(`#q`)),
			chromedp.WaitVisible(chromedp.CSS(`.search-page`)),
		)
		found = testkit.Run(t, ctx, chromedp.Evaluate[bool](`document.querySelector('[data-search-results] a[href="/conversations/`+conv.ID+`"]') !== null`))
		if !found {
			time.Sleep(300 * time.Millisecond)
		}
	}
	if !found {
		t.Fatal("the conversation about ההזמנה שלי was not found by הזמנה")
	}
	waitText(t, ctx, "[data-search-results] mark", "ההזמנה")
	if dir := testkit.Run(t, ctx, chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Errorf("the search page is %q, want rtl", dir)
	}
	if over := testkit.Run(t, ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`)); over {
		t.Error("the Hebrew search page scrolls sideways")
	}
	testkit.Screenshot(t, ctx, "search-he.png")

	switchLanguage(t, ctx, "en")
	waitText(t, ctx, "h1", "Search")
	if n := testkit.Run(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-search-results] a').length`)); n != 1 {
		t.Errorf("%d results in English, want the same one", n)
	}
	testkit.Screenshot(t, ctx, "search-en.png")
	noBrowserErrors(t, ctx)
}
