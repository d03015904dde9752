package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kesher"
	"kesher/internal/desk"
)

// withAnswers solves one email conversation per score, owned by the
// agent, and answers each one's survey on the speed question.
func withAnswers(scores ...int) func(t *testing.T, f *fixture) {
	return func(t *testing.T, f *fixture) {
		withReason(t, f)
		for i, score := range scores {
			c := f.open("agent", fmt.Sprintf(`{"customer": {"email": "lakoach%d@example.com", "name": "לקוח %d"}, "channel": "email", "message": {"body_text": "איפה ההזמנה?"}}`, i, i))
			f.must(request{method: "PATCH", path: "/api/v1/conversations/" + c.ID, as: "agent",
				body: `{"status": "solved", "owner_id": "{agent}", "reason": "late-delivery"}`}, http.StatusOK, nil)
			path, _, err := f.desk.SurveyInvitation(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.desk.AnswerSurvey(context.Background(), strings.TrimPrefix(path, "/survey/"), kesher.AnswerFromLink,
				[]kesher.SurveyAnswer{{Question: "speed", Score: score}}); err != nil {
				t.Fatal(err)
			}
			f.vars["conv"] = c.ID
		}
	}
}

func TestSurveyScenarios(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:   "the default survey is the six expectations and an open question, in Hebrew and English",
			req:    request{method: "GET", path: "/api/v1/surveys", as: "admin"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.Survey }
				res.decode(t, &page)
				if len(page.Items) != 1 || page.Items[0].ID != kesher.DefaultSurveyID || len(page.Items[0].Questions) != 7 {
					t.Fatalf("surveys %+v", page.Items)
				}
				q := page.Items[0].Questions[0]
				if q.Key != "welcoming" || q.Kind != kesher.QuestionScale || q.Text.He == "" || q.Text.En == "" {
					t.Errorf("first question %+v", q)
				}
			},
		},
		{
			name:   "a survey for a channel is created and applies to its conversations",
			req:    request{method: "POST", path: "/api/v1/surveys", as: "admin", body: `{"name": "סקר וואטסאפ", "channel": "whatsapp", "questions": [` + surveyQuestion + `]}`},
			status: http.StatusCreated,
			check: func(t *testing.T, f *fixture, res response) {
				var s kesher.Survey
				res.decode(t, &s)
				got, err := f.desk.SurveyFor(kesher.WithActor(context.Background(), f.users["agent"]), "", kesher.ChannelWhatsApp)
				if err != nil || got.ID != s.ID || got.Questions[0].Text.He != "כמה מהר טיפלנו בפנייה?" {
					t.Errorf("SurveyFor(whatsapp) = %+v, %v", got, err)
				}
			},
		},
		{
			name:   "a survey without questions names the field",
			req:    request{method: "POST", path: "/api/v1/surveys", as: "admin", body: `{"name": "ריק", "channel": "chat", "questions": []}`},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"questions"},
		},
		{
			name: "a second survey of the same scope is a conflict",
			setup: func(t *testing.T, f *fixture) {
				f.must(request{method: "POST", path: "/api/v1/surveys", as: "admin", body: `{"name": "צ'אט", "channel": "chat", "questions": [` + surveyQuestion + `]}`}, http.StatusCreated, nil)
			},
			req:    request{method: "POST", path: "/api/v1/surveys", as: "admin", body: `{"name": "צ'אט שוב", "channel": "chat", "questions": [` + surveyQuestion + `]}`},
			status: http.StatusConflict, code: kesher.ECodeConflict,
		},
		{
			name:   "responses are listed with what the conversation was when solved",
			setup:  withAnswers(4),
			req:    request{method: "GET", path: "/api/v1/survey-responses?agent={agent}&reason=late-delivery&channel=email", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var page struct{ Items []kesher.SurveyResponse }
				res.decode(t, &page)
				if len(page.Items) != 1 {
					t.Fatalf("responses %+v", page.Items)
				}
				r := page.Items[0]
				if r.ConversationID != f.vars["conv"] || r.AgentID != f.users["agent"].ID || r.Reason != "late-delivery" || len(r.Answers) != 1 || r.Answers[0].Score != 4 {
					t.Errorf("response %+v", r)
				}
			},
		},
		{
			name:   "results below the minimum say too few answers",
			setup:  withAnswers(5, 4, 3),
			req:    request{method: "GET", path: "/api/v1/survey-results?by=reason", as: "lead"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var r desk.SurveyResults
				res.decode(t, &r)
				if len(r.Rows) != 1 || r.Rows[0].N != 3 || r.Rows[0].Enough || r.Rows[0].Mean != nil || r.Rows[0].Group != "late-delivery" || r.MinAnswers != 10 {
					t.Errorf("results %+v", r)
				}
			},
		},
		{
			name:   "results with enough answers have their intervals",
			setup:  withAnswers(1, 2, 3, 4, 5, 5, 4, 3, 2, 1),
			req:    request{method: "GET", path: "/api/v1/survey-results?interval=month", as: "admin"},
			status: http.StatusOK,
			check: func(t *testing.T, f *fixture, res response) {
				var r desk.SurveyResults
				res.decode(t, &r)
				if len(r.Rows) != 1 || !r.Rows[0].Enough || *r.Rows[0].Mean != 3 || *r.Rows[0].MeanLow > 1.94 || *r.Rows[0].MeanHigh < 4.06 || r.Rows[0].Period.Day() != 1 {
					t.Errorf("results %+v", r.Rows)
				}
			},
		},
		{
			name:   "an unknown grouping names its field",
			req:    request{method: "GET", path: "/api/v1/survey-results?by=colour", as: "lead"},
			status: http.StatusUnprocessableEntity, code: kesher.ECodeValidation, fields: []string{"by"},
		},
	})
}
