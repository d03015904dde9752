package api

import (
	"net/http"

	"kesher"
	"kesher/internal/desk"
)

// Surveys (admins) and their responses and results (leads and admins).

// surveyIn is a survey as the API takes it.
type surveyIn struct {
	Name      string                  `json:"name"`
	TeamID    string                  `json:"team_id"`
	Channel   kesher.Channel          `json:"channel"`
	Questions []kesher.SurveyQuestion `json:"questions"`
}

func (in surveyIn) input() desk.SurveyInput {
	return desk.SurveyInput{Name: in.Name, TeamID: in.TeamID, Channel: in.Channel, Questions: in.Questions}
}

func (a *api) createSurvey(w http.ResponseWriter, r *http.Request) error {
	var in surveyIn
	if err := decode(r, &in); err != nil {
		return err
	}
	s, err := a.desk.SaveSurvey(r.Context(), "", in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s)
}

// listSurveys lists every survey, the default first; there are a handful,
// on one page.
func (a *api) listSurveys(w http.ResponseWriter, r *http.Request) error {
	items, err := a.desk.Surveys(r.Context())
	return writeList(w, items, "", err)
}

func (a *api) getSurvey(w http.ResponseWriter, r *http.Request) error {
	s, err := a.desk.Survey(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

// updateSurvey replaces a survey; "default" is the default survey.
func (a *api) updateSurvey(w http.ResponseWriter, r *http.Request) error {
	var in surveyIn
	if err := decode(r, &in); err != nil {
		return err
	}
	s, err := a.desk.SaveSurvey(r.Context(), r.PathValue("id"), in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

func (a *api) deleteSurvey(w http.ResponseWriter, r *http.Request) error {
	return noContent(w, a.desk.DeleteSurvey(r.Context(), r.PathValue("id")))
}

// responseFilter reads the filters that survey responses and results
// share: survey, conversation, customer, agent (an id or "me"), team,
// channel, reason, and the period from–to of the first answer.
func responseFilter(r *http.Request) (kesher.SurveyResponseFilter, error) {
	q := r.URL.Query()
	f := kesher.SurveyResponseFilter{SurveyID: q.Get("survey"), ConversationID: q.Get("conversation"), CustomerID: q.Get("customer"),
		AgentID: q.Get("agent"), TeamID: q.Get("team"), Channel: kesher.Channel(q.Get("channel")), Reason: q.Get("reason")}
	if f.AgentID == "me" {
		f.AgentID = kesher.ActorFrom(r.Context()).ID
	}
	var v kesher.Validation
	v.Check(f.Channel == "" || f.Channel.Valid(), "channel", "invalid")
	var ok bool
	f.From, ok = parseWhen(q.Get("from"))
	v.Check(ok, "from", "invalid")
	f.To, ok = parseWhen(q.Get("to"))
	v.Check(ok, "to", "invalid")
	return f, v.Err()
}

// listSurveyResponses lists answered responses, newest answer first.
func (a *api) listSurveyResponses(w http.ResponseWriter, r *http.Request) error {
	p, err := pageOf(r)
	if err != nil {
		return err
	}
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	f.Page = p
	items, next, err := a.desk.SurveyResponses(r.Context(), f)
	return writeList(w, items, next, err)
}

// surveyResults computes results by=team|agent|channel|reason per
// interval=week|month, over the responses the filters select.
func (a *api) surveyResults(w http.ResponseWriter, r *http.Request) error {
	f, err := responseFilter(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := a.desk.SurveyResults(r.Context(), desk.SurveyResultsQuery{Filter: f, By: q.Get("by"), Interval: q.Get("interval")})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
