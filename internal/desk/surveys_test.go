package desk_test

import (
	"context"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/testkit"
)

// surveyFixture is a desk with a mailbox that can send, so that email
// customers get their invitations.
type surveyFixture struct {
	*fixture
	system context.Context
}

func newSurveyFixture(t *testing.T, st kesher.Store) *surveyFixture {
	t.Helper()
	f := &surveyFixture{fixture: newFixture(t, st), system: context.Background()}
	if _, err := f.desk.SaveMailbox(f.asAdmin, "", desk.MailboxInput{Address: "support@noga.co.il", Name: "נגה תמיכה",
		Relay: kesher.RelaySettings{Host: "smtp.noga.co.il", Port: 587, Security: kesher.SecurityStartTLS}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// solve opens a conversation for ref on ch, has the agent take it and
// solves it.
func (f *surveyFixture) solve(t *testing.T, ref desk.CustomerRef, ch kesher.Channel, up kesher.ConversationUpdate) *kesher.Conversation {
	t.Helper()
	c := f.open(t, ref, ch, "שלום, יש לי שאלה על החשבונית")
	up.Status, up.OwnerID = ptr(kesher.StatusSolved), ptr(f.agent.ID)
	c, err := f.desk.UpdateConversation(f.asAgent, c.ID, up)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// responses returns a conversation's survey invitations.
func (f *surveyFixture) responses(t *testing.T, convID string) []*kesher.SurveyResponse {
	t.Helper()
	rs, err := f.store.ConversationSurveyResponses(f.system, convID)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// surveyJobs counts the pending survey emails.
func (f *surveyFixture) surveyJobs(t *testing.T) int {
	t.Helper()
	return testkit.PendingJobs(t, f.store, desk.JobSurveyInvite)
}

// link issues the invitation's link of a conversation's survey.
func (f *surveyFixture) link(t *testing.T, convID string) string {
	t.Helper()
	rs := f.responses(t, convID)
	if len(rs) != 1 {
		t.Fatalf("conversation has %d survey responses, want 1", len(rs))
	}
	inv, err := f.desk.IssueSurveyInvite(f.system, rs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return inv.Token
}

func TestSurveys(t *testing.T) {
	testkit.ForEachStore(t, func(t *testing.T, open func(testing.TB) kesher.Store) {
		for _, tc := range []struct {
			name string
			run  func(t *testing.T, f *surveyFixture)
		}{
			{"solving invites, at most once a period", testSurveyThrottle},
			{"other channels ask for the invitation", testSurveyOtherChannels},
			{"the link records answers", testSurveyAnswering},
			{"the most specific survey applies", testSurveyChoice},
			{"results with their uncertainty", testSurveyResults},
			{"a trend needs enough answers on both sides", testSurveyTrends},
		} {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, newSurveyFixture(t, open(t))) })
		}
	})
}

func testSurveyThrottle(t *testing.T, f *surveyFixture) {
	noa := desk.CustomerRef{Email: "noa@example.com", Name: "נועה ברק"}
	first := f.solve(t, noa, kesher.ChannelEmail, kesher.ConversationUpdate{})
	rs := f.responses(t, first.ID)
	if len(rs) != 1 || f.surveyJobs(t) != 1 {
		t.Fatalf("after the first solve: %d responses, %d jobs; want 1 and 1", len(rs), f.surveyJobs(t))
	}
	if r := rs[0]; r.AgentID != f.agent.ID || r.CustomerID != first.CustomerID || r.Channel != kesher.ChannelEmail ||
		r.SurveyID != kesher.DefaultSurveyID || r.Language != "he" || !r.ExpiresAt.Equal(f.clock.Now().Add(14*24*time.Hour)) {
		t.Errorf("invitation %+v", r)
	}
	if types := eventTypes(t, f.fixture, first.ID); !strings.Contains(strings.Join(types, " "), desk.EventSurveyInvited) {
		t.Errorf("events %v: no %s", types, desk.EventSurveyInvited)
	}

	// Within the period: solved, not asked again; reopening and solving
	// the first again asks nothing either.
	f.clock.Advance(29 * 24 * time.Hour)
	second := f.solve(t, noa, kesher.ChannelEmail, kesher.ConversationUpdate{})
	if n := len(f.responses(t, second.ID)); n != 0 || f.surveyJobs(t) != 1 {
		t.Errorf("within 30 days: %d responses, %d jobs; want 0 and 1", n, f.surveyJobs(t))
	}
	// Another customer is asked meanwhile.
	other := f.solve(t, desk.CustomerRef{Email: "dan@example.com", Name: "Dan Levi", Language: "en"}, kesher.ChannelEmail, kesher.ConversationUpdate{})
	if rs := f.responses(t, other.ID); len(rs) != 1 || rs[0].Language != "en" {
		t.Errorf("another customer: %+v", rs)
	}

	f.clock.Advance(24*time.Hour + time.Minute)
	third := f.solve(t, noa, kesher.ChannelEmail, kesher.ConversationUpdate{})
	if n := len(f.responses(t, third.ID)); n != 1 {
		t.Errorf("after 30 days: %d responses, want 1", n)
	}
}

func testSurveyOtherChannels(t *testing.T, f *surveyFixture) {
	c := f.solve(t, desk.CustomerRef{Phone: "050-123-4567", Name: "יוסי לוי"}, kesher.ChannelPhone, kesher.ConversationUpdate{})
	if n := len(f.responses(t, c.ID)); n != 1 || f.surveyJobs(t) != 0 {
		t.Fatalf("a phone customer: %d responses, %d email jobs; want 1 and 0", n, f.surveyJobs(t))
	}
	_, _, err := f.desk.SurveyInvitation(f.asAgent, c.ID)
	wantCode(t, err, kesher.ECodeForbidden)
	path, text, err := f.desk.SurveyInvitation(f.system, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(path, "/survey/"+desk.SurveyLinkPrefix) || !strings.Contains(text, "נשמח לשמוע") {
		t.Errorf("SurveyInvitation = %q, %q", path, text)
	}
	form, err := f.desk.OpenSurvey(f.system, strings.TrimPrefix(path, "/survey/"))
	if err != nil || form.Response.ConversationID != c.ID {
		t.Fatalf("OpenSurvey = %+v, %v", form, err)
	}
	if _, err := f.desk.AnswerSurvey(f.system, strings.TrimPrefix(path, "/survey/"), kesher.AnswerFromPage,
		[]kesher.SurveyAnswer{{Question: "speed", Score: 5}}); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.desk.SurveyInvitation(f.system, c.ID)
	wantCode(t, err, kesher.ECodeNotFound)
}

func testSurveyAnswering(t *testing.T, f *surveyFixture) {
	c := f.solve(t, desk.CustomerRef{Email: "noa@example.com", Name: "נועה ברק"}, kesher.ChannelEmail, kesher.ConversationUpdate{})
	token := f.link(t, c.ID)
	answeredAt := f.clock.Now()

	// The click in the email: the first answer, recorded once however
	// often the link is followed.
	for range 2 {
		form, err := f.desk.AnswerSurvey(f.system, token, kesher.AnswerFromLink, []kesher.SurveyAnswer{{Question: "welcoming", Score: 4}})
		if err != nil {
			t.Fatal(err)
		}
		if a := form.Response.Answers; len(a) != 1 || a[0].Score != 4 || a[0].Source != kesher.AnswerFromLink ||
			!form.Response.AnsweredAt.Equal(answeredAt) {
			t.Errorf("after the click: %+v", form.Response)
		}
		f.clock.Advance(time.Minute)
	}

	// The page: changes the first answer and adds the rest.
	form, err := f.desk.AnswerSurvey(f.system, token, kesher.AnswerFromPage, []kesher.SurveyAnswer{
		{Question: "welcoming", Score: 2}, {Question: "speed", Score: 5}, {Question: "cost"},
		{Question: desk.CommentQuestion, Text: "  הנציג היה אדיב, אבל חיכיתי הרבה  "},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kesher.SurveyAnswer{}
	for _, a := range form.Response.Answers {
		got[a.Question] = a
	}
	if len(got) != 3 || got["welcoming"].Score != 2 || got["speed"].Score != 5 || got[desk.CommentQuestion].Text != "הנציג היה אדיב, אבל חיכיתי הרבה" ||
		!form.Response.AnsweredAt.Equal(answeredAt) {
		t.Errorf("after the page: %+v", form.Response.Answers)
	}

	before := f.responses(t, c.ID)[0]
	for _, tc := range []struct {
		name, token string
		answers     []kesher.SurveyAnswer
		code        string
	}{
		{"a forged token", desk.SurveyLinkPrefix + "forged", []kesher.SurveyAnswer{{Question: "speed", Score: 1}}, kesher.ECodeNotFound},
		{"a portal token", "kpl_" + strings.TrimPrefix(token, desk.SurveyLinkPrefix), []kesher.SurveyAnswer{{Question: "speed", Score: 1}}, kesher.ECodeNotFound},
		{"a score off the scale", token, []kesher.SurveyAnswer{{Question: "speed", Score: 6}}, kesher.ECodeValidation},
		{"an unknown question", token, []kesher.SurveyAnswer{{Question: "colour", Score: 3}}, kesher.ECodeValidation},
	} {
		_, err := f.desk.AnswerSurvey(f.system, tc.token, kesher.AnswerFromLink, tc.answers)
		if kesher.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	f.clock.Advance(15 * 24 * time.Hour)
	_, err = f.desk.AnswerSurvey(f.system, token, kesher.AnswerFromLink, []kesher.SurveyAnswer{{Question: "speed", Score: 1}})
	wantCode(t, err, kesher.ECodeNotFound)
	_, err = f.desk.OpenSurvey(f.system, token)
	wantCode(t, err, kesher.ECodeNotFound)
	if after := f.responses(t, c.ID)[0]; !after.UpdatedAt.Equal(before.UpdatedAt) || len(after.Answers) != len(before.Answers) {
		t.Errorf("a refused answer changed the response: %+v", after)
	}
}

func testSurveyChoice(t *testing.T, f *surveyFixture) {
	billing, err := f.desk.SaveTeam(f.asAdmin, "", desk.TeamInput{Name: "חיוב"})
	if err != nil {
		t.Fatal(err)
	}
	questions := []kesher.SurveyQuestion{{Key: "speed", Kind: kesher.QuestionScale, Text: kesher.Wording{He: "מהירות?", En: "Speed?"}}}
	save := func(name, team string, ch kesher.Channel) *kesher.Survey {
		s, err := f.desk.SaveSurvey(f.asAdmin, "", desk.SurveyInput{Name: name, TeamID: team, Channel: ch, Questions: questions})
		if err != nil {
			t.Fatalf("SaveSurvey(%s): %v", name, err)
		}
		return s
	}
	teamChat, team, chat := save("חיוב בצ'אט", billing.ID, kesher.ChannelChat), save("חיוב", billing.ID, ""), save("צ'אט", "", kesher.ChannelChat)
	for _, tc := range []struct {
		team string
		ch   kesher.Channel
		want string
	}{
		{billing.ID, kesher.ChannelChat, teamChat.ID},
		{billing.ID, kesher.ChannelEmail, team.ID},
		{"", kesher.ChannelChat, chat.ID},
		{"other-team", kesher.ChannelChat, chat.ID},
		{"", kesher.ChannelEmail, kesher.DefaultSurveyID},
	} {
		s, err := f.desk.SurveyFor(f.asAgent, tc.team, tc.ch)
		if err != nil || s.ID != tc.want {
			t.Errorf("SurveyFor(%q, %s) = %v, %v; want %s", tc.team, tc.ch, s, err, tc.want)
		}
	}
	c := f.solve(t, desk.CustomerRef{Email: "noa@example.com", Name: "נועה ברק"}, kesher.ChannelChat, kesher.ConversationUpdate{TeamID: &billing.ID})
	if rs := f.responses(t, c.ID); len(rs) != 1 || rs[0].SurveyID != teamChat.ID || rs[0].TeamID != billing.ID {
		t.Errorf("the invitation of a billing chat: %+v", rs)
	}

	// Admins only; a second survey of a scope conflicts; the default
	// applies everywhere and can be edited.
	_, err = f.desk.SaveSurvey(f.asLead, "", desk.SurveyInput{Name: "x", Channel: kesher.ChannelChat, Questions: questions})
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.SaveSurvey(f.asAdmin, "", desk.SurveyInput{Name: "שוב", Channel: kesher.ChannelChat, Questions: questions})
	wantCode(t, err, kesher.ECodeConflict)
	_, err = f.desk.SaveSurvey(f.asAdmin, kesher.DefaultSurveyID, desk.SurveyInput{Name: "ברירת מחדל", Channel: kesher.ChannelChat, Questions: questions})
	wantCode(t, err, kesher.ECodeValidation)
	def, err := f.desk.SaveSurvey(f.asAdmin, kesher.DefaultSurveyID, desk.SurveyInput{Name: "ברירת מחדל", Questions: questions})
	if err != nil || def.ID != kesher.DefaultSurveyID {
		t.Fatalf("saving the default: %+v, %v", def, err)
	}
	all, err := f.desk.Surveys(f.asAdmin)
	if err != nil || len(all) != 4 || all[0].ID != kesher.DefaultSurveyID || len(all[0].Questions) != 1 {
		t.Errorf("Surveys = %+v, %v", all, err)
	}
	if err := f.desk.DeleteSurvey(f.asAdmin, kesher.DefaultSurveyID); err != nil {
		t.Fatal(err)
	}
	if s, err := f.desk.Survey(f.asAdmin, kesher.DefaultSurveyID); err != nil || len(s.Questions) != 7 {
		t.Errorf("after deleting the saved default: %+v, %v; want the built-in one", s, err)
	}
}

// testSurveyResults answers the speed question ten times with known
// scores: mean 3, standard deviation √(20/9), so the t interval (t = 2.262
// for 9 degrees of freedom) is 3 ± 1.0663; 4 of 10 gave 4 or 5, whose
// Wilson interval is 0.1682–0.6873. One chat answer alone is too few.
func testSurveyResults(t *testing.T, f *surveyFixture) {
	scores := []int{1, 2, 3, 4, 5, 5, 4, 3, 2, 1}
	answer := func(i int, ch kesher.Channel, score int) {
		c := f.solve(t, desk.CustomerRef{Email: "customer" + string(rune('a'+i)) + "@example.com", Name: "לקוחה"}, ch, kesher.ConversationUpdate{})
		if _, err := f.desk.AnswerSurvey(f.system, f.link(t, c.ID), kesher.AnswerFromLink, []kesher.SurveyAnswer{{Question: "speed", Score: score}}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range scores {
		answer(i, kesher.ChannelEmail, s)
	}
	answer(len(scores), kesher.ChannelChat, 5)

	_, err := f.desk.SurveyResults(f.asAgent, desk.SurveyResultsQuery{})
	wantCode(t, err, kesher.ECodeForbidden)
	_, err = f.desk.SurveyResults(f.asLead, desk.SurveyResultsQuery{By: "colour"})
	wantCode(t, err, kesher.ECodeValidation)

	res, err := f.desk.SurveyResults(f.asLead, desk.SurveyResultsQuery{By: desk.ByChannel})
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 11 || len(res.Rows) != 2 || res.MinAnswers != 10 {
		t.Fatalf("results %+v", res)
	}
	chat, email := res.Rows[0], res.Rows[1]
	if chat.Group != "chat" || chat.N != 1 || chat.Enough || chat.Mean != nil {
		t.Errorf("one chat answer: %+v, want too few", chat)
	}
	near := func(what string, got *float64, want float64) {
		if got == nil || math.Abs(*got-want) > 5e-4 {
			t.Errorf("%s = %v, want %.4f", what, got, want)
		}
	}
	if email.Group != "email" || email.N != 10 || !email.Enough {
		t.Fatalf("email row %+v", email)
	}
	near("mean", email.Mean, 3)
	near("mean low", email.MeanLow, 1.9337)
	near("mean high", email.MeanHigh, 4.0663)
	near("top-2 share", email.Top2, 0.4)
	near("top-2 low", email.Top2Low, 0.1682)
	near("top-2 high", email.Top2High, 0.6873)

	// Per week: every answer is in one week, so there is no trend.
	weekly, err := f.desk.SurveyResults(f.asLead, desk.SurveyResultsQuery{Interval: desk.IntervalWeek})
	if err != nil {
		t.Fatal(err)
	}
	if len(weekly.Rows) != 1 || weekly.Rows[0].N != 11 || weekly.Rows[0].Trend != "" || weekly.Rows[0].Period.Weekday() != time.Sunday {
		t.Errorf("weekly %+v", weekly.Rows)
	}
	list, _, err := f.desk.SurveyResponses(f.asLead, kesher.SurveyResponseFilter{Channel: kesher.ChannelChat})
	if err != nil || len(list) != 1 {
		t.Errorf("SurveyResponses(chat) = %d, %v", len(list), err)
	}
}

// testSurveyTrends answers the speed question ten times low in one week,
// ten times high the next, and three times in the third: up from the
// first to the second, no trend claimed from the three.
func testSurveyTrends(t *testing.T, f *surveyFixture) {
	f.clock.Set(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)) // a Sunday
	n := 0
	week := func(scores ...int) {
		for _, s := range scores {
			n++
			c := f.solve(t, desk.CustomerRef{Email: "trend" + strconv.Itoa(n) + "@example.com", Name: "לקוח"}, kesher.ChannelEmail, kesher.ConversationUpdate{})
			if _, err := f.desk.AnswerSurvey(f.system, f.link(t, c.ID), kesher.AnswerFromLink, []kesher.SurveyAnswer{{Question: "speed", Score: s}}); err != nil {
				t.Fatal(err)
			}
		}
		f.clock.Advance(7 * 24 * time.Hour)
	}
	week(1, 2, 1, 2, 1, 2, 1, 2, 2, 1)
	week(5, 4, 5, 4, 5, 5, 4, 5, 4, 5)
	week(1, 1, 1)
	res, err := f.desk.SurveyResults(f.asLead, desk.SurveyResultsQuery{Interval: desk.IntervalWeek})
	if err != nil {
		t.Fatal(err)
	}
	var trends []string
	for _, r := range res.Rows {
		trends = append(trends, strconv.Itoa(r.N)+":"+r.Trend)
	}
	if got := strings.Join(trends, " "); got != "10: 10:up 3:" {
		t.Errorf("weekly trends %q, want \"10: 10:up 3:\"", got)
	}
}
