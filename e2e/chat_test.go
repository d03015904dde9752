package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// shopPage is a business's site that embeds the widget with one tag.
const shopPage = `<!doctype html><html lang="he" dir="rtl"><head><meta charset="utf-8"><title>חנות נגה</title></head>
<body><h1>חנות נגה</h1><a id="next" href="/shipping">משלוחים</a>
<script src="%s/widget.js" async></script></body></html>`

// poll waits for expr to be true, checking on a timer: requestAnimationFrame,
// chromedp's default, stops in a tab that is not in front, and the visitor
// and the agent are two tabs.
func poll(expr string) chromedp.Action[bool] {
	return chromedp.Poll[bool](expr, chromedp.WithPollingInterval(50*time.Millisecond))
}

// widgetJS evaluates an expression with r bound to the widget's shadow
// root.
func widgetJS(expr string) string {
	return `(() => { const r = document.getElementById("kesher-chat")?.shadowRoot; if (!r) return null; return ` + expr + `; })()`
}

// widgetMessages lists what the widget shows: direction and text of each
// message, with "pending" for one not yet acknowledged.
func widgetMessages(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return testkit.Run(t, ctx, chromedp.Evaluate[[]string](widgetJS(
		`[...r.querySelectorAll(".kc-msg")].map(li => (li.dataset.pending ? "pending " : "") + li.dataset.dir + ": " + li.querySelector("p").textContent)`)))
}

// visitorSays types text into the widget and sends it.
func visitorSays(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	testkit.Run(t, ctx, chromedp.Evaluate[bool](widgetJS(fmt.Sprintf(
		`(r.querySelector("textarea").value = %q, r.querySelector("textarea").dispatchEvent(new Event("input")), r.querySelector("form.kc-form").requestSubmit(), true)`, text))))
}

// waitWidget waits until the widget shows exactly want.
func waitWidget(t *testing.T, ctx context.Context, want []string) {
	t.Helper()
	waitList(t, "the widget", func() []string { return widgetMessages(t, ctx) }, want)
}

// waitList waits until list returns want, and otherwise fails saying what
// it returned last.
func waitList(t *testing.T, what string, list func() []string, want []string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(testkit.ActionTimeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if got = list(); strings.Join(got, "\n") == strings.Join(want, "\n") {
			return
		}
	}
	t.Fatalf("%s shows\n%s\nwant\n%s", what, strings.Join(got, "\n"), strings.Join(want, "\n"))
}

