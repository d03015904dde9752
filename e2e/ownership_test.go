package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kesher/internal/i18n"
	"kesher/internal/testkit"
)

// ownershipDesk starts the program with an admin (whose token opens the
// conversation) and two Hebrew-speaking agents, and returns the program,
// the token and the conversation's id.
func ownershipDesk(t *testing.T) (*testkit.Program, string, string) {
	t.Helper()
	p := testkit.StartProgram(t)
	p.Run(t, "user", "create", "--email", "admin@example.com", "--name", "מנהלת", "--role", "admin", "--password", password)
	p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", password)
	p.Run(t, "user", "create", "--email", "yossi@example.com", "--name", "Yossi Levi", "--role", "agent", "--password", password)
	token := strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@example.com"))
	return p, token, createConversation(t, p.URL, token)
}

// takeConversation opens the conversation and assigns it to the signed-in
// agent, who must own it to hand it on or to be reminded of its promises.
func takeConversation(t *testing.T, ctx context.Context, base, conv, name string) {
	t.Helper()
	testkit.Do(t, ctx,
		chromedp.Navigate(base+"/conversations/"+conv),
		chromedp.WaitVisible(chromedp.CSS(`#thread`)),
		chromedp.Click(chromedp.CSS(`[data-assign-me]`)),
	)
	waitText(t, ctx, "#owner-name", name)
}

// TestHandoffBriefing: Dana hands her conversation to Yossi with a
// briefing and tells the customer; Yossi finds the briefing pinned above
// the thread and the customer's notice in it.
func TestHandoffBriefing(t *testing.T) {
	p, _, conv := ownershipDesk(t)
	he := i18n.New("he", nil)
	b := testkit.NewBrowser(t)
	dana, yossi := b.Context(t), b.Context(t)
	signIn(t, dana, p.URL, "dana@example.com")
	takeConversation(t, dana, p.URL, conv, "דנה כהן")

	briefing := "הלקוחה מחכה למספר משלוח; הבטחתי לה תשובה עד הצהריים"
	testkit.Do(t, dana, chromedp.WaitVisible(chromedp.CSS(`#briefing`)))
	testkit.Run(t, dana, chromedp.Evaluate[bool](`{const s = document.getElementById("owner_id");
		s.value = [...s.options].find(o => o.textContent.trim() === "Yossi Levi").value; true}`))
	testkit.Do(t, dana,
		chromedp.SendKeys(chromedp.CSS(`#briefing`), briefing),
		chromedp.Click(chromedp.CSS(`#tell_customer`)),
		chromedp.Click(chromedp.CSS(`#handoff button[type="submit"]`)),
	)
	waitText(t, dana, "#owner-name", "Yossi Levi")

	signIn(t, yossi, p.URL, "yossi@example.com")
	testkit.Do(t, yossi, chromedp.Navigate(p.URL+"/conversations/"+conv), chromedp.WaitVisible(chromedp.CSS(`#pinned-briefing`)))
	waitText(t, yossi, "#pinned-briefing", briefing)
	waitText(t, yossi, "#pinned-briefing", "דנה כהן")
	if above := testkit.Run(t, yossi, chromedp.Evaluate[bool](`document.getElementById("pinned-briefing").getBoundingClientRect().bottom <=
		document.getElementById("thread").getBoundingClientRect().top`)); !above {
		t.Errorf("the briefing is not on top of the thread")
	}
	waitText(t, yossi, "#thread", he.T("handoff.tell_customer", "name", "Yossi Levi"))
	testkit.Screenshot(t, yossi, "handoff-briefing-he.png")
	noBrowserErrors(t, dana, yossi)
}

