package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"kesher"
	"kesher/internal/desk"
)

// The results of surveys for leads and admins: a table per question of
// answers, mean and top-2-box share with their 95 % intervals, grouped and
// per period as asked; every count links to the answers behind it.

// surveyResultsData is the results page.
type surveyResultsData struct {
	By, Interval, From, To string
	Groupings, Intervals   []string
	MinAnswers, Responses  int
	Rows                   []surveyResultLine
}

// surveyResultLine is a row of results as the page writes it.
type surveyResultLine struct {
	desk.SurveyResultRow
	Question, Group, Period string
	Mean, Top2              string
	// Answers links to the answers behind the row.
	Answers string
}

// surveyQuery reads the results' query from the URL: by, interval, from
// and to, and, for the answers behind a row, its group and period.
func surveyQuery(r *http.Request) (desk.SurveyResultsQuery, error) {
	q := r.URL.Query()
	sq := desk.SurveyResultsQuery{By: q.Get("by"), Interval: q.Get("interval")}
	var v kesher.Validation
	var ok bool
	sq.Filter.From, ok = parseDate(q.Get("from"))
	v.Check(ok, "from", "invalid")
	sq.Filter.To, ok = parseDate(q.Get("to"))
	v.Check(ok, "to", "invalid")
	if !sq.Filter.To.IsZero() {
		sq.Filter.To = sq.Filter.To.AddDate(0, 0, 1) // the whole last day
	}
	if q.Has("group") {
		group := q.Get("group")
		switch sq.By {
		case desk.ByTeam:
			sq.Filter.TeamID = group
		case desk.ByAgent:
			sq.Filter.AgentID = group
		case desk.ByChannel:
			sq.Filter.Channel = kesher.Channel(group)
		case desk.ByReason:
			sq.Filter.Reason = group
		}
	}
	if s := q.Get("period"); s != "" {
		start, err := time.Parse(time.RFC3339, s)
		v.Check(err == nil, "period", "invalid")
		end := start.AddDate(0, 1, 0)
		if sq.Interval == desk.IntervalWeek {
			end = start.AddDate(0, 0, 7)
		}
		if sq.Filter.From.Before(start) {
			sq.Filter.From = start
		}
		if sq.Filter.To.IsZero() || sq.Filter.To.After(end) {
			sq.Filter.To = end
		}
	}
	return sq, v.Err()
}

// parseDate reads a YYYY-MM-DD date of a form, "" for none.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}

func (w *Web) surveyResults(rw http.ResponseWriter, r *http.Request, p *page) error {
	sq, err := surveyQuery(r)
	if err != nil {
		return err
	}
	res, err := w.desk.SurveyResults(r.Context(), sq)
	if err != nil {
		return err
	}
	dir, err := w.loadDirectory(r.Context())
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := surveyResultsData{By: sq.By, Interval: sq.Interval, From: q.Get("from"), To: q.Get("to"), Groupings: desk.SurveyGroupings,
		Intervals: []string{desk.IntervalNone, desk.IntervalWeek, desk.IntervalMonth}, MinAnswers: res.MinAnswers, Responses: res.Responses}
	for _, row := range res.Rows {
		line := surveyResultLine{SurveyResultRow: row, Question: questionLabel(p, row.Question), Group: groupLabel(p, dir, sq.By, row.Group)}
		link := url.Values{"by": {sq.By}, "interval": {sq.Interval}, "from": {d.From}, "to": {d.To}, "question": {row.Question}}
		if sq.By != desk.ByNone {
			link.Set("group", row.Group)
		}
		if !row.Period.IsZero() {
			line.Period = p.L.Date(row.Period)
			link.Set("period", row.Period.Format(time.RFC3339))
		}
		line.Answers = "/surveys/results/answers?" + link.Encode()
		if row.Enough {
			line.Mean = p.L.T("survey.results.interval_value", "value", fixed(*row.Mean, 2), "low", fixed(*row.MeanLow, 2), "high", fixed(*row.MeanHigh, 2))
			line.Top2 = p.L.T("survey.results.interval_value", "value", percent(*row.Top2), "low", percent(*row.Top2Low), "high", percent(*row.Top2High))
		}
		d.Rows = append(d.Rows, line)
	}
	p.Title, p.Nav, p.Data = p.L.T("survey.results.title"), "surveys", d
	w.render(rw, http.StatusOK, "survey_results", p)
	return nil
}

func fixed(f float64, digits int) string { return strconv.FormatFloat(f, 'f', digits, 64) }

func percent(f float64) string { return strconv.Itoa(int(f*100+0.5)) + "%" }

// questionLabel names a question in the page's language: the default
// survey's words for its keys, else the key itself.
func questionLabel(p *page, key string) string {
	if k := "survey.question." + key; p.L.Has(k) {
		return p.L.T(k)
	}
	return key
}

// groupLabel names a group of results.
func groupLabel(p *page, dir *directory, by, group string) string {
	switch {
	case by == desk.ByNone:
		return ""
	case group == "":
		return p.L.T("survey.results.no_group")
	case by == desk.ByTeam:
		return dir.TeamName(group)
	case by == desk.ByAgent:
		return dir.UserName(group)
	case by == desk.ByChannel:
		return p.L.T("channel." + group)
	}
	return group
}

// surveyAnswersData is the list of answers behind a number.
type surveyAnswersData struct {
	Question string
	Back     string
	Items    []surveyAnswerLine
	Next     string
}

// surveyAnswerLine is one response behind a number: its conversation,
// when it was answered, the score of the question and the comment.
type surveyAnswerLine struct {
	ID, ConversationID string
	AnsweredAt         time.Time
	Score              int
	Comment            string
}

// surveyAnswers lists the answered responses behind a row of results,
// each linking to its conversation.
func (w *Web) surveyAnswers(rw http.ResponseWriter, r *http.Request, p *page) error {
	sq, err := surveyQuery(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	sq.Filter.Page = kesher.Page{Limit: kesher.MaxPageLimit, Cursor: q.Get("cursor")}
	items, next, err := w.desk.SurveyResponses(r.Context(), sq.Filter)
	if err != nil {
		return err
	}
	key := q.Get("question")
	back := url.Values{"by": {q.Get("by")}, "interval": {q.Get("interval")}, "from": {q.Get("from")}, "to": {q.Get("to")}}
	d := surveyAnswersData{Question: questionLabel(p, key), Back: "/surveys/results?" + back.Encode()}
	for _, it := range items {
		a, ok := it.Answer(key)
		if !ok {
			continue
		}
		comment, _ := it.Answer(desk.CommentQuestion)
		d.Items = append(d.Items, surveyAnswerLine{ID: it.ID, ConversationID: it.ConversationID, AnsweredAt: it.AnsweredAt, Score: a.Score, Comment: comment.Text})
	}
	if next != "" {
		q.Set("cursor", next)
		d.Next = "/surveys/results/answers?" + q.Encode()
	}
	p.Title, p.Nav, p.Data = p.L.T("survey.results.responses_title"), "surveys", d
	w.render(rw, http.StatusOK, "survey_answers", p)
	return nil
}
