package email_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"kesher"
	"kesher/internal/desk"
)

var surveyChoice = regexp.MustCompile(`https://noga\.example/survey/(ksv_[A-Za-z0-9_-]+)\?a=([1-5])&q=welcoming`)

// TestSurveyEmail solves Moshe's email conversation and finds the
// invitation in Hebrew in the sink: the first expectation with its five
// choices as links, each carrying the invitation's secret, which works
// and is in no job.
func TestSurveyEmail(t *testing.T) {
	s := newSending(t, false)
	s.run(t, s.sender)
	res := s.open(t)
	solved := kesher.StatusSolved
	if _, err := s.desk.UpdateConversation(s.agent, res.ConversationID, kesher.ConversationUpdate{Status: &solved}); err != nil {
		t.Fatal(err)
	}
	got := read(t, s.sink.Wait(t, 1, 5*time.Second)[0])
	if got.To[0] != moshe.Email || got.From != supportAddress || got.header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("from %s to %v, headers %v", got.From, got.To, got.header)
	}
	for _, w := range []string{"שלום משה כהן,", "הפנייה שלך (המקרר לא מקרר) טופלה", "עד כמה היחס אלייך היה חם ומכבד?", "תודה,"} {
		if !strings.Contains(got.msg.Text, w) {
			t.Errorf("the text lacks %q:\n%s", w, got.msg.Text)
		}
	}
	choices := surveyChoice.FindAllStringSubmatch(got.msg.Text, -1)
	if len(choices) != 5 || choices[0][2] != "1" || choices[4][2] != "5" {
		t.Fatalf("choices %v in:\n%s", choices, got.msg.Text)
	}
	if !strings.Contains(got.msg.HTML, `dir="rtl"`) || strings.Count(got.msg.HTML, "/survey/"+choices[0][1]) != 5 {
		t.Errorf("the HTML part lacks the choices or dir=rtl:\n%s", got.msg.HTML)
	}
	token := choices[0][1]
	form, err := s.desk.OpenSurvey(context.Background(), token)
	if err != nil || form.Response.ConversationID != res.ConversationID {
		t.Fatalf("the emailed link: %+v, %v", form, err)
	}
	waitUntil(t, 5*time.Second, "the outbox to empty", func() bool {
		n, err := s.store.CountJobs(context.Background(), kesher.JobPending)
		return err == nil && n == 0
	})
	done, _, err := s.store.JobsByState(context.Background(), kesher.JobDone, kesher.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range done {
		if j.Kind == desk.JobSurveyInvite && strings.Contains(string(j.Payload), token) {
			t.Errorf("the survey job holds the secret: %s", j.Payload)
		}
	}
}
