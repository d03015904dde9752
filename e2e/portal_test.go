package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kesher/internal/i18n"
	"kesher/internal/mail"
	"kesher/internal/testkit"
)

// mailingDesk starts the program with its public URL, an admin
// (admin@example.com, whose API token it returns) and a mailbox that
// sends through an SMTP sink.
func mailingDesk(t *testing.T) (p *testkit.Program, sink *testkit.SMTPSink, base, token string) {
	t.Helper()
	sink = testkit.NewSMTPSink(t)
	addr := freeAddr(t)
	base = "http://" + addr
	p = testkit.StartProgram(t, "--addr", addr, "--public-url", base)
	p.Run(t, "user", "create", "--email", "admin@example.com", "--name", "מנהלת", "--role", "admin", "--password", password)
	token = strings.TrimSpace(p.Run(t, "token", "create", "--email", "admin@example.com"))
	apiCall(t, base, token, "POST", "/api/v1/mailboxes", fmt.Sprintf(
		`{"address": "support@noga.example", "name": "נוגה בית", "relay": {"host": %q, "port": %d, "security": "none"}}`, sink.Host, sink.Port), nil)
	return p, sink, base, token
}

// TestCustomerPortal: Noa, who wrote in Hebrew and was promised a call
// back, asks the portal for a sign-in link; the link comes by email (read
// from the SMTP sink the desk's mailbox sends through), and opens the
// portal in Hebrew, right to left, with her request and its open
// commitment. She answers, and the agent who has the conversation open
// sees her answer without reloading.
func TestCustomerPortal(t *testing.T) {
	p, sink, base, token := mailingDesk(t)
	p.Run(t, "user", "create", "--email", "dana@example.com", "--name", "דנה כהן", "--role", "agent", "--password", password)
	var conv struct {
		ID     string
		Number int64
	}
	apiCall(t, base, token, "POST", "/api/v1/conversations", `{"customer": {"email": "noa@example.com", "name": "נועה ברק", "language": "he"},
		"subject": "החבילה לא הגיעה", "channel": "phone",
		"message": {"body_text": "הזמנתי לפני שבועיים ועדיין אין משלוח. מספר הזמנה 4471."}}`, &conv)
	jerusalem, err := time.LoadLocation("Asia/Jerusalem")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(jerusalem)
	due := time.Date(now.Year(), now.Month(), now.Day()+2, 12, 0, 0, 0, jerusalem)
	promise := "נבדוק מול חברת השליחויות ונחזור אלייך בטלפון"
	apiCall(t, base, token, "POST", "/api/v1/conversations/"+conv.ID+"/commitments",
		fmt.Sprintf(`{"text": %q, "due_at": %q}`, promise, due.UTC().Format(time.RFC3339)), nil)
	he := i18n.New("he", jerusalem)

	b := testkit.NewBrowser(t)
	noa, dana := b.Context(t), b.Context(t)

	// Noa asks for a link.
	testkit.Do(t, noa,
		chromedp.Navigate(base+"/portal"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "Noa@Example.com"),
		chromedp.Submit(chromedp.CSS(`#email`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-sent]`)),
	)
	got := sink.Wait(t, 1, 10*time.Second)[0]
	msg, err := mail.Parse(got.Raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.To) != 1 || got.To[0] != "noa@example.com" || !strings.Contains(msg.Text, he.T("portal.email.intro")) {
		t.Fatalf("the sign-in email went to %v:\n%s", got.To, msg.Text)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/portal/link\?token=kpl_[A-Za-z0-9_-]+`).FindString(msg.Text)
	if link == "" {
		t.Fatalf("no portal link in the email:\n%s", msg.Text)
	}

	// The link opens a page whose button signs her in, in Hebrew.
	testkit.Do(t, noa,
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#follow-link button`)),
		chromedp.Click(chromedp.CSS(`#follow-link button`)),
		chromedp.WaitVisible(chromedp.CSS(`#requests`)),
	)
	if dir := testkit.Run(t, noa, chromedp.Evaluate[string](`document.documentElement.dir + " " + document.documentElement.lang`)); dir != "rtl he" {
		t.Errorf("the portal is %q, want rtl he", dir)
	}
	waitText(t, noa, "#requests", "החבילה לא הגיעה")
	waitText(t, noa, "#requests", he.T("portal.status.open"))
	testkit.Screenshot(t, noa, "portal-requests-he.png")
	testkit.Do(t, noa,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-request="%d"] a`, conv.Number))),
		chromedp.WaitVisible(chromedp.CSS(`#thread`)),
	)
	waitText(t, noa, "#commitments", promise)
	waitText(t, noa, "#commitments", he.T("portal.request.commitment_due", "time", he.DateTime(due)))
	waitText(t, noa, "#thread", "מספר הזמנה 4471")

	// Dana has the conversation open; Noa answers.
	signIn(t, dana, base, "dana@example.com")
	testkit.Do(t, dana, chromedp.Navigate(base+"/conversations/"+conv.ID), chromedp.WaitVisible(chromedp.CSS(`#thread`)))
	answer := "תודה! אני בבית מחר בין 9 ל־13, אפשר להתקשר."
	testkit.Do(t, noa,
		chromedp.SendKeys(chromedp.CSS(`#body`), answer),
		chromedp.Click(chromedp.CSS(`#reply button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.alert.ok`)),
	)
	waitText(t, noa, "#thread", answer)
	testkit.Screenshot(t, noa, "portal-request-he.png")
	waitText(t, dana, "#thread", answer)

	// The same request in English, by the switcher.
	switchLanguage(t, noa, "en")
	en := i18n.New("en", jerusalem)
	waitText(t, noa, "#commitments", en.T("portal.request.commitments"))
	testkit.Screenshot(t, noa, "portal-request-en.png")

	// The link worked once.
	testkit.Do(t, noa, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-link-invalid]`)))

	var msgs struct {
		Items []struct {
			Channel    string `json:"channel"`
			AuthorType string `json:"author_type"`
			BodyText   string `json:"body_text"`
		}
	}
	apiCall(t, base, token, "GET", "/api/v1/conversations/"+conv.ID+"/messages", "", &msgs)
	last := msgs.Items[len(msgs.Items)-1]
	if last.BodyText != answer || last.Channel != "web" || last.AuthorType != "customer" {
		b, _ := json.Marshal(last)
		t.Errorf("the stored answer = %s; want Noa's, on the web channel", b)
	}
	for _, e := range append(testkit.ConsoleErrors(noa), testkit.ConsoleErrors(dana)...) {
		// The used link's page answers 410 Gone, on purpose.
		if strings.Contains(e, "status of 410") {
			continue
		}
		t.Errorf("browser error: %s", e)
	}
}