// agentThread lists the conversation page's thread as the agent sees it.
func agentThread(t *testing.T, ctx context.Context) []string {
	t.Helper()
	return testkit.Run(t, ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#thread li.msg")].map(li => (li.classList.contains("inbound") ? "inbound" : "outbound") + ": " + li.querySelector(".body").innerText.trim())`))
}

func waitAgentThread(t *testing.T, ctx context.Context, want []string) {
	t.Helper()
	waitList(t, "the agent's thread", func() []string { return agentThread(t, ctx) }, want)
}

// TestChatWidget: a visitor on a shop's site chats with an agent signed in
// to the desk in another browser context, in Hebrew: typing and read marks
// both ways, the chat following the visitor to another page, and the
// server restarted mid-conversation — a message written while it is down
// is sent when it is back, and both sides end with exactly the same
// messages, none lost and none twice.
func TestChatWidget(t *testing.T) {
	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "admin@example.com", "--name", "מנהלת", "--role", "admin", "--password", password)
	p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", password)
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@example.com"))
	var users struct {
		Items []struct{ ID, Email string }
	}
	apiCall(t, p.URL, token, "GET", "/api/v1/users", "", &users)
	for _, u := range users.Items {
		if u.Email == "dana@example.com" {
			apiCall(t, p.URL, token, "PATCH", "/api/v1/users/"+u.ID, `{"availability": "online"}`, nil)
		}
	}
	he := i18n.New("he", nil)

	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, shopPage, p.URL)
	}))
	defer shop.Close()

	b := testkit.NewBrowser(t)
	visitor, dana := b.Context(t), b.Context(t)
	testkit.Do(t, visitor, chromedp.Navigate(shop.URL))
	testkit.Run(t, visitor, poll(widgetJS(`!!r.querySelector(".kc-launch")`)))
	testkit.Run(t, visitor, chromedp.Evaluate[bool](widgetJS(`(r.querySelector(".kc-launch").click(), true)`)))
	if dir := testkit.Run(t, visitor, chromedp.Evaluate[string](widgetJS(`r.querySelector("div").dir`))); dir != "rtl" {
		t.Errorf("the Hebrew widget has dir=%q", dir)
	}
	first := "שלום, הזמנתי מעיל ועדיין לא קיבלתי מספר משלוח"
	visitorSays(t, visitor, first)
	waitWidget(t, visitor, []string{"inbound: " + first})

	// Dana opens the chat from the desk.
	var convs struct {
		Items []struct{ ID string }
	}
	apiCall(t, p.URL, token, "GET", "/api/v1/conversations?channel=chat", "", &convs)
	if len(convs.Items) != 1 {
		t.Fatalf("%d chat conversations, want 1", len(convs.Items))
	}
	conv := convs.Items[0].ID
	signIn(t, dana, p.URL, "dana@example.com")
	testkit.Do(t, dana, chromedp.Navigate(p.URL+"/conversations/"+conv), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
	waitAgentThread(t, dana, []string{"inbound: " + first})

	// The visitor types; Dana sees it. Dana has read the message, and
	// the visitor sees that.
	// The widget says it is typing at most every 2 seconds, so the test
	// keeps typing until the indicator shows.
	testkit.Run(t, visitor, chromedp.Evaluate[bool](widgetJS(`(window.typing = setInterval(() => r.querySelector("textarea").dispatchEvent(new Event("input")), 300), true)`)))
	testkit.Run(t, dana, poll(fmt.Sprintf(`document.querySelector("#chat-signal")?.innerText === %q`, he.T("conv.chat_typing"))))
	testkit.Run(t, visitor, chromedp.Evaluate[bool](`(clearInterval(window.typing), true)`))
	testkit.Run(t, visitor, poll(widgetJS(fmt.Sprintf(`r.querySelector(".kc-msg .kc-meta")?.textContent === %q`, he.T("chat.widget.read")))))

	// Dana types and replies; the visitor sees both live.
	reply := "שלום! בדקתי: המעיל יצא אתמול, מספר המשלוח IL4471"
	testkit.Do(t, dana, chromedp.SendKeys(chromedp.CSS(`#body`), reply))
	testkit.Run(t, visitor, poll(widgetJS(`!r.querySelectorAll(".kc-note")[0].hidden`)))
	testkit.Do(t, dana, chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	waitWidget(t, visitor, []string{"inbound: " + first, "outbound: " + reply})

	// The chat follows the visitor to another page of the site.
	testkit.Do(t, visitor, chromedp.Navigate(shop.URL+"/shipping"))
	testkit.Run(t, visitor, poll(widgetJS(`!r.querySelector(".kc-panel").hidden`)))
	waitWidget(t, visitor, []string{"inbound: " + first, "outbound: " + reply})

	// The server goes down. The visitor writes meanwhile: the message
	// waits in the browser.
	addr := strings.TrimPrefix(p.URL, "http://")
	if err := p.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	whileDown := "תודה! ואפשר לשנות את כתובת המשלוח לתל אביב?"
	testkit.Run(t, visitor, poll(widgetJS(fmt.Sprintf(`r.querySelector(".kc-note[role=status]").textContent === %q`, he.T("chat.widget.reconnecting")))))
	visitorSays(t, visitor, whileDown)
	waitWidget(t, visitor, []string{"inbound: " + first, "outbound: " + reply, "pending inbound: " + whileDown})

	// It comes back on the same data and address; the widget reconnects
	// and sends what was waiting, and Dana's page picks up again.
	p2 := testkit.StartProgram(t, "--data", p.DataDir, "--addr", addr)
	if p2.URL != p.URL {
		t.Fatalf("restarted at %s, want %s", p2.URL, p.URL)
	}
	waitWidget(t, visitor, []string{"inbound: " + first, "outbound: " + reply, "inbound: " + whileDown})
	waitAgentThread(t, dana, []string{"inbound: " + first, "outbound: " + reply, "inbound: " + whileDown})
	last := "כן, עדכנתי לתל אביב. המשלוח יגיע ביום חמישי."
	testkit.Do(t, dana, chromedp.SendKeys(chromedp.CSS(`#body`), last), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	want := []string{"inbound: " + first, "outbound: " + reply, "inbound: " + whileDown, "outbound: " + last}
	waitWidget(t, visitor, want)
	waitAgentThread(t, dana, want)

	// A reload shows the same, from the server's copy, and the desk holds
	// each message once.
	testkit.Do(t, visitor, chromedp.Reload())
	waitWidget(t, visitor, want)
	var msgs struct {
		Items []struct {
			Direction string `json:"direction"`
			BodyText  string `json:"body_text"`
		}
	}
	apiCall(t, p2.URL, token, "GET", "/api/v1/conversations/"+url.PathEscape(conv)+"/messages", "", &msgs)
	var stored []string
	for _, m := range msgs.Items {
		stored = append(stored, m.Direction+": "+m.BodyText)
	}
	if strings.Join(stored, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the desk holds\n%s\nwant\n%s", strings.Join(stored, "\n"), strings.Join(want, "\n"))
	}
	if got := widgetMessages(t, visitor); len(got) != len(want) {
		t.Fatalf("widget shows %q", got)
	}
	if got := agentThread(t, dana); len(got) != len(want) {
		t.Fatalf("agent sees %q", got)
	}
	testkit.Screenshot(t, dana, "chat-agent-he.png")
	testkit.Screenshot(t, visitor, "chat-widget-he.png")
	if errs := testkit.ConsoleErrors(visitor); len(errs) > 0 {
		t.Logf("visitor console: %q", errs)
	}
}
