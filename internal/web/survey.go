package web

import (
	"net/http"
	"strconv"
	"strings"

	"kesher"
	"kesher/internal/desk"
	"kesher/internal/i18n"
)

// The page of a survey link (/survey/{token}): no sign-in, the link is
// the credential, in the language of the customer who was invited.
//
// The email's choices link here with ?q=QUESTION&a=SCORE, and following
// one records that answer at once, from the GET: a customer who clicks
// "4" and closes the tab has answered. Link scanners and mail programs
// that fetch links ahead of the customer could answer for them, so the
// GET records only what a person's browser asks for (no prefetch, no
// self-declared bot), a repeat of the same choice changes nothing, and a
// later click or the page's form changes the answer: the customer's own
// click comes after a scanner's fetch at delivery, so it wins. The rest
// of the survey is posted from the page with the CSRF token of the
// pre-session cookie, like the other public forms.

// surveyData is what the survey's page shows.
type surveyData struct {
	Invalid bool
	// Code is the error code of an invalid link.
	Code     string
	Action   string
	Recorded bool
	Saved    bool
	// Problem says the desk refused an answer of the form.
	Problem   bool
	Questions []surveyQuestion
	Scores    []int
}

type surveyQuestion struct {
	Key, Text string
	Scale     bool
	Score     int
	Answer    string
}

// showSurvey shows a survey link's page, recording the choice the link
// carries.
func (w *Web) showSurvey(rw http.ResponseWriter, r *http.Request, p *page) error {
	token, q := r.PathValue("token"), r.URL.Query()
	if key, score := q.Get("q"), q.Get("a"); key != "" && score != "" && !prefetch(r) {
		n, err := strconv.Atoi(score)
		if err != nil {
			return w.surveyFailed(rw, r, p, kesher.FieldError("answers."+key, "invalid", "a score is a number"))
		}
		form, err := w.desk.AnswerSurvey(r.Context(), token, kesher.AnswerFromLink, []kesher.SurveyAnswer{{Question: key, Score: n}})
		if err != nil {
			return w.surveyFailed(rw, r, p, err)
		}
		w.renderSurvey(rw, http.StatusOK, p, token, form, surveyData{Recorded: true})
		return nil
	}
	form, err := w.desk.OpenSurvey(r.Context(), token)
	if err != nil {
		return w.surveyFailed(rw, r, p, err)
	}
	w.renderSurvey(rw, http.StatusOK, p, token, form, surveyData{Saved: q.Get("saved") != ""})
	return nil
}

// prefetch reports whether a request is a browser's speculative fetch or
// a crawler's, which must not answer for the customer.
func prefetch(r *http.Request) bool {
	for _, h := range []string{"Sec-Purpose", "Purpose", "X-Moz", "X-Purpose"} {
		if strings.Contains(strings.ToLower(r.Header.Get(h)), "prefetch") || strings.Contains(strings.ToLower(r.Header.Get(h)), "preview") {
			return true
		}
	}
	return isBot(r.UserAgent())
}

// answerSurvey records the page's answers and shows the page again.
func (w *Web) answerSurvey(rw http.ResponseWriter, r *http.Request, p *page) error {
	token := r.PathValue("token")
	var answers []kesher.SurveyAnswer
	for name, vals := range r.PostForm {
		key, ok := strings.CutPrefix(name, "answer.")
		if !ok || len(vals) == 0 {
			continue
		}
		// The form does not say which field is a scale: the desk takes
		// the score of a scale question and the text of an open one, so an
		// open answer of "5" stays text.
		a := kesher.SurveyAnswer{Question: key, Text: vals[0]}
		a.Score, _ = strconv.Atoi(strings.TrimSpace(vals[0]))
		answers = append(answers, a)
	}
	_, err := w.desk.AnswerSurvey(r.Context(), token, kesher.AnswerFromPage, answers)
	if kesher.ErrorCode(err) == kesher.ECodeValidation && !strings.Contains(r.Header.Get("Accept"), "application/json") {
		// A tampered or stale form: the page again, with what is saved.
		form, oerr := w.desk.OpenSurvey(r.Context(), token)
		if oerr != nil {
			return w.surveyFailed(rw, r, p, oerr)
		}
		w.renderSurvey(rw, http.StatusUnprocessableEntity, p, token, form, surveyData{Problem: true})
		return nil
	}
	if err != nil {
		return w.surveyFailed(rw, r, p, err)
	}
	redirect(rw, r, desk.SurveyPath(token)+"?saved=1")
	return nil
}

// renderSurvey shows the questions of form with the answers given so far.
func (w *Web) renderSurvey(rw http.ResponseWriter, status int, p *page, token string, form *desk.SurveyForm, d surveyData) {
	p.L = i18n.New(form.Response.Language, nil)
	d.Action, d.Scores = desk.SurveyPath(token), []int{1, 2, 3, 4, 5}
	for _, q := range form.Survey.Questions {
		sq := surveyQuestion{Key: q.Key, Text: q.Text.In(p.L.Lang()), Scale: q.Kind == kesher.QuestionScale}
		if a, ok := form.Response.Answer(q.Key); ok {
			sq.Score, sq.Answer = a.Score, a.Text
		}
		d.Questions = append(d.Questions, sq)
	}
	p.Title, p.Data = p.L.T("survey.page.title"), d
	w.execute(rw, status, "survey", "survey_layout", p)
}

// surveyFailed answers a link that does not work, or answers the desk
// refused, in the API's error format for a client that asks for JSON and
// as the page otherwise. The link's secret is never logged.
func (w *Web) surveyFailed(rw http.ResponseWriter, r *http.Request, p *page, err error) error {
	// The path holds the link's secret: the pattern is logged instead.
	code, status := w.errorStatus(r, "web: survey", r.Pattern, err)
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		writeFormJSON(rw, status, errorJSON(err, code, status))
		return nil
	}
	p.L = localeFor(nil, r)
	p.Title, p.Data = p.L.T("survey.page.invalid_title"), surveyData{Invalid: true, Code: code}
	w.execute(rw, status, "survey", "survey_layout", p)
	return nil
}