// TestCommitmentFromReply: Dana promises in a reply to call back tomorrow
// by 12:00; the page proposes the commitment, one click records it, and
// the side panel lists it due tomorrow at 12:00.
func TestCommitmentFromReply(t *testing.T) {
	p, _, conv := ownershipDesk(t)
	jerusalem, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	he := i18n.New("he", jerusalem)
	b := testkit.NewBrowser(t)
	dana := b.Context(t)
	signIn(t, dana, p.URL, "dana@example.com")
	testkit.Do(t, dana, chromedp.Navigate(p.URL+"/conversations/"+conv), chromedp.WaitVisible(chromedp.CSS(`#thread`)))

	now := time.Now().In(jerusalem)
	due := time.Date(now.Year(), now.Month(), now.Day()+1, 12, 0, 0, 0, jerusalem)
	testkit.Do(t, dana,
		chromedp.SendKeys(chromedp.CSS(`#body`), "אבדוק ואחזור אלייך מחר עד 12:00"),
		chromedp.Click(chromedp.CSS(`#composer button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-proposal="definite"] [data-record-proposal]`)),
	)
	if v := testkit.Run(t, dana, chromedp.Evaluate[string](`document.querySelector('[data-proposal="definite"] input[name="commitment_due"]').value`)); v != due.Format("2006-01-02T15:04") {
		t.Errorf("the proposal is due %q, want tomorrow 12:00 (%s)", v, due.Format("2006-01-02T15:04"))
	}
	testkit.Screenshot(t, dana, "commitment-proposal-he.png")
	testkit.Do(t, dana,
		chromedp.Click(chromedp.CSS(`[data-proposal="definite"] [data-record-proposal]`)),
		chromedp.WaitVisible(chromedp.CSS(`#commitments [data-commitment]`)),
	)
	waitText(t, dana, "#commitments", he.DateTime(due))
	waitText(t, dana, "#commitments", he.T("commitment.state.open"))
	if left := testkit.Run(t, dana, chromedp.Evaluate[int](`document.querySelectorAll('[data-proposal="definite"]').length`)); left != 0 {
		t.Errorf("the recorded promise is still proposed")
	}
	if v := testkit.Run(t, dana, chromedp.Evaluate[string](`document.getElementById("body").value`)); v != "" {
		t.Errorf("the composer holds %q after the reply was sent", v)
	}
	noBrowserErrors(t, dana)
}

// TestOverdueCommitmentWatchdog: a commitment due in two seconds shows in
// the watchdog's overdue list once its time has passed, and its owner is
// notified.
func TestOverdueCommitmentWatchdog(t *testing.T) {
	p, token, conv := ownershipDesk(t)
	he := i18n.New("he", nil)
	b := testkit.NewBrowser(t)
	dana := b.Context(t)
	signIn(t, dana, p.URL, "dana@example.com")
	takeConversation(t, dana, p.URL, conv, "דנה כהן")

	var c struct{ ID string }
	apiCall(t, p.URL, token, "POST", "/api/v1/conversations/"+conv+"/commitments",
		fmt.Sprintf(`{"text": "לשלוח ללקוחה את מספר המשלוח", "due_at": %q}`, time.Now().Add(2*time.Second).UTC().Format(time.RFC3339Nano)), &c)

	row := `tr[data-commitment="` + c.ID + `"]`
	waitAfterReload(t, dana, p.URL+"/watchdog/commitments_overdue", row)
	for _, want := range []string{"לשלוח ללקוחה את מספר המשלוח", "החבילה לא הגיעה", "דנה כהן", he.T("commitment.state.overdue")} {
		waitText(t, dana, row, want)
	}
	testkit.Screenshot(t, dana, "watchdog-overdue-he.png")

	// The timer that fired at the due time told Dana.
	waitAfterReload(t, dana, p.URL+"/notifications", `[data-kind="commitment_overdue"]`)
	waitText(t, dana, `[data-kind="commitment_overdue"]`, "לשלוח ללקוחה את מספר המשלוח")
	noBrowserErrors(t, dana)
}

// waitAfterReload loads url until an element matches sel: what it waits
// for happens on the server, which the page does not announce.
func waitAfterReload(t *testing.T, ctx context.Context, url, sel string) {
	t.Helper()
	deadline := time.Now().Add(testkit.ActionTimeout)
	for {
		testkit.Do(t, ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS(`main`)))
		if testkit.Run(t, ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector(%q) !== null`, sel))) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: nothing matches %s after %v", url, sel, testkit.ActionTimeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// noBrowserErrors fails the test for any error the pages logged.
func noBrowserErrors(t *testing.T, ctxs ...context.Context) {
	t.Helper()
	for _, ctx := range ctxs {
		for _, e := range testkit.ConsoleErrors(ctx) {
			t.Errorf("browser error: %s", e)
		}
	}
}
