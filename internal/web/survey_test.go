package web

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// surveyLink solves a Hebrew email conversation and returns the token of
// its survey invitation.
func surveyLink(t *testing.T, f *fixture, customer desk.CustomerRef) (string, *kesher.Conversation) {
	t.Helper()
	c, _, err := f.desk.CreateConversation(f.system, desk.NewConversation{Customer: customer, Subject: "החבילה לא הגיעה",
		Channel: kesher.ChannelEmail, Message: desk.NewMessage{BodyText: "הזמנתי לפני שבוע"}})
	if err != nil {
		t.Fatal(err)
	}
	solved := kesher.StatusSolved
	if _, err := f.desk.UpdateConversation(f.system, c.ID, kesher.ConversationUpdate{Status: &solved, OwnerID: &f.agent.ID}); err != nil {
		t.Fatal(err)
	}
	path, _, err := f.desk.SurveyInvitation(f.system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(path, "/survey/"), c
}

func answers(t *testing.T, f *fixture, convID string) map[string]kesher.SurveyAnswer {
	t.Helper()
	rs, _, err := f.desk.SurveyResponses(f.system, kesher.SurveyResponseFilter{ConversationID: convID})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]kesher.SurveyAnswer{}
	for _, r := range rs {
		for _, a := range r.Answers {
			out[a.Question] = a
		}
	}
	return out
}

// TestSurveyLink follows the email's choice: the GET records the first
// answer (once, however often it is followed), the page shows the rest of
// the survey in Hebrew, right to left, and its form changes and adds
// answers. Prefetches record nothing; forged and expired links are refused
// in the API's error format and change nothing.
func TestSurveyLink(t *testing.T) {
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	f := newFixtureAt(t, clock)
	token, conv := surveyLink(t, f, desk.CustomerRef{Email: "noa@example.com", Name: "נועה ברק"})
	c := f.client(t)

	pre, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/survey/"+token+"?q=welcoming&a=1", nil)
	pre.Header.Set("Sec-Purpose", "prefetch")
	if res, _ := c.do(pre); res.StatusCode != http.StatusOK || len(answers(t, f, conv.ID)) != 0 {
		t.Fatalf("a prefetch: status %d, answers %v; want the page and no answer", res.StatusCode, answers(t, f, conv.ID))
	}

	for range 2 {
		res, body := c.get("/survey/" + token + "?q=welcoming&a=4")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "data-survey-recorded") ||
			!strings.Contains(body, "עד כמה מהר טיפלנו בפנייה?") || !strings.Contains(body, `name="answer.welcoming" value="4" checked`) {
			t.Fatalf("the choice's page: status %d\n%s", res.StatusCode, body)
		}
		clock.Advance(time.Minute)
	}
	got := answers(t, f, conv.ID)
	if len(got) != 1 || got["welcoming"].Score != 4 || got["welcoming"].Source != kesher.AnswerFromLink || !got["welcoming"].AnsweredAt.Equal(clock.Now().Add(-2*time.Minute)) {
		t.Errorf("after the click, twice: %+v", got)
	}

	res, _ := c.post("/survey/"+token, url.Values{"answer.welcoming": {"5"}, "answer.speed": {"3"}, "answer.comment": {"שליח נחמד מאוד"}, "answer.cost": {""}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("posting the page: status %d", res.StatusCode)
	}
	if _, body := c.get(res.Header.Get("Location")); !strings.Contains(body, "data-survey-saved") || !strings.Contains(body, "שליח נחמד מאוד") {
		t.Errorf("the page after posting:\n%s", body)
	}
	got = answers(t, f, conv.ID)
	if len(got) != 3 || got["welcoming"].Score != 5 || got["speed"].Score != 3 || got["comment"].Text != "שליח נחמד מאוד" {
		t.Errorf("after the page: %+v", got)
	}
	if res, body := c.post("/survey/"+token, url.Values{"answer.speed": {"9"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "data-survey-problem") || answers(t, f, conv.ID)["speed"].Score != 3 {
		t.Errorf("a score off the scale: status %d\n%s", res.StatusCode, body)
	}
	res, _ = c.post("/survey/"+token, url.Values{"answer.speed": {"1"}, "csrf": {"forged"}})
	if res.StatusCode != http.StatusForbidden || answers(t, f, conv.ID)["speed"].Score != 3 {
		t.Errorf("a post without the CSRF token: status %d", res.StatusCode)
	}

	refused := func(what, path string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
		req.Header.Set("Accept", "application/json")
		res, body := c.do(req)
		var e struct {
			Error struct{ Code, Message string }
		}
		if res.StatusCode != http.StatusNotFound || json.Unmarshal([]byte(body), &e) != nil || e.Error.Code != kesher.ECodeNotFound {
			t.Errorf("%s: status %d, body %s; want 404 not_found", what, res.StatusCode, body)
		}
		if res, body := c.get(path); res.StatusCode != http.StatusNotFound || !strings.Contains(body, "הקישור לא פעיל") {
			t.Errorf("%s as a page: status %d\n%s", what, res.StatusCode, body)
		}
	}
	refused("a forged link", "/survey/"+desk.SurveyLinkPrefix+"forged?q=welcoming&a=1")
	clock.Advance(15 * 24 * time.Hour)
	refused("an expired link", "/survey/"+token+"?q=welcoming&a=1")
	if got := answers(t, f, conv.ID); got["welcoming"].Score != 5 {
		t.Errorf("a refused link changed the answer: %+v", got)
	}
}

// TestSurveyResultsPage shows leads the results in Hebrew: too few
// answers below the minimum, the count linking to the answers behind it
// and on to their conversations; agents are refused.
func TestSurveyResultsPage(t *testing.T) {
	f := newFixture(t)
	var convs []string
	for i, score := range []int{5, 4} {
		token, conv := surveyLink(t, f, desk.CustomerRef{Email: "lakoach" + strconv.Itoa(i) + "@example.com", Name: "לקוח"})
		if _, err := f.desk.AnswerSurvey(f.system, token, kesher.AnswerFromPage, []kesher.SurveyAnswer{{Question: "speed", Score: score},
			{Question: desk.CommentQuestion, Text: "תודה רבה"}}); err != nil {
			t.Fatal(err)
		}
		convs = append(convs, conv.ID)
	}
	if res, _ := f.signedIn(t, f.agent).get("/surveys/results"); res.StatusCode != http.StatusForbidden {
		t.Errorf("an agent: status %d, want 403", res.StatusCode)
	}
	lead := f.signedIn(t, f.lead)
	res, body := lead.get("/surveys/results?by=channel&interval=week")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "מעט מדי תשובות") || !strings.Contains(body, "עד כמה מהר טיפלנו בפנייה?") {
		t.Fatalf("results: status %d\n%s", res.StatusCode, body)
	}
	link := regexp.MustCompile(`href="(/surveys/results/answers\?[^"]+)" data-n>2<`).FindStringSubmatch(body)
	if link == nil {
		t.Fatalf("no link behind the count of 2:\n%s", body)
	}
	res, body = lead.get(html.UnescapeString(link[1]))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "תודה רבה") {
		t.Fatalf("answers: status %d\n%s", res.StatusCode, body)
	}
	for _, id := range convs {
		if !strings.Contains(body, `href="/conversations/`+id+`"`) {
			t.Errorf("the answers do not link to conversation %s", id)
		}
	}
}
