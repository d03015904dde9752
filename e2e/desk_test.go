// Package e2e drives the whole program, started as its own process on a
// scratch database, through headless Chromium: what an agent does in a
// day, in Hebrew and English.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

const password = "correct horse battery"

// TestAgentDesk signs two agents in, in two browser contexts, and works one
// conversation: Hebrew with dir="rtl", opening it from the inbox, a reply
// sent with Ctrl+Enter that the other agent sees live, a hand-off, solving
// with the keyboard; an agent refused an admin page and a POST without CSRF
// token refused. Screenshots of the inbox and the conversation in both
// languages go to the test output folder.
func TestAgentDesk(t *testing.T) {
	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "admin@example.com", "--name", "מנהלת", "--role", "admin", "--password", password)
	p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", password, "--language", "en")
	p.Run(t, "user", "create", "--email", "yossi@example.com", "--name", "Yossi Levi", "--role", "agent", "--password", password)
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@example.com"))
	conv := createConversation(t, p.URL, token)
	he, en := i18n.New("he", nil), i18n.New("en", nil)

	b := testkit.NewBrowser(t)
	dana, yossi := b.Context(t), b.Context(t)
	signIn(t, dana, p.URL, "dana@example.com")
	if lang := testkit.Run(t, dana, chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
		t.Fatalf("Dana prefers English but her inbox has lang=%q", lang)
	}
	switchLanguage(t, dana, "he")
	if dir := testkit.Run(t, dana, chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Fatalf("after switching to Hebrew dir=%q, want rtl", dir)
	}
	if nav := testkit.Run(t, dana, chromedp.Text(chromedp.CSS(`nav.nav a[href="/inbox"]`))); nav != he.T("nav.inbox") {
		t.Errorf("Hebrew navigation says %q, want %q", nav, he.T("nav.inbox"))
	}

	// Open the conversation from the unassigned view.
	testkit.Do(t, dana,
		chromedp.Click(chromedp.CSS(`a[data-view="unassigned"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.conv-row[data-id="`+conv+`"]`)),
	)
	testkit.Screenshot(t, dana, "inbox-he.png")
	testkit.Do(t, dana,
		chromedp.Click(chromedp.CSS(`.conv-row[data-id="`+conv+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#thread`)),
	)

	// Yossi opens it too; each sees the other.
	signIn(t, yossi, p.URL, "yossi@example.com")
	testkit.Do(t, yossi, chromedp.Navigate(p.URL+"/conversations/"+conv), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
	waitText(t, dana, "#presence", "Yossi Levi")
	waitText(t, yossi, "#presence", "דנה כהן")

	// Dana replies with Ctrl+Enter; Yossi sees it without reloading.
	reply := "שלום נועה, בדקתי מול חברת השליחויות: החבילה תגיע מחר."
	testkit.Do(t, dana,
		chromedp.SendKeys(chromedp.CSS(`#body`), reply),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
	)
	waitText(t, dana, "#thread", reply)
	waitText(t, yossi, "#thread", reply)
	if v := testkit.Run(t, dana, chromedp.Evaluate[string](`document.getElementById("body").value`)); v != "" {
		t.Errorf("the composer still holds %q after sending", v)
	}
	testkit.Screenshot(t, dana, "conversation-he.png")

	// Dana (now the owner, by replying) hands it to Yossi with a briefing.
	testkit.Run(t, dana, chromedp.Evaluate[bool](`{const s = document.getElementById("owner_id");
		s.value = [...s.options].find(o => o.textContent.trim() === "Yossi Levi").value;
		s.dispatchEvent(new Event("change", {bubbles: true})); true}`))
	testkit.Do(t, dana,
		chromedp.SendKeys(chromedp.CSS(`#briefing`), "הלקוחה מחכה למשלוח; הבטחתי עדכון מחר בבוקר"),
		chromedp.Click(chromedp.CSS(`#handoff button[type="submit"]`)),
	)
	waitText(t, yossi, "#owner-name", "Yossi Levi")
	waitText(t, yossi, "#thread", "הבטחתי עדכון מחר בבוקר")

	// Yossi solves it with the keyboard.
	testkit.Run(t, yossi, chromedp.Evaluate[bool](`document.activeElement.blur(); true`))
	testkit.Do(t, yossi, chromedp.KeyEvent("s"))
	waitText(t, yossi, "#conv-head", he.T("status.solved"))

	// An agent is refused the admin pages.
	res := testkit.Run(t, dana, chromedp.NavigateResponse(p.URL+"/admin/users"))
	if res.Status != http.StatusForbidden {
		t.Errorf("an agent opening /admin/users: status %d, want 403", res.Status)
	}
	waitText(t, dana, "main", he.T("error.forbidden"))

	// A state change without the CSRF token is refused, even with the
	// session cookie.
	status := testkit.Run(t, dana, chromedp.Evaluate[int](fmt.Sprintf(
		`fetch("/conversations/%s/messages", {method: "POST", body: new URLSearchParams({body: "x"})}).then(r => r.status)`, conv),
		chromedp.EvalAwaitPromise))
	if status != http.StatusForbidden {
		t.Errorf("POST without CSRF token: status %d, want 403", status)
	}

	// The same screens in English.
	testkit.Do(t, dana, chromedp.Navigate(p.URL+"/inbox?view=all_open"), chromedp.WaitVisible(chromedp.CSS(`#lang-switch`)))
	switchLanguage(t, dana, "en")
	waitText(t, dana, "nav.nav", en.T("nav.inbox"))
	testkit.Do(t, dana, chromedp.Navigate(p.URL+"/inbox?view=solved"), chromedp.WaitVisible(chromedp.CSS(`.conv-row`)))
	testkit.Screenshot(t, dana, "inbox-en.png")
	testkit.Do(t, dana, chromedp.Navigate(p.URL+"/conversations/"+conv), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
	testkit.Screenshot(t, dana, "conversation-en.png")

	// The two refusals above are the only errors the pages may show.
	for _, e := range append(testkit.ConsoleErrors(dana), testkit.ConsoleErrors(yossi)...) {
		if strings.Contains(e, "status of 403") && (strings.Contains(e, "/admin/users") || strings.Contains(e, "/messages")) {
			continue
		}
		t.Errorf("browser error: %s", e)
	}
}

// createConversation opens a conversation through the API, as a channel
// would, and returns its id.
func createConversation(t *testing.T, base, token string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"customer": map[string]string{"email": "noa@example.com", "name": "נועה ברק"},
		"subject":  "החבילה לא הגיעה",
		"channel":  "email",
		"message":  map[string]string{"body_text": "הזמנתי לפני שבועיים ועדיין אין משלוח. מספר הזמנה 4471."},
	})
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/conversations", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var conv struct{ ID string }
	if err := json.NewDecoder(res.Body).Decode(&conv); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("create conversation: status %d, %v", res.StatusCode, err)
	}
	return conv.ID
}

func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	testkit.Do(t, ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), email),
		chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Submit(chromedp.CSS(`#password`)),
		chromedp.WaitVisible(chromedp.CSS(`.inbox`)),
	)
}

// switchLanguage picks lang in the top bar's switcher, which submits itself.
// The change fires after the evaluation returns, since the navigation it
// causes would cut the evaluation off, and the wait is for the new page's
// load.
func switchLanguage(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	testkit.Run(t, ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Evaluate[bool](fmt.Sprintf(
		`{const s = document.getElementById("lang-switch"); s.value = %q;
		  setTimeout(() => s.dispatchEvent(new Event("change", {bubbles: true}))); true}`, lang))))
	testkit.Do(t, ctx, chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`html[lang=%q]`, lang))))
}

// waitText waits until the element matching sel contains text.
func waitText(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	testkit.Run(t, ctx, chromedp.Poll[bool](fmt.Sprintf(
		`(document.querySelector(%q)?.innerText || "").includes(%q)`, sel, text)))
}
