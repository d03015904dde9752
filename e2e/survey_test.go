package e2e

import (
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

// TestSurveyInHebrew: Noa's email request is solved; the survey's email
// reaches her in Hebrew with the first expectation's choices as links. Her
// click on 4 records that answer and opens the rest of the survey, right
// to left; she answers the speed question and writes a comment in Hebrew,
// and the API lists her answers with the conversation's owner.
func TestSurveyInHebrew(t *testing.T) {
	_, sink, base, token := mailingDesk(t)
	var conv struct{ ID string }
	apiCall(t, base, token, "POST", "/api/v1/conversations", `{"customer": {"email": "noa@example.com", "name": "נועה ברק", "language": "he"},
		"subject": "החבילה לא הגיעה", "channel": "email", "message": {"body_text": "הזמנתי לפני שבועיים ועדיין אין משלוח."}}`, &conv)
	var me struct{ ID string }
	apiCall(t, base, token, "GET", "/api/v1/users/me", "", &me)
	apiCall(t, base, token, "PATCH", "/api/v1/conversations/"+conv.ID, `{"status": "solved", "owner_id": "`+me.ID+`"}`, nil)

	var invite *mail.Message
	for _, m := range sink.Wait(t, 1, 10*time.Second) {
		if msg, err := mail.Parse(m.Raw); err == nil && strings.Contains(msg.Text, "/survey/") {
			invite = msg
		}
	}
	if invite == nil {
		t.Fatal("no survey invitation was sent")
	}
	he := i18n.New("he", nil)
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/survey/ksv_[A-Za-z0-9_-]+\?a=4&q=welcoming`).FindString(invite.Text)
	if link == "" || !strings.Contains(invite.Text, he.T("survey.question.welcoming")) {
		t.Fatalf("no choice of 4 in the invitation:\n%s", invite.Text)
	}

	b := testkit.NewBrowser(t)
	noa := b.Context(t)
	testkit.Do(t, noa, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`[data-survey-recorded]`)))
	if dir := testkit.Run(t, noa, chromedp.Evaluate[string](`document.documentElement.dir + " " + document.documentElement.lang`)); dir != "rtl he" {
		t.Errorf("the survey is %q, want rtl he", dir)
	}
	if checked := testkit.Run(t, noa, chromedp.Evaluate[bool](`document.querySelector('input[name="answer.welcoming"][value="4"]').checked`)); !checked {
		t.Error("the clicked choice is not shown as the answer")
	}
	comment := "השליח היה אדיב, אבל חיכיתי שבועיים"
	testkit.Do(t, noa,
		chromedp.Click(chromedp.CSS(`input[name="answer.speed"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="answer.comment"]`), comment),
		chromedp.Click(chromedp.CSS(`#survey button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-survey-saved]`)),
	)
	testkit.Screenshot(t, noa, "survey-he.png")

	var responses struct {
		Items []struct {
			ConversationID string `json:"conversation_id"`
			AgentID        string `json:"agent_id"`
			Answers        []struct {
				Question string `json:"question"`
				Score    int    `json:"score"`
				Text     string `json:"text"`
			} `json:"answers"`
		}
	}
	apiCall(t, base, token, "GET", "/api/v1/survey-responses?conversation="+conv.ID, "", &responses)
	if len(responses.Items) != 1 || responses.Items[0].AgentID != me.ID {
		t.Fatalf("responses %+v", responses)
	}
	got := map[string]string{}
	for _, a := range responses.Items[0].Answers {
		got[a.Question] = fmt.Sprint(a.Score) + a.Text
	}
	if got["welcoming"] != "4" || got["speed"] != "2" || got["comment"] != "0"+comment {
		t.Errorf("answers %v", got)
	}
	for _, e := range testkit.ConsoleErrors(noa) {
		t.Errorf("browser error: %s", e)
	}
}
